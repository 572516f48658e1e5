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
  phase: 1,
  fixes: ['final-stage-on-build-platform'],
  partOf: ['compile-left-emulated'],
  apply(ctx) {
    const { analysis, facts } = ctx;
    const edits: Edit[] = [];
    for (const root of buildPlatformRoots(analysis)) {
      if (root.platform === 'build') continue;
      const stages = [...analysis.facts.values()].filter((f) => f.crossCompile).map((f) => f.stage.name ?? String(f.stage.index));
      const why = `compile stage ${stages.map((s) => `"${s}"`).join(', ')} runs natively and cross-compiles, instead of running every step under QEMU for arm64`;
      const flag = root.platformFlag;
      if (flag) edits.push(replace(flag.start, flag.end, '--platform=$BUILDPLATFORM', why));
      else edits.push(replace(root.imageStart, root.imageStart, '--platform=$BUILDPLATFORM ', why));
    }
    // A final image must be built for the target: a hand migration that moved it is undone.
    for (const { stage } of facts.finalStagesOnBuildPlatform()) {
      if (!stage.platformFlag || buildPlatformRoots(analysis).has(stage)) continue;
      const flag = stage.platformFlag;
      let end = flag.end;
      while (/[ \t]/.test(analysis.model.source.text[end] ?? '')) end++;
      edits.push(replace(flag.start, end, '', `${stage.name ? `"${stage.name}"` : `the final stage at line ${ctx.originalLine(stage.from.line)}`} is an image the repository ships: it must be built for the target platform, not $BUILDPLATFORM`));
    }
    return edits;
  },
};
