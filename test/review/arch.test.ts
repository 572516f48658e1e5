import { describe, expect, it } from 'vitest';
import { GOOD, df, expectNoErrors, expectNoRule, expectRule } from './helpers.ts';

const handMigrated = df`
  ARG GO_IMAGE=rancher/hardened-build-base:v1.22.5b1
  ARG ARCH="amd64"
  FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
  FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
  ARG ARCH
  COPY --from=xx / /
  RUN apk add --no-cache file git make clang lld
  ARG TARGETPLATFORM
  RUN xx-apk --no-cache add musl-dev gcc
  RUN xx-go --wrap && CGO_ENABLED=1 go build -o /out/widgetd ./cmd/widgetd
  RUN if [ "\${ARCH}" = "amd64" ]; then \\
        go-assert-boring.sh /out/widgetd; \\
      fi
  RUN xx-verify --static /out/widgetd
  FROM scratch
  COPY --from=builder /out/widgetd /widgetd
`;

describe('arch-in-build-platform-stage', () => {
  it('fires on ARCH (amd64 by default) used in a build-platform stage, at the ARG and the use', () => {
    const hits = expectRule(handMigrated, 'arch-in-build-platform-stage', [5, 11], 'error');
    expect(hits[1]!.message).toContain('"amd64"');
  });

  it('fires on an in-stage default and in an ADD URL', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM golang:1.22 AS build
      ARG ARCH=amd64
      ADD https://example.com/protoc-$ARCH.zip /tmp/
      FROM scratch
      COPY --from=build /tmp /tmp
    `;
    expectRule(text, 'arch-in-build-platform-stage', [2, 3]);
  });

  it('fires on ARCH never declared in the stage (it is empty there)', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM golang:1.22 AS build
      RUN curl -fsSL -o /tmp/t.tgz https://example.com/t-$ARCH.tgz
      FROM scratch
      COPY --from=build /tmp/t.tgz /t.tgz
    `;
    const [f] = expectRule(text, 'arch-in-build-platform-stage', [2]);
    expect(f!.message).toContain('empty');
  });

  it('is silent with TARGETARCH, and with ARCH derived from it', () => {
    const fixed = handMigrated.replace('ARG ARCH="amd64"\n', '').replace('ARG ARCH\n', '').replace('ARG TARGETPLATFORM', 'ARG TARGETPLATFORM\nARG TARGETARCH').replace('${ARCH}', '${TARGETARCH}');
    expectNoErrors(fixed);
    expectNoRule(fixed, 'arch-in-build-platform-stage');
    const derived = df`
      FROM --platform=$BUILDPLATFORM golang:1.22 AS build
      ARG TARGETARCH
      ENV ARCH=\${TARGETARCH}
      RUN echo $ARCH
      RUN ARCH=$(xx-info arch) && echo "$ARCH"
    `;
    expectNoRule(derived, 'arch-in-build-platform-stage');
  });

  // A child of a build-platform stage inherits its ARGs: ARCH there is what the parent made it.
  it('in a stage built FROM a build-platform stage, judges ARCH by the value it inherits', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS base
      ARG TARGETARCH
      ARG ARCH=\${TARGETARCH}
      FROM base AS builder
      RUN echo building for \${ARCH}
      FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS base2
      ARG ARCH=amd64
      FROM base2 AS builder2
      RUN echo building for \${ARCH}
      FROM alpine
      COPY --from=builder /etc/hostname /a
      COPY --from=builder2 /etc/hostname /b
    `;
    // builder's ARCH follows the target (it was an error: "empty, not declared in this stage").
    const [f] = expectRule(text, 'arch-in-build-platform-stage', [9]);
    expect(f!.message).toBe('ARCH in build-platform stage "builder2" is "amd64" (ARG at line 7) for every target platform');
  });

  it('leaves ARCH in target-platform stages to arch-build-arg', () => {
    const text = df`
      ARG ARCH=amd64
      FROM alpine:3.20
      ARG ARCH
      RUN echo $ARCH
    `;
    expectNoRule(text, 'arch-in-build-platform-stage');
    expectNoRule(text, 'arch-build-arg');
  });
});

describe('arch-build-arg', () => {
  it('is an error when the global default reaches a build-platform stage', () => {
    expectRule(handMigrated, 'arch-build-arg', [2], 'error');
  });

  it('is a warning when ARCH is only used by target stages of a migrated file', () => {
    const text = GOOD.replace('FROM scratch\n', 'FROM alpine:3.20\nARG ARCH=amd64\nADD https://example.com/x-${ARCH}.tar /\n');
    expectRule(text, 'arch-build-arg', [12], 'warning');
  });

  it('is silent once ARCH is gone', () => {
    expectNoRule(GOOD, 'arch-build-arg');
  });
});
