/**
 * go-install-gobin-cross (issue 17 item 2): Go refuses `go install` of a cross-compiled binary
 * when GOBIN is set, so in a stage that cross-compiles it fails for every foreign platform.
 */
import { describe, expect, it } from 'vitest';
import { buildFacts } from '../../src/dockerfile/build-files.ts';
import { GOOD, df, expectNoRule, expectRule } from './helpers.ts';

const wrapped = (run: string) => GOOD.replace('RUN xx-go --wrap && \\\n    CGO_ENABLED=1 go build -o /out/widgetd ./cmd/widgetd', run);

describe('go-install-gobin-cross', () => {
  it('fires on ENV GOBIN, a GOBIN= prefix and an export of GOBIN in the RUN, after xx-go --wrap', () => {
    expectRule(wrapped('ENV GOBIN=/out\nRUN xx-go --wrap && CGO_ENABLED=1 go install ./cmd/widgetd'), 'go-install-gobin-cross', [9], 'error');
    const [hit] = expectRule(wrapped('RUN xx-go --wrap && GOBIN=/out go install ./cmd/widgetd'), 'go-install-gobin-cross', [8], 'error');
    expect(hit!.message).toBe('go install with GOBIN=/out builds for the target (xx-go --wrap): Go refuses to install a cross-compiled binary when GOBIN is set, so every foreign platform fails');
    expectRule(wrapped('RUN xx-go --wrap && export GOBIN=/out && go install ./cmd/widgetd'), 'go-install-gobin-cross', [8], 'error');
  });

  it('fires on GOARCH for the target without a wrap, and on a tool installed after the wrap', () => {
    const text = df`
      FROM --platform=$BUILDPLATFORM golang:1.23-alpine AS build
      ARG TARGETARCH
      RUN GOARCH=$TARGETARCH GOBIN=/out go install ./cmd/ripple
      FROM scratch
      COPY --from=build /out/ripple /ripple
    `;
    expectRule(text, 'go-install-gobin-cross', [3], 'error');
    expectRule(wrapped('RUN xx-go --wrap && go build -o /out/widgetd ./cmd/widgetd\nRUN GOBIN=/usr/local/bin go install golang.org/x/tools/cmd/stringer@v0.20.0'), 'go-install-gobin-cross', [9], 'error');
  });

  it('is silent natively: before the wrap, for the build machine, on the target platform, or without GOBIN', () => {
    expectNoRule(GOOD.replace('ARG TARGETPLATFORM\n', 'RUN GOBIN=/usr/local/bin go install golang.org/x/tools/cmd/stringer@v0.20.0\nARG TARGETPLATFORM\n'), 'go-install-gobin-cross');
    expectNoRule(wrapped('ARG BUILDARCH\nRUN xx-go --wrap && GOARCH=$BUILDARCH GOBIN=/usr/local/bin go install ./hack/gen'), 'go-install-gobin-cross');
    expectNoRule(df`
      FROM golang:1.23-alpine AS build
      ENV GOBIN=/out
      RUN go install ./cmd/ripple
      FROM scratch
      COPY --from=build /out/ripple /ripple
    `, 'go-install-gobin-cross');
    expectNoRule(wrapped('RUN xx-go --wrap && go install ./cmd/widgetd'), 'go-install-gobin-cross');
  });

  it('fires on a wrapped make whose recipe in the checkout\'s Makefile installs with GOBIN, citing the Makefile line', () => {
    const makefile = buildFacts([{ path: 'Makefile', text: 'build:\n\texport GOBIN=/out && go install ./cmd/widgetd\n', kind: 'makefile' }]);
    const text = wrapped('WORKDIR /src\nCOPY . .\nRUN xx-go --wrap && make build');
    const [hit] = expectRule(text, 'go-install-gobin-cross', [10], 'error', makefile);
    expect(hit!.message).toBe('"make build" runs go install with GOBIN set (Makefile:2) and cross-compiles: Go refuses to install a cross-compiled binary when GOBIN is set, so every foreign platform fails');
    // A Makefile that came with a clone is not the checkout's: nothing to read, nothing to report.
    expectNoRule(wrapped('RUN git clone https://github.com/example-org/widgetd.git /src\nWORKDIR /src\nRUN xx-go --wrap && make build'), 'go-install-gobin-cross', makefile);
  });
});
