/**
 * Target shape 1: an `xx` stage on the build platform provides the cross-compilation helpers
 * (`xx-go`, `xx-apk`, `xx-verify`, `xx-info`). It goes before the first stage, after the global
 * ARGs, and uses the configured image (the Rancher mirror by default, never the upstream image).
 */
import { attachedCommentStart, insertLinesBefore } from '../../src/edits/edit.ts';
import { renumberStageRefs } from '../../src/edits/stage-refs.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

export const xxStage: DockerfileRecipe = {
  id: 'xx-stage',
  title: 'Add the xx helper stage',
  phase: 1,
  fixes: ['compile-left-emulated', 'xx-not-copied'],
  apply({ model, analysis, source, facts }) {
    if (analysis.xxStage) return [];
    if (![...analysis.facts.values()].some((f) => f.crossCompile)) return [];
    const first = model.stages[0]!;
    const taken = new Set(model.stages.map((s) => s.name?.toLowerCase()));
    const name = taken.has('xx') ? 'xx-helpers' : 'xx';
    const from = first.from.keywordRaw;
    const as = from === from.toLowerCase() ? 'as' : 'AS';
    const line = attachedCommentStart(source, first.from.line);
    // A blank line on each side, as between the other stages.
    const before = line > 1 && source.lineText(line - 1).trim() !== '' ? [''] : [];
    return [
      ...renumberStageRefs(model, [0]),
      insertLinesBefore(
        source,
        line,
        [...before, `${from} --platform=$BUILDPLATFORM ${facts.input.xxImage} ${as} ${name}`, ''],
        `cross-compilation helpers (xx-go, xx-apk, xx-verify) from ${facts.input.xxImage}, run on the build platform`,
      ),
    ];
  },
};
