import { describe, expect, it } from 'vitest';
import { GOOD, df, expectNoRule, expectRule } from './helpers.ts';

describe('stale-goarch', () => {
  it('fires on GOARCH=${ARCH} in a build-platform stage', () => {
    const text = GOOD.replace('CGO_ENABLED=1 go build', 'CGO_ENABLED=1 GOARCH=${ARCH} go build').replace('ARG TARGETPLATFORM\n', 'ARG TARGETPLATFORM\nARG ARCH=amd64\n');
    const [f] = expectRule(text, 'stale-goarch', [10], 'error');
    expect(f!.column).toBe(19);
  });

  it('only warns on GOARCH=${ARCH} when nothing declares ARCH: empty, Go uses what xx-go --wrap wrote (issue 17)', () => {
    const text = GOOD.replace('CGO_ENABLED=1 go build', 'CGO_ENABLED=1 GOARCH=${ARCH} go build');
    const [f] = expectRule(text, 'stale-goarch', [9], 'warning');
    expect(f!.message).toMatch(/no ARG or ENV declares/);
    // A global ARG ARCH does not reach the stage without an ARG line of its own.
    expectRule(`ARG ARCH=amd64\n${text}`, 'stale-goarch', [10], 'warning');
    // Set by the script itself: a real value again.
    expectRule(text.replace('RUN xx-go --wrap && \\', 'RUN ARCH=amd64 && xx-go --wrap && \\'), 'stale-goarch', [9], 'error');
  });

  it('fires on a legacy ENV GOARCH amd64 (it overrides the wrapped go env)', () => {
    const text = GOOD.replace('ARG TARGETPLATFORM\n', 'ENV GOARCH amd64\nARG TARGETPLATFORM\n');
    expectRule(text, 'stale-goarch', [6], 'error');
  });

  it('fires on ENV GOARCH=arm64 GOOS=linux (only the arch)', () => {
    const text = GOOD.replace('ARG TARGETPLATFORM\n', 'ENV GOOS=linux GOARCH=arm64\nARG TARGETPLATFORM\n');
    expectRule(text, 'stale-goarch', [6]);
  });

  it('fires on export GOARCH=$ARCH inside a heredoc', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM golang:1.22 AS build
      ARG ARCH
      RUN <<EOF
      export GOARCH=$ARCH
      go build -o /x .
      EOF
      FROM scratch
      COPY --from=build /x /x
    `;
    expectRule(text, 'stale-goarch', [4], 'error');
  });

  it('warns on stale values in an emulated stage', () => {
    const text = df`
      ARG ARCH=amd64
      FROM golang:1.22 AS build
      ARG ARCH
      ENV GOARCH=amd64
      RUN GOARCH=\${ARCH} go build -o /x .
    `;
    expectRule(text, 'stale-goarch', [4, 5], 'warning');
  });

  it('is silent on target-derived values and constant-platform stages', () => {
    expectNoRule(GOOD, 'stale-goarch');
    const text = df`
      FROM --platform=$BUILDPLATFORM golang:1.22 AS build
      ARG TARGETOS TARGETARCH
      ENV GOOS=linux
      RUN GOOS=$TARGETOS GOARCH=\${TARGETARCH} go build -o /x . && GOARCH=$(xx-info arch) true
      FROM --platform=linux/amd64 golang:1.22 AS amd64-tools
      RUN GOARCH=amd64 go build -o /tool ./tool
    `;
    expectNoRule(text, 'stale-goarch');
  });
});
