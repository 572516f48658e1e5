import { describe, expect, it } from 'vitest';
import { GOOD, df, expectNoRule, expectRule } from './helpers.ts';

describe('work-after-target-arg', () => {
  it('warns on clones, checkouts and module downloads after ARG TARGETPLATFORM', () => {
    const text = GOOD.replace(
      'RUN xx-apk --no-cache add musl-dev gcc\n',
      'RUN xx-apk --no-cache add musl-dev gcc\nRUN git clone https://example.com/w.git /w && cd /w && git checkout v1\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\n',
    );
    // One finding per cause (the ARG on line 6), listing the steps, not one per step (issue 17).
    const [f] = expectRule(text, 'work-after-target-arg', [8], 'warning');
    expect(f!.message).toBe('"git clone" (line 8), "git checkout" (line 8), "go mod download" (line 9) run after ARG TARGETPLATFORM (line 6), so BuildKit repeats them for every target platform');
    expect(f!.hint).toBe('move them before line 6: clones, patches and module downloads do not depend on the target');
  });

  it('is silent when they run before the target ARG, or depend on the target', () => {
    const text = GOOD.replace('ARG TARGETPLATFORM\n', 'RUN git clone https://example.com/w.git /w\nRUN go mod download\nARG TARGETPLATFORM\n');
    expectNoRule(text, 'work-after-target-arg');
    const dependent = GOOD.replace('ARG TARGETPLATFORM\n', 'ARG TARGETPLATFORM TARGETARCH\nRUN git clone -b release-$TARGETARCH https://example.com/w.git /w\n');
    expectNoRule(dependent, 'work-after-target-arg');
  });
});

// A stage built FROM one that declared a target ARG inherits it (test/timing/e2e shows that its
// steps run again for each platform): the fork is the parent's ARG, at the top of the child.
describe('work-after-target-arg with a target ARG declared in a parent stage', () => {
  const text = df`
    FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
    FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS base
    COPY --from=xx / /
    ARG TARGETPLATFORM
    RUN go mod download
    FROM base AS builder
    RUN git clone https://example.com/w.git /w
    RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/w ./w
    FROM scratch
    COPY --from=builder /out/w /w
  `;

  it('warns in the child, naming the parent\'s ARG, with a hint to fork in the child instead', () => {
    const hits = expectRule(text, 'work-after-target-arg', [5, 7], 'warning');
    expect(hits[1]!.message).toBe('"git clone" runs after ARG TARGETPLATFORM (line 4, in stage "base" which this stage is built FROM), so BuildKit repeats it for every target platform');
    expect(hits[1]!.hint).toMatch(/^fork later: declare ARG TARGETPLATFORM .*in this stage after this step, not in "base" \(line 4\)/);
  });

  it('warns in the base too (it forks for the stage built FROM it), and not at all once the fork moves to the child', () => {
    expect(expectRule(text, 'work-after-target-arg', [5, 7])[0]!.hint).toBe('move it before line 4: clones, patches and module downloads do not depend on the target');
    const late = text.replace('ARG TARGETPLATFORM\n', '').replace('RUN xx-go --wrap', 'ARG TARGETPLATFORM\nRUN xx-go --wrap');
    expectNoRule(late, 'work-after-target-arg');
  });
});
