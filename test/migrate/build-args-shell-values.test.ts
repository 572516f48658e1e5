/**
 * Issue 17 item 10: a `--build-arg ARCH=` whose value is a make or shell command
 * (`$(shell go env GOARCH)`, backquotes) or is followed by `;` was cut short, leaving a fragment
 * of the command behind, and the review of the bot's own Makefile still found it stale.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildArgsArch } from '../../migrations/index.ts';
import { applyEdits } from '../../src/edits/edit.ts';
import { scanBuildFile } from '../../src/dockerfile/build-files.ts';
import type { BuildFile } from '../../src/migrate/recipe.ts';

const before = readFileSync('migrations/build-args-arch/fixtures/shell-values.before.Makefile', 'utf8');

describe('build-args-arch on values with blanks or a separator after them', () => {
  const file: BuildFile = { path: 'Makefile', text: before, kind: 'makefile' };
  const out = applyEdits(before, buildArgsArch.apply(file, ['ARCH']));

  it('leaves no --build-arg ARCH the review would call stale', () => {
    expect(scanBuildFile(file).buildArgs.filter((b) => b.name === 'ARCH')).toHaveLength(3);
    expect(scanBuildFile({ ...file, text: out }).buildArgs.filter((b) => b.name === 'ARCH')).toEqual([]);
  });

  it('leaves no fragment of the removed value, and keeps the separator', () => {
    expect(out).not.toMatch(/GOARCH\)|-m`|ARCH:-/);
    expect(out).toContain('docker build .; docker push');
    expect(out).toContain('-t $(IMAGE):host . && echo built');
  });
});
