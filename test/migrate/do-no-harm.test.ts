/**
 * Files that already cross-compile are changed only to fix an error-level review finding, each
 * edit naming the finding it fixes; without one they come out byte-identical and their warnings
 * are reported, not edited. "Already migrated" is one definition (src/dockerfile/cross-compiling-stages.ts),
 * read by the migration, the review and the checkout summary alike.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recipes } from '../../migrations/index.ts';
import { analyze } from '../../src/dockerfile/analysis.ts';
import { alreadyCrossCompiles } from '../../src/dockerfile/cross-compiling-stages.ts';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { migrateCheckout } from '../../src/migrate/checkout.ts';
import { InvariantError, migrateDockerfile } from '../../src/migrate/engine.ts';
import { reviewText } from '../../src/review/review.ts';
import { removeDir, tempDir, writeFiles } from '../helpers/repos.ts';
import { DEFAULT_OPTIONS } from './options.ts';

const dir = 'test/fixtures/do-no-harm';
const read = (name: string) => readFileSync(path.join(dir, name), 'utf8');
const migrated = (text: string) => alreadyCrossCompiles(analyze(parseDockerfile(text)));

describe('a file that already cross-compiles, with warnings only', () => {
  const text = read('warnings-only.Dockerfile');

  it('is already migrated by the one definition', () => expect(migrated(text)).toBe(true));

  it('comes out byte-identical, with every review warning reported instead of edited', () => {
    const warnings = reviewText(text, 'Dockerfile').filter((f) => f.severity === 'warning');
    expect(warnings.map((f) => f.rule).sort()).toEqual(['cgo-implicit', 'from-as-casing', 'unguarded-cross-binary-run', 'work-after-target-arg', 'xx-verify-missing']);
    const m = migrateDockerfile(text, 'Dockerfile', DEFAULT_OPTIONS);
    expect(m.output).toBe(text);
    expect(m.edits).toEqual([]);
    expect(m.alreadyMigrated).toBe(true);
    for (const f of warnings) {
      expect(m.warnings).toContainEqual({ line: f.line, message: `review warning, not edited (the file already cross-compiles): ${f.rule}: ${f.message}` });
    }
  });
});

describe('a file that already cross-compiles, with one error', () => {
  const before = read('host-strip.before.Dockerfile');
  const after = read('host-strip.after.Dockerfile');

  it('gets exactly the edits that fix the error, each naming it', () => {
    const errors = reviewText(before, 'Dockerfile').filter((f) => f.severity === 'error');
    expect(errors.map((f) => [f.rule, f.line])).toEqual([['host-strip-cross-output', 17]]);
    const m = migrateDockerfile(before, 'Dockerfile', DEFAULT_OPTIONS);
    expect(m.output).toBe(after);
    expect(new Set(m.edits.map((e) => e.recipe))).toEqual(new Set(['strip-on-target']));
    for (const e of m.edits) expect(e.reason).toMatch(/\(fixes host-strip-cross-output, line 17\)$/);
    // The warnings stay warnings: no xx-verify, no CGO_ENABLED, the casing untouched.
    expect(m.output).not.toMatch(/^RUN xx-verify/m);
    expect(m.output).not.toMatch(/CGO_ENABLED=/);
    expect(m.output).toContain(' as builder');
    expect(reviewText(m.output, 'Dockerfile').filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('is stable: the next run leaves the fixed file alone', () => {
    expect(migrateDockerfile(after, 'Dockerfile', DEFAULT_OPTIONS).output).toBe(after);
  });
});

describe('the bot holds its own output to P5', () => {
  it('refuses an output of its own that runs the target binary unguarded (a warning in a human file)', () => {
    const input = read('warnings-only.Dockerfile')
      .replace('FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx\n\n', '')
      .replace('FROM --platform=$BUILDPLATFORM ${GO_IMAGE} as builder\nCOPY --from=xx / /\n', 'FROM ${GO_IMAGE} AS builder\n')
      .replace('RUN xx-apk --no-cache add musl-dev gcc\n', '')
      .replace('xx-go --wrap && \\\n    ', '');
    expect(migrated(input)).toBe(false);
    const withoutGuard = DEFAULT_OPTIONS.recipes.filter((r) => r.id !== 'guard-binary-exec');
    expect(() => migrateDockerfile(input, 'Dockerfile', { ...DEFAULT_OPTIONS, recipes: withoutGuard })).toThrow(InvariantError);
    expect(() => migrateDockerfile(input, 'Dockerfile', { ...DEFAULT_OPTIONS, recipes: withoutGuard })).toThrow(/unguarded-cross-binary-run/);
    expect(migrateDockerfile(input, 'Dockerfile', DEFAULT_OPTIONS).output).toMatch(/if ! xx-info is-cross; then bin\/ratchet --version; fi|FROM .* AS strip_binary/);
  });
});

describe('a checkout', () => {
  const root = tempDir();
  afterAll(() => removeDir(root));
  const makefile = 'image:\n\tdocker buildx build --build-arg ARCH=$(ARCH) --tag example/pawl .\n';

  it('keeps --build-arg ARCH in the Makefile when the Dockerfile never declared ARG ARCH', async () => {
    const work = path.join(root, 'never-declared');
    writeFiles(work, { Dockerfile: read('host-strip.before.Dockerfile'), Makefile: makefile });
    const report = await migrateCheckout(work, { ...DEFAULT_OPTIONS, dryRun: true }, recipes);
    expect(report.outcome).toBe('changed');
    expect(report.files.map((f) => [f.path, f.status])).toEqual([['Dockerfile', 'changed']]);
  });

  it('says "already migrated" only for files that already cross-compile', async () => {
    const work = path.join(root, 'warnings-only');
    writeFiles(work, { Dockerfile: read('warnings-only.Dockerfile') });
    const report = await migrateCheckout(work, { ...DEFAULT_OPTIONS, dryRun: true }, recipes);
    expect(report.outcome).toBe('unchanged');
    expect(report.summary).toBe('already migrated: nothing to change');
    expect(report.files[0]!.alreadyMigrated).toBe(true);
  });

  it('skips, with the reason, a file whose only compile stays emulated (not "already migrated")', async () => {
    const work = path.join(root, 'all-emulated');
    const text = [
      '# kept emulated: builds C code (gcc) for the target, which xx-go does not cross-compile',
      'FROM alpine:3.20 AS runner',
      'RUN apk add --no-cache gcc make musl-dev',
      'COPY . /src',
      'RUN gcc -static -O2 -o /src/runner /src/runner.c',
      '',
      'FROM scratch',
      'COPY --from=runner /src/runner /runner',
      '',
    ].join('\n');
    writeFiles(work, { Dockerfile: text });
    const report = await migrateCheckout(work, { ...DEFAULT_OPTIONS, dryRun: true }, recipes);
    expect(report.files.map((f) => [f.status, f.alreadyMigrated])).toEqual([['unchanged', false]]);
    expect(report.outcome).toBe('skipped');
    expect(report.summary).toBe('skipped: stage "runner" kept emulated: builds C code (gcc) for the target, which xx-go does not cross-compile');
  });
});
