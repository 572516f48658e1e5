import { describe, it } from 'vitest';
import { GOOD, df, expectNoRule, expectRule } from './helpers.ts';

describe('unguarded-cross-binary-run', () => {
  it('fires on running the -o output after the compile', () => {
    const text = GOOD.replace('RUN xx-verify --static /out/widgetd', 'RUN xx-verify --static /out/widgetd\nRUN /out/widgetd --version');
    expectRule(text, 'unguarded-cross-binary-run', [11], 'warning');
  });

  it('fires on the installed name and on exec form, in a child stage', () => {
    const text = GOOD.replace('FROM scratch', 'FROM builder AS check\nRUN install /out/widgetd /usr/local/bin/ && widgetd --version\nRUN ["widgetd", "version"]\nFROM scratch');
    expectRule(text, 'unguarded-cross-binary-run', [12, 13]);
  });

  it('fires on bin/ outputs of make builds and on the WORKDIR name of go build .', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
      FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS builder
      COPY --from=xx / /
      WORKDIR /go/src/github.com/example/coredns
      ARG TARGETPLATFORM
      RUN xx-go --wrap && CGO_ENABLED=0 go build . && CGO_ENABLED=0 make build
      RUN ./bin/coredns-tool -version
      RUN coredns -version
      FROM scratch
      COPY --from=builder /go/src/github.com/example/coredns/coredns /coredns
    `;
    expectRule(text, 'unguarded-cross-binary-run', [7, 8]);
  });

  it('fires on the name install or cp gave it, and on a run inside sh -c (issue 17 item 11)', () => {
    const text = GOOD.replace(
      'RUN xx-verify --static /out/widgetd',
      'RUN xx-verify --static /out/widgetd\nRUN install -m 0755 /out/widgetd /usr/local/bin/wd\nRUN wd --version\nRUN cp /out/widgetd /usr/bin/widget && widget version\nRUN sh -c "/out/widgetd selftest"',
    );
    expectRule(text, 'unguarded-cross-binary-run', [12, 13, 14]);
  });

  it('is silent on a copy under a folder name and on a renamed file that is not the binary', () => {
    const text = GOOD.replace('RUN xx-verify --static /out/widgetd', 'RUN xx-verify --static /out/widgetd\nRUN cp /out/widgetd /usr/local/bin && cp README.md /usr/share/doc/widget && widget --help');
    expectNoRule(text, 'unguarded-cross-binary-run');
  });

  it('is silent when guarded by xx-info is-cross or a TARGET/BUILD comparison', () => {
    const guarded = GOOD.replace(
      'RUN xx-verify --static /out/widgetd',
      'RUN xx-verify --static /out/widgetd\nRUN if ! xx-info is-cross; then /out/widgetd --version; fi\nRUN xx-info is-cross || /out/widgetd --version\nARG BUILDARCH TARGETARCH\nRUN [ "$TARGETARCH" != "$BUILDARCH" ] || /out/widgetd --version',
    );
    expectNoRule(guarded, 'unguarded-cross-binary-run');
    expectNoRule(GOOD, 'unguarded-cross-binary-run');
  });

  it('is silent when the binary runs before the compile or in a target stage', () => {
    const text = GOOD.replace('FROM scratch', 'FROM alpine:3.20 AS smoke\nCOPY --from=builder /out/widgetd /usr/bin/\nRUN widgetd --version\nFROM scratch');
    expectNoRule(text, 'unguarded-cross-binary-run');
  });
});
