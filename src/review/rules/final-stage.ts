/**
 * The images the repository ships must be built for the target (P9): a final stage on
 * $BUILDPLATFORM produces an amd64 image labelled arm64.
 */
import { DOCS } from '../docs.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';
import { CLEAN_CROSS_BUILD } from '../examples.ts';

export const finalStageOnBuildPlatform: Rule = {
  id: 'final-stage-on-build-platform',
  severity: 'error',
  title: 'A final image stage runs on the build platform',
  docs: DOCS.crossCompile,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM --platform=$BUILDPLATFORM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
    pass: CLEAN_CROSS_BUILD,
  },
  check(ctx: ReviewContext) {
    for (const { stage, named, check: isCheck } of ctx.facts.finalStagesOnBuildPlatform()) {
      const how = stage.platformFlag ? `FROM --platform=${stage.platformFlag.value}` : `its base stage ${ctx.stageLabel(stage.base!)}`;
      const role = named ? 'a --target the build names' : 'a final stage (nothing builds on it)';
      ctx.reportStage(
        this,
        stage,
        `stage ${ctx.stageLabel(stage)} is ${role} but runs on the build platform through ${how}: every platform's image would contain build-machine binaries`,
        stage.platformFlag
          ? 'remove --platform=$BUILDPLATFORM from this FROM; the final image must stay on the target platform'
          : 'base the final stage on a target-platform image and COPY --from the builder instead',
        isCheck ? 'warning' : undefined,
      );
    }
  },
};
