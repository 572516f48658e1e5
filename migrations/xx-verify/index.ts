/**
 * Target shape 6: after the compile, `xx-verify` checks that each binary is built for the target
 * (and `--static` that it is static, where the old build was). A wrong-arch binary then fails the
 * build instead of shipping.
 */
import { insertLinesAfter, type Edit } from '../../src/edits/edit.ts';
import { buildIsStatic, commandsOf, compiledBinaries } from '../../src/dockerfile/cross.ts';
import { baseName } from '../../src/dockerfile/shell.ts';
import { compileOutputs } from '../../src/dockerfile/commands.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

export const xxVerify: DockerfileRecipe = {
  id: 'xx-verify',
  title: 'Verify the architecture of the compiled binaries',
  phase: 3,
  fixes: ['compile-left-emulated', 'xx-verify-missing'],
  apply(ctx) {
    const { analysis, source, model } = ctx;
    const edits: Edit[] = [];
    for (const f of analysis.facts.values()) {
      if (!f.crossCompile) continue;
      const stage = f.stage;
      if (stage.instructions.some((i) => commandsOf(i).some((c) => baseName(c.name) === 'xx-verify'))) continue;
      const { paths, fromOutputs } = compiledBinaries(stage, f, analysis);
      const usable = paths.filter((p) => !/[\s;&|`]/.test(p));
      if (usable.length === 0) {
        // xx-verify fails on a folder: without a binary's name there is no check to add.
        const folder = f.compiles.flatMap((c) => compileOutputs(c.command)).find((o) => o.endsWith('/'));
        const why = folder ? `the compile writes into the folder ${folder === '/' ? '.' : folder} and no later step names the binaries in it` : 'could not tell which binaries the compile produces';
        ctx.warn(`stage "${stage.name ?? stage.index}": no xx-verify added: ${why} (xx-verify checks files, not folders); add "RUN xx-verify <binary>" after it by hand`, stage.from.line);
        continue;
      }
      const lastCompile = [...f.compiles].sort((a, b) => b.instruction.index - a.instruction.index)[0]!.instruction;
      // -o outputs are checked right after the compile; exported paths where the stage ends.
      const after = fromOutputs ? lastCompile : stage.instructions[stage.instructions.length - 1]!;
      const isStatic = buildIsStatic(stage, f, analysis);
      const kw = model.instructions[0]!.keywordRaw === model.instructions[0]!.keywordRaw.toLowerCase() ? 'run' : 'RUN';
      edits.push(
        insertLinesAfter(
          source,
          after.endLine,
          [`${kw} xx-verify${isStatic ? ' --static' : ''} ${usable.join(' ')}`],
          `fail the build if ${usable.join(', ')} ${usable.length > 1 ? 'are' : 'is'} not built for the target platform${isStatic ? ' or not static (as the old build was)' : ''}`,
        ),
      );
    }
    return edits;
  },
};
