import { DockerfileFacts } from '../../src/dockerfile/facts.ts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { reviewChange } from '../../src/review/before-after.ts';
import { df, review, show } from './helpers.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const before = fixture('widget-before.Dockerfile');
const after = fixture('widget-correct.Dockerfile');
const change = (b: string, a: string, targets?: string[]) => reviewChange(DockerfileFacts.of(parseDockerfile(b, 'Dockerfile'), { targets }), DockerfileFacts.of(parseDockerfile(a, 'Dockerfile'), { targets }));

describe('reviewChange', () => {
  it('accepts the seed-style migration of the un-migrated file', () => {
    expect(show(change(before, after))).toBe('');
    // and the un-migrated file itself is what the review flags
    expect(review(before).filter((f) => f.severity === 'error').map((f) => f.rule)).toContain('compile-left-emulated');
  });

  it('final-stage-changed: platform, COPY destination, ENTRYPOINT', () => {
    const moved = after.replace('FROM ${BCI_IMAGE}', 'FROM --platform=$BUILDPLATFORM ${BCI_IMAGE}');
    expect(change(before, moved).map((f) => [f.rule, f.line])).toEqual([['final-stage-changed', 39]]);
    const dest = after.replace('COPY --from=strip_binary /widgetd /usr/local/bin/widgetd', 'COPY --from=strip_binary /widgetd /usr/bin/widgetd');
    const [d] = change(before, dest);
    expect(d!.message).toContain('lost: /usr/local/bin/widgetd');
    const entry = after.replace('ENTRYPOINT ["widgetd"]', 'ENTRYPOINT ["/usr/local/bin/widgetd"]');
    expect(change(before, entry).map((f) => [f.rule, f.line])).toEqual([['final-stage-changed', 42]]);
  });

  it('final-stage-changed: a named leaf or --target renamed or gone', () => {
    const b = df`
      FROM golang:1.22 AS build
      RUN go build -o /x .
      FROM alpine AS operator
      COPY --from=build /x /x
      LABEL org.opencontainers.image.title=operator
    `;
    expect(change(b, b.replace('AS operator', 'AS Operator')).map((f) => f.rule)).toEqual(['final-stage-changed']);
    expect(change(b, b.replace('AS operator', 'AS op'))[0]!.message).toContain('gone');
    expect(change(b, b.replace('title=operator', 'title=op'))[0]!.message).toContain('LABEL');
    // --target build is final too: moving it to $BUILDPLATFORM breaks the invariant
    expect(change(b, b.replace('FROM golang:1.22 AS build', 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build'), ['build']).map((f) => [f.rule, f.line])).toEqual([['final-stage-changed', 1]]);
  });

  // Issue 17, item 4: `install -D -s bin/* /opt/cni/bin` became `install -D bin/* ...` with no
  // strip stage, while the reason said "strip on the target platform instead".
  describe('strip-dropped', () => {
    const emulated = df`
      ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
      FROM \${GO_IMAGE} AS builder
      WORKDIR /src/plugs
      COPY . .
      RUN go build -o bin/bridge ./plugins/bridge && go build -o bin/portmap ./plugins/portmap
      RUN install -D -s bin/* /opt/cni/bin
      FROM scratch
      COPY --from=builder /opt/cni/ /opt/cni/
    `;
    const cross = (install: string, extra = '', from = 'builder') => df`
      ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
      FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
      FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
      COPY --from=xx / /
      WORKDIR /src/plugs
      COPY . .
      ARG TARGETPLATFORM
      RUN xx-go --wrap && go build -o bin/bridge ./plugins/bridge && go build -o bin/portmap ./plugins/portmap
      RUN ${install}
      ${extra}
      FROM scratch
      COPY --from=${from} /opt/cni/ /opt/cni/
    `;

    it('is an error where the final image ships unstripped what install -s stripped, at the COPY that ships it', () => {
      const [f, ...rest] = change(emulated, cross('install -D bin/* /opt/cni/bin'));
      expect(rest).toEqual([]);
      expect([f!.rule, f!.severity, f!.line]).toEqual(['strip-dropped', 'error', 12]);
      expect(f!.message).toBe('final stage #1 (FROM scratch) ships /opt/cni/bin/* unstripped: line 6 before (install -D -s bin/* /opt/cni/bin) stripped it, and nothing strips it now');
    });

    it('is an error where a strip step vanished, the file reached by name or through a folder', () => {
      const stripped = emulated.replace('RUN install -D -s bin/* /opt/cni/bin', 'RUN install -D bin/bridge bin/portmap /opt/cni/bin/ && strip /opt/cni/bin/bridge');
      expect(change(stripped, cross('install -D bin/bridge bin/portmap /opt/cni/bin/')).map((f) => [f.rule, f.message.split(':')[0]])).toEqual([['strip-dropped', 'final stage #1 (FROM scratch) ships /opt/cni/bin/bridge unstripped']]);
    });

    it('accepts the strip moved to a stage on the target, by folder or by name, and a file that was never stripped', () => {
      const stage = 'FROM ${GO_IMAGE} AS strip_binary\nCOPY --from=builder /opt/cni/ /opt/cni/\nRUN strip /opt/cni/bin/*';
      expect(show(change(emulated, cross('install -D bin/* /opt/cni/bin', stage, 'strip_binary')))).toBe('');
      const byName = 'FROM ${GO_IMAGE} AS strip_binary\nCOPY --from=builder /opt/cni/ /opt/cni/\nRUN strip /opt/cni/bin/bridge /opt/cni/bin/portmap';
      expect(show(change(emulated, cross('install -D bin/* /opt/cni/bin', byName, 'strip_binary')))).toBe('');
      const unstripped = emulated.replace('install -D -s', 'install -D');
      expect(show(change(unstripped, cross('install -D bin/* /opt/cni/bin')))).toBe('');
    });
  });

  // Issue 17, item 1: the builder's link (the entrypoint) was lost when the strip stage took only the binary.
  describe('shipped-path-lost', () => {
    const emulated = df`
      ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
      FROM \${GO_IMAGE} AS builder
      WORKDIR /src/tidewater
      COPY . .
      RUN go-build-static.sh -o bin/tidewater-\${ARCH} ./cmd/tidewater
      RUN install -s bin/tidewater-\${ARCH} /usr/local/bin/tidewater && ln -s /usr/local/bin/tidewater /usr/local/bin/cloud-controller-manager
      FROM scratch
      COPY --from=builder /usr/local/bin/ /usr/local/bin/
    `;
    const cross = (strip: string) => df`
      ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
      FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
      WORKDIR /src/tidewater
      COPY . .
      ARG TARGETARCH
      RUN xx-go --wrap && go-build-static.sh -o bin/tidewater-\${TARGETARCH} ./cmd/tidewater
      RUN install bin/tidewater-\${TARGETARCH} /usr/local/bin/tidewater && ln -s /usr/local/bin/tidewater /usr/local/bin/cloud-controller-manager
      FROM \${GO_IMAGE} AS strip_binary
      ${strip}
      FROM scratch
      COPY --from=strip_binary /usr/local/bin/ /usr/local/bin/
    `;

    it('is an error where a link the final image shipped is gone, naming the link, its target and where it was made', () => {
      const [f, ...rest] = change(emulated, cross('COPY --from=builder /usr/local/bin/tidewater /usr/local/bin/\nRUN strip /usr/local/bin/tidewater'));
      expect(rest).toEqual([]);
      expect([f!.rule, f!.severity, f!.line]).toEqual(['shipped-path-lost', 'error', 11]);
      expect(f!.message).toBe('final stage #1 (FROM scratch) no longer ships the link /usr/local/bin/cloud-controller-manager (to /usr/local/bin/tidewater) (made at line 6 before)');
    });

    it('is an error where the link became a copy of the binary it pointed at', () => {
      const copied = cross('COPY --from=builder /usr/local/bin/tidewater /usr/local/bin/cloud-controller-manager /usr/local/bin/\nRUN strip /usr/local/bin/tidewater /usr/local/bin/cloud-controller-manager');
      // BuildKit's COPY follows a link named as its source: a second binary lands, not the link.
      expect(change(emulated, copied).map((f) => [f.rule, f.line, f.message])).toEqual([
        ['shipped-path-lost', 12, 'final stage #1 (FROM scratch) ships the link /usr/local/bin/cloud-controller-manager (to /usr/local/bin/tidewater) as a copy of a file, not as the link it was (made at line 6 before)'],
      ]);
    });

    it('accepts the link made again where the final image copies from; an ARCH renamed TARGETARCH is the same path', () => {
      expect(show(change(emulated, cross('COPY --from=builder /usr/local/bin/tidewater /usr/local/bin/\nRUN strip /usr/local/bin/tidewater\nRUN ln -s /usr/local/bin/tidewater /usr/local/bin/cloud-controller-manager')))).toBe('');
      const b = df`
        FROM golang:1.23-alpine AS build
        RUN go build -o /out/app-\${ARCH} ./cmd/app
        FROM scratch
        COPY --from=build /out/ /
      `;
      expect(show(change(b, b.replace('FROM golang', 'FROM --platform=$BUILDPLATFORM golang').replace('app-${ARCH}', 'app-${TARGETARCH}')))).toBe('');
      expect(change(b, b.replace('app-${ARCH}', 'app')).map((f) => f.rule)).toEqual(['shipped-path-lost']);
    });
  });

  it('global-arg-removed: other global ARGs stay, ARCH may go', () => {
    expect(change(before, after.replace('ARG BCI_IMAGE=registry.suse.com/bci/bci-base\n', '')).map((f) => f.rule)).toContain('global-arg-removed');
    expect(change(before, after.replace('v1.22.5b1', 'v1.23.0b1')).map((f) => [f.rule, f.line])).toEqual([['global-arg-removed', 3]]);
  });
});
