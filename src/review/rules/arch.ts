/**
 * `ARCH` was the image-build repos' own build-arg (amd64 by default, set per build by the
 * Makefile). In one multi-platform build it cannot differ per platform, and in a build-platform
 * stage it silently means amd64 for every target (P2).
 */
import { alreadyCrossCompiles } from '../../dockerfile/cross-compiling-stages.ts';
import type { Instruction, Stage } from '../../dockerfile/model.ts';
import type { VarRef } from '../../dockerfile/vars.ts';
import { DOCS } from '../docs.ts';
import { envAt, followsPlatform } from '../../dockerfile/env.ts';
import { SUBSTITUTING, type ReviewContext } from '../context.ts';
import { archDeclarations } from '../../dockerfile/shared-checks.ts';
import type { Rule } from '../rule.ts';
import { CLEAN_CROSS_BUILD } from '../examples.ts';


/** `GOARCH=${ARCH}` is the stale-goarch rule's finding; do not report the same text twice. */
export function insideGoAssign(text: string, refStart: number): boolean {
  return /\bGO(ARCH|OS)[= ]\s*["']?\$\{?$/.test(text.slice(Math.max(0, refStart - 24), refStart));
}

interface ArchRef {
  stage: Stage;
  instruction: Instruction;
  span: { start: number; end: number };
}

function archRefs(ctx: ReviewContext, stage: Stage): ArchRef[] {
  const out: ArchRef[] = [];
  const text = ctx.model.source.text;
  for (const instr of [stage.from, ...stage.instructions]) {
    let refs: { name: string; start: number; end: number }[];
    if (instr.shell) refs = instr.shell.varRefs.filter((r) => !instr.shell!.assigned.has(r.name));
    else if (instr.keyword === 'ARG' || !SUBSTITUTING.has(instr.keyword)) refs = [];
    else refs = instr.vars as VarRef[];
    for (const r of refs) {
      if (r.name !== 'ARCH' || insideGoAssign(text, r.start)) continue;
      if (instr !== stage.from) {
        const set = envAt(stage, 'ARCH', instr.start);
        if (set?.value && followsPlatform(set.value)) continue;
      }
      out.push({ stage, instruction: instr, span: r });
    }
  }
  return out;
}

/** What ARCH is at `instr` of `stage`: the value a reader should be warned about. */
export function archValue(ctx: ReviewContext, stage: Stage, instr: Instruction): string {
  const global = ctx.model.globalArgs.filter((a) => a.name === 'ARCH').at(-1);
  if (instr === stage.from) return global?.defaultValue ? `"${global.defaultValue}" (global ARG, line ${global.instruction.line})` : 'empty unless --build-arg ARCH is passed';
  const set = envAt(stage, 'ARCH', instr.start);
  if (!set) return 'empty (not declared in this stage)';
  if (set.value !== undefined) return `"${set.value}" (${set.kind.toUpperCase()} at line ${set.instruction.line})`;
  if (global?.defaultValue) return `"${global.defaultValue}" (global ARG default, line ${global.instruction.line})`;
  return 'whatever --build-arg ARCH says, the same for every target';
}

export const archInBuildPlatformStage: Rule = {
  id: 'arch-in-build-platform-stage',
  severity: 'error',
  title: 'ARCH is used in a stage that runs on the build platform',
  docs: DOCS.platformArgs,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
ARG ARCH=amd64
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
ADD https://github.com/example/widget/releases/download/v1.2.3/plugins-linux-\${ARCH}.tar.gz /out/
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
ARG TARGETARCH
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
ADD https://github.com/example/widget/releases/download/v1.2.3/plugins-linux-\${TARGETARCH}.tar.gz /out/
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
  },
  check(ctx: ReviewContext) {
    for (const stage of ctx.model.stages) {
      if (stage.platform !== 'build' || ctx.stageFacts(stage).isXx) continue;
      const refs = archRefs(ctx, stage);
      const decl = stage.args.find((a) => a.name === 'ARCH');
      if (decl && refs.some((r) => r.instruction.start > decl.instruction.start)) {
        // The line of each use itself (a heredoc body is many lines below its RUN).
        const lines = [...new Set(refs.map((r) => ctx.model.source.lineOf(r.span.start)))].join(', ');
        ctx.report(
          this,
          decl.instruction,
          `ARG ARCH in build-platform stage ${ctx.stageLabel(stage)} is ${archValue(ctx, stage, stage.instructions[stage.instructions.indexOf(decl.instruction) + 1] ?? decl.instruction)} for every target platform, and line ${lines} use${refs.length > 1 ? '' : 's'} it`,
          'replace ARCH with TARGETARCH (ARG TARGETARCH) for what ends up in the image, BUILDARCH for tools run during the build',
        );
      }
      for (const r of refs) {
        ctx.report(
          this,
          r.span,
          `ARCH in build-platform stage ${ctx.stageLabel(stage)} is ${archValue(ctx, stage, r.instruction)} for every target platform`,
          'use TARGETARCH (declare ARG TARGETARCH in this stage) for what ends up in the image, BUILDARCH for a tool that runs during the build; then drop the ARCH build-arg from the Makefile and workflows',
        );
      }
    }
  },
};

export const archBuildArg: Rule = {
  id: 'arch-build-arg',
  severity: 'warning',
  title: 'The ARCH build-arg is still declared in a cross-compiled Dockerfile',
  docs: DOCS.platformArgs,
  examples: {
    fail: `ARG ARCH="amd64"
ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
    pass: CLEAN_CROSS_BUILD,
  },
  check(ctx: ReviewContext) {
    const migrated = alreadyCrossCompiles(ctx.analysis);
    if (!migrated) return;
    // An in-stage ARG ARCH of a build-platform stage is arch-in-build-platform-stage's finding.
    for (const { decl: a, leaksInto: leak } of archDeclarations(ctx.model).filter((d) => !d.stage || d.stage.platform !== 'build')) {
      const dflt = a.defaultValue ? ` (default "${a.defaultValue}")` : '';
      ctx.report(
        this,
        a.instruction,
        leak.length
          ? `global ARG ARCH${dflt} reaches build-platform stage${leak.length > 1 ? 's' : ''} ${leak.map((s) => ctx.stageLabel(s)).join(', ')}: there it is ${a.defaultValue} for every target platform`
          : `ARG ARCH${dflt} is one value for the whole multi-platform build: wherever it selects an arch, every target gets the same one`,
        'replace ARCH with TARGETARCH (ARG TARGETARCH in each stage that uses it) and remove --build-arg ARCH from the Makefile and workflows',
        leak.length ? 'error' : 'warning',
      );
    }
  },
};
