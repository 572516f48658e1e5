/**
 * The cache folder: one workspace per repository at `<cache>/<owner>/<name>`, generated remotes of
 * local sources at `<cache>/_remotes`, clones in progress at `<cache>/_tmp`. GitHub owners cannot
 * contain `_`, so these folders never clash with a workspace.
 *
 * One run at a time owns a cache (a pid lock file): that is what makes it safe to delete leftovers
 * of a crashed run (temp clones, git lock files) without asking.
 */
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RepoName } from '../config/names.ts';
import { toFileError } from '../files/fs-errors.ts';

export const DEFAULT_CACHE_DIR = '.cache/workspaces';

export class CacheBusyError extends Error {
  constructor(readonly cacheDir: string, readonly pid: number) {
    super(`the cache folder ${cacheDir} is in use by another run (pid ${pid}); wait for it, or pass --cache-dir DIR`);
    this.name = 'CacheBusyError';
  }
}

export interface Cache {
  root: string;
  tmpDir: string;
  remotesDir: string;
  workspaceDir(repo: RepoName): string;
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function openCache(dir: string): Promise<Cache> {
  const root = path.resolve(dir);
  await mkdir(root, { recursive: true });
  const lockFile = path.join(root, '.lock');
  await takeLock(root, lockFile);
  const tmpDir = path.join(root, '_tmp');
  // Half-made clones of a crashed run: never reused, always removed.
  await rm(tmpDir, { recursive: true, force: true });
  await mkdir(tmpDir, { recursive: true });
  const remotesDir = path.join(root, '_remotes');
  return {
    root,
    tmpDir,
    remotesDir,
    workspaceDir: (repo) => path.join(root, repo.owner, repo.name),
    release: async () => {
      await rm(tmpDir, { recursive: true, force: true });
      const owner = await readFile(lockFile, 'utf8').catch(() => '');
      if (owner === String(process.pid)) await rm(lockFile, { force: true });
    },
  };
}

/**
 * The lock appears with its pid already in it (written to a file of our own, then hard-linked
 * into place: link fails with EEXIST when the name exists). Created empty and filled afterwards,
 * a second run reading it in between saw no pid, took it for stale and got the cache too.
 */
async function takeLock(root: string, lockFile: string): Promise<void> {
  const mine = path.join(root, `.lock.${process.pid}.${Math.random().toString(36).slice(2)}`);
  try {
    await writeFile(mine, String(process.pid), { flag: 'wx' });
  } catch (err) {
    // A full disk: leave no empty file behind.
    await rm(mine, { force: true });
    throw toFileError(err, 'write', lockFile);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(mine, lockFile);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw err;
      }
      const held = await readFile(lockFile, 'utf8').catch(() => '');
      const pid = Number.parseInt(held, 10);
      // Our own pid counts as busy too: another run in this same process holds it.
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new CacheBusyError(root, pid);
      if (held === '') continue; // gone meanwhile: try again
      // The owner died (a crash, a second Ctrl-C): move the stale lock aside under a name of our
      // own, and only if what we moved is the dead run's lock. Two runs taking over at once: one
      // rename wins; the other moves nothing, or moves the winner's fresh lock and puts it back.
      const aside = `${mine}.stale`;
      try {
        await rename(lockFile, aside);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const moved = await readFile(aside, 'utf8').catch(() => '');
      if (moved !== held) {
        await link(aside, lockFile).catch(() => {});
        await rm(aside, { force: true });
        const other = Number.parseInt(moved, 10);
        throw new CacheBusyError(root, Number.isInteger(other) ? other : pid);
      }
      await rm(aside, { force: true });
    }
  } finally {
    await rm(mine, { force: true });
  }
}

/** For tests and tools: write a lock as if another process held it. */
export async function writeLockForPid(dir: string, pid: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, '.lock'), String(pid));
}
