/**
 * A workspace is a shallow, single-branch clone of one repository in the cache, reset to the
 * remote branch on every run. A clone is made in `_tmp` and renamed into place only when complete,
 * so an interrupted or failed clone never leaves a workspace that looks usable; a failed fetch or
 * reset discards the workspace and clones once more.
 */
import { access, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RepoName } from '../config/names.ts';
import type { Cache } from './cache.ts';
import { git, gitErrorMessage, type GitAuth } from './git.ts';
import { isPristine, recordPristine } from './pristine.ts';
import { readHeadRef, readRef } from './refs.ts';

export interface WorkspaceRequest {
  repo: RepoName;
  /** Clone URL without credentials: https://…/owner/name.git or file:///…/name.git */
  url: string;
  branch: string;
  auth?: GitAuth;
  signal?: AbortSignal;
  idleTimeoutMs?: number;
  /** The remote branch's commit when already known (local remotes): an up-to-date workspace skips the fetch. */
  knownCommit?: string;
  /**
   * Shallow clone and fetch (default). Local remotes pass false with a plain path URL: git's local
   * transport hardlinks objects instead of running the pack protocol, about half the cost, and
   * depth means nothing for a repository on the same disk.
   */
  shallow?: boolean;
}

export interface Workspace {
  dir: string;
  branch: string;
  commit: string;
  /** An existing workspace was fetched and reset rather than cloned. */
  reused: boolean;
}

export class WorkspaceError extends Error {
  constructor(readonly step: 'clone' | 'fetch' | 'reset', message: string) {
    super(message);
    this.name = 'WorkspaceError';
  }
}

const DEFAULT_IDLE_TIMEOUT_MS = 120_000;

// Lock files git leaves when it is killed mid-command; with the cache lock held nobody else owns them.
const STALE_LOCKS = ['index.lock', 'HEAD.lock', 'config.lock', 'shallow.lock', 'packed-refs.lock', 'ORIG_HEAD.lock', 'FETCH_HEAD.lock'];

export async function prepareWorkspace(cache: Cache, req: WorkspaceRequest): Promise<Workspace> {
  const dir = cache.workspaceDir(req.repo);
  if (await looksIntact(dir)) {
    await removeStaleLocks(path.join(dir, '.git'), req.branch);
    try {
      return await refresh(dir, req);
    } catch (err) {
      if (!(err instanceof WorkspaceError)) throw err;
      // A fetch or reset that failed half way (a full disk, a dropped connection) may have left
      // empty objects or a half-updated index: the workspace is discarded, never reused, and the
      // repository is cloned again once before it is failed.
      await rm(dir, { recursive: true, force: true });
      if (req.signal?.aborted) throw err;
    }
  }
  await rm(dir, { recursive: true, force: true });
  return cloneInto(cache, dir, req);
}

/**
 * The cheap part of `git fsck`: HEAD names something, the object store and the index exist and
 * are not empty files. A workspace that fails this is re-cloned without trying git on it.
 */
async function looksIntact(dir: string): Promise<boolean> {
  const gitDir = path.join(dir, '.git');
  const [head, objects, index] = await Promise.all(['HEAD', 'objects', 'index'].map((f) => stat(path.join(gitDir, f)).catch(() => undefined)));
  return Boolean(head?.isFile() && head.size > 0 && objects?.isDirectory() && index?.isFile() && index.size > 0);
}

function depth(req: WorkspaceRequest): string[] {
  return req.shallow === false ? [] : ['--depth', '1'];
}

/** Does the path exist (any kind of entry)? */
export async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

async function removeStaleLocks(gitDir: string, branch: string): Promise<void> {
  const candidates = [...STALE_LOCKS.map((f) => path.join(gitDir, f)), path.join(gitDir, 'refs', 'remotes', 'origin', `${branch}.lock`), path.join(gitDir, 'refs', 'heads', `${branch}.lock`)];
  await Promise.all(candidates.map((f) => rm(f, { force: true })));
}

async function refresh(dir: string, req: WorkspaceRequest): Promise<Workspace> {
  const g = git({ baseDir: dir, ceiling: path.dirname(dir), remoteUrl: req.url, auth: req.auth, signal: req.signal, idleTimeoutMs: req.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS });
  const remoteRef = `refs/remotes/origin/${req.branch}`;
  if (req.knownCommit && (await isPristine(dir, req.knownCommit))) {
    return { dir, branch: req.branch, commit: req.knownCommit, reused: true };
  }
  const have = req.knownCommit ? await readRef(path.join(dir, '.git'), remoteRef) : undefined;
  if (!req.knownCommit || have !== req.knownCommit) {
    try {
      // Fetch from the URL of this run rather than the stored `origin`: the URL may have moved (a GHE
      // migration, a regenerated local remote) and this saves a `remote set-url` per repository.
      await g.raw(['fetch', '--no-auto-maintenance', ...depth(req), '--no-tags', '--', req.url, `+refs/heads/${req.branch}:${remoteRef}`]);
    } catch (err) {
      throw new WorkspaceError('fetch', `fetch failed: ${gitErrorMessage(err)}`);
    }
  }
  try {
    // The hard reset: whatever an earlier run or a crash left (edits, a half-applied change,
    // another branch) goes; `-B` also follows a branch change in repos.yaml.
    // Not --quiet: simple-git waits an extra 50 ms after any command that printed nothing.
    await g.raw(['checkout', '--force', '-B', req.branch, remoteRef]);
    await g.raw(['clean', '-ffdxq']);
    const commit = await headCommit(dir, g);
    await recordPristine(dir, commit);
    return { dir, branch: req.branch, commit, reused: true };
  } catch (err) {
    throw new WorkspaceError('reset', `reset failed: ${gitErrorMessage(err)}`);
  }
}

/** HEAD's commit, read from the ref files when possible: one git process less per repository. */
async function headCommit(dir: string, g: ReturnType<typeof git>): Promise<string> {
  const ref = await readHeadRef(path.join(dir, '.git'));
  const sha = ref ? await readRef(path.join(dir, '.git'), ref) : undefined;
  return sha ?? (await g.raw(['rev-parse', 'HEAD'])).trim();
}

async function cloneInto(cache: Cache, dir: string, req: WorkspaceRequest): Promise<Workspace> {
  await mkdir(cache.tmpDir, { recursive: true });
  const tmp = await mkdtemp(path.join(cache.tmpDir, `${req.repo.owner}--${req.repo.name}-`));
  try {
    const g = git({ baseDir: tmp, remoteUrl: req.url, auth: req.auth, signal: req.signal, idleTimeoutMs: req.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS });
    try {
      await g.raw(['clone', ...depth(req), '--single-branch', '--no-tags', '--branch', req.branch, '--', req.url, 'checkout']);
    } catch (err) {
      throw new WorkspaceError('clone', `clone failed: ${gitErrorMessage(err)}`);
    }
    const checkout = path.join(tmp, 'checkout');
    const commit = await headCommit(checkout, git({ baseDir: checkout, ceiling: tmp, signal: req.signal }));
    req.signal?.throwIfAborted();
    await mkdir(path.dirname(dir), { recursive: true });
    await recordPristine(checkout, commit);
    await rename(checkout, dir);
    return { dir, branch: req.branch, commit, reused: false };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Workspaces present in the cache (for tests and housekeeping). */
export async function listWorkspaces(cache: Cache): Promise<string[]> {
  const out: string[] = [];
  for (const owner of await readdir(cache.root, { withFileTypes: true })) {
    if (!owner.isDirectory() || owner.name.startsWith('_') || owner.name.startsWith('.')) continue;
    for (const repo of await readdir(path.join(cache.root, owner.name), { withFileTypes: true })) {
      if (repo.isDirectory()) out.push(`${owner.name}/${repo.name}`);
    }
  }
  return out.sort();
}
