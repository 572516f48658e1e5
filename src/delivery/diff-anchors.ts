/**
 * Where an edit of the original file shows in the PR's own diff: the first added line of the
 * change that touches it (GitHub's `R<n>` anchor), or the removed line itself (`L<n>`) when the
 * change only removes. Links in the body then open the line a reviewer reads, not the base's.
 */
import { createHash } from 'node:crypto';

export interface DiffAnchor {
  side: 'R' | 'L';
  line: number;
  /** Position in the new file, for ordering (a removed line sits where the text after it now starts). */
  pos: number;
}

interface Block {
  /** Old line number the block starts at (for a pure insertion: the old line it is inserted before). */
  oldAt: number;
  newAt: number;
  deleted: number[];
  added: number[];
}

// Words too common to tell two lines apart (`RUN` starts half of them).
const STOP = new Set(['the', 'for', 'and', 'not', 'its', 'all', 'was', 'are', 'this', 'that', 'with', 'only', 'when', 'run', 'runs', 'instead']);
const words = (s: string) => new Set(s.toLowerCase().split(/[^a-z0-9_]+/).filter((w) => w.length >= 3 && !STOP.has(w)));
const overlap = (a: Set<string>, b: Set<string>) => [...a].filter((w) => b.has(w)).length;

/**
 * Anchors for edits of one file, from its unified diff (the file's own, `FileReport.diff`). A
 * change block often holds several edits (a line replaced, one inserted above it): the added
 * line an edit links to is the one that shares most words with its reason, then with the line it
 * replaced; a removed line that no added line resembles links to itself.
 */
export function diffAnchors(diff: string): (line: number, endLine?: number, reason?: string) => DiffAnchor | undefined {
  const blocks: Block[] = [];
  const context = new Map<number, number>();
  let oldLine = 0;
  let newLine = 0;
  let open: Block | undefined;
  const texts = { old: new Map<number, string>(), new: new Map<number, string>() };
  for (const l of diff.split('\n')) {
    const h = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(l);
    if (h) {
      open = undefined;
      oldLine = Number(h[1]);
      newLine = Number(h[2]);
      continue;
    }
    // The file header (`--- a/...`, `+++ b/...`) comes before the first hunk.
    if (!oldLine && !newLine) continue;
    if (l.startsWith('-')) {
      open ??= pushBlock(blocks, oldLine, newLine);
      texts.old.set(oldLine, l.slice(1));
      open.deleted.push(oldLine++);
    } else if (l.startsWith('+')) {
      open ??= pushBlock(blocks, oldLine, newLine);
      texts.new.set(newLine, l.slice(1));
      open.added.push(newLine++);
    } else if (l.startsWith(' ')) {
      open = undefined;
      context.set(oldLine++, newLine++);
    }
  }
  return (line, endLine = line, reason = '') => {
    const touching = blocks.find((b) => b.deleted.some((d) => d >= line && d <= endLine));
    const near = blocks.filter((x) => x === touching || (x.oldAt + x.deleted.length >= line - 1 && x.oldAt <= endLine + 1));
    const b = touching ?? near[0];
    if (!b) {
      const kept = context.get(line);
      return kept === undefined ? undefined : { side: 'R', line: kept, pos: kept };
    }
    const why = words(reason);
    const was = words(texts.old.get(line) ?? '');
    // A new stage is its FROM line.
    const stage = /^new stage\b/.test(reason);
    let best: { n: number; score: [number, number] } | undefined;
    for (const n of near.flatMap((x) => x.added)) {
      const t = texts.new.get(n) ?? '';
      const now = words(t);
      const score: [number, number] = [overlap(why, now) + (stage && /^\s*FROM\b/i.test(t) ? 100 : 0), overlap(was, now)];
      if (score[1] < 1 && score[0] < 2) continue;
      if (!best || score[0] > best.score[0] || (score[0] === best.score[0] && score[1] > best.score[1])) best = { n, score };
    }
    if (best) return { side: 'R', line: best.n, pos: best.n };
    // Nothing added resembles it: the edit removed the line (or, inserting, added the block's first line).
    if (touching) return { side: 'L', line, pos: b.newAt };
    return b.added.length ? { side: 'R', line: b.added[0]!, pos: b.added[0]! } : undefined;
  };
}

function pushBlock(blocks: Block[], oldAt: number, newAt: number): Block {
  const b: Block = { oldAt, newAt, deleted: [], added: [] };
  blocks.push(b);
  return b;
}

/** GitHub's anchor of a file in a diff view (PR files tab and commit page alike). */
export function diffFileAnchor(file: string): string {
  return `diff-${createHash('sha256').update(file).digest('hex')}`;
}
