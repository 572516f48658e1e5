/**
 * ARGs do not cross `FROM <image>`: `$TARGETARCH` in a stage where no `ARG TARGETARCH` is in
 * scope (its own, or inherited from the stage it is built FROM) is empty, and xx's helpers
 * without a target ARG quietly set up for the build machine.
 */
import { baseName } from '../../dockerfile/shell.ts';
import type { Stage } from '../../dockerfile/model.ts';
import { DOCS } from '../docs.ts';
import { envAt } from '../../dockerfile/env.ts';
import { PLATFORM_ARGS, SUBSTITUTING, type ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

/** ` nor in "base", "root"`: the stages a `FROM <stage>` child would inherit the ARG from. */
function parents(ctx: ReviewContext, stage: Stage): string {
  const up = ctx.lineage(stage).slice(1);
  return up.length ? ` nor in ${up.map((s) => ctx.stageLabel(s)).join(', ')}, which it is built FROM` : '';
}

export const targetArgUndeclared: Rule = {
  id: 'platform-arg-undeclared',
  severity: 'error',
  title: 'A platform ARG is used in a stage that does not declare it',
  docs: DOCS.platformArgs,
  examples: {
    fail: `ARG BCI_IMAGE=registry.suse.com/bci/bci-busybox:15.6
FROM \${BCI_IMAGE}
ARG KUBECTL_VERSION=v1.30.2
ADD --chmod=755 https://dl.k8s.io/release/\${KUBECTL_VERSION}/bin/linux/\${TARGETARCH}/kubectl /usr/local/bin/kubectl
USER 65534
ENTRYPOINT ["kubectl"]
`,
    pass: `ARG BCI_IMAGE=registry.suse.com/bci/bci-busybox:15.6
FROM \${BCI_IMAGE}
ARG KUBECTL_VERSION=v1.30.2
ARG TARGETARCH
ADD --chmod=755 https://dl.k8s.io/release/\${KUBECTL_VERSION}/bin/linux/\${TARGETARCH}/kubectl /usr/local/bin/kubectl
USER 65534
ENTRYPOINT ["kubectl"]
`,
  },
  check(ctx: ReviewContext) {
    for (const stage of ctx.model.stages) {
      for (const instr of stage.instructions) {
        const refs = instr.shell
          ? instr.shell.varRefs.filter((r) => !instr.shell!.assigned.has(r.name))
          : SUBSTITUTING.has(instr.keyword) ? instr.vars : [];
        for (const r of refs) {
          // An ARG of the stage or of a parent stage, or an ENV: it has a value here.
          if (!PLATFORM_ARGS.includes(r.name) || envAt(stage, r.name, instr.start)) continue;
          ctx.report(
            this,
            r,
            `${r.name} is used in stage ${ctx.stageLabel(stage)} but not declared there${parents(ctx, stage)}: an ARG reaches a stage only through an ARG line of its own or of a stage it is built FROM (never across FROM <image>), so it is empty here`,
            `add "ARG ${r.name}" in this stage before line ${instr.line}`,
          );
        }
      }
    }
  },
};

export const xxWithoutTargetArg: Rule = {
  id: 'xx-without-target-arg',
  severity: 'error',
  title: 'An xx helper runs before the target ARG is declared in its stage',
  docs: DOCS.xxInfo,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git clang lld
RUN xx-apk --no-cache add musl-dev gcc
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-go --wrap && CGO_ENABLED=1 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
`,
    pass: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git clang lld
ARG TARGETPLATFORM
RUN xx-apk --no-cache add musl-dev gcc
WORKDIR /src
COPY . .
RUN xx-go --wrap && CGO_ENABLED=1 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
`,
  },
  check(ctx: ReviewContext) {
    for (const stage of ctx.model.stages) {
      if (!ctx.native(stage)) continue;
      for (const { instruction, command } of ctx.commands(stage)) {
        const name = baseName(command.name);
        if (!name.startsWith('xx-')) continue;
        if (ctx.targetArgBefore(stage, instruction.start)) continue;
        if (envAt(stage, 'TARGETPLATFORM', instruction.start)?.kind === 'env') continue;
        const what = name === 'xx-go' ? 'sets up Go' : name.startsWith('xx-apk') || name.startsWith('xx-apt') ? 'installs packages' : 'answers';
        ctx.report(
          this,
          command,
          `${name} runs in stage ${ctx.stageLabel(stage)} before ARG TARGETPLATFORM is declared there: it ${what} for the build machine, not the target`,
          'declare ARG TARGETPLATFORM in this stage before this RUN (after the target-independent steps)',
        );
      }
    }
  },
};
