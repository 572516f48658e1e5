import { describe, expect, it } from 'vitest';
import { GOOD, df, expectNoErrors, expectNoRule, expectRule } from './helpers.ts';

describe('xx-go-wrap-swallows-command', () => {
  it('fires on "xx-go --wrap \\" followed by the compile on the next line', () => {
    const text = GOOD.replace('RUN xx-go --wrap && \\', 'RUN xx-go --wrap \\');
    const [f] = expectRule(text, 'xx-go-wrap-swallows-command', [8], 'error');
    expect(f!.message).toContain('CGO_ENABLED=1 go build');
    expect(f!.endLine).toBe(9);
  });

  it('fires with a comment line inside the continuation', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
      FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS builder
      COPY --from=xx / /
      ARG TARGETPLATFORM
      RUN --mount=type=cache,target=/root/.cache \\
          xx-go --wrap \\
          # build everything
          make build
      FROM scratch
      COPY --from=builder /src/bin/x /x
    `;
    expectRule(text, 'xx-go-wrap-swallows-command', [6]);
  });

  it('fires in a CRLF file', () => {
    const text = GOOD.replace('RUN xx-go --wrap && \\', 'RUN xx-go --wrap \\').replace(/\n/g, '\r\n');
    expectRule(text, 'xx-go-wrap-swallows-command', [8]);
  });

  it('is silent on && and ; and a wrap on its own line, also in a CRLF file', () => {
    expectNoRule(GOOD, 'xx-go-wrap-swallows-command');
    expectNoRule(GOOD.replace('xx-go --wrap &&', 'xx-go --wrap;'), 'xx-go-wrap-swallows-command');
    expectNoErrors(GOOD.replace(/\n/g, '\r\n'));
    expectNoRule(GOOD.replace('RUN xx-go --wrap && \\\n', 'RUN xx-go --wrap\nRUN \\\n'), 'xx-go-wrap-swallows-command');
  });

  it('fires inside a heredoc with a backslash continuation', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
      FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS builder
      COPY --from=xx / /
      ARG TARGETPLATFORM
      RUN <<EOT
      set -e
      xx-go --wrap \\
        go build -o /x .
      EOT
    `;
    expectRule(text, 'xx-go-wrap-swallows-command', [7]);
  });

  it('is silent when && starts the next line, or after a comment line inside the continuation', () => {
    expectNoRule(GOOD.replace('RUN xx-go --wrap && \\\n', 'RUN xx-go --wrap \\\n    && \\\n'), 'xx-go-wrap-swallows-command');
    expectNoErrors(GOOD.replace('RUN xx-go --wrap && \\\n', 'RUN xx-go --wrap && \\\n    # the compile\n'));
  });

  it('is silent inside a heredoc where the wrap is its own line', () => {
    const text = df`
      # syntax=docker/dockerfile:1
      FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
      FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS builder
      COPY --from=xx / /
      ARG TARGETPLATFORM
      RUN <<EOT
      set -e
      xx-go --wrap
      CGO_ENABLED=0 go build -o /x ./cmd/x
      xx-verify /x
      EOT
      FROM scratch
      COPY --from=builder /x /x
    `;
    expectNoErrors(text);
  });
});
