/** A rule: its metadata and a check over the review context (apart from types.ts, which the context reads). */
import type { ReviewContext } from './context.ts';
import type { RuleMeta } from './types.ts';

export interface Rule extends RuleMeta {
  check(ctx: ReviewContext): void;
}
