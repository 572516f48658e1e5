/**
 * The bot's commit through GitHub's git data API, for a GitHub App: the tree of the default
 * branch's head with the migration's changes (blobs, trees, commits), then the bot branch moved
 * to it. The commit names no author and no committer, so GitHub makes it as the App's bot
 * (`<slug>[bot]`) and signs it: "Verified", which organisations that require signed commits ask
 * of every commit. A push made with git cannot be signed by GitHub.
 *
 * The changes are what the git path would commit: `git add -A` in the workspace, then the index
 * against HEAD (the default branch's head the checkout is at), so `.gitignore`, deletions,
 * symlinks and file modes are git's own answer. Contents go as blobs, base64 (binary-safe),
 * except text that survives UTF-8 whole, which rides in the tree itself (one call fewer).
 */
import type { RepoName } from '../config/names.ts';
import type { Platform, TreeChange } from '../platform/types.ts';
import { RefRefused } from '../platform/types.ts';
import { git } from '../workspace/git.ts';
import { LeaseRejected, PushRefused, type GitRemote } from './push.ts';

function g(r: GitRemote) {
  return git({ baseDir: r.dir, signal: r.signal });
}

interface Staged {
  path: string;
  oldMode: string;
  newMode: string;
  newSha: string;
  status: string;
}

/** The index against HEAD, one entry per path (`git diff --cached --raw -z`, renames off). */
async function staged(r: GitRemote): Promise<Staged[]> {
  const repo = g(r);
  await repo.raw(['add', '-A']);
  const out = await repo.raw(['diff', '--cached', '--raw', '-z', '--no-renames', '--no-abbrev', 'HEAD', '--']);
  const parts = out.split('\0');
  const entries: Staged[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const meta = /^:(\d{6}) (\d{6}) ([0-9a-f]{40}) ([0-9a-f]{40}) ([A-Z])\d*$/.exec(parts[i]!.trim());
    if (!meta) continue;
    entries.push({ oldMode: meta[1]!, newMode: meta[2]!, newSha: meta[4]!, status: meta[5]!, path: parts[i + 1]! });
  }
  return entries;
}

const REGULAR = new Set(['100644', '100755']);

/** Bytes that come back the same from a UTF-8 string, with no NUL: safe as a tree's inline `content`. */
function asText(content: Buffer): string | undefined {
  if (content.includes(0)) return undefined;
  const s = content.toString('utf8');
  return Buffer.from(s, 'utf8').equals(content) ? s : undefined;
}

/** The tree changes of the staged migration: new contents, deletions, and the modes to keep. */
async function changesOf(r: GitRemote, p: Platform, repo: RepoName): Promise<TreeChange[]> {
  const out: TreeChange[] = [];
  for (const e of await staged(r)) {
    if (e.status === 'D') {
      out.push({ path: e.path, mode: (e.oldMode === '000000' ? '100644' : e.oldMode) as TreeChange['mode'], type: e.oldMode === '160000' ? 'commit' : 'blob', sha: null });
      continue;
    }
    if (e.newMode === '160000') {
      out.push({ path: e.path, mode: '160000', type: 'commit', sha: e.newSha });
      continue;
    }
    // An edited file keeps the mode it had (an executable script stays executable): the
    // migration changes contents, never a mode.
    const mode = (e.status === 'M' && REGULAR.has(e.oldMode) && REGULAR.has(e.newMode) ? e.oldMode : e.newMode) as TreeChange['mode'];
    const content = (await g(r).binaryCatFile(['blob', e.newSha])) as Buffer;
    const inline = asText(content);
    out.push(inline !== undefined ? { path: e.path, mode, type: 'blob', content: inline } : { path: e.path, mode, type: 'blob', sha: await p.createBlob(repo, content) });
  }
  return out;
}

/**
 * Commit the workspace's migration through the API on top of the checkout's HEAD and move
 * `branch` to it, only if the branch is still at `lease` ('' = must not exist); returns the commit.
 *
 * GitHub's ref API has no compare-and-swap (update-ref takes the new sha and `force`, not the
 * old one), so the lease is a read: the branch head is read just before the ref is moved and the
 * move is refused when it is not the commit the bot last pushed. A human's push landing between
 * that read and the PATCH (one round trip) would be overwritten; the git path's
 * `--force-with-lease` has no such window. Creating the branch has none either: GitHub refuses
 * to create a ref that exists.
 */
export async function commitThroughApi(r: GitRemote, p: Platform, repo: RepoName, branch: string, lease: string, message: string): Promise<string> {
  const changes = await changesOf(r, p, repo);
  if (!changes.length) throw new Error('the migration left nothing to commit');
  const [base, baseTree] = (await g(r).raw(['rev-parse', 'HEAD', 'HEAD^{tree}'])).trim().split(/\s+/) as [string, string];
  const tree = await p.createTree(repo, baseTree, changes);
  const commit = await p.createCommit(repo, { message, tree, parents: [base] });
  const head = await p.branchHead(repo, branch);
  if ((head ?? '') !== lease) throw new LeaseRejected(branch);
  try {
    await p.setBranch(repo, branch, commit, { create: !lease });
  } catch (err) {
    if (!(err instanceof RefRefused)) throw err;
    if (err.kind === 'exists' || err.kind === 'moved') throw new LeaseRejected(branch);
    throw new PushRefused(err.kind, branch, err.detail);
  }
  return commit;
}
