/**
 * Local sources (the example fleet, the benchmark): a plain folder becomes a bare git repository
 * in the cache, so the rest of the pipeline clones and fetches exactly as it does from GitHub.
 *
 * The folder is only read. Its files are written as git objects by git-objects.ts (no git process:
 * spawning git is the dominant cost of a fleet run), and only when the folder changed since the
 * last run (paths, modes, sizes, mtimes). Every file is committed except `.git`.
 */
import { createHash } from 'node:crypto';
import { access, chmod, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RepoName } from '../config/names.ts';
import type { Cache } from './cache.ts';
import { writeFileAtomically } from '../files/atomic-write.ts';
import { writeCommit, writeFolderTree, type FileEntry } from './git-objects.ts';
import { readRef } from './refs.ts';

export const LOCAL_BRANCH = 'main';

export interface LocalRemote {
  /** file:// URL, for a shallow clone through the pack protocol like a network remote. */
  url: string;
  /** Plain path, for git's cheaper local transport (what the fleet uses: see WorkspaceRequest.shallow). */
  path: string;
  bareDir: string;
  branch: string;
  /** The branch's commit, so an up-to-date workspace can skip the fetch. */
  commit: string;
}

// The generated remotes are rebuilt from their folders on every run, so anything pushed to them
// would be lost: refuse pushes outright, and leave a trace that tests can count.
const PRE_RECEIVE = `#!/bin/sh
echo "push attempt $(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$GIT_DIR/push-attempts.log"
echo "image-build-migrator: this generated example remote is read-only" >&2
exit 1
`;

export async function syncLocalRemote(cache: Cache, repo: RepoName, folder: string, signal?: AbortSignal): Promise<LocalRemote> {
  const bareDir = path.join(cache.remotesDir, repo.owner, `${repo.name}.git`);
  const url = pathToFileURL(bareDir).href;
  let fresh = false;
  try {
    await access(path.join(bareDir, 'HEAD'));
  } catch {
    await createBare(cache, bareDir);
    fresh = true;
  }
  const { entries, stamp } = await scanFolder(folder);
  const stampFile = path.join(bareDir, 'folder-stamp');
  const [oldStamp, oldCommit] = (await readFile(stampFile, 'utf8').catch(() => '')).split('\n');
  if (!fresh && oldStamp === stamp && oldCommit && /^[0-9a-f]{40}$/.test(oldCommit)) {
    return { url, path: bareDir, bareDir, branch: LOCAL_BRANCH, commit: oldCommit };
  }
  const parent = fresh ? undefined : await readRef(bareDir, `refs/heads/${LOCAL_BRANCH}`);
  signal?.throwIfAborted();
  const tree = await writeFolderTree(bareDir, entries);
  const parentTree = parent ? await readCommitTree(bareDir, parent) : undefined;
  // Same content as the last snapshot (a touched file): keep the commit, so workspaces stay valid.
  const commit = parent && parentTree === tree ? parent : await writeCommit(bareDir, tree, parent, `Snapshot of ${path.basename(folder)}`);
  // A loose ref is one line; the bare repository is ours alone while we hold the cache lock.
  // Replaced atomically: a full disk must not leave an empty ref (a remote that cannot be cloned).
  await writeFileAtomically(path.join(bareDir, 'refs', 'heads', LOCAL_BRANCH), `${commit}\n`, 0o644, { sync: false });
  await writeFileAtomically(stampFile, `${stamp}\n${commit}`, 0o644, { sync: false });
  return { url, path: bareDir, bareDir, branch: LOCAL_BRANCH, commit };
}

/** A bare repository is HEAD + config + objects/ + refs/: written directly, it saves a `git init`. */
async function createBare(cache: Cache, bareDir: string): Promise<void> {
  await mkdir(cache.tmpDir, { recursive: true });
  const tmp = await mkdtemp(path.join(cache.tmpDir, 'remote-'));
  try {
    const made = path.join(tmp, 'repo.git');
    for (const d of ['objects/info', 'objects/pack', 'refs/heads', 'refs/tags', 'hooks', 'info']) await mkdir(path.join(made, d), { recursive: true });
    await writeFile(path.join(made, 'HEAD'), `ref: refs/heads/${LOCAL_BRANCH}\n`);
    await writeFile(path.join(made, 'config'), '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n');
    const hook = path.join(made, 'hooks', 'pre-receive');
    await writeFile(hook, PRE_RECEIVE);
    await chmod(hook, 0o755);
    await mkdir(path.dirname(bareDir), { recursive: true });
    await rm(bareDir, { recursive: true, force: true });
    await rename(made, bareDir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Files to commit, and a stamp that changes whenever any of them does. */
async function scanFolder(folder: string): Promise<{ entries: FileEntry[]; stamp: string }> {
  const hash = createHash('sha256');
  const entries: FileEntry[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    const list = await readdir(dir, { withFileTypes: true });
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of list) {
      if (e.name === '.git') continue;
      const abs = path.join(dir, e.name);
      const st = await lstat(abs);
      hash.update(`${rel}${e.name}\0${st.mode}\0${st.size}\0${st.mtimeMs}\n`);
      if (st.isDirectory()) await walk(abs, `${rel}${e.name}/`);
      else if (st.isSymbolicLink()) entries.push({ rel: `${rel}${e.name}`, mode: '120000', abs });
      else if (st.isFile()) entries.push({ rel: `${rel}${e.name}`, mode: st.mode & 0o111 ? '100755' : '100644', abs });
    }
  };
  await walk(folder, '');
  return { entries, stamp: hash.digest('hex') };
}

/** The tree of a commit we wrote (a loose object), or undefined if it cannot be read. */
async function readCommitTree(gitDir: string, commit: string): Promise<string | undefined> {
  try {
    const raw = inflateSync(await readFile(path.join(gitDir, 'objects', commit.slice(0, 2), commit.slice(2)))).toString('utf8');
    return /\0tree ([0-9a-f]{40})\n/.exec(raw)?.[1];
  } catch {
    return undefined;
  }
}
