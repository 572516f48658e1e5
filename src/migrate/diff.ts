/**
 * Unified diffs of a migrated file. Small files go through jsdiff's Myers diff as they always
 * did. Myers costs O(lines x differences): for a generated 10,000-stage file with 30,000 edited
 * lines that is minutes. Large files are first aligned on lines that occur exactly once in both
 * versions (patience-style anchors, O(n log n)); only the short stretches between anchors go
 * through Myers. The hunks are then built exactly as jsdiff builds them.
 */
import { createTwoFilesPatch, diffArrays, formatPatch } from 'diff';

/** Above this many lines (both sides together) the anchored alignment is used. */
const MYERS_MAX_LINES = 4000;
/** A stretch between anchors this small (lines x lines) goes through Myers. */
const MYERS_MAX_CELLS = 250_000;

export function unifiedDiff(rel: string, before: string, after: string, context = 3): string {
  if (before === after) return '';
  const a = splitLines(before);
  const b = splitLines(after);
  const patch =
    a.length + b.length <= MYERS_MAX_LINES
      ? createTwoFilesPatch(`a/${rel}`, `b/${rel}`, before, after, undefined, undefined, { context })
      : formatPatch({ oldFileName: `a/${rel}`, newFileName: `b/${rel}`, oldHeader: undefined, newHeader: undefined, hunks: hunksOf(align(a, b), context) });
  return patch.replace(/^=+\n/, '');
}

/** Lines with their `\n` (the last one may have none), as jsdiff tokenizes them. */
function splitLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
    out.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

interface Change {
  lines: string[];
  added?: boolean;
  removed?: boolean;
}

function align(a: string[], b: string[]): Change[] {
  const out: Change[] = [];
  const push = (lines: string[], kind?: 'added' | 'removed') => {
    if (lines.length === 0) return;
    const last = out.at(-1);
    if (last && Boolean(last.added) === (kind === 'added') && Boolean(last.removed) === (kind === 'removed')) last.lines.push(...lines);
    else out.push({ lines: [...lines], ...(kind ? { [kind]: true } : {}) });
  };
  const gap = (a0: number, a1: number, b0: number, b1: number): void => {
    // Common prefix and suffix cost nothing to match.
    while (a0 < a1 && b0 < b1 && a[a0] === b[b0]) {
      push([a[a0]!]);
      a0++;
      b0++;
    }
    let tail = 0;
    while (a1 - tail > a0 && b1 - tail > b0 && a[a1 - 1 - tail] === b[b1 - 1 - tail]) tail++;
    const [ae, be] = [a1 - tail, b1 - tail];
    if (ae - a0 === 0 || be - b0 === 0 || (ae - a0) * (be - b0) <= MYERS_MAX_CELLS) {
      for (const c of diffArrays(a.slice(a0, ae), b.slice(b0, be))) push(c.value, c.added ? 'added' : c.removed ? 'removed' : undefined);
    } else {
      const anchors = uniqueAnchors(a, b, a0, ae, b0, be);
      if (anchors.length === 0) {
        push(a.slice(a0, ae), 'removed');
        push(b.slice(b0, be), 'added');
      } else {
        let [pa, pb] = [a0, b0];
        for (const [ia, ib] of anchors) {
          gap(pa, ia, pb, ib);
          push([a[ia]!]);
          [pa, pb] = [ia + 1, ib + 1];
        }
        gap(pa, ae, pb, be);
      }
    }
    for (let k = ae; k < a1; k++) push([a[k]!]);
  };
  gap(0, a.length, 0, b.length);
  return out;
}

/** Lines unique on both sides, as (index in a, index in b) pairs: the longest run increasing on both. */
function uniqueAnchors(a: string[], b: string[], a0: number, a1: number, b0: number, b1: number): [number, number][] {
  const seen = new Map<string, { ca: number; cb: number; ia: number; ib: number }>();
  for (let i = a0; i < a1; i++) {
    const e = seen.get(a[i]!);
    if (e) e.ca++;
    else seen.set(a[i]!, { ca: 1, cb: 0, ia: i, ib: -1 });
  }
  for (let i = b0; i < b1; i++) {
    const e = seen.get(b[i]!);
    if (e) {
      e.cb++;
      e.ib = i;
    }
  }
  const pairs: [number, number][] = [];
  for (const e of seen.values()) if (e.ca === 1 && e.cb === 1) pairs.push([e.ia, e.ib]);
  pairs.sort((x, y) => x[0] - y[0]);
  // Longest increasing subsequence on the b side (patience sorting).
  const tails: number[] = [];
  const prev = new Array<number>(pairs.length).fill(-1);
  for (let i = 0; i < pairs.length; i++) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]!]![1] < pairs[i]![1]) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const chain: [number, number][] = [];
  for (let i = tails.at(-1) ?? -1; i >= 0; i = prev[i]!) chain.push(pairs[i]!);
  return chain.reverse();
}

interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}

/** jsdiff's hunk building (patch/create.js, diffLinesResultToPatch), over our changes. */
function hunksOf(diff: Change[], context: number): Hunk[] {
  diff.push({ lines: [] });
  const ctx = (lines: string[]) => lines.map((l) => ` ${l}`);
  const hunks: Hunk[] = [];
  let oldRangeStart = 0;
  let newRangeStart = 0;
  let curRange: string[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (let i = 0; i < diff.length; i++) {
    const current = diff[i]!;
    const lines = current.lines;
    if (current.added || current.removed) {
      if (!oldRangeStart) {
        const prev = diff[i - 1];
        oldRangeStart = oldLine;
        newRangeStart = newLine;
        if (prev) {
          curRange = context > 0 ? ctx(prev.lines.slice(-context)) : [];
          oldRangeStart -= curRange.length;
          newRangeStart -= curRange.length;
        }
      }
      for (const line of lines) curRange.push((current.added ? '+' : '-') + line);
      if (current.added) newLine += lines.length;
      else oldLine += lines.length;
    } else {
      if (oldRangeStart) {
        if (lines.length <= context * 2 && i < diff.length - 2) {
          curRange.push(...ctx(lines));
        } else {
          const contextSize = Math.min(lines.length, context);
          curRange.push(...ctx(lines.slice(0, contextSize)));
          hunks.push({ oldStart: oldRangeStart, oldLines: oldLine - oldRangeStart + contextSize, newStart: newRangeStart, newLines: newLine - newRangeStart + contextSize, lines: curRange });
          oldRangeStart = 0;
          newRangeStart = 0;
          curRange = [];
        }
      }
      oldLine += lines.length;
      newLine += lines.length;
    }
  }
  for (const hunk of hunks) {
    for (let i = 0; i < hunk.lines.length; i++) {
      if (hunk.lines[i]!.endsWith('\n')) hunk.lines[i] = hunk.lines[i]!.slice(0, -1);
      else hunk.lines.splice(++i, 0, '\\ No newline at end of file');
    }
  }
  return hunks;
}
