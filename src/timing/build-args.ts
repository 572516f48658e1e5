/**
 * The build-args a timed build gets from its variant's build files: those the Makefile and
 * workflows pass with a value they spell out (`--build-arg TAG=$(TAG)` with `TAG ?= v1.3.0`), as
 * a real build of that variant gets them. ARCH is the timing's own (the platform's arch for the
 * before build; the Makefile's is the host's), and the platform ARGs are the engine's.
 */
import { buildArgValues, type BuildFile } from '../dockerfile/build-files.ts';

const TIMING_OWN = /^(ARCH|(TARGET|BUILD)(PLATFORM|OS|ARCH|VARIANT))$/;

export function timedBuildArgs(files: BuildFile[]): Record<string, string> {
  return Object.fromEntries(Object.entries(buildArgValues(files)).filter(([k]) => !TIMING_OWN.test(k)));
}
