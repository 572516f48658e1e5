/**
 * Compile steps that still run under QEMU: the whole point of the migration. A stage may stay
 * emulated only when someone said why (P10): a comment with "emulated" right above its FROM, or
 * the fleet config.
 */
import { alreadyCrossCompiles } from '../../dockerfile/cross-compiling-stages.ts';
import { lineage, type Stage } from '../../dockerfile/model.ts';
import { DOCS } from '../docs.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';
import { CLEAN_CROSS_BUILD } from '../examples.ts';

/** Where the platform of `stage` is decided: the nearest FROM with --platform, else the lineage root. */
function platformSite(stage: Stage): Stage {
  const chain = lineage(stage);
  return chain.find((s) => s.platformFlag) ?? chain[chain.length - 1]!;
}

export const compileLeftEmulated: Rule = {
  id: 'compile-left-emulated',
  severity: 'error',
  title: 'A Go compile stage still runs on the target platform (emulated)',
  docs: DOCS.crossCompile,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM \${GO_IMAGE} AS builder
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
    pass: CLEAN_CROSS_BUILD,
  },
  check(ctx: ReviewContext) {
    for (const f of ctx.analysis.facts.values()) {
      if (!f.crossCompile || f.stage.platform !== 'target') continue;
      const site = platformSite(f.stage);
      const compile = f.compiles[0]!;
      const pinned = site.platformFlag ? ` (explicitly pinned with --platform=${site.platformFlag.value})` : '';
      const where = site === f.stage ? '' : ` through its base stage ${ctx.stageLabel(site)}`;
      ctx.reportStage(
        this,
        site,
        `stage ${ctx.stageLabel(f.stage)} compiles Go (line ${compile.instruction.line}) on the target platform${where}${pinned}: every non-native target is built under QEMU emulation`,
        `use FROM --platform=$BUILDPLATFORM here, copy xx (COPY --from=xx / /), declare ARG TARGETPLATFORM and run "xx-go --wrap &&" before the compile; if the stage cannot cross-compile, put a comment containing "emulated" and the reason right above its FROM`,
      );
    }
  },
};

export const emulatedStageUnmarked: Rule = {
  id: 'emulated-stage-unmarked',
  severity: 'warning',
  title: 'A build stage stays emulated without a comment saying why',
  docs: DOCS.emulation,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM \${GO_IMAGE} AS agent
RUN apk add --no-cache clang llvm make
WORKDIR /src
COPY . .
RUN clang -O2 -target bpf -c bpf/probe.c -o bpf/probe.o && \\
    CGO_ENABLED=0 go build -o /out/agent ./cmd/agent
FROM scratch
COPY --from=agent /out/agent /usr/local/bin/agent
ENTRYPOINT ["agent"]
`,
    pass: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
# kept emulated: clang builds the BPF probe that the agent embeds, for the target
FROM \${GO_IMAGE} AS agent
RUN apk add --no-cache clang llvm make
WORKDIR /src
COPY . .
RUN clang -O2 -target bpf -c bpf/probe.c -o bpf/probe.o && \\
    CGO_ENABLED=0 go build -o /out/agent ./cmd/agent
FROM scratch
COPY --from=agent /out/agent /usr/local/bin/agent
ENTRYPOINT ["agent"]
`,
  },
  check(ctx: ReviewContext) {
    const migrated = alreadyCrossCompiles(ctx.analysis);
    for (const f of ctx.analysis.facts.values()) {
      if (f.emulatedBy !== 'detected' || f.stage.platform !== 'target') continue;
      if (f.compiles.length === 0 && !migrated) continue;
      ctx.reportStage(
        this,
        f.stage,
        `stage ${ctx.stageLabel(f.stage)} builds on the target platform (emulated): ${f.emulatedReason}`,
        'if it must stay emulated, say so in a comment containing "emulated" right above its FROM; otherwise move the compile to a $BUILDPLATFORM builder stage',
      );
    }
  },
};
