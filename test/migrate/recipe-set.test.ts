/**
 * The recipe set is checked when it loads: a recipe that names a rule that does not exist (a
 * typo, a renamed rule) could never fix anything in an already cross-compiling file, silently.
 */
import { describe, expect, it } from 'vitest';
import { dockerfileRecipes, recipes } from '../../migrations/index.ts';
import { defineRecipes, type DockerfileRecipe } from '../../src/migrate/recipe.ts';
import { RULE_IDS } from '../../src/review/rules/index.ts';

const recipe = (id: string, fixes: string[], partOf?: string[]): DockerfileRecipe => ({ id, title: id, phase: 1, fixes, ...(partOf ? { partOf } : {}), apply: () => [] });

describe('defineRecipes', () => {
  it('fails the load on a rule id no rule has, naming the recipe and the id', () => {
    expect(() => defineRecipes({ dockerfile: [recipe('guard-things', ['unguarded-cross-binary-runs'])], buildFiles: [] })).toThrow(/recipe guard-things says it fixes "unguarded-cross-binary-runs", which is no review rule/);
    expect(() => defineRecipes({ dockerfile: [recipe('steps', [], ['compile-left-emulatd'])], buildFiles: [] })).toThrow(/recipe steps says it fixes "compile-left-emulatd"/);
  });

  it('fails the load on a recipe listed twice', () => {
    expect(() => defineRecipes({ dockerfile: [recipe('a', []), recipe('a', [])], buildFiles: [] })).toThrow(/recipe a is listed twice/);
  });

  it('the shipped set loaded, and every rule it names is a rule', () => {
    expect(recipes.dockerfile).toBe(dockerfileRecipes);
    for (const r of dockerfileRecipes) for (const id of [...r.fixes, ...(r.partOf ?? [])]) expect(RULE_IDS.has(id), `${r.id}: ${id}`).toBe(true);
  });
});
