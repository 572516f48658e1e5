/**
 * The recipes, in the order they run. Each one sees the file as the previous ones left it, so a
 * recipe only has to know about its own part of the target shape.
 */
import { defineRecipes, type DockerfileRecipe, type RecipeSet } from '../src/migrate/recipe.ts';
import { buildArgsArch } from './build-args-arch/index.ts';
import { fromAsCasing } from './from-as-casing/index.ts';
import { platformArgDefault } from './platform-arg-default/index.ts';
import { emulatedStageNote } from './emulated-stage-note/index.ts';
import { splitLineage } from './split-lineage/index.ts';
import { archBuildArg } from './arch-build-arg/index.ts';
import { staleGoEnv } from './stale-go-env/index.ts';
import { goInstallGobin } from './go-install-gobin/index.ts';
import { targetArgsLate } from './target-args-late/index.ts';
import { targetIndependentFirst } from './target-independent-first/index.ts';
import { splitModuleDownload } from './split-module-download/index.ts';
import { xxStage } from './xx-stage/index.ts';
import { buildPlatform } from './build-platform/index.ts';
import { xxToolchain } from './xx-toolchain/index.ts';
import { cgoExplicit } from './cgo-explicit/index.ts';
import { xxGoWrap } from './xx-go-wrap/index.ts';
import { xxVerify } from './xx-verify/index.ts';
import { stripOnTarget } from './strip-on-target/index.ts';
import { guardBinaryExec } from './guard-binary-exec/index.ts';
import { unameTargetArch } from './uname-target-arch/index.ts';

/**
 * Every Dockerfile recipe, in the order it runs. Each declares its phase (recipes of one phase read
 * the same model and their edits are applied together; the file is re-read between phases), so
 * adding a recipe touches only its folder and this list. Order inside a phase still matters for
 * insertions at the same place.
 */
export const dockerfileRecipes: DockerfileRecipe[] = [
  fromAsCasing,
  platformArgDefault,
  xxStage,
  emulatedStageNote,
  splitLineage,
  archBuildArg,
  buildPlatform,
  staleGoEnv,
  goInstallGobin,
  splitModuleDownload,
  targetIndependentFirst,
  targetArgsLate,
  xxToolchain,
  cgoExplicit,
  xxGoWrap,
  xxVerify,
  stripOnTarget,
  guardBinaryExec,
  unameTargetArch,
];

/** What the CLI and the fleet hand to the engine, checked as it loads (every rule a recipe names exists). */
export const recipes: RecipeSet = defineRecipes({ dockerfile: dockerfileRecipes, buildFiles: [buildArgsArch] });

export { buildArgsArch };
