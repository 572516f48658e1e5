/**
 * P5: a binary built for the target cannot run on the build platform. A step that runs it
 * (`widgetd --version` as a smoke test) is guarded with `if ! xx-info is-cross; then ...; fi`: it
 * still runs where build and target platforms match, and is skipped for foreign targets. Which
 * steps run a built binary is the facts' answer, the one the unguarded-cross-binary-run rule reads.
 */
import { isGoTest } from '../../src/dockerfile/commands.ts';
import { wrapInCondition } from '../../src/edits/shell-edits.ts';
import type { Edit } from '../../src/edits/edit.ts';
import { UnsafeMigrationError, type DockerfileRecipe } from '../../src/migrate/recipe.ts';
import type { ShellCommand } from '../../src/dockerfile/shell.ts';
import type { Instruction } from '../../src/dockerfile/model.ts';

export const guardBinaryExec: DockerfileRecipe = {
  id: 'guard-binary-exec',
  title: 'Guard executions of the built binaries',
  phase: 3,
  fixes: ['unguarded-cross-binary-run'],
  partOf: ['compile-left-emulated'],
  apply(ctx) {
    const { facts } = ctx;
    const edits: Edit[] = [];
    // The compiles that build for the target once this phase's wrap is in: the stages the
    // migration cross-compiles, and those that already do.
    const cross = facts.compiles().filter((c) => c.cross || facts.stage(c.stage).crossCompile);
    if (cross.length === 0) return edits;
    const guard = (instr: Instruction, cmd: ShellCommand, why: string) => {
      if (cmd.writes.length > 0) {
        // Skipped under emulation-free builds, it would not write the file the image may need.
        throw new UnsafeMigrationError(
          `line ${ctx.originalLine(instr.line)}: the built binary "${cmd.name}" writes ${cmd.writes.join(', ')}, and it cannot run on the build platform`,
          instr.line,
          'generate the file in a stage on the target platform (or with a native build of the tool), then run the migration again',
        );
      }
      if (instr.shell!.errorAt !== undefined || !cmd.statement.elements[cmd.element]) {
        throw new UnsafeMigrationError(`line ${ctx.originalLine(instr.line)}: the built binary "${cmd.name}" runs in a command that cannot be guarded`, instr.line, 'guard it by hand: if ! xx-info is-cross; then ...; fi');
      }
      edits.push(...wrapInCondition(cmd, '! xx-info is-cross', why));
    };
    for (const stage of ctx.model.stages) {
      if (stage.platform === 'target' && !facts.buildPlatformStages().has(stage)) continue;
      for (const run of facts.binaryRuns(stage, cross)) {
        if (run.guarded) continue;
        if (!run.command) {
          throw new UnsafeMigrationError(`line ${ctx.originalLine(run.instruction.line)}: the built binary runs in an exec-form RUN, which cannot be guarded`, run.instruction.line, 'write it as a shell-form RUN guarded by: if ! xx-info is-cross; then ...; fi');
        }
        guard(run.instruction, run.command, `"${run.binary}" is built for the target: it only runs when the build platform is the target platform`);
      }
      // After the wrap, `go test` builds test binaries for the target: they run only natively.
      const own = cross.filter((c) => c.stage === stage);
      for (const instr of stage.instructions) {
        for (const cmd of instr.shell?.commands ?? []) {
          if (!isGoTest(cmd) || !own.some((c) => c.instruction.index < instr.index || (c.instruction === instr && c.command.start < cmd.start))) continue;
          if (facts.isGuarded(instr, cmd)) continue;
          guard(instr, cmd, 'after xx-go --wrap, go test builds test binaries for the target: they only run when the build platform is the target platform');
        }
      }
    }
    return edits;
  },
};
