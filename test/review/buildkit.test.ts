import { describe, expect, it } from 'vitest';
import { GOOD, df, expectNoRule, expectRule } from './helpers.ts';

describe('BuildKit checks', () => {
  it('from-as-casing: FROM x as y, from x AS y', () => {
    const text = df`
      FROM alpine:3.20 as one
      from alpine:3.20 AS two
      FROM alpine:3.20 AS three
      from alpine:3.20 as four
    `;
    const [f] = expectRule(text, 'from-as-casing', [1, 2], 'warning');
    expect(f!.column).toBe(18);
    expectNoRule(GOOD, 'from-as-casing');
  });

  it('from-platform-flag-const-disallowed: a constant platform', () => {
    const text = df`
      FROM --platform=linux/amd64 golang:1.22 AS tools
      FROM --platform=linux/amd64 alpine AS fetch-amd64
      FROM --platform=$BUILDPLATFORM alpine AS ok
    `;
    expectRule(text, 'from-platform-flag-const-disallowed', [1], 'warning');
  });

  it('redundant-target-platform: a warning on a final stage, no error when it does not compile', () => {
    const text = GOOD.replace('FROM scratch', 'FROM --platform=$TARGETPLATFORM scratch');
    expectRule(text, 'redundant-target-platform', [11], 'warning');
    expectNoRule(text, 'compile-left-emulated');
    expectNoRule(GOOD, 'redundant-target-platform');
  });

  it('duplicate-stage-name is an error, case-insensitively', () => {
    const text = df`
      FROM alpine AS build
      FROM alpine AS Build
    `;
    expectRule(text, 'duplicate-stage-name', [2], 'error');
    expectNoRule(GOOD, 'duplicate-stage-name');
  });

  it('stage-name-casing', () => {
    expectRule('FROM alpine AS Builder\nFROM alpine AS builder2\n', 'stage-name-casing', [1], 'warning');
  });

  it('undefined-arg-in-from', () => {
    const text = df`
      ARG GO_IMAGE
      FROM \${GO_IMAGE} AS a
      FROM \${BCI_IMAGE} AS b
      FROM --platform=\${BUILD_PLATFORM} alpine AS c
    `;
    expectRule(text, 'undefined-arg-in-from', [3, 4], 'warning');
    expectNoRule(GOOD, 'undefined-arg-in-from');
  });
});

describe('shell-syntax', () => {
  it('warns on a RUN the shell cannot parse', () => {
    expectRule(GOOD.replace('RUN xx-go --wrap && \\', 'RUN xx-go --wrap && && \\'), 'shell-syntax', [8], 'warning');
    expectNoRule(GOOD, 'shell-syntax');
  });
});
