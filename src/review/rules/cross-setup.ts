/**
 * A compile on the build platform without cross setup builds binaries for the build machine's
 * arch, and they end up in every target's image.
 */
import { DOCS } from '../docs.ts';
import { followsBuildMachine } from '../../dockerfile/env.ts';
import type { ReviewContext } from '../context.ts';
import { argInScope } from '../../dockerfile/model.ts';
import { TARGET_ARGS } from '../../dockerfile/stage-questions.ts';
import type { Rule } from '../rule.ts';
import { CLEAN_CROSS_BUILD } from '../examples.ts';

export const crossSetupMissing: Rule = {
  id: 'cross-setup-missing',
  severity: 'error',
  title: 'A compile on the build platform has no cross-compilation setup',
  docs: DOCS.xxGo,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
    pass: CLEAN_CROSS_BUILD,
  },
  check(ctx: ReviewContext) {
    for (const c of ctx.compiles()) {
      if (!c.native || c.cross) continue;
      // GOARCH=$BUILDARCH or similar: a tool for the build itself.
      if (c.goarch?.value && followsBuildMachine(c.goarch.value)) continue;
      if (!ctx.reachesTarget(c.stage)) continue;
      const platform = c.stage.platform === 'build' ? '$BUILDPLATFORM' : 'a fixed platform';
      ctx.report(
        this,
        c.command,
        `"${c.command.name}" compiles in stage ${ctx.stageLabel(c.stage)} on ${platform} without "xx-go --wrap" before it or GOOS/GOARCH from TARGETOS/TARGETARCH: it builds for the build machine, not the target`,
        'run "xx-go --wrap &&" in front of the compile (after ARG TARGETPLATFORM and COPY --from=xx / /), or set GOOS=$TARGETOS GOARCH=$TARGETARCH on it' +
          // xx-go --wrap changes nothing for a make that builds C.
          (c.kind === 'make' ? '; if this make builds C rather than Go, keep the stage on the target platform (no --platform=$BUILDPLATFORM) with a "# kept emulated:" comment saying why' : ''),
      );
    }
  },
};

export const compileStageWithoutTargetArg: Rule = {
  id: 'compile-stage-without-target-arg',
  severity: 'warning',
  title: 'A cross-compile stage has no target ARG in scope',
  docs: DOCS.argScope,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS base
COPY --from=xx / /
RUN apk add --no-cache file git
RUN xx-go --wrap
FROM base AS builder
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
`,
    pass: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS base
COPY --from=xx / /
RUN apk add --no-cache file git
ARG TARGETPLATFORM
RUN xx-go --wrap
FROM base AS builder
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
`,
  },
  check(ctx: ReviewContext) {
    for (const c of ctx.compiles()) {
      if (!c.cross || !c.wrap || c.wrap.instruction.stage === c.stage) continue;
      // Declared in the parent (before or after its wrap) or here: the stage has the target.
      if ([...TARGET_ARGS].some((n) => argInScope(c.stage, n, c.instruction.start))) continue;
      ctx.report(
        this,
        c.command,
        `stage ${ctx.stageLabel(c.stage)} compiles with the xx-go setup of a parent stage, but no target ARG is declared in it or in the stages it is built FROM, so anything in this stage that reads the target sees nothing`,
        'add ARG TARGETPLATFORM in this stage (or in its parent stage), after the target-independent steps and before the compile',
      );
    }
  },
};
