/**
 * `xx-go --wrap` writes GOOS/GOARCH into the go env, so every later `go run`, `go generate` or
 * `go install tool@v` in that stage (and in stages built FROM it) builds the tool for the target
 * and then cannot run it (P7).
 */
import { makeTargets } from '../../dockerfile/commands.ts';
import { baseName } from '../../dockerfile/shell.ts';
import { DOCS } from '../docs.ts';
import { settingFor } from '../../dockerfile/env.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

export const nativeGoAfterWrap: Rule = {
  id: 'native-go-after-wrap',
  severity: 'error',
  title: 'go run / go generate / go install of a tool after xx-go --wrap',
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
RUN xx-go --wrap && go generate ./... && \\
    CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
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
RUN go generate ./...
ARG TARGETPLATFORM
RUN xx-go --wrap && \\
    CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
  },
  check(ctx: ReviewContext) {
    for (const f of ctx.analysis.facts.values()) {
      for (const site of f.nativeGo) {
        const { command, instruction } = site;
        const wrap = ctx.wrapBefore(f.stage, command.start);
        if (!wrap) continue;
        // An explicit GOARCH for the build machine overrides the wrapped go env (an empty one does not).
        const goarch = settingFor(f.stage, instruction, command, 'GOARCH');
        if (goarch && /BUILD(ARCH|PLATFORM)|GOHOSTARCH/.test(goarch.value ?? '')) continue;
        let what: string;
        let severity: 'error' | 'warning' = 'error';
        if (command.name === 'go') {
          const sub = command.args.find((a) => !a.value.startsWith('-'))?.value ?? '';
          if (sub === 'get' || sub === 'tool') continue;
          what = `go ${sub}`;
          // `go install ./cmd/x` may be the real (target) build; a versioned tool never is.
          if (sub === 'install' && !command.args.some((a) => a.value.includes('@'))) severity = 'warning';
        } else {
          what = `${baseName(command.name)} ${makeTargets(command).join(' ') || command.args.map((a) => a.value).join(' ')}`.trim();
          severity = 'warning';
        }
        const where = wrap.instruction.stage === f.stage ? `line ${wrap.instruction.line}` : `stage ${ctx.stageLabel(wrap.instruction.stage!)} (line ${wrap.instruction.line})`;
        ctx.report(
          this,
          command,
          `"${what}" runs after "xx-go --wrap" (${where}): the go env now targets the target platform, so the tool it builds cannot run here`,
          'move code generation, go run and go install of tools before "xx-go --wrap" (and before ARG TARGETPLATFORM), or give it GOARCH=$BUILDARCH (with ARG BUILDARCH) and CGO_ENABLED=0',
          severity,
        );
      }
    }
  },
};
