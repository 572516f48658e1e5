/**
 * The cache folder: one workspace per repository at `<cache>/<owner>/<name>`, generated remotes of
 * local sources at `<cache>/_remotes`, clones in progress at `<cache>/_tmp`. GitHub owners cannot
 * contain `_`, so these folders never clash with a workspace.
 *
 * One run at a time owns a cache (a pid lock file): that is what makes it safe to delete leftovers
 * of a crashed run (temp clones, git lock files) without asking.
 */
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
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
 * A dead run's lock is removed only by the run holding `.lock.takeover` (taken the same way), so
 * two runs finding the same stale lock cannot both remove it and each take the cache.
 */
async function takeLock(root: string, lockFile: string): Promise<void> {
  const mine = path.join(root, `.lock.${process.pid}.${Math.random().toString(36).slice(2)}`);
  const takeover = path.join(root, '.lock.takeover');
  try {
    await writeFile(mine, String(process.pid), { flag: 'wx' });
  } catch (err) {
    // A full disk: leave no empty file behind.
    await rm(mine, { force: true });
    throw toFileError(err, 'write', lockFile);
  }
  try {
    for (let attempt = 0; ; attempt++) {
      if (await linked(mine, lockFile)) return;
      const held = await readFile(lockFile, 'utf8').catch(() => '');
      const pid = Number.parseInt(held, 10);
      // Our own pid counts as busy too: another run in this same process holds it.
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw new CacheBusyError(root, pid);
      if (attempt > 200) throw new CacheBusyError(root, pid);
      if (held === '') continue; // removed meanwhile: try again
      // The owner died (a crash, a second Ctrl-C): the lock is stale.
      if (!(await linked(mine, takeover))) {
        // Another run is taking over (a moment's work); one left by a crash is old.
        const since = await stat(takeover).then((st) => Date.now() - st.mtimeMs).catch(() => 0);
        if (since > 10_000) await rm(takeover, { force: true });
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      try {
        if ((await readFile(lockFile, 'utf8').catch(() => '')) === held) await rm(lockFile, { force: true });
        if (await linked(mine, lockFile)) return;
      } finally {
        await rm(takeover, { force: true });
      }
    }
  } finally {
    await rm(mine, { force: true });
  }
}

async function linked(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** For tests and tools: write a lock as if another process held it. */
export async function writeLockForPid(dir: string, pid: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, '.lock'), String(pid));
}
