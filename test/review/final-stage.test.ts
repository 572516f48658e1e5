import { describe, expect, it } from 'vitest';
import { GOOD, df, expectNoRule, expectRule } from './helpers.ts';

describe('final-stage-on-build-platform', () => {
  it('fires when the final image base moved to $BUILDPLATFORM', () => {
    const text = GOOD.replace('FROM scratch', 'FROM --platform=$BUILDPLATFORM scratch');
    expectRule(text, 'final-stage-on-build-platform', [11], 'error');
  });

  it('fires on every leaf of a multi-leaf file, with braces and lowercase from', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
      FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS builder
      COPY --from=xx / /
      ARG TARGETPLATFORM
      RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/ ./cmd/operator ./cmd/webhook
      RUN xx-verify /out/operator /out/webhook
      from --platform=\${BUILDPLATFORM} alpine:3.20 as operator
      COPY --from=builder /out/operator /operator
      FROM alpine:3.20 AS webhook
      COPY --from=builder /out/webhook /webhook
      FROM builder AS debug-shell
    `;
    const hits = expectRule(text, 'final-stage-on-build-platform', [7, 11]);
    expect(hits[1]!.message).toContain('base stage "builder"');
  });

  it('treats a --target named by the Makefile as final', () => {
    const text = GOOD.replace('RUN xx-verify', 'FROM builder AS binaries\nRUN xx-verify');
    // "binaries" builds on builder but nothing builds on it, and the Makefile builds it too.
    expectRule(text, 'final-stage-on-build-platform', [10], 'error', { targets: ['binaries'] });
  });

  it('only warns on a test/lint leaf', () => {
    const text = GOOD + 'FROM builder AS unit-test\nRUN go test ./...\n';
    expectRule(text, 'final-stage-on-build-platform', [14], 'warning');
  });

  it('is silent on the correct file (the xx stage is not an image)', () => {
    expectNoRule(GOOD, 'final-stage-on-build-platform');
  });
});
