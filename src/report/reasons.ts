/**
 * Why each change is made, one line per distinct reason, for the terminal (after a diff) and the
 * `--local` summary: what a reviewer reads next to the diff.
 */
import type { FileReport } from '../migrate/types.ts';

export function reasonLines(files: FileReport[], indent = '  '): string[] {
  const out: string[] = [];
  for (const f of files) {
    const seen = new Set<string>();
    for (const e of f.edits) {
      // One edit of a move deletes and inserts with the same reason: it is said once, at its first line.
      const key = `${e.recipe}\0${e.reason}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(`${indent}${f.path}:${e.line} [${e.recipe}] ${e.reason}`);
    }
    for (const s of f.skips) out.push(`${indent}${f.path}${s.line ? `:${s.line}` : ''} note: ${s.reason}`);
    for (const w of f.warnings) out.push(`${indent}${f.path}${w.line ? `:${w.line}` : ''} warning: ${w.message}`);
  }
  return out;
}
