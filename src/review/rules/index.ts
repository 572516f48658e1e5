/** Every rule, in the order findings are reported. Adding a rule: one file, one line here. */
import type { Rule } from '../rule.ts';
import { archBuildArg, archInBuildPlatformStage } from './arch.ts';
import { duplicateStageName, fromAsCasing, fromPlatformFlagConst, redundantTargetPlatform, stageNameCasing, undefinedArgInFrom } from './buildkit.ts';
import { cgoImplicit, cgoWithoutTargetLibs, targetLibNativeInstall } from './cgo.ts';
import { compileStageWithoutTargetArg, crossSetupMissing } from './cross-setup.ts';
import { compileLeftEmulated, emulatedStageUnmarked } from './emulated.ts';
import { emulatedNoteOnBuildPlatform } from './emulated-note.ts';
import { finalStageOnBuildPlatform } from './final-stage.ts';
import { staleGoarch } from './goarch.ts';
import { nativeGoAfterWrap } from './native-go.ts';
import { goInstallGobinCross } from './gobin.ts';
import { platformArgDefault } from './platform-arg-default.ts';
import { platformEnvConstant } from './platform-env-constant.ts';
import { unguardedCrossBinaryRun } from './run-binary.ts';
import { shellSyntax } from './shell-syntax.ts';
import { hostStripCrossOutput } from './strip.ts';
import { targetArgUndeclared, xxWithoutTargetArg } from './target-args.ts';
import { workAfterTargetArg } from './target-independent.ts';
import { wrapSwallowsCommand } from './wrap.ts';
import { xxImageNotMirror, xxImageUnpinned, xxNotCopied, xxVerifyMissing, xxVerifyStaticSeveralFiles, xxVerifyWithoutFile } from './xx.ts';

export const RULES: readonly Rule[] = [
  compileLeftEmulated,
  emulatedStageUnmarked,
  emulatedNoteOnBuildPlatform,
  crossSetupMissing,
  compileStageWithoutTargetArg,
  wrapSwallowsCommand,
  targetArgUndeclared,
  platformArgDefault,
  platformEnvConstant,
  xxWithoutTargetArg,
  archInBuildPlatformStage,
  archBuildArg,
  staleGoarch,
  finalStageOnBuildPlatform,
  hostStripCrossOutput,
  unguardedCrossBinaryRun,
  nativeGoAfterWrap,
  goInstallGobinCross,
  cgoWithoutTargetLibs,
  cgoImplicit,
  targetLibNativeInstall,
  xxNotCopied,
  xxImageNotMirror,
  xxImageUnpinned,
  xxVerifyMissing,
  xxVerifyWithoutFile,
  xxVerifyStaticSeveralFiles,
  workAfterTargetArg,
  fromAsCasing,
  fromPlatformFlagConst,
  redundantTargetPlatform,
  duplicateStageName,
  stageNameCasing,
  undefinedArgInFrom,
  shellSyntax,
];

/** Every rule id: what recipes may say they fix (checked when the recipes load). */
export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));
