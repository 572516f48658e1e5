/**
 * Which files of a pull request the review action looks at: the files changed between the PR's
 * base commit and the checked-out head that match the `paths` globs. Deleted files are not
 * reviewed (there is nothing left to annotate).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { globToRegExp } from '../files/glob.ts';

const exec = promisify(execFile);

export const DEFAULT_PATTERNS = ['Dockerfile', 'Dockerfile.*', '*.Dockerfile', '**/Dockerfile', '**/Dockerfile.*', '**/*.Dockerfile'];

export { globToRegExp } from '../files/glob.ts';

export function matchFiles(files: string[], patterns: string[]): string[] {
  const res = patterns.map((p) => globToRegExp(p));
  return files.filter((f) => res.some((r) => r.test(f)));
}

export class ChangedFilesError extends Error {}

/** `review --changed-since BASE --match GLOBS`: the changed files to review, repository-relative. */
export async function changedDockerfiles(cwd: string, base: string, globs?: string): Promise<string[]> {
  const patterns = (globs ?? '').split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
  let files: string[];
  try {
    files = await changedFiles(cwd, base);
  } catch (e) {
    const first = ((e as { stderr?: string }).stderr || (e as Error).message).trim().split('\n')[0];
    throw new ChangedFilesError(`cannot list the files changed since ${base}: ${first} (is the base commit fetched? git fetch --depth=1 origin ${base})`);
  }
  return matchFiles(files, patterns.length ? patterns : DEFAULT_PATTERNS);
}

/** Files added, modified, renamed or copied from `base` to `head`, as git names them (repository-relative). */
export async function changedFiles(cwd: string, base: string, head = 'HEAD'): Promise<string[]> {
  if (!/^[0-9a-f]{7,64}$/i.test(base) && !/^[\w./-]+$/.test(base)) throw new Error(`not a commit: ${JSON.stringify(base)}`);
  const { stdout } = await exec('git', ['diff', '--name-only', '-z', '--diff-filter=AMRC', '--no-renames', base, head, '--'], { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\0').filter(Boolean);
}
