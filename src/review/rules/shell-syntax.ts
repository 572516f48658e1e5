/**
 * A RUN the shell grammar cannot read usually fails the build; in a hand migration it is most
 * often a dangling `&&` or a lost line continuation around the inserted `xx-go --wrap`.
 */
import { DOCS } from '../docs.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

export const shellSyntax: Rule = {
  id: 'shell-syntax',
  severity: 'warning',
  title: 'A RUN command is not valid shell',
  docs: DOCS.dockerfileParse,
  check(ctx: ReviewContext) {
    for (const instr of ctx.model.instructions) {
      // Exec form has no shell to be wrong: its view is marked not editable, not broken.
      if (instr.execForm) continue;
      const at = instr.shell?.errorAt;
      if (at === undefined) continue;
      ctx.report(this, { start: at, end: at + 1 }, 'the shell cannot parse this RUN here (a dangling &&, an unclosed quote or a lost line continuation?)', 'check the operators and the line continuations around this point');
    }
  },
};
