/**
 * The one input the facts of a Dockerfile are computed from, besides its model: what the
 * repository's configuration and build files say about how it is built. The migration, the review,
 * delivery, timing and the CLI all hand this same value on instead of copying its fields into
 * option types of their own.
 */
import type { MakefileFacts, MakeVar } from './build-files.ts';

export const DEFAULT_XX_IMAGE = 'rancher/mirrored-tonistiigi-xx:1.6.1';

export interface EmulatedStage {
  /** Stage name (case-insensitive) or index. */
  stage: string;
  reason: string;
  /** Where it was asked for, for messages: `repos.yaml:14`, `--emulate`. */
  source?: string;
}

export interface FactsInput {
  /** The xx image for the cross-compilation helpers (the fleet's: the Rancher mirror by default). */
  readonly xxImage: string;
  /** `--target` names that the Makefile and workflows build: they are final stages too. */
  readonly targets: readonly string[];
  /** Stages deliberately left emulated (P10), by name or index, with the reason. */
  readonly emulatedStages: readonly EmulatedStage[];
  /** Build-args the checkout's Makefile and workflows pass with a value (what an `ARG` without default gets). */
  readonly buildArgs: Readonly<Record<string, string>>;
  /** Variables the checkout's Makefile sets (a `make` build in the Dockerfile runs with them). */
  readonly makeVars: Readonly<Record<string, MakeVar>>;
  /** The checkout's Makefile: which goals run `go install` with GOBIN set (a `make` in the build context runs it). */
  readonly makefile?: MakefileFacts;
}

/** The input with defaults for what is not given; only the input's own fields are kept. */
export function factsInput(given: Partial<FactsInput> = {}): FactsInput {
  return Object.freeze({
    xxImage: given.xxImage ?? DEFAULT_XX_IMAGE,
    targets: given.targets ?? [],
    emulatedStages: given.emulatedStages ?? [],
    buildArgs: given.buildArgs ?? {},
    makeVars: given.makeVars ?? {},
    ...(given.makefile ? { makefile: given.makefile } : {}),
  });
}

/** A checkout's migration options (repos.yaml and the CLI fill them): the part of the facts input a user sets, and dry run. */
export interface MigrateOptions {
  /** The xx image for the cross-compilation helpers. */
  xxImage: string;
  /** Dockerfile paths relative to the checkout; default: `Dockerfile`. */
  dockerfiles: string[];
  /** Stages to leave emulated (P10), with the reason shown in the file and the report. */
  emulatedStages: EmulatedStage[];
  /** Compute everything, write nothing. */
  dryRun: boolean;
}

export const DEFAULT_OPTIONS: MigrateOptions = {
  xxImage: DEFAULT_XX_IMAGE,
  dockerfiles: ['Dockerfile'],
  emulatedStages: [],
  dryRun: false,
};
