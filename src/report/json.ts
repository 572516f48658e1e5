/**
 * The machine-readable report (`--report FILE`, `--json`). Written atomically: a reader never sees
 * half a report, even if the run is interrupted while writing.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FleetReport } from './types.ts';

export function renderJson(report: FleetReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export async function writeJsonReport(file: string, report: FleetReport): Promise<void> {
  const abs = path.resolve(file);
  await mkdir(path.dirname(abs), { recursive: true });
  const tmp = `${abs}.${process.pid}.tmp`;
  await writeFile(tmp, renderJson(report));
  await rename(tmp, abs);
}
