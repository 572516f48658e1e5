/**
 * Text edits at source ranges: the only way the migration changes a file. Editing ranges (never
 * re-printing a file) keeps every byte outside the edited lines identical.
 */
import type { SourceText } from '../dockerfile/source.ts';

export interface Edit {
  start: number;
  end: number;
  text: string;
  /** Why a human reviewer should accept this edit. */
  reason: string;
  /** The review finding (rule id, line of the file as read) this edit fixes, when the engine asked for fixes only. */
  fixes?: { rule: string; line: number };
}

export class EditConflictError extends Error {}

/** A phase's edits sorted once, with where each lands in the new text and the size change before it. */
interface StepIndex {
  starts: number[];
  newStarts: number[];
  newEnds: number[];
  /** deltaBefore[i]: total size change of edits 0..i-1 (length n + 1). */
  deltaBefore: number[];
}

const stepIndexes = new WeakMap<Edit[], StepIndex>();

function indexStep(step: Edit[]): StepIndex {
  let idx = stepIndexes.get(step);
  if (idx) return idx;
  const sorted = [...step].sort((a, b) => a.start - b.start || a.end - b.end);
  idx = { starts: [], newStarts: [], newEnds: [], deltaBefore: [0] };
  let delta = 0;
  for (const e of sorted) {
    idx.starts.push(e.start);
    idx.newStarts.push(e.start + delta);
    idx.newEnds.push(e.start + delta + e.text.length);
    delta += e.text.length - (e.end - e.start);
    idx.deltaBefore.push(delta);
  }
  stepIndexes.set(step, idx);
  return idx;
}

/**
 * Position in the original text of a position in the text after `steps` (each a set of edits
 * applied together) were applied: how a line of the migrated file is reported as the line a
 * human knows. A position inside inserted text maps to where the insertion was made. Each step
 * is sorted once and searched by bisection: called once per edit, a scan (let alone a sort) per
 * call made large files quadratic.
 */
export function mapBack(pos: number, steps: Edit[][]): number {
  let p = pos;
  for (let k = steps.length - 1; k >= 0; k--) {
    const { starts, newStarts, newEnds, deltaBefore } = indexStep(steps[k]!);
    // i0: the first edit that lands after p.
    let lo = 0;
    let hi = newStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (newStarts[mid]! <= p) lo = mid + 1;
      else hi = mid;
    }
    const j = lo - 1;
    // Inside the text an edit inserted: the edit's start; otherwise shift back past the edits before.
    p = j >= 0 && p < newEnds[j]! ? starts[j]! : p - deltaBefore[lo]!;
  }
  return p;
}


/** Apply non-overlapping edits; insertions at the same offset keep their given order. */
export function applyEdits(text: string, edits: Edit[]): string {
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.start - b.e.start || a.e.end - b.e.end || a.i - b.i);
  let out = '';
  let pos = 0;
  for (const { e } of sorted) {
    if (e.start < pos) throw new EditConflictError(`overlapping edits at offset ${e.start}: ${e.reason}`);
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}

/** Insert whole lines before 1-based `line`, in the file's own line ending. */
export function insertLinesBefore(src: SourceText, line: number, lines: string[], reason: string): Edit {
  const at = src.lineStart(line);
  return { start: at, end: at, text: lines.map((l) => l + src.eol).join(''), reason };
}

/** Insert whole lines after 1-based `line` (handles a last line without a line ending). */
export function insertLinesAfter(src: SourceText, line: number, lines: string[], reason: string): Edit {
  const at = src.lineEndIncludingEol(line);
  const needsEol = at === src.text.length && !src.text.endsWith('\n');
  const body = lines.map((l) => l + src.eol).join('');
  return { start: at, end: at, text: needsEol ? src.eol + body.slice(0, -src.eol.length) : body, reason };
}

/** Delete 1-based lines `from`..`to` inclusive, line endings included. */
export function deleteLines(src: SourceText, from: number, to: number, reason: string): Edit {
  let start = src.lineStart(from);
  const end = src.lineEndIncludingEol(to);
  // The last line has no ending of its own: take the previous line's ending instead.
  if (end === src.text.length && !src.text.endsWith('\n') && from > 1) start -= src.eol.length;
  return { start, end, text: '', reason };
}

export function replace(start: number, end: number, text: string, reason: string): Edit {
  return { start, end, text, reason };
}

/** Number of parser-directive lines (`# syntax=`, `# escape=`, `# check=`) heading the file. */
export function directiveLines(src: SourceText): number {
  let n = 0;
  while (n < src.lineCount && /^\s*#\s*[A-Za-z]+\s*=/.test(src.lineText(n + 1))) n++;
  return n;
}

/**
 * First line of the comment block directly above `line` (the comments that belong to it).
 * Parser directives are never part of it: they must stay the first lines of the file.
 */
export function attachedCommentStart(src: SourceText, line: number): number {
  const floor = directiveLines(src) + 1;
  let l = line;
  while (l > floor && src.lineText(l - 1).trim().startsWith('#')) l--;
  return l;
}
