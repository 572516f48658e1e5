/**
 * Target shape 4: in a stage that cross-compiles, a target ARG (`TARGETPLATFORM`, `TARGETARCH`,
 * `TARGETOS`, `TARGETVARIANT`) makes every step after it run once per platform. Declared at the
 * top of the stage, it forks the clone, the patches and `go mod download` for nothing; so each
 * declaration moves right above the first step that reads it, and one nothing reads any more
 * (after the ARCH clean-up turned a tool download to BUILDARCH) goes.
 */
import { attachedCommentStart, deleteLines, insertLinesBefore, type Edit } from '../../src/edits/edit.ts';
import { commandsOf, inheritedTargetArg, isXxTool, TARGET_ARGS, varsUsed } from '../../src/dockerfile/stage-questions.ts';
import type { Instruction } from '../../src/dockerfile/model.ts';
import { baseName } from '../../src/dockerfile/shell.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

export const targetArgsLate: DockerfileRecipe = {
  id: 'target-args-late',
  title: 'Declare target ARGs right above their first use',
  phase: 2,
  fixes: ['compile-left-emulated', 'compile-stage-without-target-arg', 'platform-arg-undeclared', 'xx-without-target-arg', 'work-after-target-arg'],
  apply(ctx) {
    const { analysis, source } = ctx;
    const edits: Edit[] = [];
    for (const f of analysis.facts.values()) {
      // A stage someone already wrapped is theirs: its ARG placement is not ours to rearrange.
      if (!f.crossCompile || f.wraps.length > 0) continue;
      const stage = f.stage;
      // It inherits a target ARG from its parent stage: every step forks anyway, moving gains nothing.
      if (inheritedTargetArg(stage)) continue;
      const compileInstrs = new Set(f.compiles.map((c) => c.instruction));
      // An ARG is an environment variable for RUN: make and scripts may read it unseen, so a
      // RUN that runs them counts as a reader too.
      const opaque = (instr: Instruction) =>
        compileInstrs.has(instr) || commandsOf(instr).some((c) => /^g?make$/.test(baseName(c.name)) || c.name.includes('/') || c.name.endsWith('.sh'));
      const reads = (instr: Instruction, name: string) =>
        varsUsed(instr).includes(name) || opaque(instr) || (name === 'TARGETPLATFORM' && commandsOf(instr).some(isXxTool));
      for (const decl of stage.args) {
        if (!TARGET_ARGS.has(decl.name) || decl.defaultValue !== undefined) continue;
        const instr = decl.instruction;
        if (stage.args.filter((a) => a.instruction === instr).length !== 1) continue;
        const later = stage.instructions.filter((i) => i.index > instr.index);
        const firstUse = later.find((i) => reads(i, decl.name));
        if (!firstUse) continue;
        // Only steps that do work gain from running once; ENV/LABEL/WORKDIR lines cost nothing.
        // A step that already depends on the target (xx-apk after ARG TARGETPLATFORM) forks anyway.
        const independent = (i: Instruction) => ![...TARGET_ARGS].some((n) => reads(i, n));
        const between = later.filter((i) => i.index < firstUse.index && (i.keyword === 'RUN' || i.keyword === 'COPY' || i.keyword === 'ADD') && independent(i));
        if (between.length === 0) continue;
        const line = attachedCommentStart(source, firstUse.line);
        edits.push(deleteLines(source, instr.line, instr.endLine, `${decl.name} moves down to its first use (line ${ctx.originalLine(firstUse.line)}): the steps above it no longer depend on the target, so they run once for all platforms`));
        edits.push(insertLinesBefore(source, line, [source.text.slice(instr.start, instr.end)], `${decl.name} declared right above the first step that reads it`));
      }
    }
    return edits;
  },
};
