/**
 * Target shape 2: every stage that compiles runs on the build platform, set where its lineage
 * starts (a stage built `FROM` another inherits its platform). Leaf stages and `--target`s keep
 * the target platform; analysis refuses a lineage shared with a final image.
 */
import { replace, type Edit } from '../../src/edits/edit.ts';
import { buildPlatformRoots } from '../../src/dockerfile/analysis.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';

export const buildPlatform: DockerfileRecipe = {
  id: 'build-platform',
  title: 'Run compile stages on $BUILDPLATFORM',
  apply({ analysis }) {
    const edits: Edit[] = [];
    for (const root of buildPlatformRoots(analysis)) {
      if (root.platform === 'build') continue;
      const stages = [...analysis.facts.values()].filter((f) => f.crossCompile).map((f) => f.stage.name ?? String(f.stage.index));
      const why = `compile stage ${stages.map((s) => `"${s}"`).join(', ')} runs natively and cross-compiles, instead of running every step under QEMU for arm64`;
      const flag = root.platformFlag;
      if (flag) edits.push(replace(flag.start, flag.end, '--platform=$BUILDPLATFORM', why));
      else edits.push(replace(root.imageStart, root.imageStart, '--platform=$BUILDPLATFORM ', why));
    }
    return edits;
  },
};
