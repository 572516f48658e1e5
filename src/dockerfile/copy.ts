/** What a COPY/ADD copies: its sources and its destination, JSON or plain form, as written. */
import type { Instruction } from './model.ts';

/** Source paths of a COPY/ADD (JSON or plain form; the last word is the destination). */
export function copySources(instr: Instruction): string[] {
  const args = instr.args.trim();
  let words: string[];
  if (args.startsWith('[')) {
    try {
      words = JSON.parse(args) as string[];
    } catch {
      words = args.split(/\s+/);
    }
  } else words = args.split(/\s+/);
  return words.slice(0, -1);
}

export function copyDestination(instr: Instruction): string {
  const args = instr.args.trim();
  if (args.startsWith('[')) {
    try {
      return (JSON.parse(args) as string[]).at(-1) ?? '';
    } catch {
      // fall through
    }
  }
  return args.split(/\s+/).at(-1) ?? '';
}
