/**
 * P10: a stage that cannot be cross-compiled (C built for the target, a non-Go build system, or a
 * stage configured to stay emulated) keeps its platform. The comment right above its FROM says so
 * and why, for the next reader and for the review rules, which accept a compile left emulated only
 * when it is marked like this. The line holds the short form of a long reason; the report and the
 * PR say it whole.
 */
import { insertLinesBefore, type Edit } from '../../src/edits/edit.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

export const emulatedStageNote: DockerfileRecipe = {
  id: 'emulated-stage-note',
  title: 'Mark stages that stay emulated, with the reason',
  phase: 1,
  fixes: ['compile-left-emulated', 'emulated-stage-unmarked'],
  apply({ analysis, source }) {
    const edits: Edit[] = [];
    for (const f of analysis.facts.values()) {
      if (!f.emulatedReason || f.markedEmulated) continue;
      if (f.compiles.length === 0 && f.cBuilds.length === 0 && f.emulatedBy !== 'config') continue;
      const line = f.stage.from.line;
      edits.push(
        insertLinesBefore(source, line, [`# kept emulated: ${(f.emulatedNote ?? f.emulatedReason).replace(/[\r\n]+/g, ' ')}`], `stage "${f.stage.name ?? f.stage.index}" stays on the target platform (P10): ${f.emulatedReason}`),
      );
    }
    return edits;
  },
};
