import { describe, expect, it } from 'vitest';
import { GOOD, df, expectNoRule, expectRule } from './helpers.ts';

describe('cross-setup-missing', () => {
  it('fires on a build-platform compile without xx-go --wrap', () => {
    const text = GOOD.replace('RUN xx-go --wrap && \\\n    CGO_ENABLED=1 go build', 'RUN CGO_ENABLED=1 \\\n    go build');
    expectRule(text, 'cross-setup-missing', [9], 'error');
  });

  it('fires when the wrap comes after the compile', () => {
    const text = df`
      FROM --platform=\${BUILDPLATFORM} rancher/mirrored-tonistiigi-xx:1.6.1 as xx
      FROM --platform=\${BUILDPLATFORM} golang:1.22-alpine as builder
      COPY --from=xx / /
      ARG TARGETPLATFORM
      RUN CGO_ENABLED=0 go build -o /x ./cmd/x && xx-go --wrap
      FROM alpine:3.20
      COPY --from=builder /x /x
    `;
    expectRule(text, 'cross-setup-missing', [5], 'error');
  });

  it('accepts GOOS/GOARCH from TARGETOS/TARGETARCH instead of xx', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM golang:1.22 AS build
      ARG TARGETOS
      ARG TARGETARCH
      RUN --mount=type=cache,target=/root/.cache/go-build \\
          CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/x ./cmd/x
      FROM gcr.io/distroless/static
      COPY --from=build /out/x /x
    `;
    expectNoRule(text, 'cross-setup-missing');
  });

  it('accepts a wrap inherited from the base stage', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
      FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS base
      COPY --from=xx / /
      ARG TARGETPLATFORM
      RUN xx-go --wrap
      FROM base AS build
      ARG TARGETPLATFORM
      RUN CGO_ENABLED=0 go build -o /x .
      FROM scratch
      COPY --from=build /x /x
    `;
    expectNoRule(text, 'cross-setup-missing');
    expectNoRule(text, 'compile-stage-without-target-arg');
  });

  it('leaves a native tool alone: a build-platform stage whose output only feeds build stages', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
      FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS tools
      RUN go build -o /bin/gen ./hack/gen
      FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS build
      COPY --from=xx / /
      COPY --from=tools /bin/gen /usr/local/bin/gen
      RUN gen ./api
      ARG TARGETPLATFORM
      RUN xx-go --wrap && CGO_ENABLED=0 go build -o /x .
      RUN xx-verify /x
      FROM scratch
      COPY --from=build /x /x
    `;
    expectNoRule(text, 'cross-setup-missing');
  });

  it('fires on a compile in a stage pinned to a constant platform', () => {
    const text = df`
      FROM --platform=linux/amd64 golang:1.22 AS build
      RUN go build -o /x .
      FROM alpine
      COPY --from=build /x /x
    `;
    expectRule(text, 'cross-setup-missing', [2], 'error');
  });
});

describe('compile-stage-without-target-arg', () => {
  const text = df`
    FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
    FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS base
    COPY --from=xx / /
    RUN xx-go --wrap
    FROM base AS build
    RUN CGO_ENABLED=0 go build -o /x .
    FROM scratch
    COPY --from=build /x /x
  `;
  it('warns when the compiling stage relies on a parent stage for the wrap and no target ARG is in scope', () => {
    expectRule(text, 'compile-stage-without-target-arg', [6], 'warning');
  });
  it('is silent when the stage declares it', () => {
    expectNoRule(text.replace('FROM base AS build\n', 'FROM base AS build\nARG TARGETPLATFORM\n'), 'compile-stage-without-target-arg');
  });
  it('is silent when the parent declares it: the stage built FROM it inherits it', () => {
    expectNoRule(text.replace('RUN xx-go --wrap\n', 'ARG TARGETPLATFORM\nRUN xx-go --wrap\n'), 'compile-stage-without-target-arg');
  });
});

describe('cross-setup-missing on a make', () => {
  const text = df`
    FROM --platform=$BUILDPLATFORM golang:1.23-alpine AS loader
    RUN apk add --no-cache gcc make musl-dev
    COPY loader /src/loader
    RUN make -C /src/loader
    FROM scratch
    COPY --from=loader /src/loader/loader /loader
  `;
  it('names the way out for a make that builds C, where xx-go --wrap changes nothing', () => {
    const [f] = expectRule(text, 'cross-setup-missing', [4], 'error');
    expect(f!.hint).toContain('if this make builds C rather than Go, keep the stage on the target platform (no --platform=$BUILDPLATFORM) with a "# kept emulated:" comment saying why');
  });
  it('a go build gets the xx-go hint alone', () => {
    const [f] = expectRule(text.replace('RUN make -C /src/loader', 'RUN go build -o /out/loader ./cmd/loader'), 'cross-setup-missing', [4], 'error');
    expect(f!.hint).not.toContain('builds C');
  });
});
