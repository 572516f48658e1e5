/**
 * The engine's own checks: an output that breaks an invariant of the spec, or that the recipes
 * would change again, is refused with the invariant named — whatever recipe produced it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvariantError, migrateDockerfile } from '../../src/migrate/engine.ts';
import { UnsafeMigrationError, type DockerfileRecipe } from '../../src/migrate/recipe.ts';
import { DEFAULT_OPTIONS } from './options.ts';
import { dockerfileRecipes } from '../../migrations/index.ts';
import { replace } from '../../src/edits/edit.ts';

const before = readFileSync('test/fixtures/patterns/P01-classic-builder/before/Dockerfile', 'utf8');

/** A deliberately wrong recipe: puts the final image on the build platform. */
const finalOnBuildPlatform: DockerfileRecipe = {
  id: 'test-final-on-build-platform',
  title: 'wrong on purpose',
  phase: 3,
  fixes: [],
  apply({ model }) {
    const leaf = model.stages.at(-1)!;
    return leaf.platformFlag ? [] : [replace(leaf.imageStart, leaf.imageStart, '--platform=$BUILDPLATFORM ', 'wrong on purpose')];
  },
};

/** A deliberately non-idempotent recipe. */
let counter = 0;
const neverDone: DockerfileRecipe = {
  id: 'test-never-done',
  title: 'wrong on purpose',
  phase: 3,
  fixes: [],
  apply({ model }) {
    return [replace(model.source.text.length, model.source.text.length, `# touched ${++counter}\n`, 'always one more')];
  },
};

const breaksSyntax: DockerfileRecipe = {
  id: 'test-breaks-syntax',
  title: 'wrong on purpose',
  phase: 3,
  fixes: [],
  apply({ model }) {
    return [replace(0, 0, 'FORM scratch\n', 'not an instruction')];
  },
};

describe('migrateDockerfile refuses outputs that break the spec', () => {
  it('names the invariant and line when the output would fail a review rule', () => {
    const recipes = [...dockerfileRecipes, finalOnBuildPlatform];
    let error: unknown;
    try {
      migrateDockerfile(before, 'Dockerfile', { ...DEFAULT_OPTIONS, recipes });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvariantError);
    const e = error as InvariantError;
    expect(e.invariant).toBe('final-stage-on-build-platform');
    expect(e.line).toBeGreaterThan(1);
    expect(e.message).toMatch(/final-stage-on-build-platform/);
  });

  it('refuses an output that the recipes would change again', () => {
    expect(() => migrateDockerfile(before, 'Dockerfile', { ...DEFAULT_OPTIONS, recipes: [...dockerfileRecipes, neverDone] })).toThrow(
      expect.objectContaining({ invariant: 'idempotent' }),
    );
  });

  it('refuses an output that no longer parses', () => {
    expect(() => migrateDockerfile(before, 'Dockerfile', { ...DEFAULT_OPTIONS, recipes: [breaksSyntax] })).toThrow(UnsafeMigrationError);
  });

  it('accepts the real recipe set on the same input', () => {
    const r = migrateDockerfile(before, 'Dockerfile', DEFAULT_OPTIONS);
    expect(r.output).not.toBe(before);
    expect(r.edits.length).toBeGreaterThan(5);
  });
});
