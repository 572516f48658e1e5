/**
 * Structural edits to a RUN's shell script at the offsets the shell parser gives: remove one
 * command from an `&&` list or a `;` sequence, or wrap a command in a condition.
 */
import type { Instruction } from '../dockerfile/model.ts';
import type { ShellCommand } from '../dockerfile/shell.ts';
import type { SourceText } from '../dockerfile/source.ts';
import { deleteLines, replace, type Edit } from './edit.ts';

/** Remove `cmd` from its RUN; removes the whole RUN when it is all the RUN does. Undefined when unsafe. */
export function removeCommand(src: SourceText, instr: Instruction, cmd: ShellCommand, reason: string): Edit | undefined {
  const sh = instr.shell;
  if (!sh || cmd.nested || sh.errorAt !== undefined) return undefined;
  const st = cmd.statement;
  const el = st.elements[cmd.element];
  if (!el || el.start !== cmd.start || el.end !== cmd.end) return undefined;
  if (st.elements.length > 1) {
    const k = cmd.element;
    if (k < st.elements.length - 1) return replace(el.start, st.elements[k + 1]!.start, '', reason);
    return replace(st.elements[k - 1]!.end, el.end, '', reason);
  }
  const i = sh.statements.indexOf(st);
  if (sh.statements.length === 1) return deleteLines(src, instr.line, instr.endLine, reason);
  if (i < sh.statements.length - 1) return replace(st.start, sh.statements[i + 1]!.start, '', reason);
  return replace(sh.statements[i - 1]!.end, st.end, '', reason);
}

/**
 * Wrap the and-or element holding `cmd` in `if <cond>; then ...; fi`.
 */
export function wrapInCondition(cmd: ShellCommand, condition: string, reason: string): Edit[] {
  const st = cmd.statement;
  const el = st.elements[cmd.element] ?? { start: st.start, end: st.end };
  return [replace(el.start, el.start, `if ${condition}; then `, reason), replace(el.end, el.end, '; fi', reason)];
}
