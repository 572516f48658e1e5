/**
 * The images the repository ships must be built for the target (P9): a final stage on
 * $BUILDPLATFORM produces an amd64 image labelled arm64.
 */
import { DOCS } from '../docs.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

/** Leaves that are checks, not images: a lint or test stage may run natively. */
const CHECK_STAGE = /(^|[-_.])(tests?|unit|lint(er)?|validate|validation|checks?|verify|vet|fmt|ci|e2e|integration|coverage|sanity|bench|generate|codegen|gen)([-_.]|$)/i;

export const finalStageOnBuildPlatform: Rule = {
  id: 'final-stage-on-build-platform',
  severity: 'error',
  title: 'A final image stage runs on the build platform',
  docs: DOCS.crossCompile,
  check(ctx: ReviewContext) {
    const targets = new Set((ctx.opts.targets ?? []).map((t) => t.toLowerCase()));
    for (const stage of ctx.analysis.finalStages) {
      if (stage.platform !== 'build' || ctx.facts(stage).isXx) continue;
      const named = !!stage.name && targets.has(stage.name.toLowerCase());
      const isCheck = !named && !!stage.name && CHECK_STAGE.test(stage.name);
      const how = stage.platformFlag ? `FROM --platform=${stage.platformFlag.value}` : `its base stage ${ctx.stageLabel(stage.base!)}`;
      const role = named ? 'a --target the build names' : 'a final stage (nothing builds on it)';
      ctx.reportStage(
        this,
        stage,
        `stage ${ctx.stageLabel(stage)} is ${role} but runs on the build platform through ${how}: every platform's image would contain build-machine binaries`,
        stage.platformFlag
          ? 'remove --platform=$BUILDPLATFORM from this FROM; the final image must stay on the target platform'
          : 'base the final stage on a target-platform image and COPY --from the builder instead',
        isCheck ? 'warning' : undefined,
      );
    }
  },
};
