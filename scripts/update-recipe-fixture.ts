/**
 * `npx tsx scripts/update-recipe-fixture.ts <recipe-id> <case>`: rewrites
 * migrations/<recipe-id>/fixtures/<case>.after.Dockerfile by applying only that recipe to the
 * case's before file. Review the diff: the fixture is the recipe's specification.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { applyRecipes } from '../src/migrate/apply.ts';
import { DEFAULT_OPTIONS } from '../src/migrate/types.ts';
import { dockerfileRecipes } from '../migrations/index.ts';
const [id, kase] = process.argv.slice(2);
const recipe = dockerfileRecipes.find((r) => r.id === id)!;
const p = `migrations/${id}/fixtures/${kase}`;
const r = applyRecipes(readFileSync(`${p}.before.Dockerfile`, 'utf8'), 'Dockerfile', { ...DEFAULT_OPTIONS, recipes: [recipe] });
writeFileSync(`${p}.after.Dockerfile`, r.output);
console.log(r.output);
