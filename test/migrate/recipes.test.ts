/**
 * Per-recipe fixtures: every recipe folder under migrations/ holds its own before/after pairs in
 * `fixtures/<case>.before.<ext>` / `fixtures/<case>.after.<ext>`. The "after" is what applying
 * ONLY that recipe to "before" gives (with DEFAULT_OPTIONS); a pair whose after equals its
 * before is a "nothing to do" case. Dockerfile recipes run through `applyRecipes` with
 * `recipes: [recipe]`; build-args-arch works on Makefile/workflow text.
 *
 * For every pair: before -> after exactly (bytes, line endings included), and a second
 * application on "after" has no edits. Every recipe folder has at least one pair that changes
 * something, and every recipe has a folder.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildArgsArch, dockerfileRecipes } from '../../migrations/index.ts';
import type { BuildFile } from '../../src/migrate/recipe.ts';
import { applyRecipes } from '../../src/migrate/apply.ts';
import { applyEdits } from '../../src/edits/edit.ts';
import { DEFAULT_OPTIONS } from './options.ts';

const migrationsDir = path.resolve('migrations');
const folders = readdirSync(migrationsDir)
  .filter((n) => statSync(path.join(migrationsDir, n)).isDirectory())
  .sort();

interface Pair {
  folder: string;
  name: string;
  before: string;
  after: string;
  ext: string;
}

function pairsOf(folder: string): Pair[] {
  const dir = path.join(migrationsDir, folder, 'fixtures');
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).sort();
  const out: Pair[] = [];
  for (const f of files) {
    const m = /^(.+)\.before\.([A-Za-z0-9]+)$/.exec(f);
    if (!m) continue;
    const afterName = `${m[1]}.after.${m[2]}`;
    out.push({
      folder,
      name: `${m[1]}.${m[2]}`,
      before: path.join(dir, f),
      after: path.join(dir, afterName),
      ext: m[2]!,
    });
  }
  return out;
}

const allPairs = folders.flatMap(pairsOf);
const read = (p: string) => readFileSync(p, 'utf8');

/** Apply only the folder's recipe; returns the output text and the number of edits. */
function applyOnly(folder: string, ext: string, text: string): { output: string; edits: number } {
  if (folder === buildArgsArch.id) {
    const kind: BuildFile['kind'] = ext === 'yml' || ext === 'yaml' ? 'workflow' : 'makefile';
    const edits = buildArgsArch.apply({ path: kind === 'workflow' ? '.github/workflows/build.yml' : 'Makefile', text, kind }, ['ARCH']);
    return { output: applyEdits(text, edits), edits: edits.length };
  }
  const recipe = dockerfileRecipes.find((r) => r.id === folder);
  if (!recipe) throw new Error(`no recipe with id "${folder}"`);
  const r = applyRecipes(text, 'Dockerfile', { ...DEFAULT_OPTIONS, recipes: [recipe] });
  return { output: r.output, edits: r.edits.length };
}

describe('recipe folders', () => {
  it('every recipe has a folder of its own id, and every folder is a recipe', () => {
    const ids = [...dockerfileRecipes.map((r) => r.id), buildArgsArch.id].sort();
    expect(folders).toEqual(ids);
  });

  it.each(folders)('%s has at least two fixture cases, one of which changes something', (folder) => {
    const pairs = pairsOf(folder);
    expect(pairs.length, `${folder}/fixtures`).toBeGreaterThanOrEqual(2);
    for (const p of pairs) expect(existsSync(p.after), `${p.after} exists`).toBe(true);
    expect(
      pairs.some((p) => existsSync(p.after) && read(p.after) !== read(p.before)),
      `${folder} has a pair whose after differs from its before`,
    ).toBe(true);
  });

  it('Dockerfile fixtures are named *.Dockerfile; build-args-arch fixtures are Makefiles and workflows', () => {
    for (const p of allPairs) {
      if (p.folder === buildArgsArch.id) expect(['Makefile', 'yml', 'yaml']).toContain(p.ext);
      else expect(p.ext, `${p.folder}/${p.name}`).toBe('Dockerfile');
    }
  });
});

describe.each(allPairs.map((p) => [`${p.folder}/${p.name}`, p] as const))('%s', (_label, p) => {
  it('applying only the recipe to "before" gives exactly "after"', () => {
    const { output } = applyOnly(p.folder, p.ext, read(p.before));
    expect(output).toBe(read(p.after));
  });

  it('a second application on "after" has no edits', () => {
    const after = read(p.after);
    const again = applyOnly(p.folder, p.ext, after);
    expect(again.edits).toBe(0);
    expect(again.output).toBe(after);
  });
});
