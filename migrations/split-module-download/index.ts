/**
 * Target shape 4, when the compile RUN itself starts with target-independent work:
 * `RUN set -ex; go mod download; go build ...`. The target ARG has to go above the compile, so
 * the module download would run once per platform. The leading `go mod` / `git` steps move to a
 * RUN of their own, above; the compile RUN keeps its `set` options and flags (`--mount`s).
 *
 * Only a prefix made of known target-independent commands moves (`go mod ...`, `git ...`, `set`,
 * `mkdir`, `echo`): nothing that changes directory or sets variables the rest would need.
 */
import { attachedCommentStart, insertLinesBefore, replace, type Edit } from '../../src/edits/edit.ts';
import { baseName, type ShellCommand } from '../../src/dockerfile/shell.ts';
import { TARGET_ARGS } from '../../src/dockerfile/stage-questions.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

const WORK = (c: ShellCommand) => (c.name === 'go' && c.args[0]?.value === 'mod') || baseName(c.name) === 'git';
const HARMLESS = (c: ShellCommand) => WORK(c) || ['set', 'mkdir', 'echo', 'true'].includes(baseName(c.name));

export const splitModuleDownload: DockerfileRecipe = {
  id: 'split-module-download',
  title: 'Run go mod download (and git steps) before the target ARG, in their own RUN',
  phase: 2,
  fixes: ['compile-left-emulated', 'work-after-target-arg'],
  apply({ analysis, source }) {
    const edits: Edit[] = [];
    for (const f of analysis.facts.values()) {
      if (!f.crossCompile || f.wraps.length > 0 || f.compiles.length === 0) continue;
      const first = [...f.compiles].sort((a, b) => a.instruction.index - b.instruction.index || a.command.start - b.command.start)[0]!;
      const instr = first.instruction;
      const sh = instr.shell;
      if (!sh || instr.heredoc || instr.execForm || sh.errorAt !== undefined) continue;
      // The pieces of the script in order: top-level statements, or the && elements of one.
      const single = sh.statements.length === 1 ? sh.statements[0]! : undefined;
      const pieces = single ? single.elements.map((e, i) => ({ start: e.start, end: e.end, joins: i === 0 || e.op === '&&' })) : sh.statements.map((s) => ({ start: s.start, end: s.end, joins: true }));
      const k = pieces.findIndex((p) => p.start <= first.command.start && first.command.start < p.end);
      if (k <= 0 || !pieces[k]!.joins) continue;
      const commandsIn = (p: { start: number; end: number }) => sh.commands.filter((c) => c.start >= p.start && c.end <= p.end);
      const prefix = pieces.slice(0, k);
      const prefixCommands = prefix.flatMap(commandsIn);
      if (!prefixCommands.some(WORK) || !prefixCommands.every((c) => HARMLESS(c) && !c.nested && c.writes.length === 0)) continue;
      if (prefix.some((p) => commandsIn(p).length === 0)) continue; // assignments or other bare syntax
      if (sh.varRefs.some((v) => v.start < pieces[k - 1]!.end)) continue; // keep it simple: no variables in the prefix
      // `set -ex` keeps applying to the compile RUN.
      const sets = prefix.filter((p) => commandsIn(p).every((c) => baseName(c.name) === 'set')).map((p) => source.text.slice(p.start, p.end));
      const flagsText = source.text.slice(instr.start + instr.keywordRaw.length, instr.argsStart);
      const moved = source.text.slice(instr.argsStart, pieces[k - 1]!.end);
      const kw = instr.keywordRaw;
      // Above the target ARGs declared right before the compile, too.
      let above = instr;
      for (let i = f.stage.instructions.indexOf(instr) - 1; i >= 0; i--) {
        const prev = f.stage.instructions[i]!;
        const names = f.stage.args.filter((a) => a.instruction === prev).map((a) => a.name);
        if (prev.keyword !== 'ARG' || names.length === 0 || !names.every((n) => TARGET_ARGS.has(n))) break;
        above = prev;
      }
      // The compile's own comment stays with the first part (it precedes both).
      const line = above === instr ? instr.line : attachedCommentStart(source, above.line);
      edits.push(
        insertLinesBefore(
          source,
          line,
          [`${kw}${flagsText}${moved}`],
          'go mod download (and the git steps) do not depend on the target: in their own RUN above the target ARG they run once for all platforms',
        ),
      );
      const sep = single ? ' && ' : '; ';
      edits.push(replace(instr.argsStart, pieces[k]!.start, sets.length ? sets.join(sep) + sep : '', 'the steps before the compile moved to the RUN above'));
    }
    return edits;
  },
};
