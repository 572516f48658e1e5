/**
 * P5: a binary built for the target cannot run on the build platform. A step that runs it
 * (`widgetd --version` as a smoke test) is guarded with `if ! xx-info is-cross; then ...; fi`: it
 * still runs where build and target platforms match, and is skipped for foreign targets.
 */
import { binaryNames } from '../../src/dockerfile/cross.ts';
import { baseName } from '../../src/dockerfile/shell.ts';
import { wrapInCondition } from '../../src/edits/shell-edits.ts';
import type { Edit } from '../../src/edits/edit.ts';
import { UnsafeMigrationError, type DockerfileRecipe } from '../../src/migrate/recipe.ts';

export const guardBinaryExec: DockerfileRecipe = {
  id: 'guard-binary-exec',
  title: 'Guard executions of the built binaries',
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
          if (!names.has(baseName(cmd.name)) || cmd.name === 'install') continue;
          const st = cmd.statement;
          const el = st.elements[cmd.element];
          const text = source.text.slice(st.start, st.end);
          if (/xx-info\s+is-cross/.test(text)) continue;
          if (instr.shell.errorAt !== undefined || !el) {
            throw new UnsafeMigrationError(`line ${ctx.originalLine(instr.line)}: the built binary "${cmd.name}" runs in a command that cannot be guarded`, instr.line, 'guard it by hand: if ! xx-info is-cross; then ...; fi');
          }
          edits.push(
            ...wrapInCondition(instr, cmd, '! xx-info is-cross', `"${cmd.name}" is built for the target: it only runs when the build platform is the target platform`),
          );
        }
      }
    }
    return edits;
  },
};
