/**
 * The images the repository ships must be built for the target (P9): a final stage on
 * $BUILDPLATFORM produces an amd64 image labelled arm64.
 */
import { DOCS } from '../docs.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

export const finalStageOnBuildPlatform: Rule = {
  id: 'final-stage-on-build-platform',
  severity: 'error',
  title: 'A final image stage runs on the build platform',
  docs: DOCS.crossCompile,
  check(ctx: ReviewContext) {
    for (const { stage, named, check: isCheck } of ctx.facts.finalStagesOnBuildPlatform()) {
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
