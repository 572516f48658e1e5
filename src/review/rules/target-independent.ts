/**
 * After the first target ARG, BuildKit runs the stage once per target platform: clones, fetches
 * and module downloads placed there are repeated for nothing (spec item 4). A stage built FROM a
 * stage that declared one runs once per platform from its first line: it inherits the ARG.
 */
import { baseName, type ShellCommand } from '../../dockerfile/shell.ts';
import { DOCS } from '../docs.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

function targetIndependent(name: string, args: string[]): string | undefined {
  const n = baseName(name);
  const sub = args.find((a) => !a.startsWith('-'));
  if (n === 'git' && sub && ['clone', 'fetch', 'checkout', 'submodule', 'apply', 'am', 'pull'].includes(sub)) return `git ${sub}`;
  if (n === 'go' && sub === 'mod' && args.some((a) => a === 'download' || a === 'vendor')) return `go mod ${args.includes('download') ? 'download' : 'vendor'}`;
  if (n === 'patch') return 'patch';
  return undefined;
}

export const workAfterTargetArg: Rule = {
  id: 'work-after-target-arg',
  severity: 'warning',
  title: 'Target-independent work runs after ARG TARGETPLATFORM (once per platform)',
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
RUN go mod download
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
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
RUN go mod download
ARG TARGETPLATFORM
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
  },
  check(ctx: ReviewContext) {
    // A base stage that cross-compiling stages are built FROM forks for them too.
    const crossBases = new Set(ctx.model.stages.filter((s) => ctx.crossStage(s)).flatMap((s) => ctx.lineage(s)));
    for (const stage of ctx.model.stages) {
      if (!ctx.native(stage) || !crossBases.has(stage)) continue;
      const fork = ctx.firstTargetArg(stage);
      if (!fork) continue;
      const at = fork.instruction.stage === stage ? `line ${fork.instruction.line}` : `line ${fork.instruction.line}, in stage ${ctx.stageLabel(fork.instruction.stage!)} which this stage is built FROM`;
      // One finding per cause (this stage's fork), at the first step, listing every step it repeats.
      const steps: { command: ShellCommand; what: string; line: number }[] = [];
      for (const { instruction, command } of ctx.commands(stage)) {
        if (instruction.start < fork.instruction.start) continue;
        const what = targetIndependent(command.name, command.args.map((a) => a.value));
        if (!what) continue;
        const script = instruction.shell!;
        const st = command.statement;
        if (script.varRefs.some((r) => r.start >= st.start && r.start < st.end && r.name.startsWith('TARGET'))) continue;
        steps.push({ command, what, line: ctx.model.source.lineOf(command.nameWord?.start ?? command.start) });
      }
      if (steps.length === 0) continue;
      const list = steps.map((x) => `"${x.what}" (line ${x.line})`).join(', ');
      const one = steps.length === 1;
      ctx.report(
        this,
        steps[0]!.command,
        `${one ? `"${steps[0]!.what}" runs` : `${list} run`} after ARG ${fork.name} (${at}), so BuildKit repeats ${one ? 'it' : 'them'} for every target platform`,
        fork.instruction.stage === stage
          ? `move ${one ? 'it' : 'them'} before line ${fork.instruction.line}: clones, patches and module downloads do not depend on the target`
          : `fork later: declare ARG ${fork.name} (and the steps that need it, such as xx-apk) in this stage after ${one ? 'this step' : 'these steps'}, not in ${ctx.stageLabel(fork.instruction.stage!)} (line ${fork.instruction.line}); a stage built FROM another inherits its ARGs and its per-platform layers`,
      );
    }
  },
};
