/**
 * Three files on which a recipe and the rule it fixes once worked out the same fact in separate
 * code and disagreed (issue 16), through `migrate --local` as a user runs it: the bot must not
 * refuse its own output, must not break a generator that runs during the build, and must fix the
 * final stage of an already cross-compiling file instead of reporting an error it "cannot fix".
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { expectInOrder } from '../helpers/order.ts';
import { Capture } from '../helpers/streams.ts';

const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function checkout(dockerfile: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ibm-agree-'));
  temps.push(dir);
  writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

async function migrate(dir: string) {
  const out = new Capture();
  const err = new Capture();
  const code = await main(['migrate', '--local', dir, '--json'], out, err);
  return { code, report: JSON.parse(out.text) as { outcome: string; files: { edits: { recipe: string; reason: string; line: number; fixes?: { rule: string; line: number } }[]; warnings: { message: string }[] }[] }, err: err.text, output: readFileSync(path.join(dir, 'Dockerfile'), 'utf8') };
}

/** migrate --local, which must change the file and neither fail nor refuse its own output. */
async function migratedCleanly(dir: string) {
  const r = await migrate(dir);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  expect(r.report.outcome).toBe('changed');
  return r;
}

describe('recipe and rule agree on the same facts (through migrate --local)', () => {
  it('a binary that leaves only through a folder copy is guarded, and the bot does not refuse its own output', async () => {
    const dir = checkout(
      [
        'ARG GO_IMAGE=golang:1.22-alpine',
        'FROM ${GO_IMAGE} AS builder',
        'RUN apk add --no-cache git make file',
        'WORKDIR /src',
        'COPY . .',
        'RUN go build ./cmd/widgetd',
        'RUN ./widgetd --version',
        'FROM scratch',
        'COPY --from=builder /src/ /opt/',
        'ENTRYPOINT ["/opt/widgetd"]',
        '',
      ].join('\n'),
    );
    const r = await migratedCleanly(dir);
    expect(r.output).toContain('\nRUN if ! xx-info is-cross; then ./widgetd --version; fi\n');
    expect(r.report.files[0]!.edits.find((e) => e.recipe === 'guard-binary-exec')).toMatchObject({ line: 7 });
  });

  it('a generator built for the build machine (GOARCH=$BUILDARCH) and run during the build stays native, unguarded, before the wrap', async () => {
    const dir = checkout(
      [
        'ARG GO_IMAGE=golang:1.22-alpine',
        'FROM ${GO_IMAGE} AS builder',
        'ARG BUILDARCH',
        'RUN apk add --no-cache git make file',
        'WORKDIR /src',
        'COPY . .',
        'RUN GOARCH=$BUILDARCH go build -o /usr/local/bin/gen ./tools/gen && gen',
        'RUN go build -o /out/widgetd ./cmd/widgetd',
        'FROM scratch',
        'COPY --from=builder /out/widgetd /widgetd',
        'ENTRYPOINT ["/widgetd"]',
        '',
      ].join('\n'),
    );
    const r = await migrate(dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // The generator stays native, before the target ARG, and only the component's compile is wrapped.
    expectInOrder(r.output.split('\n'), ['RUN GOARCH=$BUILDARCH go build -o /usr/local/bin/gen ./tools/gen && gen', 'ARG TARGETPLATFORM', 'RUN xx-go --wrap && go build -o /out/widgetd ./cmd/widgetd && xx-verify --static /out/widgetd'], r.output);
    expect(r.output).not.toContain('is-cross');
  });

  it('an already cross-compiling file whose final stage is on $BUILDPLATFORM gets its final stage fixed', async () => {
    const dir = checkout(
      [
        'FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx',
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS builder',
        'COPY --from=xx / /',
        'RUN apk add --no-cache clang lld file',
        'ARG TARGETPLATFORM',
        'RUN xx-apk add --no-cache musl-dev gcc',
        'WORKDIR /src',
        'COPY . .',
        'RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd',
        'RUN xx-verify --static /out/widgetd',
        'FROM --platform=$BUILDPLATFORM alpine:3.20',
        'COPY --from=builder /out/widgetd /usr/bin/widgetd',
        'ENTRYPOINT ["/usr/bin/widgetd"]',
        '',
      ].join('\n'),
    );
    const r = await migratedCleanly(dir);
    expect(r.output.split('\n')[10]).toBe('FROM alpine:3.20');
    const file = r.report.files[0]!;
    expect(file.warnings.map((w) => w.message).filter((m) => m.includes('cannot fix'))).toEqual([]);
    expect(file.edits.find((e) => e.line === 11)?.fixes).toEqual({ rule: 'final-stage-on-build-platform', line: 11 });
  });

  it('an already cross-compiling file whose xx-verify --static is given two files gets one call per file, as the fix of that finding', async () => {
    const dir = checkout(
      [
        'FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx',
        'FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS builder',
        'COPY --from=xx / /',
        'RUN apk add --no-cache clang lld file',
        'ARG TARGETPLATFORM',
        'WORKDIR /src',
        'COPY . .',
        'RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd && CGO_ENABLED=0 go build -o /out/widgetctl ./cmd/widgetctl',
        'RUN xx-verify --static /out/widgetd /out/widgetctl',
        'FROM alpine:3.20',
        'COPY --from=builder /out/ /usr/bin/',
        'ENTRYPOINT ["/usr/bin/widgetd"]',
        '',
      ].join('\n'),
    );
    const r = await migratedCleanly(dir);
    expect(r.output.split('\n')[8]).toBe('RUN xx-verify --static /out/widgetd && xx-verify --static /out/widgetctl');
    const file = r.report.files[0]!;
    expect(file.edits.map((e) => ({ recipe: e.recipe, line: e.line, fixes: e.fixes }))).toEqual([{ recipe: 'xx-verify', line: 9, fixes: { rule: 'xx-verify-static-several-files', line: 9 } }]);
    expect(file.warnings.map((w) => w.message).filter((m) => m.includes('xx-verify-static-several-files'))).toEqual([]);
  });
  it('a binary installed under another name and run by it, or through sh -c, is guarded; the bot does not refuse its own output (issue 17 item 11)', async () => {
    const dir = checkout(
      [
        'FROM golang:1.22-alpine AS builder',
        'RUN apk add --no-cache git make file',
        'WORKDIR /src',
        'COPY . .',
        'RUN go build -o bin/widget-server ./cmd/server',
        'RUN install -m 0755 bin/widget-server /usr/local/bin/widgetd && widgetd --version',
        'RUN sh -c "widgetd check-config"',
        'FROM alpine:3.20',
        'COPY --from=builder /usr/local/bin/widgetd /usr/bin/widgetd',
        'ENTRYPOINT ["widgetd"]',
        '',
      ].join('\n'),
    );
    const r = await migratedCleanly(dir);
    expect(r.output).toContain('RUN install -m 0755 bin/widget-server /usr/local/bin/widgetd && if ! xx-info is-cross; then widgetd --version; fi\n');
    expect(r.output).toContain('RUN if ! xx-info is-cross; then sh -c "widgetd check-config"; fi\n');
    // One reason for both guards ("widgetd" is built for the target), reported once at its first line.
    expect(r.report.files[0]!.edits.filter((e) => e.recipe === 'guard-binary-exec').map((e) => e.line)).toEqual([6]);
  });
});
