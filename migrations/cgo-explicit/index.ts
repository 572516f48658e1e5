/**
 * P15: `CGO_ENABLED` explicit. Go turns cgo on natively when a C compiler is around and off when
 * cross-compiling, and `xx-go --wrap` does not set it: left implicit, amd64 and arm64 would be
 * built differently. The value keeps what the old emulated build did (1 where it linked
 * externally, as go-build-static.sh with -linkmode=external does, or had gcc; 0 otherwise).
 */
import { attachedCommentStart, insertLinesBefore, type Edit } from '../../src/edits/edit.ts';
import { effectiveCgo, explicitCgo, makeForcesCgoOff } from '../../src/dockerfile/stage-questions.ts';
import { lineage, type Stage } from '../../src/dockerfile/model.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

export const cgoExplicit: DockerfileRecipe = {
  id: 'cgo-explicit',
  title: 'Make CGO_ENABLED explicit',
  phase: 3,
  fixes: ['compile-left-emulated', 'cgo-implicit'],
  apply({ analysis, source, model }) {
    const edits: Edit[] = [];
    // The value set here per stage (parents come first): a stage built FROM one inherits its ENV.
    const setIn = new Map<Stage, string>();
    for (const f of analysis.facts.values()) {
      if (!f.crossCompile || f.compiles.length === 0) continue;
      if (explicitCgo(f.stage, analysis) !== undefined) continue;
      const value = effectiveCgo(f.stage, f, analysis);
      const inherited = lineage(f.stage).slice(1).find((s) => setIn.has(s));
      if (inherited && setIn.get(inherited) === value) continue;
      setIn.set(f.stage, value);
      const first = [...f.compiles].sort((a, b) => a.instruction.index - b.instruction.index)[0]!;
      const kw = model.instructions[0]!.keywordRaw === model.instructions[0]!.keywordRaw.toLowerCase() ? 'env' : 'ENV';
      const why =
        value === '1'
          ? 'CGO_ENABLED=1 kept explicit: the old native build linked with cgo, and cross-compiling would silently turn cgo off'
          : makeForcesCgoOff(analysis) && f.compiles.some((c) => c.kind === 'make')
            ? 'CGO_ENABLED=0 kept explicit: the Makefile builds with CGO_ENABLED=0, so cgo was off; say so for every platform'
            : 'CGO_ENABLED=0 kept explicit: the old build had no C compiler, so cgo was off; say so for every platform';
      edits.push(insertLinesBefore(source, attachedCommentStart(source, first.instruction.line), [`${kw} CGO_ENABLED=${value}`], why));
    }
    return edits;
  },
};
