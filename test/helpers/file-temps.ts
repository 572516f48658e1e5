/**
 * Temporary folders removed when the test file that made them ends (test/setup/per-file.ts), for
 * helpers that make them on a test's behalf: a helper module is imported once per worker, so an
 * afterAll of its own would run after the first file only.
 */
import { removeDir } from './repos.ts';

const temps: string[] = [];

export function removeAtFileEnd(dir: string): string {
  temps.push(dir);
  return dir;
}

export function removeRegisteredTemps(): void {
  for (const d of temps.splice(0)) removeDir(d);
}
