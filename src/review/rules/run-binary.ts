/**
 * A cross-compiled binary does not run on the build machine (P5): `RUN widgetd --version` after
 * the compile in a build-platform stage fails for every foreign target, unless guarded by
 * `if ! xx-info is-cross; then ...; fi`. Which steps run a built binary, and which are guarded, is
 * the facts' answer (dockerfile/facts.ts), the same one the guard-binary-exec recipe acts on.
 */
import { DOCS } from '../docs.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

export const unguardedCrossBinaryRun: Rule = {
  id: 'unguarded-cross-binary-run',
  severity: 'warning',
  errorInOwnOutput: true,
  title: 'A cross-compiled binary is executed on the build platform',
  docs: DOCS.xxInfo,
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
RUN /out/widgetd --version
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
    pass: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
RUN if ! xx-info is-cross; then /out/widgetd --version; fi
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
  },
  check(ctx: ReviewContext) {
    const cross = ctx.compiles().filter((c) => c.cross);
    if (cross.length === 0) return;
    for (const stage of ctx.model.stages) {
      if (!ctx.native(stage)) continue;
      for (const run of ctx.facts.binaryRuns(stage, cross)) {
        if (run.guarded) continue;
        ctx.report(
          this,
          run.command ?? run.instruction,
          `"${run.text}" runs a binary cross-compiled in stage ${ctx.stageLabel(run.compiles[0]!.stage)} on the build machine: it fails (or is emulated) for every foreign target`,
          'guard it with "if ! xx-info is-cross; then ...; fi", or run it in a stage on the target platform (e.g. the strip stage)',
        );
      }
    }
  },
};
