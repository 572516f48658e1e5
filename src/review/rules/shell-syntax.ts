/**
 * A RUN the shell grammar cannot read usually fails the build; in a hand migration it is most
 * often a dangling `&&` or a lost line continuation around the inserted `xx-go --wrap`.
 */
import { DOCS } from '../docs.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

export const shellSyntax: Rule = {
  id: 'shell-syntax',
  severity: 'warning',
  title: 'A RUN command is not valid shell',
  docs: DOCS.dockerfileParse,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-go --wrap && \\
    CGO_ENABLED=0 go build -ldflags "-s -w -X main.version=v1.2.3 -o /out/widgetd ./cmd/widgetd
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
    CGO_ENABLED=0 go build -ldflags "-s -w -X main.version=v1.2.3" -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
  },
  check(ctx: ReviewContext) {
    for (const instr of ctx.model.instructions) {
      // Exec form has no shell to be wrong: its view is marked not editable, not broken.
      if (instr.execForm) continue;
      const at = instr.shell?.errorAt;
      if (at === undefined) continue;
      ctx.report(this, { start: at, end: at + 1 }, 'the shell cannot parse this RUN here (a dangling &&, an unclosed quote or a lost line continuation?)', 'check the operators and the line continuations around this point');
    }
  },
};
