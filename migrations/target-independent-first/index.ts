/**
 * Target shape 4, the other way round: a clone, a fetch, a patch or `go mod download` that the
 * input placed after a step that depends on the target (an `ADD .../thing-${TARGETARCH}.tgz`)
 * runs once per platform, though nothing ties it to that step. Such steps (with the WORKDIR
 * between them) move right above the first target-dependent step, so BuildKit runs them once.
 * In a file that already cross-compiles this stays the review's `work-after-target-arg` warning.
 */
import { attachedCommentStart, deleteLines, insertLinesBefore, type Edit } from '../../src/edits/edit.ts';
import { commandsOf, inheritedTargetArg, TARGET_ARGS, usesAnyVar } from '../../src/dockerfile/cross.ts';
import type { Instruction } from '../../src/dockerfile/model.ts';
import { baseName, type ShellCommand } from '../../src/dockerfile/shell.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

const SETUP = new Set(['cd', 'set', 'mkdir', 'true']);

/** A command whose result is the same for every platform and that reads nothing a step above wrote. */
function independentCommand(c: ShellCommand): boolean {
  const n = baseName(c.name);
  const sub = c.args.find((a) => !a.value.startsWith('-'))?.value;
  if (n === 'git') return sub !== undefined && ['clone', 'fetch', 'checkout', 'submodule', 'apply', 'am'].includes(sub);
  if (n === 'go') return sub === 'mod' && c.args.some((a) => a.value === 'download' || a.value === 'vendor');
  return n === 'patch' || SETUP.has(n);
}

function movable(i: Instruction, written: string[]): boolean {
  if (i.keyword === 'WORKDIR') return !usesAnyVar(i, TARGET_ARGS);
  if (i.keyword !== 'RUN' || !i.shell || i.shell.errorAt !== undefined || i.flags.length > 0 || i.heredoc) return false;
  if (usesAnyVar(i, TARGET_ARGS)) return false;
  const cmds = commandsOf(i);
  if (cmds.length === 0 || !cmds.every(independentCommand) || !cmds.some((c) => !SETUP.has(baseName(c.name)))) return false;
  // It must not read what the target-dependent steps above it wrote.
  return !written.some((p) => p && i.shell!.text.includes(p));
}

export const targetIndependentFirst: DockerfileRecipe = {
  id: 'target-independent-first',
  title: 'Move clones and module downloads above the first target-dependent step',
  phase: 2,
  fixes: ['compile-left-emulated'],
  apply(ctx) {
    const { analysis, source } = ctx;
    const edits: Edit[] = [];
    for (const f of analysis.facts.values()) {
      if (!f.crossCompile || f.wraps.length > 0) continue;
      const stage = f.stage;
      // It inherits a target ARG from its parent stage: it runs once per platform from its first line.
      if (inheritedTargetArg(stage)) continue;
      const compiles = new Set(f.compiles.map((c) => c.instruction));
      const dep = stage.instructions.find((i) => i.keyword !== 'ARG' && usesAnyVar(i, TARGET_ARGS) && !compiles.has(i));
      if (!dep) continue;
      const written: string[] = [];
      const moved: Instruction[] = [];
      for (const i of stage.instructions.filter((x) => x.index > dep.index)) {
        if (compiles.has(i)) break;
        if (movable(i, written) && (i.keyword !== 'WORKDIR' || moved.length > 0 || stage.instructions.some((x) => x.index > i.index && movable(x, written)))) {
          moved.push(i);
          continue;
        }
        break;
      }
      // A trailing WORKDIR with nothing after it to move stays where it is.
      while (moved.length > 0 && moved.at(-1)!.keyword === 'WORKDIR') moved.pop();
      if (moved.length === 0) continue;
      // Above the target-dependent step and the target ARGs declared for it.
      let above = dep;
      for (const i of [...stage.instructions].reverse()) {
        if (i.index >= above.index) continue;
        if (i.keyword === 'ARG' && stage.args.some((a) => a.instruction === i && TARGET_ARGS.has(a.name)) && i.index === above.index - 1) above = i;
      }
      const label = (c: ShellCommand) => (baseName(c.name) === 'go' ? `go mod ${c.args.some((a) => a.value === 'vendor') ? 'vendor' : 'download'}` : [baseName(c.name), c.args.find((a) => !a.value.startsWith('-'))?.value].filter(Boolean).join(' '));
      const what = [...new Set(moved.flatMap((i) => commandsOf(i).filter((c) => !SETUP.has(baseName(c.name))).map(label)))];
      const why = `${what.join(', ')} do${what.length === 1 ? 'es' : ''} not depend on the target: moved above line ${ctx.originalLine(dep.line)}, ${what.length === 1 ? 'it runs' : 'they run'} once for all platforms instead of once per platform`;
      const lines = moved.map((i) => source.text.slice(source.lineStart(attachedCommentStart(source, i.line)), source.lineStart(i.endLine) + source.lineText(i.endLine).length));
      edits.push(insertLinesBefore(source, attachedCommentStart(source, above.line), lines, why));
      for (const i of moved) edits.push(deleteLines(source, attachedCommentStart(source, i.line), i.endLine, why));
    }
    return edits;
  },
};
