/**
 * A default on an automatic platform ARG (`ARG TARGETARCH=amd64`) is taken as a value the user
 * set: every platform of the build then gets the default (docker/buildx#510). The recipe
 * `platform-arg-default` fixes exactly what this rule reports (src/dockerfile/checks.ts).
 */
import { platformArgDefaults } from '../../dockerfile/checks.ts';
import { DOCS } from '../docs.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

export const platformArgDefault: Rule = {
  id: 'platform-arg-default',
  severity: 'error',
  title: 'An automatic platform ARG has a default, so every platform builds with it',
  docs: DOCS.platformArgs,
  check(ctx: ReviewContext) {
    for (const d of platformArgDefaults(ctx.model)) {
      ctx.report(
        this,
        { start: d.start - d.decl.name.length, end: d.end },
        `ARG ${d.decl.name}=${d.decl.defaultValue}: with a default, BuildKit uses "${d.decl.defaultValue}" for every target platform instead of setting ${d.decl.name} per platform (docker/buildx#510)`,
        `write "ARG ${d.decl.name}" without a default: BuildKit sets it for each platform`,
      );
    }
  },
};
