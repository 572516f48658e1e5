/**
 * The host `strip` reads only the build machine's arch: on a cross-compiled binary it fails
 * ("Unable to recognise the format") or, with `install -s`, breaks the install (spec item 7).
 */
import { indirectStrip, installStrip, stripTargets } from '../../dockerfile/commands.ts';
import { baseName } from '../../dockerfile/shell.ts';
import { DOCS } from '../docs.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

export const hostStripCrossOutput: Rule = {
  id: 'host-strip-cross-output',
  severity: 'error',
  title: 'Host strip (or install -s) on cross-compiled output',
  docs: DOCS.crossCompile,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
COPY . /src
ARG TARGETPLATFORM
RUN cd /src && xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
RUN install -s /out/widgetd /usr/local/bin/widgetd
FROM scratch
COPY --from=builder /usr/local/bin/widgetd /usr/local/bin/widgetd
`,
    pass: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
COPY . /src
ARG TARGETPLATFORM
RUN cd /src && xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
RUN install /out/widgetd /usr/local/bin/widgetd
FROM \${GO_IMAGE} AS strip_binary
COPY --from=builder /usr/local/bin/widgetd /widgetd
RUN strip /widgetd
FROM scratch
COPY --from=strip_binary /widgetd /usr/local/bin/widgetd
`,
  },
  check(ctx: ReviewContext) {
    for (const stage of ctx.model.stages) {
      if (!ctx.native(stage)) continue;
      const crossInput = ctx.crossStage(stage) || stage.refs.some((r) => r.stage && ctx.crossStage(r.stage));
      if (!crossInput) continue;
      for (const { command } of ctx.commands(stage)) {
        const install = installStrip(command);
        if (install) {
          ctx.report(
            this,
            install.flag,
            `"install ${install.flag.value}" strips with the build machine's strip in build-platform stage ${ctx.stageLabel(stage)}: it cannot strip the cross-compiled binaries`,
            'use plain "install" here and strip in a stage on the target platform (FROM <go image> AS strip_binary; COPY --from=<builder>; RUN strip), or link with -ldflags "-s -w"',
          );
          continue;
        }
        // `<triple>-strip` and llvm-strip understand foreign binaries; plain strip does not.
        if ((baseName(command.name) === 'strip' && stripTargets(command)) || indirectStrip(command)) {
          ctx.report(
            this,
            command,
            `"strip" runs on the build machine in stage ${ctx.stageLabel(stage)}: it cannot strip binaries cross-compiled for another arch`,
            'move the strip to a stage on the target platform (FROM <go image> AS strip_binary; COPY --from=<builder>; RUN strip), or use "$(xx-info)-strip"/llvm-strip, or link with -ldflags "-s -w"',
          );
        }
      }
    }
  },
};
