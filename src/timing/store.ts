/**
 * Timing results on disk, one JSON file per digest, validated on read and on write. A result
 * with a failed build is not reused (the failure may have been the machine's, not the file's);
 * timeouts and successes are.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseTimingResult, TimingResultSchema, type TimingResult } from './result.ts';
import { writeFileAtomically } from '../files/atomic-write.ts';

export interface TimingStore {
  get(digest: string): Promise<TimingResult | undefined>;
  put(result: TimingResult): Promise<void>;
}

export class FileTimingStore implements TimingStore {
  constructor(readonly dir: string) {}

  private file(digest: string): string {
    return path.join(this.dir, `${digest.replace(/^sha256:/, '')}.json`);
  }

  async get(digest: string): Promise<TimingResult | undefined> {
    const file = this.file(digest);
    const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (text === undefined) return undefined;
    const result = parseTimingResult(text, file);
    if (result.digest !== digest) return undefined;
    if (result.measurements.some((m) => m.status === 'failed')) return undefined;
    return { ...result, reused: true };
  }

  async put(result: TimingResult): Promise<void> {
    const valid = TimingResultSchema.parse({ ...result, reused: undefined });
    await fs.mkdir(this.dir, { recursive: true });
    const file = this.file(valid.digest);
    // Exclusive random temp name + rename (src/files): a planted symlink at a predictable name is never followed.
    await writeFileAtomically(file, JSON.stringify(valid, null, 2) + '\n', 0o644, { sync: false });
  }
}
