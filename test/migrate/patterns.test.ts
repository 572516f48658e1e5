/**
 * Every pattern P1–P16 of the spec has a checkout pair written by us under
 * test/fixtures/patterns/<id>/{before,after}: migrating a copy of "before" must give exactly
 * "after", a second run must change nothing, and the output must pass the review rules.
 */
import { recipes } from '../../migrations/index.ts';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateCheckout } from '../../src/migrate/checkout.ts';
import { DEFAULT_OPTIONS, type MigrateOptions } from '../../src/migrate/types.ts';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { reviewModel } from '../../src/review/review.ts';
import { linesChangedOutsideEdits } from '../helpers/edited-lines.ts';

const root = path.resolve('test/fixtures/patterns');
const patterns = readdirSync(root).sort();
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function files(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p, base) : [path.relative(base, p)];
  });
}

function optionsFor(name: string): MigrateOptions {
  const f = path.join(root, name, 'options.json');
  return { ...DEFAULT_OPTIONS, ...(existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : {}) };
}

function copyOf(dir: string): string {
  const work = mkdtempSync(path.join(tmpdir(), 'ibm-pattern-'));
  temps.push(work);
  cpSync(dir, work, { recursive: true });
  return work;
}

it('covers every pattern of the spec', () => {
  const ids = new Set(patterns.map((p) => p.slice(0, 3)));
  for (let i = 1; i <= 16; i++) expect(ids, `P${i}`).toContain(`P${String(i).padStart(2, '0')}`);
});

describe.each(patterns)('%s', (name) => {
  const before = path.join(root, name, 'before');
  const after = path.join(root, name, 'after');

  it('migrates "before" into exactly "after"', async () => {
    const work = copyOf(before);
    const report = await migrateCheckout(work, { ...optionsFor(name), dryRun: false }, recipes);
    expect(report.outcome, report.summary).not.toBe('failed');
    expect(files(work).sort()).toEqual(files(after).sort());
    for (const f of files(after)) {
      expect(readFileSync(path.join(work, f), 'utf8'), f).toBe(readFileSync(path.join(after, f), 'utf8'));
    }
  });

  it('changes nothing when run again on "after"', async () => {
    const work = copyOf(after);
    const report = await migrateCheckout(work, { ...optionsFor(name), dryRun: false }, recipes);
    // Its own output is already migrated; a repository with nothing to compile stays skipped (P14).
    expect(report.outcome).toBe(name.startsWith('P14') ? 'skipped' : 'unchanged');
    expect(report.diff).toBe('');
  });

  it('gives an output with zero error-level review findings', () => {
    const text = readFileSync(path.join(after, 'Dockerfile'), 'utf8');
    const errors = reviewModel(parseDockerfile(text, 'Dockerfile'), optionsFor(name)).filter((f) => f.severity === 'error');
    expect(errors).toEqual([]);
  });

  it('keeps every line it does not edit, byte for byte, with its line ending', async () => {
    const work = copyOf(before);
    const report = await migrateCheckout(work, { ...optionsFor(name), dryRun: true }, recipes);
    for (const f of files(before)) {
      const a = readFileSync(path.join(before, f), 'utf8');
      const b = readFileSync(path.join(after, f), 'utf8');
      if (/\r\n/.test(a)) expect(b.split('\n').slice(0, -1).every((l) => l.endsWith('\r')), `${f} keeps CRLF`).toBe(true);
      const edits = report.files.find((x) => x.path === f)?.edits ?? [];
      expect(linesChangedOutsideEdits(a, b, edits), `${f}: lines changed without an edit`).toEqual([]);
    }
  });
});

// These run the migration on "before" (not read the committed "after"): a property of the code.
describe('what the patterns must show', () => {
  const migratedCopy = async (name: string) => {
    const work = copyOf(path.join(root, name, 'before'));
    await migrateCheckout(work, { ...optionsFor(name), dryRun: false }, recipes);
    return work;
  };
  const out = async (name: string) => readFileSync(path.join(await migratedCopy(name), 'Dockerfile'), 'utf8');
  it('P1: the full target shape', async () => {
    const t = await out('P01-classic-builder');
    expect(t).toMatch(/^FROM --platform=\$BUILDPLATFORM rancher\/mirrored-tonistiigi-xx:1\.6\.1 AS xx$/m);
    expect(t).toMatch(/^FROM --platform=\$BUILDPLATFORM \$\{GO_IMAGE\} AS builder\nCOPY --from=xx \/ \/$/m);
    expect(t).toMatch(/^ARG TARGETPLATFORM\nRUN xx-apk --no-cache add musl-dev gcc$/m);
    expect(t).toMatch(/^RUN xx-go --wrap && GO_LDFLAGS=/m);
    expect(t).toMatch(/^RUN xx-verify --static bin\/widget$/m);
    expect(t).toMatch(/^RUN install bin\/\* \/usr\/local\/bin$/m);
    expect(t).toMatch(/^FROM \$\{GO_IMAGE\} AS strip_binary$/m);
    expect(t).toMatch(/^COPY --from=strip_binary \/usr\/local\/bin\/widget \/usr\/bin\/widget$/m);
    // The clone happens before the target ARG: once for all platforms.
    expect(t.indexOf('git clone')).toBeLessThan(t.indexOf('ARG TARGETPLATFORM'));
  });
  it('P2: no ARCH left in the Dockerfile, Makefile or workflow build-args', async () => {
    const dir = await migratedCopy('P02-arch-build-arg');
    expect(readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).not.toMatch(/\bARCH\b(?<!TARGETARCH)/);
    expect(readFileSync(path.join(dir, 'Makefile'), 'utf8')).not.toContain('--build-arg ARCH');
    expect(readFileSync(path.join(dir, '.github/workflows/build.yml'), 'utf8')).not.toMatch(/^\s*ARCH=/m);
  });
  it('P3: a tool run during the build uses BUILDARCH', async () => {
    expect(await out('P03-build-tool-download')).toMatch(/^ARG BUILDARCH\n# protoc[^\n]*\nRUN if \[ "\$BUILDARCH" = "arm64" \]/m);
  });
  it('P4: a target tarball keeps TARGETARCH', async () => {
    expect(await out('P04-target-tarball')).toContain('netplugins-linux-${TARGETARCH}-');
  });
  it('P5: executions of the built binary are guarded', async () => {
    const t = await out('P05-run-built-binary');
    expect(t).toContain('if ! xx-info is-cross; then widgetd --version; fi');
    expect(t).toContain('if ! xx-info is-cross; then ./bin/widgetd selftest --quick; fi');
  });
  it('P7: the wrap comes after native go steps', async () => {
    const t = await out('P07-native-codegen');
    expect(t.indexOf('go generate')).toBeLessThan(t.indexOf('xx-go --wrap'));
    expect(t.indexOf('go install')).toBeLessThan(t.indexOf('xx-go --wrap'));
  });
  it('P9: every leaf keeps its platform, destinations and metadata', async () => {
    const t = await out('P09-several-leaves');
    for (const leaf of ['operator', 'webhook', 'daemon']) expect(t).toMatch(new RegExp(`^FROM bci AS ${leaf}$`, 'm'));
    expect(t).toContain('EXPOSE 9443');
    expect(t).toContain('CMD ["/usr/bin/daemon", "--serve"]');
  });
  it('P10: the C stage stays emulated with a comment saying why', async () => {
    expect(await out('P10-c-stage-emulated')).toMatch(/^# kept emulated: [^\n]+\nFROM \$\{ALPINE_IMAGE\} AS bpf$/m);
  });
  it('P12: one casing of AS', async () => {
    expect(await out('P12-from-as-casing')).not.toMatch(/^FROM .* as /m);
  });
  it('P14: skipped, no change', async () => {
    expect(await out('P14-not-a-compile-repo')).toBe(readFileSync(path.join(root, 'P14-not-a-compile-repo', 'before', 'Dockerfile'), 'utf8'));
  });
  it('P15: stale GOARCH/GOOS gone, CGO_ENABLED explicit', async () => {
    const t = await out('P15-stale-go-env');
    expect(t).not.toMatch(/GOARCH|GOOS|GOARM/);
    expect(t).toContain('ENV CGO_ENABLED=0');
    expect(t).toContain('GOFLAGS=-mod=vendor');
  });
  it('P16: target-side zypper steps unchanged', async () => {
    expect(await out('P16-bci-final-zypper')).toContain('zypper -n install e2fsprogs xfsprogs util-linux');
  });
});
