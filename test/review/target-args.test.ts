import { describe, expect, it } from 'vitest';
import { GOOD, df, expectNoRule, expectRule } from './helpers.ts';

describe('platform-arg-undeclared', () => {
  const base = df`
    FROM --platform=$BUILDPLATFORM golang:1.22 AS build
    ARG TARGETOS
    RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=\${TARGETARCH} go build -o /x .
    FROM alpine:3.20
    ADD https://example.com/tool-\${TARGETARCH}.tar.gz /opt/
    COPY --from=build /x /x
  `;

  it('fires on TARGETARCH used in RUN and ADD of stages that did not declare it', () => {
    const hits = expectRule(base, 'platform-arg-undeclared', [3, 5], 'error');
    expect(hits[0]!.column).toBe(43);
  });

  it('is silent once each stage declares its ARG', () => {
    const fixed = base.replace('ARG TARGETOS\n', 'ARG TARGETOS\nARG TARGETARCH\n').replace('FROM alpine:3.20\n', 'FROM alpine:3.20\nARG TARGETARCH\n');
    expectNoRule(fixed, 'platform-arg-undeclared');
  });

  it('fires when the ARG is declared only in the parent stage (ARGs do not cross FROM)', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM golang:1.22 AS base
      ARG TARGETARCH
      FROM base AS build
      RUN GOARCH=$TARGETARCH CGO_ENABLED=0 go build -o /x .
      FROM scratch
      COPY --from=build /x /x
    `;
    expectRule(text, 'platform-arg-undeclared', [4]);
  });

  it('fires when used before the ARG line', () => {
    const text = df`
      FROM alpine:3.20
      RUN echo building for $TARGETPLATFORM
      ARG TARGETPLATFORM
    `;
    expectRule(text, 'platform-arg-undeclared', [2]);
  });

  it('leaves CMD/ENTRYPOINT alone: their $VAR is expanded at run time, not by the build', () => {
    expectNoRule('FROM alpine\nCMD echo $TARGETARCH\nENTRYPOINT ["sh", "-c", "echo $TARGETARCH"]\n', 'platform-arg-undeclared');
  });

  it('accepts platform args in FROM (global scope) and ones the script sets itself', () => {
    const text = df`
      FROM --platform=\${BUILDPLATFORM} golang:1.22 AS build
      RUN TARGETARCH=$(uname -m) && echo $TARGETARCH
      FROM alpine-\${TARGETARCH}
    `;
    expectNoRule(text, 'platform-arg-undeclared');
    expectNoRule(GOOD, 'platform-arg-undeclared');
  });
});

describe('xx-without-target-arg', () => {
  it('fires on xx-apk and xx-go --wrap before ARG TARGETPLATFORM', () => {
    const text = GOOD.replace('ARG TARGETPLATFORM\n', '').replace('RUN xx-verify', 'ARG TARGETPLATFORM\nRUN xx-verify');
    expectRule(text, 'xx-without-target-arg', [6, 7], 'error');
  });

  it('fires when only the base stage declared it', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
      FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS base
      COPY --from=xx / /
      ARG TARGETPLATFORM
      RUN xx-apk add --no-cache musl-dev gcc
      FROM base AS build
      RUN xx-go --wrap && CGO_ENABLED=1 go build -o /x .
      RUN xx-verify --static /x
      FROM scratch
      COPY --from=build /x /x
    `;
    expectRule(text, 'xx-without-target-arg', [7, 8]);
  });

  it('accepts ARG TARGETARCH and is silent on the correct file', () => {
    expectNoRule(GOOD.replace('ARG TARGETPLATFORM', 'ARG TARGETOS TARGETARCH'), 'xx-without-target-arg');
    expectNoRule(GOOD, 'xx-without-target-arg');
  });
});
