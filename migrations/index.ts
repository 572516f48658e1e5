/**
 * The recipes, in the order they run. Each one sees the file as the previous ones left it, so a
 * recipe only has to know about its own part of the target shape.
 */
import type { DockerfileRecipe } from '../src/migrate/recipe.ts';
import { fromAsCasing } from './from-as-casing/index.ts';
import { emulatedStageNote } from './emulated-stage-note/index.ts';
import { archBuildArg } from './arch-build-arg/index.ts';
import { staleGoEnv } from './stale-go-env/index.ts';
import { targetArgsLate } from './target-args-late/index.ts';
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
 * Recipes grouped in phases. A recipe sees the file as the earlier phases left it; recipes of
 * one phase read the same model and their edits are applied together (they touch different
 * text), which saves re-reading the file after every recipe. Order inside a phase still matters
 * for insertions at the same place.
 */
export const recipePhases: DockerfileRecipe[][] = [
  // Shape of the file: casing, the xx stage, platforms, the ARCH build-arg, P10 notes, stale
  // GOARCH/GOOS.
  [fromAsCasing, xxStage, emulatedStageNote, archBuildArg, buildPlatform, staleGoEnv],
  // Module download out of the compile RUN; target ARGs declared where first read, once the ARCH
  // clean-up has settled who reads them.
  // (A phase that changes nothing costs nothing.)
  [splitModuleDownload, targetArgsLate],
  // The cross toolchain around the compile.
  [xxToolchain, cgoExplicit, xxGoWrap, xxVerify, stripOnTarget, guardBinaryExec, unameTargetArch],
];

export const dockerfileRecipes: DockerfileRecipe[] = recipePhases.flat();

export { buildArgsArch, type BuildFile } from './build-args-arch/index.ts';
