/**
 * P12: `FROM x as y` next to `FROM x AS y`. BuildKit's FromAsCasing check wants the `AS` keyword
 * in the casing of `FROM`; the stages we add use that casing too, so we make the file consistent.
 */
import { replace, type Edit } from '../../src/edits/edit.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

export const fromAsCasing: DockerfileRecipe = {
  id: 'from-as-casing',
  title: 'Make the AS keyword match the casing of FROM',
  phase: 1,
  cosmetic: true,
  fixes: ['from-as-casing'],
  apply({ model }) {
    const edits: Edit[] = [];
    for (const stage of model.stages) {
      const as = stage.asKeyword;
      if (!as) continue;
      const from = stage.from.keywordRaw;
      const want = from === from.toLowerCase() ? 'as' : 'AS';
      if (as.text !== want) {
        edits.push(replace(as.start, as.end, want, `BuildKit's FromAsCasing check: "${from} ... ${as.text}" mixes casings; use "${want}" like "${from}"`));
      }
    }
    return edits;
  },
};
