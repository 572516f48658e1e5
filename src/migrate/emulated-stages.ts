/**
 * An `emulatedStages` entry (repos.yaml) or `--emulate` that names no stage of the checkout's
 * Dockerfiles is a typo, or a stage renamed upstream since the entry was written: the stage it
 * meant would be cross-compiled against its owner's word. One check, for the CLI and the fleet.
 */
import type { EmulatedStage } from './types.ts';

export interface StagesOf {
  /** The Dockerfile's path, relative to the checkout. */
  path: string;
  stages: { name?: string; index: number }[];
}

export interface UnknownEmulatedStage {
  stage: EmulatedStage;
  problem: string;
  hint: string;
}

/** The first entry that matches no stage (by name, case-insensitive, or by index) of any of the files. */
export function unknownEmulatedStage(files: StagesOf[], asked: EmulatedStage[]): UnknownEmulatedStage | undefined {
  if (files.length === 0) return undefined;
  for (const e of asked) {
    const wanted = e.stage.toLowerCase();
    if (files.some((f) => f.stages.some((s) => s.name?.toLowerCase() === wanted || String(s.index) === e.stage))) continue;
    const names = [...new Set(files.flatMap((f) => f.stages.flatMap((s) => (s.name ? [s.name.toLowerCase()] : []))))].sort();
    const fromConfig = e.source !== undefined && e.source !== '--emulate';
    return {
      stage: e,
      problem: `no stage named "${e.stage}" in ${files.map((f) => f.path).join(', ')}${names.length ? ` (stages: ${names.join(', ')})` : ' (no named stages)'}`,
      hint: fromConfig ? 'name a stage of the Dockerfile (as in FROM ... AS NAME) or remove the entry; was the stage renamed upstream?' : 'name a stage of the Dockerfile, as in FROM ... AS NAME',
    };
  }
  return undefined;
}
