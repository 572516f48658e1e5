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

  // BuildKit passes a stage's ARGs to the stages built FROM it (test/timing/e2e pins it).
  const inherited = df`
    FROM --platform=$BUILDPLATFORM golang:1.22 AS base
    ARG TARGETARCH
    FROM base AS build
    RUN GOARCH=$TARGETARCH CGO_ENABLED=0 go build -o /x-$TARGETARCH .
    FROM build AS again
    RUN cp /x-$TARGETARCH /y
    FROM scratch
    COPY --from=again /y /x
  `;

  it('is silent when a parent stage declares the ARG: a FROM <stage> child inherits it, a grandchild too', () => {
    expectNoRule(inherited, 'platform-arg-undeclared');
  });

  it('fires in a child of a stage that does not declare it, naming the stages it is built FROM', () => {
    const hits = expectRule(inherited.replace('ARG TARGETARCH\n', 'ARG TARGETOS\n'), 'platform-arg-undeclared', [4, 4, 6]);
    expect(hits[2]!.message).toBe('TARGETARCH is used in stage "again" but not declared there nor in "build", "base", which it is built FROM: an ARG reaches a stage only through an ARG line of its own or of a stage it is built FROM (never across FROM <image>), so it is empty here');
  });

  it('fires in a FROM <image> stage even when an earlier stage declared it', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM golang:1.22 AS build
      ARG TARGETARCH
      RUN GOARCH=$TARGETARCH CGO_ENABLED=0 go build -o /x .
      FROM alpine:3.20
      COPY --from=build /x /x-\${TARGETARCH}
    `;
    const [hit] = expectRule(text, 'platform-arg-undeclared', [5]);
    expect(hit!.message).toMatch(/^TARGETARCH is used in stage #1 but not declared there: /);
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

  const baseDeclares = df`
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

  it('is silent when the base stage declared it: the stage built FROM it inherits TARGETPLATFORM', () => {
    expectNoRule(baseDeclares, 'xx-without-target-arg');
  });

  it('fires in the child as in the base when neither of them declares it', () => {
    expectRule(baseDeclares.replace('ARG TARGETPLATFORM\n', ''), 'xx-without-target-arg', [4, 6, 7]);
  });

  it('accepts ARG TARGETARCH and is silent on the correct file', () => {
    expectNoRule(GOOD.replace('ARG TARGETPLATFORM', 'ARG TARGETOS TARGETARCH'), 'xx-without-target-arg');
    expectNoRule(GOOD, 'xx-without-target-arg');
  });
});
