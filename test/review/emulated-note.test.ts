import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { df, expectNoRule, expectRule } from './helpers.ts';

describe('emulated-note-on-build-platform', () => {
  // What the migration used to write for a shared builder: the comment says "kept emulated", but
  // the probe inherits the builder's $BUILDPLATFORM and its make builds libbpf for the build machine.
  const lying = df`
    ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
    FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
    FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
    COPY --from=xx / /
    RUN apk --no-cache add file git make clang lld
    RUN git clone --depth=1 https://github.com/example-org/burrow.git /src/burrow
    WORKDIR /src/burrow
    # kept emulated: builds C code (make) for the target, which xx-go does not cross-compile
    FROM builder AS probe
    RUN make -C libbpf/src BUILD_STATIC_ONLY=1 install
    FROM scratch
    COPY --from=probe /usr/lib64/libbpf.a /lib/
  `;

  it('fires, as an error, on a stage marked kept emulated that inherits the build platform', () => {
    const [f] = expectRule(lying, 'emulated-note-on-build-platform', [9], 'error');
    expect(f!.message).toContain('through its base stage "builder"');
  });

  it('does not fire once the stage really runs on the target', () => {
    expectNoRule(lying.replace('FROM builder AS probe', 'FROM ${GO_IMAGE} AS probe'), 'emulated-note-on-build-platform');
  });

  it('does not fire on the split lineage the migration writes', () => {
    expectNoRule(readFileSync('test/fixtures/patterns/P10-shared-builder-split/after/Dockerfile', 'utf8'), 'emulated-note-on-build-platform');
  });
});
