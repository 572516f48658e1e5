/**
 * P12: `FROM x as y` next to `FROM x AS y`. BuildKit's FromAsCasing check wants the `AS` keyword
 * in the casing of `FROM`; the stages we add use that casing too, so we make the file consistent.
 */
import { replace, type Edit } from '../../src/edits/edit.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';
import { asCasingFix } from '../../src/dockerfile/shared-checks.ts';

export const fromAsCasing: DockerfileRecipe = {
  id: 'from-as-casing',
  title: 'Make the AS keyword match the casing of FROM',
  phase: 1,
  cosmetic: true,
  fixes: ['from-as-casing'],
  apply({ model }) {
    const edits: Edit[] = [];
    for (const stage of model.stages) {
      const fix = asCasingFix(stage);
      if (!fix) continue;
      const from = stage.from.keywordRaw;
      edits.push(replace(fix.as.start, fix.as.end, fix.want, `BuildKit's FromAsCasing check: "${from} ... ${fix.as.text}" mixes casings; use "${fix.want}" like "${from}"`));
    }
    return edits;
  },
};
