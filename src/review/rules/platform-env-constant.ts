/**
 * `ENV TARGETPLATFORM=linux/arm64` (or TARGETARCH, TARGETOS, TARGETVARIANT set to a constant):
 * the ENV wins over the ARG BuildKit sets per platform, and xx-go, xx-apk and xx-verify read the
 * target from it, so every platform of the build compiles, installs for and checks that one
 * target, and nothing fails: the arm64 image of an amd64 build simply holds amd64 binaries.
 */
import { TARGET_ARGS } from '../../dockerfile/stage-questions.ts';
import { DOCS } from '../docs.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

const example = (env: string) => `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
${env}
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`;

export const platformEnvConstant: Rule = {
  id: 'platform-env-constant',
  severity: 'error',
  title: 'An ENV sets the target platform to a constant, so every platform builds that one',
  docs: DOCS.platformArgs,
  examples: { fail: example('ENV TARGETPLATFORM=linux/arm64'), pass: example('ARG TARGETPLATFORM') },
  check(ctx: ReviewContext) {
    for (const stage of ctx.model.stages) {
      for (const e of stage.env) {
        if (!TARGET_ARGS.has(e.name) || e.value.includes('$')) continue;
        ctx.report(
          this,
          { start: e.start, end: e.end },
          `ENV ${e.name}=${e.value} sets the target for every platform of the build: xx-go, xx-apk and xx-verify read it instead of what BuildKit sets per platform, so each image gets ${e.value} binaries`,
          `remove the ENV and declare "ARG ${e.name}" (no default): BuildKit sets it for each platform`,
        );
      }
    }
  },
};
