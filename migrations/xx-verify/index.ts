/**
 * Target shape 6: after the compile, `xx-verify` checks that each binary is built for the target
 * (and `--static` that it is static, where the old build was). A wrong-arch binary then fails the
 * build instead of shipping. One call per file: `xx-verify --static a b` stops after `a` passes
 * (xx up to v1.9.0), so the recipe never writes that form and splits it where it finds it.
 */
import { insertLinesAfter, replace, type Edit } from '../../src/edits/edit.ts';
import { staticVerifyBatches, verifyCalls, type StaticVerifyBatch } from '../../src/dockerfile/shared-checks.ts';
import type { SourceText } from '../../src/dockerfile/source.ts';
import { buildIsStatic, commandsOf, compiledBinaries, STAGE_ENV } from '../../src/dockerfile/stage-questions.ts';
import { envAt } from '../../src/dockerfile/env.ts';
import { AUTOMATIC_PLATFORM_ARGS, type DockerfileModel, type Instruction, type Stage } from '../../src/dockerfile/model.ts';
import { baseName } from '../../src/dockerfile/shell.ts';
import { compileOutputs } from '../../src/dockerfile/commands.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

export const xxVerify: DockerfileRecipe = {
  id: 'xx-verify',
  title: 'Verify the architecture of the compiled binaries',
  phase: 3,
  fixes: ['compile-left-emulated', 'xx-verify-missing', 'xx-verify-static-several-files'],
  apply(ctx) {
    const { analysis, source, model } = ctx;
    const edits: Edit[] = staticVerifyBatches(model).map((b) => splitBatch(source, b));
    for (const f of analysis.facts.values()) {
      if (!f.crossCompile) continue;
      const stage = f.stage;
      if (stage.instructions.some((i) => commandsOf(i).some((c) => baseName(c.name) === 'xx-verify'))) continue;
      const { paths, fromOutputs } = compiledBinaries(stage, f, analysis);
      const lastCompile = [...f.compiles].sort((a, b) => b.instruction.index - a.instruction.index)[0]!.instruction;
      // -o outputs are checked right after the compile; exported paths where the stage ends.
      const after = fromOutputs ? lastCompile : stage.instructions[stage.instructions.length - 1]!;
      const args = argsFor(model, stage, after, paths.filter((p) => !/[\s;&|`]/.test(p)));
      const usable = args.paths;
      if (usable.length === 0) {
        // xx-verify fails on a folder: without a binary's name there is no check to add.
        const folder = f.compiles.flatMap((c) => compileOutputs(c.command)).find((o) => o.endsWith('/'));
        const why = folder ? `the compile writes into the folder ${folder === '/' ? '.' : folder} and no later step names the binaries in it` : 'could not tell which binaries the compile produces';
        ctx.warn(`stage "${stage.name ?? stage.index}": no xx-verify added: ${why} (xx-verify checks files, not folders); add "RUN xx-verify <binary>" after it by hand`, stage.from.line);
        continue;
      }
      const isStatic = buildIsStatic(stage, f, analysis);
      const kw = model.instructions[0]!.keywordRaw === model.instructions[0]!.keywordRaw.toLowerCase() ? 'run' : 'RUN';
      const calls = verifyCalls('xx-verify', isStatic ? ['--static'] : [], usable);
      const argKw = kw === 'run' ? 'arg' : 'ARG';
      const why = `fail the build if ${usable.join(', ')} ${usable.length > 1 ? 'are' : 'is'} not built for the target platform${isStatic ? ' or not static (as the old build was)' : ''}`;
      // In the compile's own RUN, as xx's README writes it: one step less per platform, and the
      // compile's line changes anyway (xx-go --wrap goes in front of it).
      // A `cd` after the compile would move the relative paths out from under the calls.
      const compileEnd = Math.max(...f.compiles.filter((c) => c.instruction === after).map((c) => c.command.end));
      const movesAfter = commandsOf(after).some((c) => c.start >= compileEnd && ['cd', 'pushd', 'popd'].includes(baseName(c.name)));
      const end = args.declare.length === 0 && after === lastCompile && !movesAfter ? foldableEnd(source, after) : undefined;
      if (end !== undefined) {
        edits.push(replace(end, end, ` && ${calls.join(' && ')}`, why));
        continue;
      }
      const lines = [...args.declare.map((n) => `${argKw} ${n}`), ...calls.map((c, i) => `${i === 0 ? `${kw} ` : '    '}${c}${i < calls.length - 1 ? ` && ${model.escapeChar}` : ''}`)];
      edits.push(insertLinesAfter(source, after.endLine, lines, why));
    }
    return edits;
  },
};

/**
 * The paths xx-verify can name after `after`, and the ARGs to declare for them. A path taken from
 * another stage's COPY (`/src/bin/tally-${TARGETARCH}`) may use a variable this stage never
 * declared: an automatic platform ARG or a global ARG is declared right above the call (it would
 * be empty, and xx-verify fail on a file that does not exist); a path with any other unknown
 * variable is left out.
 */
function argsFor(model: DockerfileModel, stage: Stage, after: Instruction, paths: string[]): { paths: string[]; declare: string[] } {
  const declare = new Set<string>();
  const out = paths.filter((p) => {
    const missing = [...p.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!).filter((n) => !STAGE_ENV.has(n) && !envAt(stage, n, after.end));
    if (!missing.every((n) => AUTOMATIC_PLATFORM_ARGS.has(n) || (n !== 'ARCH' && model.globalArgs.some((a) => a.name === n)))) return false;
    missing.forEach((n) => declare.add(n));
    return true;
  });
  return { paths: out, declare: [...declare] };
}

/**
 * Where `&& xx-verify ...` can end the compile's RUN and mean what a RUN of its own after it
 * means: a one-line RUN in shell form the shell model read whole, with no comment that would
 * swallow the addition, no heredoc, and no trailing `;` or `&` that `&&` cannot follow. The
 * offset is right after its last word.
 */
function foldableEnd(source: SourceText, i: Instruction): number | undefined {
  if (i.keyword !== 'RUN' || i.line !== i.endLine || i.heredoc || i.execForm || !i.shell || i.shell.errorAt !== undefined) return undefined;
  const text = source.text.slice(i.start, i.end);
  if (text.includes('#') || /[\\`;&]\s*$/.test(text)) return undefined;
  return i.start + text.replace(/[ \t\r]+$/, '').length;
}

/** Only blanks and line continuations (either escape character) between two files. */
const LAYOUT = /^[\s\\`]*$/;

/**
 * `xx-verify --static a b` as `xx-verify --static a && xx-verify --static b`, in place: the words
 * between the files (a line continuation) stay, so the diff is the inserted calls.
 */
function splitBatch(source: SourceText, b: StaticVerifyBatch): Edit {
  const { command: cmd, files } = b;
  const text = source.text;
  const nameStart = cmd.nameWord?.start ?? cmd.start;
  // `VAR=x xx-verify ...`: every call runs with the same environment.
  const prefix = text.slice(cmd.start, nameStart);
  const calls = verifyCalls(prefix + (cmd.nameWord?.raw ?? 'xx-verify'), b.flags.map((w) => w.raw), files.map((w) => w.raw));
  let out = calls[0]!;
  for (let i = 1; i < calls.length; i++) {
    const gap = text.slice(files[i - 1]!.end, files[i]!.start);
    out += `${LAYOUT.test(gap) ? gap : ' '}&& ${calls[i]}`;
  }
  // In a pipe, under a redirect or inside a compound command, the calls must stay one command.
  const element = cmd.statement.elements[cmd.element]!;
  if (cmd.nested || element.start !== cmd.start || element.end !== cmd.end) out = `{ ${out}; }`;
  const later = files.slice(1).map((w) => w.raw);
  const what = later.length > 0 ? `${later.join(', ')} ${later.length > 1 ? 'are' : 'is'} checked too` : `every file ${files[0]!.raw} matches is checked`;
  return replace(cmd.start, cmd.end, out, `xx-verify --static stops after the first file that passes (xx up to v1.9.0): one call per file, so ${what}`);
}
