import { describe, expect, it } from 'vitest';
import { GOOD, df, expectNoRule, expectRule } from './helpers.ts';

describe('xx-not-copied', () => {
  it('fires on the first xx use when COPY --from=xx is missing', () => {
    expectRule(GOOD.replace('COPY --from=xx / /\n', ''), 'xx-not-copied', [6], 'error');
  });

  it('fires when the copy comes after the use, and names a dangling --from=xx', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS builder
      ARG TARGETPLATFORM
      RUN xx-go --wrap && CGO_ENABLED=0 go build -o /x .
      COPY --from=xx / /
      FROM scratch
      COPY --from=builder /x /x
    `;
    const [f] = expectRule(text, 'xx-not-copied', [3]);
    expect(f!.message).toContain('names no stage');
  });

  it('accepts the copy in a base stage and a direct image copy', () => {
    expectNoRule(GOOD, 'xx-not-copied');
    const direct = GOOD.replace('COPY --from=xx / /', 'COPY --from=rancher/mirrored-tonistiigi-xx:1.6.1 / /');
    expectNoRule(direct, 'xx-not-copied');
    const child = GOOD.replace('RUN xx-go', 'FROM builder AS build2\nARG TARGETPLATFORM\nRUN xx-go');
    expectNoRule(child, 'xx-not-copied');
  });
});

describe('xx-image-not-mirror / xx-image-unpinned', () => {
  it('warns on the upstream image and on an unpinned or latest tag', () => {
    const upstream = GOOD.replace('rancher/mirrored-tonistiigi-xx:1.6.1', 'tonistiigi/xx:1.6.1');
    expectRule(upstream, 'xx-image-not-mirror', [2], 'warning');
    expectNoRule(upstream, 'xx-image-unpinned');
    expectRule(GOOD.replace('xx:1.6.1', 'xx'), 'xx-image-unpinned', [2], 'warning');
    expectRule(GOOD.replace('xx:1.6.1', 'xx:latest'), 'xx-image-unpinned', [2]);
    expectRule(GOOD.replace('COPY --from=xx / /', 'COPY --from=docker.io/tonistiigi/xx / /'), 'xx-image-unpinned', [4]);
  });

  it('accepts the mirror by tag or digest, another configured image, and ARG-resolved images', () => {
    expectNoRule(GOOD, 'xx-image-not-mirror');
    expectNoRule(GOOD.replace('xx:1.6.1', 'xx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'), 'xx-image-unpinned');
    expectNoRule(GOOD.replace('rancher/mirrored-tonistiigi-xx:1.6.1', 'registry.example.com/xx:1.5.0'), 'xx-image-not-mirror', { xxImage: 'registry.example.com/xx:1.6.1' });
    const viaArg = `ARG XX_IMAGE=rancher/mirrored-tonistiigi-xx:1.6.1\n${GOOD.replace('rancher/mirrored-tonistiigi-xx:1.6.1', '${XX_IMAGE}')}`;
    expectNoRule(viaArg, 'xx-image-not-mirror');
    expectNoRule(viaArg, 'xx-not-copied');
  });
});

describe('xx-verify-missing', () => {
  it('warns when nothing verifies the cross-compiled binary', () => {
    expectRule(GOOD.replace('RUN xx-verify --static /out/widgetd\n', ''), 'xx-verify-missing', [9], 'warning');
  });
  it('accepts xx-verify in the same stage or a downstream stage', () => {
    expectNoRule(GOOD, 'xx-verify-missing');
    const downstream = GOOD.replace('RUN xx-verify --static /out/widgetd\n', 'FROM builder AS verify\nARG TARGETPLATFORM\nRUN xx-verify --static /out/widgetd\n');
    expectNoRule(downstream, 'xx-verify-missing');
  });
});

describe('xx-verify-without-file', () => {
  it('warns when no native file package is installed', () => {
    expectRule(GOOD.replace('apk add --no-cache file git', 'apk add --no-cache git'), 'xx-verify-without-file', [10], 'warning');
  });
  it('is silent with file installed', () => {
    expectNoRule(GOOD, 'xx-verify-without-file');
  });
});

describe('xx-verify-static-several-files', () => {
  const verify = (line: string) => GOOD.replace('RUN xx-verify --static /out/widgetd', line);

  it('is an error on --static with several files, naming every file that is never checked', () => {
    const [f] = expectRule(verify('RUN xx-verify --static /out/widgetd /out/widgetctl /out/widget-probe'), 'xx-verify-static-several-files', [10], 'error');
    expect(f!.message).toContain('/out/widgetctl, /out/widget-probe are never checked');
    expect(f!.message).toContain('a check that silently never runs');
    expect(f!.hint).toContain('xx-verify --static /out/widgetd && xx-verify --static /out/widgetctl && xx-verify --static /out/widget-probe');
  });

  it('is an error on --static with a glob, inside a chain and on a continuation line', () => {
    const [g] = expectRule(verify('RUN xx-verify --static /out/*'), 'xx-verify-static-several-files', [10], 'error');
    expect(g!.message).toContain('every file /out/* matches after the first');
    expect(g!.hint).toContain('for f in /out/*; do xx-verify --static "$f" || exit 1; done');
    expectRule(verify('RUN ls /out && \\\n    xx-verify --static /out/widgetd /out/widgetctl'), 'xx-verify-static-several-files', [11], 'error');
  });

  it('accepts one file per call, a loop over the files, a quoted pattern, and several files without --static', () => {
    expectNoRule(GOOD, 'xx-verify-static-several-files');
    expectNoRule(verify('RUN xx-verify --static /out/widgetd && xx-verify --static /out/widgetctl'), 'xx-verify-static-several-files');
    expectNoRule(verify('RUN for f in /out/*; do xx-verify --static "$f" || exit 1; done'), 'xx-verify-static-several-files');
    expectNoRule(verify('RUN xx-verify --static "/out/widget[d]"'), 'xx-verify-static-several-files');
    // Without --static xx-verify checks every file it is given.
    expectNoRule(verify('RUN xx-verify /out/widgetd /out/widgetctl'), 'xx-verify-static-several-files');
  });
});
