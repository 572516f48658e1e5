/**
 * P5: a binary built for the target cannot run on the build platform. A step that runs it
 * (`widgetd --version` as a smoke test) is guarded with `if ! xx-info is-cross; then ...; fi`: it
 * still runs where build and target platforms match, and is skipped for foreign targets.
 */
import { binaryNames } from '../../src/dockerfile/cross.ts';
import { baseName } from '../../src/dockerfile/shell.ts';
import { isGoTest } from '../../src/dockerfile/commands.ts';
import { wrapInCondition } from '../../src/edits/shell-edits.ts';
import type { Edit } from '../../src/edits/edit.ts';
import { UnsafeMigrationError, type DockerfileRecipe } from '../../src/migrate/recipe.ts';

export const guardBinaryExec: DockerfileRecipe = {
  id: 'guard-binary-exec',
  title: 'Guard executions of the built binaries',
  phase: 3,
  fixes: ['compile-left-emulated', 'unguarded-cross-binary-run'],
  apply(ctx) {
    const { analysis, source } = ctx;
    const edits: Edit[] = [];
    for (const f of analysis.facts.values()) {
      if (!f.crossCompile) continue;
      const names = binaryNames(f.stage, f, analysis);
      if (names.size === 0) continue;
      const firstCompile = Math.min(...f.compiles.map((c) => c.instruction.index));
      for (const instr of f.stage.instructions) {
        if (instr.index < firstCompile || !instr.shell) continue;
        for (const cmd of instr.shell.commands) {
          // After the wrap, `go test` builds test binaries for the target: they run only natively.
          const test = isGoTest(cmd) && f.compiles.some((c) => c.instruction.index < instr.index || (c.instruction === instr && c.command.start < cmd.start));
          if (!test && (!names.has(baseName(cmd.name)) || cmd.name === 'install')) continue;
          const st = cmd.statement;
          const el = st.elements[cmd.element];
          const text = source.text.slice(st.start, st.end);
          if (/xx-info\s+is-cross/.test(text)) continue;
          if (cmd.writes.length > 0) {
            // Skipped under emulation-free builds, it would not write the file the image may need.
            throw new UnsafeMigrationError(
              `line ${ctx.originalLine(instr.line)}: the built binary "${cmd.name}" writes ${cmd.writes.join(', ')}, and it cannot run on the build platform`,
              instr.line,
              'generate the file in a stage on the target platform (or with a native build of the tool), then run the migration again',
            );
          }
          if (instr.shell.errorAt !== undefined || !el) {
            throw new UnsafeMigrationError(`line ${ctx.originalLine(instr.line)}: the built binary "${cmd.name}" runs in a command that cannot be guarded`, instr.line, 'guard it by hand: if ! xx-info is-cross; then ...; fi');
          }
          edits.push(
            ...wrapInCondition(
              cmd,
              '! xx-info is-cross',
              test
                ? 'after xx-go --wrap, go test builds test binaries for the target: they only run when the build platform is the target platform'
                : `"${cmd.name}" is built for the target: it only runs when the build platform is the target platform`,
            ),
          );
        }
      }
    }
    return edits;
  },
};
