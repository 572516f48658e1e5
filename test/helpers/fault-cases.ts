/**
 * What every fault-matrix case (test/cli/faults-*.test.ts, issue 8) shares: fresh folders, the
 * inputs (a checkout of pattern P02, a one-repository local fleet) and `expectClean`, the checks
 * each case makes on the CLI's exit code, message, temp files and leaked token fragments.
 */
import { chmodSync, cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { leakedFragment, leakInFiles, stackLines, strayTemps, TEST_TOKEN, type CliResult } from './cli-process.ts';
import { removeAtFileEnd } from './file-temps.ts';
import { tempDir } from './repos.ts';

export const fresh = (prefix = 'ibm-fault-') => removeAtFileEnd(tempDir(prefix));
export const P02 = path.resolve('test/fixtures/patterns/P02-arch-build-arg');
export const ENV = { GITHUB_TOKEN: TEST_TOKEN };

/**
 * The common assertions: no stack, no token fragment in the output or the files of `dirs` (the
 * folders written to; a case whose input holds the token passes `scan` without the input folder),
 * one `error:` line matching `message`, no temp file left in `dirs`.
 */
export function expectClean(r: CliResult, code: number, message: RegExp | undefined, dirs: string[], scan = dirs): void {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code });
  expect(stackLines(r.stderr)).toEqual([]);
  expect(leakedFragment(r.stdout), 'token fragment in stdout').toBeUndefined();
  expect(leakedFragment(r.stderr), 'token fragment in stderr').toBeUndefined();
  expect(leakInFiles(...scan), 'token fragment in a file').toBeUndefined();
  if (message) {
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors, r.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  }
  for (const d of dirs) expect(strayTemps(d), `temp files left in ${d}`).toEqual([]);
}

export function p02Checkout(): string {
  const dir = fresh();
  cpSync(path.join(P02, 'before'), dir, { recursive: true });
  chmodSync(path.join(dir, 'Makefile'), 0o640);
  chmodSync(path.join(dir, 'Dockerfile'), 0o600);
  return dir;
}


/** A one-repository local fleet (no network): a folder of repositories and its repos.yaml. */
export function localFleet(): { dir: string; config: string; cache: string } {
  const dir = fresh();
  cpSync(path.join(P02, 'before'), path.join(dir, 'repos', 'image-build-gadget'), { recursive: true });
  const config = path.join(dir, 'repos.yaml');
  writeFileSync(config, 'version: 1\nsource:\n  type: local\n  path: repos\n  owner: example\nnamePattern: image-build-*\n');
  return { dir, config, cache: path.join(dir, 'cache') };
}
