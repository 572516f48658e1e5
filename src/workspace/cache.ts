/**
 * The cache folder: one workspace per repository at `<cache>/<owner>/<name>`, generated remotes of
 * local sources at `<cache>/_remotes`, clones in progress at `<cache>/_tmp`. GitHub owners cannot
 * contain `_`, so these folders never clash with a workspace.
 *
 * One run at a time owns a cache (a pid lock file): that is what makes it safe to delete leftovers
 * of a crashed run (temp clones, git lock files) without asking.
 */
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
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
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockFile, 'wx');
      try {
        await handle.writeFile(String(process.pid));
      } catch (err) {
        // A full disk: leave no empty lock behind.
        await handle.close().catch(() => {});
        await rm(lockFile, { force: true });
        throw toFileError(err, 'write', lockFile);
      }
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const pid = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
      // Our own pid counts as busy too: another run in this same process holds it.
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new CacheBusyError(root, pid);
      // The owner died (a crash, a second Ctrl-C): the lock is stale.
      await rm(lockFile, { force: true });
    }
  }
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

/** For tests and tools: write a lock as if another process held it. */
export async function writeLockForPid(dir: string, pid: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, '.lock'), String(pid));
}
