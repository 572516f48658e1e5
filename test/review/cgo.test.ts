import { describe, expect, it } from 'vitest';
import { GOOD, df, expectNoRule, expectRule } from './helpers.ts';

describe('cgo-without-target-libs', () => {
  it('fires on CGO_ENABLED=1 without xx-apk musl-dev', () => {
    const text = GOOD.replace('RUN xx-apk --no-cache add musl-dev gcc\n', 'RUN apk add --no-cache musl-dev gcc\n');
    expectRule(text, 'cgo-without-target-libs', [9], 'error');
  });

  it('only warns when the cgo build runs only for TARGETARCH amd64: native on the amd64 runners (issue 17)', () => {
    const noLibs = GOOD.replace('RUN xx-apk --no-cache add musl-dev gcc\n', 'ARG TARGETARCH\n');
    const ifAmd64 = noLibs.replace(
      'RUN xx-go --wrap && \\\n    CGO_ENABLED=1 go build -o /out/widgetd ./cmd/widgetd',
      'RUN xx-go --wrap && \\\n    if [ "${TARGETARCH}" = "amd64" ]; then \\\n      CGO_ENABLED=1 go build -o /out/widgetd ./cmd/widgetd; \\\n    fi',
    );
    expect(ifAmd64).toContain('if [ "${TARGETARCH}" = "amd64" ]; then');
    const [f] = expectRule(ifAmd64, 'cgo-without-target-libs', [10], 'warning');
    expect(f!.message).toMatch(/only when TARGETARCH is amd64/);
    const andAmd64 = noLibs.replace('RUN xx-go --wrap && \\\n    CGO_ENABLED=1 go build', 'RUN xx-go --wrap && \\\n    [ "$TARGETARCH" = amd64 ] && CGO_ENABLED=1 go build');
    expectRule(andAmd64, 'cgo-without-target-libs', [9], 'warning');
    // In the else branch, or for arm64, it does cross-compile: still an error.
    expectRule(ifAmd64.replace('then \\\n      CGO', 'then echo skip; else \\\n      CGO'), 'cgo-without-target-libs', [10], 'error');
    expectRule(andAmd64.replace('= amd64 ]', '= arm64 ]'), 'cgo-without-target-libs', [9], 'error');
  });

  it('fires on go-build-static.sh (cgo on by default) in a Debian builder without xx-apt-get', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
      FROM --platform=$BUILDPLATFORM golang:1.22-bookworm AS builder
      COPY --from=xx / /
      RUN apt-get update && apt-get install -y --no-install-recommends clang lld file
      ARG TARGETPLATFORM
      RUN xx-go --wrap && go-build-static.sh -o /out/x ./cmd/x
      RUN xx-verify --static /out/x
      FROM debian:bookworm-slim
      COPY --from=builder /out/x /x
    `;
    const [f] = expectRule(text, 'cgo-without-target-libs', [6]);
    expect(f!.hint).toContain('xx-apt-get');
    expectNoRule(text.replace('ARG TARGETPLATFORM\n', 'ARG TARGETPLATFORM\nRUN xx-apt-get install -y libc6-dev gcc\n'), 'cgo-without-target-libs');
  });

  it('fires when the target libs were installed only after the compile', () => {
    const text = GOOD.replace('RUN xx-apk --no-cache add musl-dev gcc\n', '').replace('RUN xx-verify', 'RUN xx-apk --no-cache add musl-dev gcc\nRUN xx-verify');
    expectRule(text, 'cgo-without-target-libs', [8]);
  });

  it('is silent with libs in the base stage, or with cgo off', () => {
    expectNoRule(GOOD, 'cgo-without-target-libs');
    const pure = GOOD.replace('RUN xx-apk --no-cache add musl-dev gcc\n', '').replace('CGO_ENABLED=1', 'CGO_ENABLED=0');
    expectNoRule(pure, 'cgo-without-target-libs');
    expectNoRule(pure.replace('xx-go --wrap && \\', 'xx-go --wrap && \\\n    CGO_ENABLED=0 \\').replace('CGO_ENABLED=0 go build', 'go-build-static.sh'), 'cgo-without-target-libs');
  });
});

describe('cgo-implicit', () => {
  it('warns when a cross go build leaves CGO_ENABLED unset', () => {
    expectRule(GOOD.replace('CGO_ENABLED=1 go build', 'go build'), 'cgo-implicit', [9], 'warning');
  });
  it('is silent with ENV CGO_ENABLED, export, or go-build-static.sh', () => {
    expectNoRule(GOOD, 'cgo-implicit');
    expectNoRule(GOOD.replace('CGO_ENABLED=1 go build', 'go build').replace('ARG TARGETPLATFORM', 'ENV CGO_ENABLED=0\nARG TARGETPLATFORM'), 'cgo-implicit');
    expectNoRule(GOOD.replace('RUN xx-go --wrap && \\\n    CGO_ENABLED=1 go build', 'RUN export CGO_ENABLED=1 && xx-go --wrap && \\\n    go build'), 'cgo-implicit');
  });
});

describe('target-lib-native-install', () => {
  it('is an error for a -static/-dev library installed natively for a cgo cross-compile', () => {
    const text = GOOD.replace('RUN apk add --no-cache file git make clang lld', 'RUN apk add --no-cache file git make clang lld libseccomp-dev libseccomp-static');
    const hits = expectRule(text, 'target-lib-native-install', [5, 5], 'error');
    expect(hits[0]!.hint).toContain('xx-apk --no-cache add libseccomp-dev');
  });

  it('is a warning when the cross-compile does not use cgo', () => {
    const text = GOOD.replace('CGO_ENABLED=1', 'CGO_ENABLED=0').replace('RUN apk add --no-cache file git make clang lld', 'RUN apk add --no-cache file git make clang lld zlib-dev');
    expectRule(text, 'target-lib-native-install', [5], 'warning');
  });

  it('is silent when xx-apk installs it too, for headers-only packages, and on the correct file', () => {
    const both = GOOD.replace('clang lld', 'clang lld libseccomp-dev protobuf-dev linux-headers').replace('musl-dev gcc', 'musl-dev gcc libseccomp-dev');
    expectNoRule(both, 'target-lib-native-install');
    expectNoRule(GOOD, 'target-lib-native-install');
  });
});
