/**
 * "Every byte outside the edited lines is identical": the lines of `before` that are not in
 * `after` must all lie within the line ranges the migration reported for its edits. A line the
 * diff shows as removed and added again unchanged only moved (diff alignment), which is fine.
 */
import { diffLines } from 'diff';
import type { AppliedEdit } from '../../src/migrate/types.ts';

/** The 1-based lines of `before` changed outside every reported edit (empty when all is well). */
export function linesChangedOutsideEdits(before: string, after: string, edits: AppliedEdit[]): number[] {
  const ranges = edits.map((e) => [e.line, e.endLine ?? e.line] as const);
  const chunks = diffLines(before, after);
  const added = new Set(chunks.filter((c) => c.added).flatMap((c) => c.value.split('\n')));
  const out: number[] = [];
  let line = 1;
  for (const c of chunks) {
    if (c.added) continue;
    const n = c.count ?? 0;
    if (c.removed) {
      const lines = c.value.split('\n');
      for (let l = line; l < line + n; l++) {
        if (added.has(lines[l - line]!)) continue;
        if (!ranges.some(([s, e]) => s <= l && l <= e)) out.push(l);
      }
    }
    line += n;
  }
  return out;
}
