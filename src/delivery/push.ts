/**
 * The bot branch through git: one commit on top of the default branch, pushed with
 * `--force-with-lease=<branch>:<sha the bot last pushed>` so a push made meanwhile by anyone else
 * is never overwritten. The token reaches git as an extraheader in the environment (workspace/git.ts),
 * never in the URL, the argument list or `.git/config`.
 */
import { git, gitErrorMessage } from '../workspace/git.ts';

export interface GitRemote {
  dir: string;
  /** https clone URL, without credentials. */
  url: string;
  token?: string;
  signal?: AbortSignal;
}

export interface BotAuthor {
  name: string;
  email: string;
}

export class LeaseRejected extends Error {
  constructor(branch: string) {
    super(`the branch ${branch} changed on GitHub while this run worked on it (the push lease was refused)`);
    this.name = 'LeaseRejected';
  }
}

/**
 * GitHub refused the push by a rule of the repository, not because the branch moved: each with
 * what to change, taken from git's answer (GitHub's GH006 / GH013 codes and its workflow message).
 */
export class PushRefused extends Error {
  constructor(readonly kind: 'protected' | 'ruleset' | 'workflows', branch: string, detail: string) {
    super(
      kind === 'protected'
        ? `GitHub refused the push to ${branch}: a branch protection rule covers it (GH006). Exempt the bot's branch from the rule, or set botBranch in repos.yaml to a name no rule matches`
        : kind === 'ruleset'
          ? `GitHub refused the push to ${branch}: a repository ruleset covers it (GH013). Add the GitHub App to the ruleset's bypass list, or set botBranch in repos.yaml to a name the ruleset does not target`
          : `GitHub refused the push to ${branch}: it changes ${detail || 'a file under .github/workflows/'}, and the bot lacks the permission to change workflows. Give the GitHub App "Workflows: Read and write" (a token: the workflow scope), then let the next run push`,
    );
    this.name = 'PushRefused';
  }
}

export class NoPushAccess extends Error {
  constructor(detail: string) {
    super(`no push access: the token cannot push to this repository (${detail})`);
    this.name = 'NoPushAccess';
  }
}

const PUSH_IDLE_TIMEOUT_MS = 120_000;

function g(r: GitRemote) {
  return git({ baseDir: r.dir, remoteUrl: r.url, auth: r.token ? { token: r.token } : undefined, signal: r.signal, idleTimeoutMs: PUSH_IDLE_TIMEOUT_MS });
}

/** The heads of `branches` on the remote (one ls-remote, no API call). */
export async function remoteHeads(r: GitRemote, branches: string[]): Promise<Map<string, string>> {
  const out = await g(r).raw(['ls-remote', '--heads', '--', r.url, ...branches.map((b) => `refs/heads/${b}`)]);
  const heads = new Map<string, string>();
  for (const line of out.split('\n')) {
    const [sha, ref] = line.trim().split(/\s+/);
    if (sha && ref?.startsWith('refs/heads/')) heads.set(ref.slice('refs/heads/'.length), sha);
  }
  return heads;
}

/** Commit everything the migration changed in the workspace; returns the commit. */
export async function commitMigration(r: GitRemote, author: BotAuthor, message: string): Promise<string> {
  const repo = g(r);
  await repo.raw(['add', '-A']);
  await repo.raw(['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`, 'commit', '--no-verify', '-q', '-m', message]);
  return (await repo.raw(['rev-parse', 'HEAD'])).trim();
}

/**
 * Take `files` out of the migration: back to the default branch's version (HEAD of the checkout).
 * `committed`: the migration was committed already, so that commit is undone first (its changes
 * stay in the work tree).
 */
export async function leaveOut(r: GitRemote, files: string[], o: { committed?: boolean } = {}): Promise<void> {
  const repo = g(r);
  if (o.committed) await repo.raw(['reset', '-q', '--soft', 'HEAD~1']);
  await repo.raw(['checkout', 'HEAD', '--', ...files]);
}

/** The trailer every commit of the bot carries: with its identity, what makes a commit the bot's. */
export const BOT_TRAILER = 'Image-Build-Migrator';

/**
 * The bot's identities: the one it commits as this run (a GitHub App's bot, whose commits GitHub
 * makes through the API) and the configured author (its commits made with git, this run or before
 * the App took over): a branch the bot made either way stays the bot's.
 */
function isOneOf(emails: string[]): (e: string) => boolean {
  const set = new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean));
  return (e) => set.has(e.trim().toLowerCase());
}

/**
 * Is the branch's head a commit of the bot: authored and committed with its identity, and
 * carrying its trailer? Asked of the commit itself, not of the last run's record, so a push whose
 * PR update was lost (a 5xx, a kill in between) is still known for the bot's own. A human's commit
 * on top, or a human's rebase (which makes them the committer), is not.
 */
export async function headIsBots(r: GitRemote, branch: string, emails: string[]): Promise<boolean> {
  const repo = g(r);
  await repo.raw(['fetch', '--no-auto-maintenance', '--depth', '1', '--no-tags', '--', r.url, `+refs/heads/${branch}:refs/image-build-migrator/probe`]);
  const [ae = '', ce = '', trailer = ''] = (await repo.raw(['log', '-1', `--format=%ae%x00%ce%x00%(trailers:key=${BOT_TRAILER},valueonly,separator=%x2C)`, 'refs/image-build-migrator/probe'])).trim().split('\0');
  const ours = isOneOf(emails);
  return ours(ae) && ours(ce) && trailer.trim() !== '';
}

/** The trailer with the hash of the migration result the commit holds (the marker's `result`). */
export const RESULT_TRAILER = 'Image-Build-Migrator-Result';

/**
 * What a commit of the bot at the head of `branch` says of the state it was pushed in: the tool,
 * the default-branch commit it is built on (its parent), its recipes and result. Undefined when
 * the head is not the bot's (as `headIsBots`). The record of a PR whose description lost the
 * marker: the branch is where a human editing the description cannot reach.
 */
export async function botCommitState(r: GitRemote, branch: string, emails: string[]): Promise<{ tool: string; base: string; recipes: string[]; result: string } | undefined> {
  const repo = g(r);
  await repo.raw(['fetch', '--no-auto-maintenance', '--depth', '2', '--no-tags', '--', r.url, `+refs/heads/${branch}:refs/image-build-migrator/probe`]);
  const [ae = '', ce = '', parents = '', tool = '', result = '', message = ''] = (await repo.raw(['log', '-1', `--format=%ae%x00%ce%x00%P%x00%(trailers:key=${BOT_TRAILER},valueonly,separator=%x2C)%x00%(trailers:key=${RESULT_TRAILER},valueonly,separator=%x2C)%x00%B`, 'refs/image-build-migrator/probe'])).split('\0');
  const ours = isOneOf(emails);
  if (!ours(ae) || !ours(ce) || !tool.trim()) return undefined;
  const recipes = (/^Recipes: (.+)$/m.exec(message)?.[1] ?? '').split(',').map((x) => x.trim()).filter(Boolean).sort();
  return { tool: tool.trim(), base: parents.trim().split(/\s+/)[0] ?? '', recipes, result: result.trim() };
}

/**
 * The files the bot's commit at the head of `branch` changes that the default branch changed too
 * since the commit the branch is built on (the head's parent: what the branch holds, whatever a
 * marker says): empty when the branch is only behind. Asked of the trees alone, so a shallow
 * checkout of the new base does (the fetch brings the head and its parent). A file both sides
 * changed is taken for a conflict, even when git would merge the two edits: a rebuild that was
 * not needed costs one CI run, a conflict the bot missed leaves an unmergeable PR it never fixes.
 */
export async function filesBothChanged(r: GitRemote, branch: string, base: string): Promise<string[]> {
  const repo = g(r);
  await repo.raw(['fetch', '--no-auto-maintenance', '--depth', '2', '--no-tags', '--', r.url, `+refs/heads/${branch}:refs/image-build-migrator/probe`]);
  const names = async (from: string, to: string) => (await repo.raw(['diff', '--no-renames', '--name-only', from, to, '--'])).split('\n').map((x) => x.trim()).filter(Boolean);
  const bots = new Set(await names('refs/image-build-migrator/probe^', 'refs/image-build-migrator/probe'));
  return (await names('refs/image-build-migrator/probe^', base)).filter((f) => bots.has(f));
}

/** Push HEAD to `branch`, only if the branch is still at `lease` ('' = must not exist). */
export async function pushBranch(r: GitRemote, branch: string, lease: string): Promise<void> {
  await push(r, branch, lease, `HEAD:refs/heads/${branch}`);
}

export async function deleteBranch(r: GitRemote, branch: string, lease: string): Promise<void> {
  await push(r, branch, lease, `:refs/heads/${branch}`);
}

async function push(r: GitRemote, branch: string, lease: string, refspec: string): Promise<void> {
  try {
    await g(r).raw(['push', '--no-verify', `--force-with-lease=refs/heads/${branch}:${lease}`, '--', r.url, refspec]);
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err);
    // GitHub's own refusals come back as "[remote rejected]" too: told apart before the lease.
    if (/\bGH006\b|protected branch (update failed|hook declined)/i.test(raw)) throw new PushRefused('protected', branch, '');
    if (/\bGH013\b|repository rule violations/i.test(raw)) throw new PushRefused('ruleset', branch, '');
    const workflow = /refusing to allow .{0,60}? to create or update workflow `([^`\n]{1,200})`/i.exec(raw);
    if (workflow) throw new PushRefused('workflows', branch, JSON.stringify(workflow[1]));
    // A lease refused, or another push updating the same ref at the same moment (a lock lost on the server).
    if (/stale info|\[rejected\]|\[remote rejected\]|fetch first|non-fast-forward|cannot lock ref|failed to update ref/i.test(raw)) throw new LeaseRejected(branch);
    if (/\b403\b|permission|denied/i.test(raw)) throw new NoPushAccess(gitErrorMessage(err));
    throw new Error(`push failed: ${gitErrorMessage(err)}`);
  }
}
