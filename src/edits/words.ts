/**
 * Edits to the word list of one shell command (package lists, flags), keeping the list's own
 * layout: one package per continued line stays one per line.
 */
import type { ShellCommand, ShellWord } from '../dockerfile/shell.ts';
import { replace, type Edit } from './edit.ts';

/** Remove `remove` (words of `cmd.args`), and append `add` after the last kept word of `list`. */
export function editWordList(text: string, cmd: ShellCommand, list: ShellWord[], remove: ShellWord[], add: string[], reason: string): Edit[] {
  const edits: Edit[] = [];
  const args = cmd.args;
  const removed = new Set(remove.map((w) => w.start));
  const kept = list.filter((w) => !removed.has(w.start));
  if (kept.length === 0 && list.length > 0) {
    // Nothing of the old list stays: the new words take its place.
    const first = list[0]!;
    const last = list[list.length - 1]!;
    const sep = list.length > 1 ? text.slice(list[list.length - 2]!.end, last.start) : ' ';
    const restRemoved = args.filter((w) => removed.has(w.start) && (w.start < first.start || w.start > last.start));
    edits.push(replace(first.start, last.end, add.join(sep), reason));
    for (const w of restRemoved) edits.push(...editWordList(text, cmd, [], [w], [], reason));
    return edits;
  }
  let i = args.length - 1;
  while (i >= 0 && removed.has(args[i]!.start)) i--;
  const trailingFrom = i + 1;
  if (trailingFrom < args.length) {
    const prevEnd = i >= 0 ? args[i]!.end : cmd.nameWord?.end ?? cmd.start;
    edits.push(replace(prevEnd, args[args.length - 1]!.end, '', reason));
  }
  for (let k = 0; k < trailingFrom; k++) {
    const w = args[k]!;
    if (removed.has(w.start)) edits.push(replace(w.start, args[k + 1]!.start, '', reason));
  }
  if (add.length > 0) {
    const anchor = kept[kept.length - 1] ?? args[args.length - 1];
    if (!anchor) return edits;
    // The list's own separator (one word per continued line stays so), from two neighbours.
    const n = list.length;
    const sep = n >= 2 ? text.slice(list[n - 2]!.end, list[n - 1]!.start) : ' ';
    const cleanSep = /\S/.test(sep.replace(/\\\r?\n/g, '')) ? ' ' : sep;
    edits.push(replace(anchor.end, anchor.end, add.map((w) => cleanSep + w).join(''), reason));
  }
  return edits;
}
