import { describe, it } from 'vitest';
import { GOOD, df, expectNoRule, expectRule } from './helpers.ts';

describe('host-strip-cross-output', () => {
  it('fires on install -s after a cross-compile', () => {
    const text = GOOD.replace('RUN xx-verify --static /out/widgetd', 'RUN xx-verify --static /out/widgetd && install -s /out/widgetd /usr/local/bin');
    expectRule(text, 'host-strip-cross-output', [10], 'error');
  });

  it('fires on combined flags (-Dsm755) and on plain strip', () => {
    const text = GOOD.replace('RUN xx-verify --static /out/widgetd', 'RUN xx-verify --static /out/widgetd\nRUN install -Dsm755 /out/widgetd /usr/local/bin/widgetd\nRUN strip /out/widgetd');
    expectRule(text, 'host-strip-cross-output', [11, 12]);
  });

  it('fires in a build-platform stage that copies from the cross builder', () => {
    const text = GOOD.replace('FROM scratch', 'FROM --platform=$BUILDPLATFORM alpine:3.20 AS pack\nCOPY --from=builder /out/widgetd /w\nRUN strip /w\nFROM scratch');
    expectRule(text, 'host-strip-cross-output', [13]);
  });

  it('is silent when stripping in a target-platform stage, with a target strip, or without cross-compile', () => {
    const strip = df`
      FROM \${GO_IMAGE} AS strip_binary
      COPY --from=builder /out/widgetd /widgetd
      RUN strip /widgetd
    `;
    expectNoRule(GOOD.replace('FROM scratch', `${strip}FROM scratch`), 'host-strip-cross-output');
    expectNoRule(GOOD.replace('RUN xx-verify --static /out/widgetd', 'RUN xx-verify --static /out/widgetd && $(xx-info)-strip /out/widgetd && llvm-strip /out/widgetd'), 'host-strip-cross-output');
    const native = df`
      FROM --platform=$BUILDPLATFORM alpine:3.20 AS tools
      RUN install -s /usr/bin/jq /usr/local/bin/jq
    `;
    expectNoRule(native, 'host-strip-cross-output');
  });
});
