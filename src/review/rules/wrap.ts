/**
 * `xx-go --wrap \` + newline + `make` is ONE command: `make` becomes an argument that xx-go
 * ignores, so nothing is compiled in that RUN (seen in a real hand migration).
 */
import { DOCS } from '../docs.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

export const wrapSwallowsCommand: Rule = {
  id: 'xx-go-wrap-swallows-command',
  severity: 'error',
  title: '"xx-go --wrap" is followed by arguments instead of && or ;',
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
RUN xx-go --wrap \\
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
      for (const w of f.wraps) {
        const extra = w.command.args.filter((a) => a.value !== '--wrap');
        if (extra.length === 0) continue;
        const text = extra.map((a) => a.raw).join(' ');
        const shown = text.length > 60 ? `${text.slice(0, 57)}...` : text;
        ctx.report(
          this,
          w.command,
          `"xx-go --wrap" takes "${shown}" as its arguments: the command after the line continuation never runs`,
          'end the xx-go line with "&& \\" (or ";"), not just "\\": RUN xx-go --wrap && \\',
        );
      }
    }
  },
};
