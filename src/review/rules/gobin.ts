/**
 * `go install` with GOBIN set in a stage that cross-compiles: Go refuses to install a
 * cross-compiled binary when GOBIN is set ("cannot install cross-compiled binaries when GOBIN is
 * set"), so the build fails for every foreign target. Found in the Dockerfile (ENV GOBIN, a
 * GOBIN= prefix or export in the RUN) and in the checkout's Makefile recipe a wrapped `make` runs.
 */
import { baseName } from '../../dockerfile/shell.ts';
import { followsBuildMachine, followsTarget, settingFor } from '../../dockerfile/env.ts';
import { gobinInstalls, makeGobinInstall, makeLabel } from '../../dockerfile/gobin.ts';
import { DOCS } from '../docs.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

const HINT = 'build it with "go build -o <GOBIN>/<name> <package>" instead, which cross-compiles into the same file';

export const goInstallGobinCross: Rule = {
  id: 'go-install-gobin-cross',
  severity: 'error',
  title: 'go install with GOBIN set in a stage that cross-compiles',
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
RUN xx-go --wrap && CGO_ENABLED=0 GOBIN=/out go install ./cmd/ripple
RUN xx-verify --static /out/ripple
FROM scratch
COPY --from=builder /out/ripple /usr/local/bin/ripple
ENTRYPOINT ["ripple"]
`,
    pass: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/ripple ./cmd/ripple
RUN xx-verify --static /out/ripple
FROM scratch
COPY --from=builder /out/ripple /usr/local/bin/ripple
ENTRYPOINT ["ripple"]
`,
  },
  check(ctx: ReviewContext) {
    for (const stage of ctx.model.stages) {
      if (!ctx.native(stage)) continue;
      for (const g of gobinInstalls(stage)) {
        const goarch = settingFor(stage, g.instruction, g.command, 'GOARCH')?.value;
        if (goarch !== undefined && followsBuildMachine(goarch)) continue;
        const via = baseName(g.command.name) === 'xx-go' ? 'xx-go' : goarch !== undefined && followsTarget(goarch) ? `GOARCH=${goarch}` : ctx.wrapBefore(stage, g.command.start) ? 'xx-go --wrap' : undefined;
        if (!via) continue;
        ctx.report(this, g.command, `go install with GOBIN=${g.gobin.value} builds for the target (${via}): Go refuses to install a cross-compiled binary when GOBIN is set, so every foreign platform fails`, HINT);
      }
    }
    for (const c of ctx.compiles()) {
      if (c.kind !== 'make' || !c.cross) continue;
      const hit = makeGobinInstall(c.stage, c.instruction, c.command, ctx.facts.input.makefile);
      if (!hit) continue;
      ctx.report(this, c.command, `"${makeLabel(c.command)}" runs go install with GOBIN set (${hit.file}:${hit.line}) and cross-compiles: Go refuses to install a cross-compiled binary when GOBIN is set, so every foreign platform fails`, `in ${hit.file}:${hit.line}, ${HINT}; or keep the stage emulated`);
    }
  },
};
