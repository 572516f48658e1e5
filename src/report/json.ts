/**
 * The machine-readable report (`--report FILE`, `--json`). Written atomically: a reader never sees
 * half a report, even if the run is interrupted while writing.
 */
import { writeFileAtomically } from '../files/atomic-write.ts';
import type { FleetReport } from './types.ts';

export function renderJson(report: FleetReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Atomic and exclusive (src/files/atomic-write.ts); the folder must exist, it is never created. */
export async function writeJsonReport(file: string, report: FleetReport): Promise<void> {
  await writeFileAtomically(file, renderJson(report));
}
