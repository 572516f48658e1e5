import { describe, expect, it } from 'vitest';
import { df, expectNoRule, expectRule } from './helpers.ts';

const stage = (env: string) => df`
  FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
  FROM --platform=$BUILDPLATFORM golang:1.23-alpine AS build
  COPY --from=xx / /
  RUN apk add --no-cache file
  ${env}
  RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/clasp ./cmd/clasp && xx-verify --static /out/clasp
  FROM alpine:3.20
  COPY --from=build /out/clasp /usr/local/bin/clasp
`;

describe('platform-env-constant', () => {
  it('an ENV that fixes TARGETPLATFORM before the wrap is an error on its line: every platform builds linux/arm64', () => {
    const [f] = expectRule(stage('ENV TARGETPLATFORM=linux/arm64'), 'platform-env-constant', [5], 'error');
    expect(f!.message).toContain('each image gets linux/arm64 binaries');
    expect(f!.hint).toBe('remove the ENV and declare "ARG TARGETPLATFORM" (no default): BuildKit sets it for each platform');
  });

  it('the legacy form and TARGETARCH count too', () => {
    expectRule(stage('ENV TARGETARCH arm64'), 'platform-env-constant', [5], 'error');
  });

  it('an ENV that passes the ARG on, and ENVs of other names, are fine', () => {
    expectNoRule(stage('ARG TARGETARCH\n  ENV TARGETARCH=$TARGETARCH'), 'platform-env-constant');
    expectNoRule(stage('ENV GOFLAGS=-trimpath'), 'platform-env-constant');
  });
});
