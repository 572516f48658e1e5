/**
 * Issue 17 item 2: `go install` with GOBIN set fails for every foreign target once the stage
 * cross-compiles (Go refuses to install a cross-compiled binary when GOBIN is set). In the
 * Dockerfile it becomes `go build -o <GOBIN>/<name>` where that is the same output; otherwise, and
 * through a Makefile recipe of the checkout, the stage stays emulated with the line that says why;
 * a `make` whose Makefile the bot cannot read is wrapped without claiming it was checked.
 */
import { describe, expect, it } from 'vitest';
import { buildFacts } from '../../src/dockerfile/build-files.ts';
import { migrateDockerfile } from '../../src/migrate/engine.ts';
import { DEFAULT_OPTIONS } from './options.ts';

const lines = (...l: string[]) => `${l.join('\n')}\n`;
const head = ['ARG GO_IMAGE=golang:1.23-alpine', 'FROM ${GO_IMAGE} AS builder', 'RUN apk add --no-cache git make file'];
const tail = ['', 'FROM alpine:3.20', 'COPY --from=builder /out/ripple /usr/local/bin/ripple', 'ENTRYPOINT ["ripple"]'];
const migratedHead = ['ARG GO_IMAGE=golang:1.23-alpine', '', 'FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx', '', 'FROM --platform=$BUILDPLATFORM ${GO_IMAGE} AS builder', 'COPY --from=xx / /', 'RUN apk add --no-cache git make file'];

describe('go install with GOBIN set, in the Dockerfile', () => {
  it('(a) ENV GOBIN=/out + go install ./cmd/ripple: built as go build -o /out/ripple, wrapped, verified', () => {
    const m = migrateDockerfile(lines(...head, 'COPY . /src', 'WORKDIR /src', 'ENV GOBIN=/out', 'RUN CGO_ENABLED=0 go install -trimpath ./cmd/ripple', ...tail), 'Dockerfile', DEFAULT_OPTIONS);
    expect(m.output).toBe(lines(...migratedHead, 'COPY . /src', 'WORKDIR /src', 'ENV GOBIN=/out', 'ARG TARGETPLATFORM', 'RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/ripple -trimpath ./cmd/ripple && xx-verify --static /out/ripple', ...tail));
    expect(m.findings?.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('(b) GOBIN=/out go install ./cmd/ripple: the same, the prefix left as it is', () => {
    const m = migrateDockerfile(lines(...head, 'COPY . /src', 'WORKDIR /src', 'RUN CGO_ENABLED=0 GOBIN=/out go install -trimpath ./cmd/ripple', ...tail), 'Dockerfile', DEFAULT_OPTIONS);
    expect(m.output).toBe(lines(...migratedHead, 'COPY . /src', 'WORKDIR /src', 'ARG TARGETPLATFORM', 'RUN xx-go --wrap && CGO_ENABLED=0 GOBIN=/out go build -o /out/ripple -trimpath ./cmd/ripple && xx-verify --static /out/ripple', ...tail));
  });

  it('./... with GOBIN has no one go build -o: the stage stays emulated, the note cites the line', () => {
    const input = lines(...head, 'COPY . /src', 'WORKDIR /src', 'RUN CGO_ENABLED=0 GOBIN=/out go install -trimpath ./cmd/...', ...tail);
    const m = migrateDockerfile(input, 'Dockerfile', DEFAULT_OPTIONS);
    const note = '# kept emulated: line 6: go install with GOBIN set fails cross-compiled; no go build -o for "./cmd/..."';
    expect(m.output).toBe(input.replace('FROM ${GO_IMAGE} AS builder', `${note}\nFROM \${GO_IMAGE} AS builder`));
    expect(note.length).toBeLessThanOrEqual(105);
  });

  it('a hand migration that wraps a GOBIN go install gets the one edit that fixes the error, naming it', () => {
    const input = lines(
      'FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx',
      'FROM --platform=$BUILDPLATFORM golang:1.23-alpine AS builder',
      'COPY --from=xx / /',
      'RUN apk add --no-cache git file',
      'COPY . /src',
      'WORKDIR /src',
      'ARG TARGETPLATFORM',
      'ENV CGO_ENABLED=0',
      'RUN xx-go --wrap && GOBIN=/out go install ./cmd/ripple',
      'RUN xx-verify --static /out/ripple',
      ...tail,
    );
    const m = migrateDockerfile(input, 'Dockerfile', DEFAULT_OPTIONS);
    expect(m.output).toBe(input.replace('GOBIN=/out go install ./cmd/ripple', 'GOBIN=/out go build -o /out/ripple ./cmd/ripple'));
    expect(m.edits.map((e) => [e.recipe, e.line, e.fixes])).toEqual([['go-install-gobin', 9, { rule: 'go-install-gobin-cross', line: 9 }]]);
  });
});

describe('go install with GOBIN set, through make', () => {
  const makefile = 'CGO_ENABLED ?= 0\n\nbuild:\n\texport GOBIN=/out && go install -trimpath ./cmd/ripple\n\nimage:\n\tdocker build -t ripple .\n';
  const facts = buildFacts([{ path: 'Makefile', text: makefile, kind: 'makefile' }]);

  it('(c) the checkout\'s Makefile exports GOBIN and runs go install: kept emulated, the note names the Makefile line', () => {
    const input = lines(...head, 'COPY . /src', 'WORKDIR /src', 'RUN make build', ...tail);
    const m = migrateDockerfile(input, 'Dockerfile', { ...DEFAULT_OPTIONS, ...facts });
    const note = '# kept emulated: "make build" runs go install with GOBIN set (Makefile:4), which fails cross-compiled';
    expect(m.output).toBe(input.replace('FROM ${GO_IMAGE} AS builder', `${note}\nFROM \${GO_IMAGE} AS builder`));
    expect(note.length).toBeLessThanOrEqual(105);
    // Without that Makefile the same file is wrapped, as before.
    expect(migrateDockerfile(input, 'Dockerfile', DEFAULT_OPTIONS).output).toContain('RUN xx-go --wrap && make build && xx-verify --static /out/ripple\n');
  });

  it('(d) a Makefile that came with a clone is not read: wrapped, and the reason says nothing checked it', () => {
    const input = lines(...head, 'RUN git clone --depth=1 https://github.com/example-org/ripple.git /src', 'WORKDIR /src', 'RUN make build', ...tail);
    const m = migrateDockerfile(input, 'Dockerfile', { ...DEFAULT_OPTIONS, ...facts });
    expect(m.output).toContain('RUN xx-go --wrap && make build && xx-verify --static /out/ripple\n');
    expect(m.edits.find((e) => e.recipe === 'xx-go-wrap')!.reason).toBe(
      'xx-go --wrap makes every go call of "make build" build for the target platform; its Makefile is not in the build context, so nothing checked that it cross-compiles (a go install with GOBIN set would fail): build every platform once',
    );
  });

  it('a goal that does not reach the GOBIN recipe, and a Makefile with go build, are wrapped with the plain reason', () => {
    const input = lines(...head, 'COPY . /src', 'WORKDIR /src', 'RUN make image', ...tail);
    const m = migrateDockerfile(input, 'Dockerfile', { ...DEFAULT_OPTIONS, ...facts });
    expect(m.output).toContain('RUN xx-go --wrap && make image && xx-verify --static /out/ripple\n');
    expect(m.edits.find((e) => e.recipe === 'xx-go-wrap')!.reason).toBe('xx-go --wrap makes "make image" compile for the target platform (GOOS/GOARCH/CC from TARGETPLATFORM) while running natively');
  });
});
