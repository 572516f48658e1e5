/**
 * ARGs do not cross FROM: `$TARGETARCH` in a stage that did not declare `ARG TARGETARCH` is
 * empty, and xx's helpers without a target ARG quietly set up for the build machine.
 */
import { baseName } from '../../dockerfile/shell.ts';
import type { Instruction, Stage } from '../../dockerfile/model.ts';
import { DOCS } from '../docs.ts';
import { envAt } from '../../dockerfile/env.ts';
import { PLATFORM_ARGS, SUBSTITUTING, type ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

function declared(stage: Stage, name: string, instr: Instruction): boolean {
  if (stage.args.some((a) => a.name === name && a.instruction.start < instr.start)) return true;
  return envAt(stage, name, instr.start)?.kind === 'env';
}

export const targetArgUndeclared: Rule = {
  id: 'platform-arg-undeclared',
  severity: 'error',
  title: 'A platform ARG is used in a stage that does not declare it',
  docs: DOCS.platformArgs,
  check(ctx: ReviewContext) {
    for (const stage of ctx.model.stages) {
      for (const instr of stage.instructions) {
        const refs = instr.shell
          ? instr.shell.varRefs.filter((r) => !instr.shell!.assigned.has(r.name))
          : SUBSTITUTING.has(instr.keyword) ? instr.vars : [];
        for (const r of refs) {
          if (!PLATFORM_ARGS.includes(r.name) || declared(stage, r.name, instr)) continue;
          ctx.report(
            this,
            r,
            `${r.name} is used in stage ${ctx.stageLabel(stage)} but not declared there: ARGs do not cross FROM, so it is empty here`,
            `add "ARG ${r.name}" in this stage before line ${instr.line}`,
          );
        }
      }
    }
  },
};

export const xxWithoutTargetArg: Rule = {
  id: 'xx-without-target-arg',
  severity: 'error',
  title: 'An xx helper runs before the target ARG is declared in its stage',
  docs: DOCS.xxInfo,
  check(ctx: ReviewContext) {
    for (const stage of ctx.model.stages) {
      if (!ctx.native(stage)) continue;
      for (const { instruction, command } of ctx.commands(stage)) {
        const name = baseName(command.name);
        if (!name.startsWith('xx-')) continue;
        if (ctx.targetArgBefore(stage, instruction.start)) continue;
        if (envAt(stage, 'TARGETPLATFORM', instruction.start)?.kind === 'env') continue;
        const what = name === 'xx-go' ? 'sets up Go' : name.startsWith('xx-apk') || name.startsWith('xx-apt') ? 'installs packages' : 'answers';
        ctx.report(
          this,
          command,
          `${name} runs in stage ${ctx.stageLabel(stage)} before ARG TARGETPLATFORM is declared there: it ${what} for the build machine, not the target`,
          'declare ARG TARGETPLATFORM in this stage before this RUN (after the target-independent steps)',
        );
      }
    }
  },
};
