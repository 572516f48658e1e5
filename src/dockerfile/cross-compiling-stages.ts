/**
 * "Already cross-compiles": one definition, read by the migration (which then edits such a file
 * only to fix an error-level finding), by the review and by the fleet summary, so the three can
 * never disagree about a file.
 *
 * A compile cross-compiles when it runs off the target platform (`--platform=$BUILDPLATFORM`, on
 * the stage or a parent) and still builds for the target: under an `xx-go --wrap` (earlier in the
 * stage or anywhere in a parent), as `xx-go build`, with `GO=xx-go`, or with GOARCH taken from
 * TARGETARCH/TARGETPLATFORM or `xx-info` (Docker's own guide does it that way).
 */
import type { Stage } from './model.ts';
import { compileTarget, type Analysis } from './analysis.ts';

export { compileTarget, wrapBefore, type CompileTarget } from './analysis.ts';

/** Stages with at least one compile that already cross-compiles. */
export function crossCompilingStages(a: Analysis): Set<Stage> {
  const out = new Set<Stage>();
  for (const [stage, f] of a.facts) {
    if (f.compiles.some((c) => compileTarget(stage, c, a.facts).cross)) out.add(stage);
  }
  return out;
}

/** The file already cross-compiles (at least one of its compiles). */
export function alreadyCrossCompiles(a: Analysis): boolean {
  for (const [stage, f] of a.facts) {
    if (f.compiles.some((c) => compileTarget(stage, c, a.facts).cross)) return true;
  }
  return false;
}
