/**
 * Issue 7, item 6: a child of a shared builder that must stay on the target (P10) while its
 * siblings cross-compile. Left as it is, it would inherit the builder's $BUILDPLATFORM and its C
 * would be built for the build machine under a comment saying "kept emulated". The child is
 * re-rooted on the builder's image for the target (`FROM ${GO_IMAGE} AS child`, no --platform): it
 * redoes the builder's package installs, ARGs and ENVs, and copies the source the builder fetched,
 * once for all platforms on the build platform (src/dockerfile/lineage-split.ts decides which
 * builders can be split).
 */
import { insertLinesAfter, replace, type Edit } from '../../src/edits/edit.ts';
import { buildPlatformRoots, type Analysis } from '../../src/dockerfile/analysis.ts';
import { splitCandidate, splitOf, type LineageSplit } from '../../src/dockerfile/lineage-split.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

/** One split per stage that stays emulated under a builder moving to $BUILDPLATFORM. */
function lineageSplits(a: Analysis): LineageSplit[] {
  const roots = buildPlatformRoots(a);
  const out: LineageSplit[] = [];
  for (const f of a.facts.values()) {
    const c = splitCandidate(f.stage, !!f.emulatedReason && (f.compiles.length > 0 || f.cBuilds.length > 0));
    if (!c || !roots.has(c.root)) continue;
    const split = splitOf(f.stage);
    if ('child' in split) out.push(split);
  }
  return out;
}

export const splitLineage: DockerfileRecipe = {
  id: 'split-lineage',
  title: 'Re-root a stage that stays emulated off a builder that moves to $BUILDPLATFORM',
  phase: 1,
  fixes: ['compile-left-emulated', 'cross-setup-missing', 'emulated-note-on-build-platform'],
  apply({ analysis, source, model }) {
    const edits: Edit[] = [];
    const first = model.instructions[0];
    const lower = !!first && first.keywordRaw === first.keywordRaw.toLowerCase();
    const k = (w: string) => (lower ? w.toLowerCase() : w);
    for (const s of lineageSplits(analysis)) {
      const child = s.child.name ?? String(s.child.index);
      const parent = s.parent.name!;
      edits.push(
        replace(
          s.child.imageStart,
          s.child.imageEnd,
          s.image,
          `stage "${child}" must stay on the target platform (${analysis.facts.get(s.child)!.emulatedReason}): it starts from ${s.image} for the target instead of "${parent}", which now runs on the build platform for its cross-compiling siblings`,
        ),
      );
      const text = (i: { start: number; end: number }) => source.text.slice(i.start, i.end).replace(/\r$/, '');
      const lines = [
        ...s.replay.map((r) => r.text ?? text(r.instruction)),
        ...s.folders.map((d) => `${k('COPY')} --from=${parent} ${d} ${d}`),
        ...(s.workdir ? [text(s.workdir)] : []),
      ];
      edits.push(
        insertLinesAfter(
          source,
          s.child.from.endLine,
          lines,
          `stage "${child}" redoes the packages and settings of "${parent}" for the target and copies the source "${parent}" fetched once on the build platform (${s.folders.join(', ')})`,
        ),
      );
    }
    return edits;
  },
};
