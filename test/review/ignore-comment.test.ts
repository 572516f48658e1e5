// `# image-build-migrator ignore=<rule> <reason>`: one finding silenced on one instruction, for the
// review and the migration alike; a comment that names no rule, or says no reason, is a warning.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { migrateDockerfile } from '../../src/migrate/engine.ts';
import { DEFAULT_OPTIONS } from '../migrate/options.ts';
import { Capture } from '../helpers/streams.ts';
import { GOOD, review, show } from './helpers.ts';

const RUNS = GOOD.replace('RUN xx-verify --static /out/widgetd', 'RUN xx-verify --static /out/widgetd\n# image-build-migrator ignore=unguarded-cross-binary-run the release job checks the version on every platform\nRUN /out/widgetd --version\nRUN /out/widgetd selftest');

describe('the review honours an ignore comment', () => {
  it('silences its rule on the instruction below it only', () => {
    const all = review(RUNS);
    // Line 12 is silenced; line 13, the same rule without a comment, is still reported.
    expect(all.filter((f) => f.rule === 'unguarded-cross-binary-run').map((f) => f.line), show(all)).toEqual([13]);
    expect(all.filter((f) => f.rule === 'ignore-comment'), show(all)).toEqual([]);
    // Without the comment both are found: the comment is what silences line 12.
    expect(review(RUNS.replace(/# image-build-migrator.*\n/, '')).filter((f) => f.rule === 'unguarded-cross-binary-run').map((f) => f.line)).toEqual([11, 12]);
  });

  it('a blank line between comment and instruction, or another rule named, silences nothing', () => {
    const apart = review(RUNS.replace('platform\nRUN /out/widgetd --version', 'platform\n\nRUN /out/widgetd --version'));
    expect(apart.filter((f) => f.rule === 'unguarded-cross-binary-run').map((f) => f.line), show(apart)).toEqual([13, 14]);
    const other = review(RUNS.replace('ignore=unguarded-cross-binary-run', 'ignore=cgo-implicit'));
    expect(other.filter((f) => f.rule === 'unguarded-cross-binary-run').map((f) => f.line), show(other)).toEqual([12, 13]);
  });

  it('a comment naming no rule of the review, or with no reason, is an ignore-comment warning on its line', () => {
    const typo = review(RUNS.replace('ignore=unguarded-cross-binary-run', 'ignore=unguarded-cross-binary-rn'));
    const w = typo.filter((f) => f.rule === 'ignore-comment');
    expect(w.map((f) => [f.line, f.severity, f.message])).toEqual([[11, 'warning', 'the ignore comment names "unguarded-cross-binary-rn", which is no rule of the review: it silences nothing']]);
    expect(typo.filter((f) => f.rule === 'unguarded-cross-binary-run').map((f) => f.line)).toEqual([12, 13]);
    const bare = review(RUNS.replace(' the release job checks the version on every platform', ''));
    expect(bare.filter((f) => f.rule === 'ignore-comment').map((f) => f.message)).toEqual(['the ignore comment says no reason: the next reader cannot tell why the finding does not apply here']);
    // Still silenced: the reason is asked for, not required.
    expect(bare.filter((f) => f.rule === 'unguarded-cross-binary-run').map((f) => f.line)).toEqual([13]);
  });
});

const BEFORE = [
  'FROM golang:1.22-alpine AS builder',
  'WORKDIR /src',
  'COPY . .',
  'RUN go build -o /usr/local/bin/widgetd ./cmd/widgetd',
  '# image-build-migrator ignore=unguarded-cross-binary-run the release job checks the version on every platform',
  'RUN widgetd --version',
  'RUN widgetd selftest',
  '',
  'FROM alpine:3.20',
  'COPY --from=builder /usr/local/bin/widgetd /usr/local/bin/widgetd',
  'ENTRYPOINT ["widgetd"]',
  '',
].join('\n');

describe('the migration honours an ignore comment', () => {
  it('leaves the silenced instruction as it is, guards the other, and says so', () => {
    const m = migrateDockerfile(BEFORE, 'Dockerfile', DEFAULT_OPTIONS);
    const lines = m.output.split('\n');
    expect(lines).toContain('RUN widgetd --version');
    expect(lines).toContain('RUN if ! xx-info is-cross; then widgetd selftest; fi');
    expect(m.warnings.map((w) => [w.line, w.message])).toContainEqual([6, 'left as it is for "unguarded-cross-binary-run" (recipe guard-binary-exec): the ignore comment above line 6 silences it']);
    // The comment stays right above the instruction it silences.
    expect(lines[lines.indexOf('RUN widgetd --version') - 1]).toMatch(/^# image-build-migrator ignore=unguarded-cross-binary-run /);
    // Without the comment the same run is guarded.
    const plain = migrateDockerfile(BEFORE.replace(/# image-build-migrator.*\n/, ''), 'Dockerfile', DEFAULT_OPTIONS);
    expect(plain.output).toContain('RUN if ! xx-info is-cross; then widgetd --version; fi');
  });

  it('through the CLI: the dry run shows the run unguarded and the reason, and exits 0', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ibm-ignore-'));
    try {
      writeFileSync(path.join(dir, 'Dockerfile'), BEFORE);
      const out = new Capture();
      const err = new Capture();
      const code = await main(['migrate', '--local', dir, '--dry-run'], out, err);
      expect(code, err.text).toBe(0);
      expect(out.text).toContain(' RUN widgetd --version\n');
      expect(out.text).toContain('+RUN if ! xx-info is-cross; then widgetd selftest; fi\n');
      expect(out.text).toContain('Dockerfile:6 warning: left as it is for "unguarded-cross-binary-run" (recipe guard-binary-exec): the ignore comment above line 6 silences it');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
