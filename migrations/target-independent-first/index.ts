/**
 * Target shape 4, the other way round: a clone, a fetch, a patch or `go mod download` that the
 * input placed after a step that depends on the target (an `ADD .../thing-${TARGETARCH}.tgz`)
 * runs once per platform, though nothing ties it to that step. Such steps (with the WORKDIR
 * between them) move right above the first target-dependent step, so BuildKit runs them once.
 * Steps that only unpack what the target-dependent step fetched (`tar -xf /opt/x.tar -C /opt/x`,
 * every path absolute) may stand between: they stay, and the clone moves past them when neither
 * names a path of the other; the plain ARGs the moved steps read move with them.
 * In a file that already cross-compiles this stays the review's `work-after-target-arg` warning.
 */
import { attachedCommentStart, deleteLines, insertLinesBefore, type Edit } from '../../src/edits/edit.ts';
import { commandsOf, copyDestination, inheritedTargetArg, TARGET_ARGS, usesAnyVar, varsUsed } from '../../src/dockerfile/stage-questions.ts';
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

const UNPACK = new Set(['tar', 'unzip', 'gunzip', 'chmod', 'mkdir', 'mv', 'cp', 'install', 'ln', 'rm']);

/** The absolute paths a step names (its destination, or its commands' arguments). */
function pathsOf(i: Instruction): string[] {
  if (i.keyword === 'ADD' || i.keyword === 'COPY') return [copyDestination(i)];
  return commandsOf(i).flatMap((c) => c.args.map((a) => a.value).filter((v) => v.startsWith('/')));
}

/**
 * A step after the target-dependent one that only unpacks or places what was fetched, naming
 * every file by its absolute path: a WORKDIR moved above it cannot change what it does.
 */
function unpacks(i: Instruction): boolean {
  if (i.keyword !== 'RUN' || !i.shell || i.shell.errorAt !== undefined || i.flags.length > 0 || i.heredoc) return false;
  const cmds = commandsOf(i);
  return cmds.length > 0 && cmds.every((c) => UNPACK.has(baseName(c.name)) && c.assigns.length === 0 && c.args.every((a, n) => a.value.startsWith('-') || a.value.startsWith('/') || (n === 0 && baseName(c.name) === 'tar' && /^[a-zA-Z]+$/.test(a.value))));
}

/** Nothing it does depends on the working directory (an ADD to `/opt/x.tar`, an unpacking step). */
function placesAbsolutely(i: Instruction): boolean {
  if (i.keyword === 'ADD' || i.keyword === 'COPY') return copyDestination(i).startsWith('/');
  return unpacks(i);
}

const overlaps = (a: string[], b: string[]) => a.some((x) => b.some((y) => x === y || x.startsWith(y.replace(/\/?$/, '/')) || y.startsWith(x.replace(/\/?$/, '/'))));

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
      // What stays between the target-dependent step and the moved ones: unpacking steps, plain ARGs.
      const stays: Instruction[] = [];
      const plainArgs: Instruction[] = [];
      const plainArg = (i: Instruction) => i.keyword === 'ARG' && stage.args.some((a) => a.instruction === i) && !stage.args.some((a) => a.instruction === i && TARGET_ARGS.has(a.name));
      for (const i of stage.instructions.filter((x) => x.index > dep.index)) {
        if (compiles.has(i)) break;
        if (movable(i, written) && (i.keyword !== 'WORKDIR' || moved.length > 0 || stage.instructions.some((x) => x.index > i.index && movable(x, written)))) {
          moved.push(i);
          continue;
        }
        // Only before anything moved: a step between two moved ones would change their order.
        if (moved.length === 0 && unpacks(i)) {
          stays.push(i);
          continue;
        }
        if (moved.length === 0 && plainArg(i)) {
          plainArgs.push(i);
          continue;
        }
        break;
      }
      // A trailing WORKDIR with nothing after it to move stays where it is.
      while (moved.length > 0 && moved.at(-1)!.keyword === 'WORKDIR') moved.pop();
      if (moved.length === 0) continue;
      // A WORKDIR moved above them must not change where they put things.
      if (moved.some((i) => i.keyword === 'WORKDIR') && ![dep, ...stays].every(placesAbsolutely)) continue;
      const stayPaths = [dep, ...stays].flatMap(pathsOf);
      if (overlaps(stayPaths, moved.flatMap(pathsOf))) continue;
      // The plain ARGs a moved step reads go up with it, in their order; the others stay.
      const read = new Set(moved.flatMap(varsUsed));
      const argsMoved = plainArgs.filter((i) => stage.args.some((a) => a.instruction === i && read.has(a.name)));
      moved.unshift(...argsMoved);
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
