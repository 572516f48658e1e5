import { describe, expect, it } from 'vitest';
import { GOOD, df, expectNoRule, expectRule } from './helpers.ts';

describe('platform-arg-default', () => {
  it('is an error on a default of any automatic platform ARG, global or in a stage, at the name', () => {
    const text = df`
      ARG TARGETARCH=amd64
      FROM --platform=$BUILDPLATFORM golang:1.23-alpine AS build
      ARG TARGETOS=linux TARGETARCH="amd64"
      ARG BUILDPLATFORM=linux/amd64 VERSION=1.0.0
      RUN GOOS=$TARGETOS GOARCH=$TARGETARCH CGO_ENABLED=0 go build -o /out/x .
      FROM scratch
      COPY --from=build /out/x /x
    `;
    const hits = expectRule(text, 'platform-arg-default', [1, 3, 3, 4], 'error');
    expect(hits.map((h) => h.column)).toEqual([5, 5, 20, 5]);
    expect(hits[0]!.message).toContain('uses "amd64" for every target platform');
  });

  it('is silent on declarations without a default and on other ARGs with one', () => {
    expectNoRule(GOOD, 'platform-arg-default');
    expectNoRule(df`
      ARG GOARCH_DEFAULT=amd64
      FROM --platform=$BUILDPLATFORM golang:1.23-alpine AS build
      ARG TARGETOS TARGETARCH
      RUN GOOS=$TARGETOS GOARCH=$TARGETARCH CGO_ENABLED=0 go build -o /out/x .
    `, 'platform-arg-default');
  });
});
