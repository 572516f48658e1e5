import { describe, it } from 'vitest';
import { GOOD, expectNoRule, expectRule } from './helpers.ts';

describe('work-after-target-arg', () => {
  it('warns on clones, checkouts and module downloads after ARG TARGETPLATFORM', () => {
    const text = GOOD.replace(
      'RUN xx-apk --no-cache add musl-dev gcc\n',
      'RUN xx-apk --no-cache add musl-dev gcc\nRUN git clone https://example.com/w.git /w && cd /w && git checkout v1\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\n',
    );
    expectRule(text, 'work-after-target-arg', [8, 8, 9], 'warning');
  });

  it('is silent when they run before the target ARG, or depend on the target', () => {
    const text = GOOD.replace('ARG TARGETPLATFORM\n', 'RUN git clone https://example.com/w.git /w\nRUN go mod download\nARG TARGETPLATFORM\n');
    expectNoRule(text, 'work-after-target-arg');
    const dependent = GOOD.replace('ARG TARGETPLATFORM\n', 'ARG TARGETPLATFORM TARGETARCH\nRUN git clone -b release-$TARGETARCH https://example.com/w.git /w\n');
    expectNoRule(dependent, 'work-after-target-arg');
  });
});
