/**
 * Item 7 of issue 7: `ARG TARGETARCH=amd64` (a default on any automatic platform ARG) makes
 * BuildKit treat the ARG as set by the user, so every platform of a multi-platform build gets the
 * default: the arm64 image silently holds amd64 binaries (docker/buildx#510). The default goes;
 * BuildKit fills the ARG per platform. The review's `platform-arg-default` rule is the same check.
 */
import { replace, type Edit } from '../../src/edits/edit.ts';
import { platformArgDefaults } from '../../src/dockerfile/shared-checks.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

export const platformArgDefault: DockerfileRecipe = {
  id: 'platform-arg-default',
  title: 'Drop defaults from automatic platform ARGs',
  phase: 1,
  fixes: ['platform-arg-default'],
  apply({ model }) {
    const edits: Edit[] = [];
    for (const d of platformArgDefaults(model)) {
      edits.push(replace(d.start, d.end, '', `a default on ${d.decl.name} makes BuildKit use "${d.decl.defaultValue}" for every platform (docker/buildx#510): BuildKit sets ${d.decl.name} per platform by itself`));
    }
    return edits;
  },
};
