/**
 * A stateful local GitHub for the tests and `npm run demo`: repositories (real bare git
 * repositories, served over smart HTTP by `git http-backend` on the same port, behind token auth),
 * pull requests, issues, comments, labels and reviews in memory, behind the REST endpoints the bot
 * uses. Every request and response goes through the OpenAPI checks of api-server.ts; a PR's head,
 * files and diff are read from the bare repositories, so what the bot pushed is what a reviewer
 * would see.
 *
 * GraphQL serves the one mutation the bot uses, `markPullRequestReadyForReview`, over the same PR
 * state (REST then shows `draft: false`); a PR's `node_id` is its GraphQL id.
 *
 * The git data API (blobs, trees, commits, refs; git-data.ts) writes real objects into the same
 * bare repositories: a commit made through it with no author of the caller's is the caller's
 * (`<id>+<login>@users.noreply.github.com`, the App's bot for an installation token) and is
 * reported verified, a pushed one unsigned; refs moved through it follow the push rules.
 *
 * Humans act through the methods (`commit`, `closePull`, `mergePull`, `editBody`, `setDraft`): they change
 * the state directly and are not API traffic, so `writeCalls()` is what the bot did.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, renameSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeGitHub, fakeRepository, notFound, type FakeRequest, type FakeResponse, type RecordedRequest } from './api-server.ts';
import { GitHubGraphQLError } from './graphql.ts';
import { sampleOf } from './openapi.ts';
import { LocalApp, missingFor, sees, type LocalAppOptions, type MintedToken } from './github-app.ts';
import { filesChanged, isAncestor, listTree, moveRef, objectType, readCommit, Unprocessable, writeBlob, writeCommit, writeTree, type CommitObject, type TreeEntryInput } from './git-data.ts';

type Json = Record<string, any>;

export const BOT_LOGIN = 'image-build-migrator[bot]';

export interface RepoModel {
  owner: string;
  name: string;
  full: string;
  id: number;
  bare: string;
  defaultBranch: string;
  archived: boolean;
  /** The bot's token may read but not push (a repository it was not granted). */
  pushDenied: boolean;
  labels: Map<string, { id: number; name: string; color: string }>;
  /** Adding a label that does not exist fails with 422 instead of creating it. */
  strictLabels: boolean;
  nextNumber: number;
  /** Branches a branch protection rule refuses pushes to (GitHub's GH006). */
  protectedBranches: string[];
  /** Branches a repository ruleset refuses pushes to (GitHub's GH013). */
  rulesetBranches: string[];
  /** Anyone may read a public repository, an installation token down-scoped to other repositories too (GitHub: public resources); writes still need the token's scope. */
  public: boolean;
}

export interface CommentModel {
  id: number;
  body: string;
  user: string;
  created_at: string;
}

export interface ReviewCommentModel {
  id: number;
  review_id: number;
  path: string;
  line: number;
  body: string;
  user: string;
  commit_id: string;
}

export interface ReviewModel {
  id: number;
  body: string;
  state: string;
  user: string;
  commit_id: string;
}

export interface IssueModel {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  user: string;
  labels: string[];
  comments: CommentModel[];
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

/** An issue event of a PR's draft state (GitHub records both on the PR's issue timeline). */
export interface DraftEventModel {
  id: number;
  event: 'convert_to_draft' | 'ready_for_review';
  actor: string;
  created_at: string;
}

export interface PullModel extends IssueModel {
  head: string;
  base: string;
  /** Last known head commit (kept when the branch is deleted). */
  headSha: string;
  draft: boolean;
  merged: boolean;
  merged_at: string | null;
  requested_reviewers: string[];
  /** convert_to_draft / ready_for_review, oldest first (a PR created as a draft has none for that). */
  events: DraftEventModel[];
  reviews: ReviewModel[];
  reviewComments: ReviewCommentModel[];
}

export interface PushRecord {
  repo: string;
  status: number;
}

export interface LocalGitHubOptions {
  /** GitHub Enterprise style API prefix, e.g. `/api/v3` (git stays at the root, as on GHE). */
  prefix?: string;
  /** token -> login; requests with another token get 401. Without any, anonymous access only. */
  tokens?: Record<string, string>;
  /**
   * A GitHub App installed on the repositories: its JWT mints installation tokens
   * (`POST /app/installations/{id}/access_tokens`), which then act as `<slug>[bot]` within the
   * installation's permissions until they expire.
   */
  app?: LocalAppOptions;
}

export class LocalGitHub {
  readonly api: FakeGitHub;
  readonly root: string;
  readonly repos = new Map<string, RepoModel>();
  readonly pulls = new Map<string, PullModel[]>();
  readonly issues = new Map<string, IssueModel[]>();
  readonly pushes: PushRecord[] = [];
  /** The GitHub App, when `app` was given. */
  readonly app?: LocalApp;
  private ids = 100;
  private clock = Date.parse('2026-01-01T00:00:00Z');
  /** Bytes after which the next push is cut (a timeout mid-push). */
  private dropNextPushAfter: number | undefined;

  constructor(private readonly opts: LocalGitHubOptions = {}) {
    this.root = mkdtempSync(path.join(os.tmpdir(), 'local-github-'));
    if (opts.app) this.app = new LocalApp(opts.app);
    this.api = new FakeGitHub({
      prefix: opts.prefix,
      // The App's endpoints check its JWT themselves (with GitHub's messages).
      authenticate: (authorization, operationId) => operationId.startsWith('apps/') || this.login(authorization) !== null,
      git: {
        root: this.root,
        authorize: (r) => this.authorizeGit(r),
        pushEnv: (r) => this.pushEnv(r),
        dropReceivePackAfterBytes: () => this.dropNextPushAfter,
        onDropped: () => (this.dropNextPushAfter = undefined),
        onPush: (r) => this.pushes.push({ repo: `${r.owner}/${r.name}`, status: r.status }),
      },
    });
    this.routes();
  }

  static async start(opts: LocalGitHubOptions = {}): Promise<LocalGitHub> {
    const gh = new LocalGitHub(opts);
    await gh.api.start();
    return gh;
  }

  /** REST API root (what GITHUB_API_URL is set to). */
  /**
   * One page of a list as GitHub serves it: `per_page` 30 by default and 100 at most, `page` from
   * 1, and a Link header (next, last, first, prev) whenever there is more than one page. A client
   * that reads only the first page sees what production would show it: the rest missing.
   */
  page<T>(req: FakeRequest, list: T[]): FakeResponse {
    const per = Math.min(100, Math.max(1, Number(req.query.per_page ?? 30) || 30));
    const page = Math.max(1, Number(req.query.page ?? 1) || 1);
    const last = Math.max(1, Math.ceil(list.length / per));
    const body = list.slice((page - 1) * per, page * per);
    if (last === 1) return { status: 200, body };
    const at = (n: number) => {
      const q = new URLSearchParams({ ...req.query, per_page: String(per), page: String(n) });
      return `<${this.url}${req.path}?${q}>`;
    };
    const links = [...(page < last ? [`${at(page + 1)}; rel="next"`, `${at(last)}; rel="last"`] : []), ...(page > 1 ? [`${at(1)}; rel="first"`, `${at(page - 1)}; rel="prev"`] : [])];
    return { status: 200, headers: { link: links.join(', ') }, body };
  }

  get url(): string {
    return this.api.url;
  }

  /** The git host (what GITHUB_SERVER_URL is set to): clone URLs are `<serverUrl>/<owner>/<name>.git`. */
  get serverUrl(): string {
    return this.api.git!.url;
  }

  async close(): Promise<void> {
    await this.api.close();
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Seed a repository from a folder on disk (every file except `.git`). */
  addRepoFromFolder(full: string, folder: string, o: Parameters<LocalGitHub['addRepo']>[2] = {}): RepoModel {
    const files: Record<string, string> = {};
    const walk = (rel: string) => {
      for (const e of readdirSync(path.join(folder, rel), { withFileTypes: true })) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.name === '.git') continue;
        if (e.isDirectory()) walk(r);
        else if (e.isFile()) files[r] = readFileSync(path.join(folder, r), 'utf8');
      }
    };
    walk('');
    return this.addRepo(full, files, o);
  }

  /** Every call that changed something: API writes and git pushes. */
  writeCalls(): (RecordedRequest | PushRecord)[] {
    return [...this.api.writes(), ...this.pushes];
  }

  assertClean(): void {
    this.api.assertClean();
  }

  /** Cut the next push after this many bytes of its pack (the network times out mid-push). */
  dropNextPush(afterBytes = 0): void {
    this.dropNextPushAfter = afterBytes;
  }

  // ---------------------------------------------------------------- the world, as humans change it

  addRepo(full: string, files: Record<string, string>, o: { defaultBranch?: string; archived?: boolean; pushDenied?: boolean; strictLabels?: boolean; public?: boolean } = {}): RepoModel {
    const [owner, name] = full.split('/') as [string, string];
    const bare = path.join(this.root, owner, `${name}.git`);
    mkdirSync(path.dirname(bare), { recursive: true });
    const branch = o.defaultBranch ?? 'main';
    git(this.root, ['init', '-q', '--bare', `--initial-branch=${branch}`, bare]);
    const repo: RepoModel = { owner, name, full, id: this.ids++, bare, defaultBranch: branch, archived: o.archived ?? false, pushDenied: o.pushDenied ?? false, labels: new Map(), strictLabels: o.strictLabels ?? false, nextNumber: 1, protectedBranches: [], rulesetBranches: [], public: o.public ?? false };
    // GitHub's own checks of a push (protection, rulesets, workflow files), as a hook of ours.
    copyFileSync(path.join(import.meta.dirname, 'hooks', 'pre-receive'), path.join(bare, 'hooks', 'pre-receive'));
    chmodSync(path.join(bare, 'hooks', 'pre-receive'), 0o755);
    this.repos.set(full.toLowerCase(), repo);
    this.pulls.set(full.toLowerCase(), []);
    this.issues.set(full.toLowerCase(), []);
    this.commit(full, branch, files, 'initial import');
    return repo;
  }

  /** Old names of transferred or renamed repositories, to their new `owner/name`. */
  readonly moved = new Map<string, string>();

  /** The repository moves to `to` (a transfer or a rename): the old name answers with 301. */
  transfer(from: string, to: string): void {
    const repo = this.repo(from);
    const [owner, name] = to.split('/') as [string, string];
    const bare = path.join(this.root, owner, `${name}.git`);
    mkdirSync(path.dirname(bare), { recursive: true });
    renameSync(repo.bare, bare);
    for (const m of [this.pulls, this.issues] as Map<string, unknown[]>[]) {
      m.set(to.toLowerCase(), m.get(from.toLowerCase()) ?? []);
      m.delete(from.toLowerCase());
    }
    this.repos.delete(from.toLowerCase());
    Object.assign(repo, { owner, name, full: to, bare });
    this.repos.set(to.toLowerCase(), repo);
    this.moved.set(from.toLowerCase(), to);
  }

  /** A human commit on `branch` (created from the default branch when missing); returns its sha. */
  commit(full: string, branch: string, files: Record<string, string | null>, message = 'a human change', author = { name: 'A Maintainer', email: 'maintainer@example.invalid' }): string {
    const repo = this.repo(full);
    const work = mkdtempSync(path.join(os.tmpdir(), 'local-github-work-'));
    const env = { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_COMMITTER_NAME: author.name, GIT_COMMITTER_EMAIL: author.email };
    try {
      git(work, ['init', '-q']);
      const exists = this.branchSha(full, branch);
      const from = exists ? branch : this.branchSha(full, repo.defaultBranch) ? repo.defaultBranch : undefined;
      if (from) {
        git(work, ['fetch', '-q', repo.bare, `refs/heads/${from}`]);
        git(work, ['checkout', '-q', '-B', 'work', 'FETCH_HEAD']);
      } else git(work, ['checkout', '-q', '-b', 'work']);
      for (const [rel, content] of Object.entries(files)) {
        const abs = path.join(work, rel);
        if (content === null) rmSync(abs, { force: true });
        else {
          mkdirSync(path.dirname(abs), { recursive: true });
          writeFileSync(abs, content);
        }
      }
      git(work, ['add', '-A']);
      git(work, ['commit', '-q', '--allow-empty', '-m', message], env);
      git(work, ['push', '-q', repo.bare, `HEAD:refs/heads/${branch}`]);
      return git(work, ['rev-parse', 'HEAD']).trim();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  branchSha(full: string, branch: string): string | undefined {
    // Read the ref files rather than spawn git: the server answers many reads per run.
    const bare = this.repo(full).bare;
    try {
      return readFileSync(path.join(bare, 'refs', 'heads', branch), 'utf8').trim() || undefined;
    } catch {
      const packed = (() => {
        try {
          return readFileSync(path.join(bare, 'packed-refs'), 'utf8');
        } catch {
          return '';
        }
      })();
      return packed.split('\n').map((l) => l.split(' ')).find(([, ref]) => ref === `refs/heads/${branch}`)?.[0];
    }
  }

  /** Author emails of the commits on `branch` that are not on the default branch, newest first. */
  branchAuthors(full: string, branch: string): string[] {
    const repo = this.repo(full);
    return git(repo.bare, ['log', '--format=%ae', `refs/heads/${repo.defaultBranch}..refs/heads/${branch}`]).split('\n').filter(Boolean);
  }

  fileAt(full: string, ref: string, file: string): string | undefined {
    try {
      return git(this.repo(full).bare, ['show', `${ref}:${file}`]);
    } catch {
      return undefined;
    }
  }

  /** The entries of a folder at `ref`, undefined when `file` is not a folder there. */
  folderAt(full: string, ref: string, file: string): { name: string; type: 'file' | 'dir'; sha: string; size: number }[] | undefined {
    try {
      if (git(this.repo(full).bare, ['cat-file', '-t', `${ref}:${file}`]).trim() !== 'tree') return undefined;
      return git(this.repo(full).bare, ['ls-tree', '-l', `${ref}:${file}`]).split('\n').filter(Boolean).map((line) => {
        const [meta, name] = line.split('\t') as [string, string];
        const [, type, sha, size] = meta.split(/\s+/) as [string, string, string, string];
        return { name, type: type === 'tree' ? 'dir' : 'file', sha, size: Number(size) || 0 };
      });
    } catch {
      return undefined;
    }
  }

  pullsOf(full: string): PullModel[] {
    return this.pulls.get(full.toLowerCase()) ?? [];
  }

  issuesOf(full: string): IssueModel[] {
    return this.issues.get(full.toLowerCase()) ?? [];
  }

  pull(full: string, n: number): PullModel {
    const p = this.pullsOf(full).find((x) => x.number === n);
    if (!p) throw new Error(`no pull request ${full}#${n}`);
    return p;
  }

  /** A human opens a PR from `head` to `base` (the default branch when omitted). */
  openPull(full: string, head: string, title: string, base?: string, user = 'a-contributor'): PullModel {
    const repo = this.repo(full);
    const now = this.now();
    const p: PullModel = {
      number: repo.nextNumber++, title, body: '', state: 'open', user, labels: [], comments: [], created_at: now, updated_at: now, closed_at: null,
      head, base: base ?? repo.defaultBranch, headSha: this.branchSha(full, head) ?? '', draft: false, merged: false, merged_at: null, requested_reviewers: [], events: [], reviews: [], reviewComments: [],
    };
    this.pullsOf(full).push(p);
    return p;
  }

  /** Someone opens an issue (a human by default). */
  openIssue(full: string, title: string, body = '', o: { user?: string; labels?: string[] } = {}): IssueModel {
    const repo = this.repo(full);
    const now = this.now();
    const i: IssueModel = { number: repo.nextNumber++, title, body, state: 'open', user: o.user ?? 'a-maintainer', labels: [...(o.labels ?? [])], comments: [], created_at: now, updated_at: now, closed_at: null };
    if (!this.issues.has(full.toLowerCase())) this.issues.set(full.toLowerCase(), []);
    this.issues.get(full.toLowerCase())!.push(i);
    return i;
  }

  /** Someone comments on an issue or a pull request. */
  addComment(full: string, n: number, body: string, user = 'a-maintainer'): void {
    const target = [...this.issuesOf(full), ...this.pullsOf(full)].find((x) => x.number === n);
    if (!target) throw new Error(`no issue or pull request ${full}#${n}`);
    target.comments.push({ id: this.ids++, body, user, created_at: this.now() });
  }

  /** A human closes the PR without merging. */
  closePull(full: string, n: number): void {
    const p = this.pull(full, n);
    p.state = 'closed';
    p.closed_at = p.updated_at = this.now();
  }

  /** A human merges the PR (a merge commit on the base branch). */
  mergePull(full: string, n: number): void {
    const repo = this.repo(full);
    const p = this.pull(full, n);
    const work = mkdtempSync(path.join(os.tmpdir(), 'local-github-merge-'));
    try {
      git(work, ['init', '-q']);
      git(work, ['fetch', '-q', repo.bare, `refs/heads/${p.base}:refs/remotes/o/base`, `refs/heads/${p.head}:refs/remotes/o/head`]);
      git(work, ['checkout', '-q', '-B', 'work', 'refs/remotes/o/base']);
      git(work, ['merge', '-q', '--no-ff', '-m', `Merge pull request #${n}`, 'refs/remotes/o/head'], { GIT_AUTHOR_NAME: 'A Maintainer', GIT_AUTHOR_EMAIL: 'maintainer@example.invalid', GIT_COMMITTER_NAME: 'A Maintainer', GIT_COMMITTER_EMAIL: 'maintainer@example.invalid' });
      git(work, ['push', '-q', repo.bare, `HEAD:refs/heads/${p.base}`]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    p.merged = true;
    p.state = 'closed';
    p.merged_at = p.closed_at = p.updated_at = this.now();
  }

  /** A human converts the PR to a draft (true) or marks it ready for review (false) on the web page. */
  setDraft(full: string, n: number, draft: boolean, actor = 'a-maintainer'): void {
    const p = this.pull(full, n);
    if (p.draft === draft) return;
    p.draft = draft;
    p.updated_at = this.now();
    p.events.push({ id: this.ids++, event: draft ? 'convert_to_draft' : 'ready_for_review', actor, created_at: p.updated_at });
  }

  /** The PR's GraphQL node id (`node_id` in REST). */
  nodeId(full: string, n: number): string {
    return `PR_${Buffer.from(`${this.repo(full).id}:${this.pull(full, n).number}`).toString('base64url')}`;
  }

  /** The PR a GraphQL node id names, if any. */
  pullByNodeId(id: string): { repo: RepoModel; pull: PullModel } | undefined {
    const m = /^PR_([A-Za-z0-9_-]+)$/.exec(id);
    const [repoId, n] = m ? Buffer.from(m[1]!, 'base64url').toString('utf8').split(':').map(Number) : [];
    const repo = [...this.repos.values()].find((r) => r.id === repoId);
    const pull = repo ? this.pullsOf(repo.full).find((p) => p.number === n) : undefined;
    return repo && pull ? { repo, pull } : undefined;
  }

  /** A human edits the PR body (e.g. ticks the rebase box). */
  editBody(full: string, n: number, edit: (body: string) => string): void {
    const p = this.pull(full, n);
    p.body = edit(p.body);
    p.updated_at = this.now();
  }

  // ---------------------------------------------------------------- serving

  private repo(full: string): RepoModel {
    const r = this.repos.get(full.toLowerCase());
    if (!r) throw new Error(`no repository ${full} in the local GitHub`);
    return r;
  }

  private now(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  private login(authorization: string | undefined): string | undefined | null {
    if (!authorization) return undefined;
    const installation = this.installationToken(authorization);
    if (installation) return installation === 'expired' ? null : this.app!.login;
    const token = /^(?:token|bearer)\s+(\S+)$/i.exec(authorization)?.[1] ?? basicToken(authorization)?.token;
    const login = token ? this.opts.tokens?.[token] : undefined;
    return login ?? null;
  }

  /**
   * The App's installation token this header carries (`token X`, `Bearer X`, or git's Basic
   * `x-access-token:X`), 'expired' past its `expires_at`; undefined when it carries none.
   */
  private installationToken(authorization: string | undefined): MintedToken | 'expired' | undefined {
    if (!this.app || !authorization) return undefined;
    const basic = basicToken(authorization);
    const token = basic ? (basic.user === 'x-access-token' ? basic.token : undefined) : /^(?:token|bearer)\s+(\S+)$/i.exec(authorization)?.[1];
    return this.app.tokenFor(token);
  }

  /**
   * Pushes that change `.github/workflows/` are refused unless the pusher has the workflows
   * permission (a GitHub App's "Workflows: write", a token's `workflow` scope). Off by default.
   */
  refuseWorkflowPushes = false;

  /** May this credential change `.github/workflows/` (a push, or a ref moved through the API), and how GitHub names it when not. */
  private workflowRule(authorization: string | undefined): { allowed: boolean; actor: string; permission: string } {
    const minted = this.installationToken(authorization);
    const app = minted !== undefined;
    // As on GitHub: an App's token changes workflow files only with "Workflows: write".
    const appMayChangeWorkflows = minted !== undefined && minted !== 'expired' && minted.permissions.workflows === 'write';
    return { allowed: !(this.refuseWorkflowPushes || (app && !appMayChangeWorkflows)), actor: app ? 'a GitHub App' : 'a Personal Access Token', permission: app ? 'workflows' : 'workflow' };
  }

  /** What the pre-receive hook needs to judge a push: the repository's rules and the pusher. */
  private pushEnv(r: { owner: string; name: string; authorization?: string }): Record<string, string> {
    const repo = this.repos.get(`${r.owner}/${r.name}`.toLowerCase());
    const rule = this.workflowRule(r.authorization);
    return {
      IBM_PROTECTED: (repo?.protectedBranches ?? []).join(' '),
      IBM_RULESET: (repo?.rulesetBranches ?? []).join(' '),
      IBM_RULES_URL: `${this.serverUrl}/${r.owner}/${r.name}/rules`,
      IBM_WORKFLOWS: rule.allowed ? '1' : '0',
      IBM_ACTOR: rule.actor,
      IBM_WORKFLOW_PERMISSION: rule.permission,
    };
  }

  // ---------------------------------------------------------------- the git data API's model

  /** Commits made through the API with GitHub's own identity (no author, committer or signature given): GitHub signs those. */
  private readonly signed = new Set<string>();
  private readonly userIds = new Map<string, number>();

  /** A login's user id (the App's bot user has its own, as on GitHub). */
  userId(login: string): number {
    if (this.app && login.toLowerCase() === this.app.login.toLowerCase()) return this.app.botUserId;
    let id = this.userIds.get(login.toLowerCase());
    if (id === undefined) this.userIds.set(login.toLowerCase(), (id = 5_000 + this.userIds.size));
    return id;
  }

  /** The logins GET /users/{username} knows: the App's bot and the token owners. */
  private knownUser(login: string): string | undefined {
    const all = [...(this.app ? [this.app.login] : []), ...Object.values(this.opts.tokens ?? {})];
    return all.find((l) => l.toLowerCase() === login.toLowerCase());
  }

  /** Who the API's commits of this credential are by: `<login>` and `<id>+<login>@users.noreply.github.com`, as on GitHub. */
  private apiIdentity(authorization: string | undefined): { name: string; email: string } | undefined {
    const login = this.login(authorization);
    return login ? { name: login, email: `${this.userId(login)}+${login}@users.noreply.github.com` } : undefined;
  }

  /** What GitHub's `verification` says of a commit: signed by GitHub when the API made it with its own identity. */
  verificationOf(full: string, sha: string): { verified: boolean; reason: string; signature: string | null; payload: string | null; verified_at: string | null } {
    const repo = this.repo(full);
    if (!this.signed.has(`${repo.id}:${sha}`)) return { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null };
    const raw = execFileSync('git', ['cat-file', 'commit', sha], { cwd: repo.bare, encoding: 'utf8' });
    return { verified: true, reason: 'valid', signature: '-----BEGIN PGP SIGNATURE-----\n(the local GitHub\'s stand-in)\n-----END PGP SIGNATURE-----\n', payload: raw, verified_at: '2026-01-01T00:00:00Z' };
  }

  /** The commit as the git data API answers (`git-commit`). */
  private gitCommit(repo: RepoModel, sha: string, c: CommitObject): Json {
    const api = `${this.url}/repos/${repo.full}/git`;
    return sampleOf('git-commit', {
      sha, node_id: `C_${Buffer.from(`${repo.id}:${sha}`).toString('base64url')}`, url: `${api}/commits/${sha}`, html_url: `${this.serverUrl}/${repo.full}/commit/${sha}`,
      author: c.author, committer: c.committer, message: c.message.replace(/\n$/, ''), tree: { sha: c.tree, url: `${api}/trees/${c.tree}` },
      parents: c.parents.map((p) => ({ sha: p, url: `${api}/commits/${p}`, html_url: `${this.serverUrl}/${repo.full}/commit/${p}` })),
      verification: this.verificationOf(repo.full, sha),
    });
  }

  private gitRef(repo: RepoModel, ref: string, sha: string): Json {
    return { ref, node_id: `REF_${Buffer.from(`${repo.id}:${ref}`).toString('base64url')}`, url: `${this.url}/repos/${repo.full}/git/${ref}`, object: { type: 'commit', sha, url: `${this.url}/repos/${repo.full}/git/commits/${sha}` } };
  }

  /**
   * GitHub's rules for a ref moved through the API, as for a push (the pre-receive hook): a
   * protected branch, a ruleset, a workflow file changed without the workflows permission.
   */
  private refRefusal(repo: RepoModel, authorization: string | undefined, branch: string, old: string | undefined, sha: string): FakeResponse | undefined {
    if (repo.protectedBranches.includes(branch)) return unprocessable(`Protected branch update failed for refs/heads/${branch}.`);
    if (repo.rulesetBranches.includes(branch)) return unprocessable(`Repository rule violations found\n\nCannot update this protected ref.\n`);
    const rule = this.workflowRule(authorization);
    if (!rule.allowed) {
      const file = filesChanged(repo.bare, old, sha).find((f) => f.startsWith('.github/workflows/'));
      if (file) return unprocessable(`refusing to allow ${rule.actor} to create or update workflow \`${file}\` without \`${rule.permission}\` permission`);
    }
    return undefined;
  }

  private authorizeGit(r: { owner: string; name: string; push: boolean; authorization?: string }): number | undefined {
    const repo = this.repos.get(`${r.owner}/${r.name}`.toLowerCase());
    if (!repo) return 404;
    const outside = this.hiddenFrom(r.authorization, repo.full);
    // Outside the token's repositories: a public one is fetched as anyone fetches it, never pushed to.
    if (outside) return !repo.public ? 404 : r.push ? 403 : undefined;
    const who = this.login(r.authorization);
    if (who === null) return 401;
    if (r.push && !who) return 401;
    if (r.push && repo.pushDenied) return 403;
    if (this.installationLacks(r.authorization, r.push ? 'git/push' : 'git/fetch')) return 403;
    return undefined;
  }

  /** Is `full` outside the repositories the installation token of this header was minted for (GitHub: not found)? */
  private hiddenFrom(authorization: string | undefined, full: string): boolean {
    const installation = this.installationToken(authorization);
    return !!installation && installation !== 'expired' && !sees(installation, full);
  }

  /** The permissions an installation token lacks for an operation (`git/push` and `git/fetch` for git), as GitHub names them. */
  private installationLacks(authorization: string | undefined, operationId: string): string | undefined {
    const installation = this.installationToken(authorization);
    return installation && installation !== 'expired' ? missingFor(installation.permissions, operationId) : undefined;
  }

  private routes(): void {
    const gh = this.api;
    const withRepo = (fn: (repo: RepoModel, req: FakeRequest, user: string) => FakeResponse | Promise<FakeResponse>) => (req: FakeRequest) => {
      const user = this.login(req.headers.authorization as string | undefined);
      const repo = this.repos.get(`${req.params.owner}/${req.params.repo}`.toLowerCase());
      const movedTo = this.moved.get(`${req.params.owner}/${req.params.repo}`.toLowerCase());
      // GitHub: 301 for GET and HEAD, 307 for other methods, to the repository's new home.
      if (!repo && movedTo) return { status: req.method === 'GET' ? 301 : 307, headers: { location: `${this.url}${req.path.replace(`/repos/${req.params.owner}/${req.params.repo}`, `/repos/${movedTo}`)}` }, body: { message: 'Moved Permanently', url: `${this.url}/repos/${movedTo}`, documentation_url: 'https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects' } } as FakeResponse;
      if (!repo) return notFound();
      // A token minted for other repositories does not see this one.
      if (this.hiddenFrom(req.headers.authorization as string | undefined, repo.full)) {
        if (!repo.public) return notFound();
        // A public repository outside the token's repositories: read as anyone reads it, never written.
        if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' } } as FakeResponse;
        return fn(repo, req, user ?? 'anonymous');
      }
      if (req.method !== 'GET' && !user) return { status: 403, body: { message: 'Must have admin rights to Repository.', documentation_url: 'https://docs.github.com/rest' } } as FakeResponse;
      // An installation token may do what the installation's permissions allow, nothing more.
      const missing = this.installationLacks(req.headers.authorization as string | undefined, req.operationId);
      if (missing) return { status: 403, headers: { 'x-accepted-github-permissions': missing }, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' } } as FakeResponse;
      return fn(repo, req, user ?? 'anonymous');
    };
    const pullOf = (repo: RepoModel, req: FakeRequest) => this.pullsOf(repo.full).find((p) => p.number === Number(req.params.pull_number));
    const issueOf = (repo: RepoModel, n: number): IssueModel | undefined => this.issuesOf(repo.full).find((i) => i.number === n) ?? this.pullsOf(repo.full).find((p) => p.number === n);

    gh.on('repos/get', withRepo((repo, req, user) => ({
      status: 200,
      body: {
        ...fakeRepository({ owner: repo.owner, name: repo.name, apiUrl: this.url, cloneUrl: `${this.serverUrl}/${repo.owner}/${repo.name}.git`, archived: repo.archived, defaultBranch: repo.defaultBranch, id: repo.id }),
        html_url: `${this.serverUrl}/${repo.full}`,
        ...(user !== 'anonymous' ? { permissions: { admin: false, maintain: false, push: !repo.pushDenied && !this.installationLacks(req.headers.authorization as string | undefined, 'git/push'), triage: true, pull: true } } : {}),
      },
    })));

    gh.on('apps/create-installation-access-token', (req) => {
      const app = this.app;
      if (!app) return notFound();
      const jwt = app.checkJwt(req.headers.authorization as string | undefined);
      if (!jwt.ok) return { status: 401, body: { message: jwt.message, documentation_url: 'https://docs.github.com/rest', status: '401' } };
      if (Number(req.params.installation_id) !== app.installationId) return notFound();
      const b = (req.body ?? {}) as Json;
      // Down-scoped to some repositories of the installation (every repository of the local
      // GitHub is in it): by name (`repositories`, names without the owner) or id. One that is not
      // there is GitHub's 422.
      let scoped: RepoModel[] | undefined;
      if (b.repositories !== undefined || b.repository_ids !== undefined) {
        const names = Array.isArray(b.repositories) ? (b.repositories as unknown[]) : [];
        const ids = Array.isArray(b.repository_ids) ? (b.repository_ids as unknown[]) : [];
        const all = [...this.repos.values()];
        scoped = [];
        for (const n of names) {
          const found = all.filter((r) => r.name.toLowerCase() === String(n).toLowerCase());
          if (found.length === 0) return { status: 422, body: { message: 'There is at least one repository that does not exist or is not accessible to the parent installation.', documentation_url: 'https://docs.github.com/rest' } };
          scoped.push(...found);
        }
        for (const id of ids) {
          const found = all.find((r) => r.id === Number(id));
          if (!found) return { status: 422, body: { message: 'There is at least one repository that does not exist or is not accessible to the parent installation.', documentation_url: 'https://docs.github.com/rest' } };
          scoped.push(found);
        }
      }
      const t = app.mint(b.permissions as Record<string, 'read' | 'write'> | undefined, scoped?.map((r) => r.full));
      if (!t) return { status: 422, body: { message: 'The permissions requested are not granted to this installation.', documentation_url: 'https://docs.github.com/rest' } };
      const repositories = scoped ? { repositories: [...new Set(scoped)].map((r) => sampleOf('repository', fakeRepository({ owner: r.owner, name: r.name, apiUrl: this.url, cloneUrl: `${this.serverUrl}/${r.full}.git`, archived: r.archived, defaultBranch: r.defaultBranch, id: r.id }))) } : {};
      return { status: 201, body: { token: t.token, expires_at: new Date(t.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'), permissions: t.permissions, repository_selection: scoped ? 'selected' : 'all', ...repositories } };
    });

    // Who a token is: a user's token answers with its login; an installation token (an App's, or
    // Actions' GITHUB_TOKEN) may not read /user, as on GitHub.
    gh.on('users/get-authenticated', (req) => {
      const authorization = req.headers.authorization as string | undefined;
      if (this.installationToken(authorization)) return { status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest', status: '403' } };
      const user = this.login(authorization);
      if (!user) return { status: 401, body: { message: 'Requires authentication', documentation_url: 'https://docs.github.com/rest', status: '401' } };
      return { status: 200, body: sampleOf('private-user', { login: user, id: 1, type: user.endsWith('[bot]') ? 'Bot' : 'User', html_url: `${this.serverUrl}/${encodeURIComponent(user)}` }) };
    });

    gh.on('apps/get-authenticated', (req) => {
      const app = this.app;
      if (!app) return notFound();
      const jwt = app.checkJwt(req.headers.authorization as string | undefined);
      if (!jwt.ok) return { status: 401, body: { message: jwt.message, documentation_url: 'https://docs.github.com/rest', status: '401' } };
      return { status: 200, body: sampleOf('integration', { id: 1, slug: app.slug, name: app.slug }) };
    });

    gh.on('pulls/list', withRepo((repo, req) => {
      const state = req.query.state ?? 'open';
      let list = this.pullsOf(repo.full).filter((p) => state === 'all' || p.state === state);
      if (req.query.head) list = list.filter((p) => `${repo.owner}:${p.head}`.toLowerCase() === req.query.head!.toLowerCase());
      if (req.query.base) list = list.filter((p) => p.base === req.query.base);
      list = [...list].sort((a, b) => b.number - a.number);
      return this.page(req, list.map((p) => this.pullSimple(repo, p)));
    }));

    gh.on('pulls/get', withRepo((repo, req) => {
      const p = pullOf(repo, req);
      return p ? { status: 200, body: this.pullFull(repo, p) } : notFound();
    }));

    gh.on('pulls/create', withRepo((repo, req, user) => {
      const b = req.body as Json;
      const head = String(b.head).includes(':') ? String(b.head).split(':')[1]! : String(b.head);
      const base = String(b.base);
      const headSha = this.branchSha(repo.full, head);
      if (!headSha || !this.branchSha(repo.full, base)) return invalid('PullRequest', 'invalid', `${!headSha ? 'head' : 'base'} ref does not exist`);
      if (this.pullsOf(repo.full).some((p) => p.state === 'open' && p.head === head && p.base === base)) {
        return invalid('PullRequest', 'custom', `A pull request already exists for ${repo.owner}:${head}.`);
      }
      if (typeof b.body === 'string' && b.body.length > 65536) return invalid('Issue', 'custom', 'body is too long (maximum is 65536 characters)');
      if (git(repo.bare, ['rev-list', '--count', `refs/heads/${base}..refs/heads/${head}`]).trim() === '0') return invalid('PullRequest', 'custom', `No commits between ${base} and ${head}`);
      const now = this.now();
      const p: PullModel = {
        number: repo.nextNumber++, title: String(b.title), body: String(b.body ?? ''), state: 'open', user, labels: [], comments: [], created_at: now, updated_at: now, closed_at: null,
        head, base, headSha, draft: Boolean(b.draft), merged: false, merged_at: null, requested_reviewers: [], events: [], reviews: [], reviewComments: [],
      };
      this.pullsOf(repo.full).push(p);
      return { status: 201, body: this.pullFull(repo, p) };
    }));

    gh.on('pulls/update', withRepo((repo, req) => {
      const p = pullOf(repo, req);
      if (!p) return notFound();
      const b = req.body as Json;
      if (typeof b.body === 'string' && b.body.length > 65536) return invalid('Issue', 'custom', 'body is too long (maximum is 65536 characters)');
      if (b.state === 'open' && p.state === 'closed') {
        if (p.merged) return invalid('PullRequest', 'custom', 'Cannot reopen a merged pull request');
        if (!this.branchSha(repo.full, p.head)) return invalid('PullRequest', 'custom', 'state cannot be changed. The head branch was deleted.');
      }
      if (b.title !== undefined) p.title = String(b.title);
      if (b.body !== undefined) p.body = String(b.body);
      if (b.state === 'closed' && p.state === 'open') p.closed_at = this.now();
      if (b.state === 'open') p.closed_at = null;
      if (b.state !== undefined) p.state = b.state;
      p.updated_at = this.now();
      return { status: 200, body: this.pullFull(repo, p) };
    }));

    gh.onGraphQL('mutation', 'markPullRequestReadyForReview', (args, context) => {
      const input = args.input as { pullRequestId: string; clientMutationId?: string | null };
      const found = this.pullByNodeId(input.pullRequestId);
      if (!found) throw new GitHubGraphQLError('NOT_FOUND', `Could not resolve to a node with the global id of '${input.pullRequestId}'.`);
      const { repo, pull: p } = found;
      if (this.hiddenFrom(context.authorization, repo.full)) throw new GitHubGraphQLError('NOT_FOUND', `Could not resolve to a node with the global id of '${input.pullRequestId}'.`);
      if (p.draft) this.setDraft(repo.full, p.number, false, this.login(context.authorization) ?? 'anonymous');
      return { clientMutationId: input.clientMutationId ?? null, pullRequest: this.pullNode(repo, p) };
    });

    gh.on('pulls/list-files', withRepo((repo, req) => {
      const p = pullOf(repo, req);
      if (!p) return notFound();
      return this.page(req, this.pullFiles(repo, p));
    }));

    gh.on('pulls/request-reviewers', withRepo((repo, req) => {
      const p = pullOf(repo, req);
      if (!p) return notFound();
      const b = req.body as Json;
      for (const r of [...(b.reviewers ?? []), ...(b.team_reviewers ?? [])]) if (!p.requested_reviewers.includes(r)) p.requested_reviewers.push(r);
      return { status: 201, body: this.pullSimple(repo, p) };
    }));

    gh.on('pulls/create-review', withRepo((repo, req, user) => {
      const p = pullOf(repo, req);
      if (!p) return notFound();
      const b = req.body as Json;
      const commit = String(b.commit_id ?? this.headOf(repo, p));
      const lines = this.diffLines(repo, p);
      for (const c of (b.comments ?? []) as Json[]) {
        if (!lines.get(String(c.path))?.has(Number(c.line))) return { status: 422, body: { message: 'Unprocessable Entity', errors: ['Pull request review thread line must be part of the diff'], documentation_url: 'https://docs.github.com/rest' } };
      }
      const review: ReviewModel = { id: this.ids++, body: String(b.body ?? ''), state: b.event === 'APPROVE' ? 'APPROVED' : b.event === 'REQUEST_CHANGES' ? 'CHANGES_REQUESTED' : b.event ? 'COMMENTED' : 'PENDING', user, commit_id: commit };
      p.reviews.push(review);
      for (const c of (b.comments ?? []) as Json[]) p.reviewComments.push({ id: this.ids++, review_id: review.id, path: String(c.path), line: Number(c.line), body: String(c.body), user, commit_id: commit });
      return { status: 200, body: this.review(repo, p, review) };
    }));

    gh.on('pulls/list-reviews', withRepo((repo, req) => {
      const p = pullOf(repo, req);
      return p ? this.page(req, p.reviews.map((r) => this.review(repo, p, r))) : notFound();
    }));

    gh.on('pulls/list-review-comments', withRepo((repo, req) => {
      const p = pullOf(repo, req);
      return p ? this.page(req, p.reviewComments.map((c) => this.reviewComment(repo, p, c))) : notFound();
    }));

    gh.on('issues/list-events', withRepo((repo, req) => {
      const i = issueOf(repo, Number(req.params.issue_number));
      if (!i) return notFound();
      const events = 'events' in i ? (i as PullModel).events : [];
      return this.page(req, events.map((e) => this.draftEvent(repo, e)));
    }));

    gh.on('issues/list-comments', withRepo((repo, req) => {
      const i = issueOf(repo, Number(req.params.issue_number));
      return i ? this.page(req, i.comments.map((c) => this.comment(repo, i, c))) : notFound();
    }));

    gh.on('issues/create-comment', withRepo((repo, req, user) => {
      const i = issueOf(repo, Number(req.params.issue_number));
      if (!i) return notFound();
      if (String((req.body as Json).body).length > 65536) return invalid('IssueComment', 'custom', 'body is too long (maximum is 65536 characters)');
      const c: CommentModel = { id: this.ids++, body: String((req.body as Json).body), user, created_at: this.now() };
      i.comments.push(c);
      return { status: 201, body: this.comment(repo, i, c) };
    }));

    gh.on('issues/add-labels', withRepo((repo, req) => {
      const i = issueOf(repo, Number(req.params.issue_number));
      if (!i) return notFound();
      const raw = Array.isArray(req.body) ? req.body : ((req.body as Json)?.labels ?? []);
      const names = (raw as unknown[]).map((l) => (typeof l === 'string' ? l : String((l as Json).name)));
      for (const name of names) {
        if (!repo.labels.has(name.toLowerCase())) {
          if (repo.strictLabels) return invalid('Label', 'invalid', `label ${name} does not exist`);
          repo.labels.set(name.toLowerCase(), { id: this.ids++, name, color: 'ededed' });
        }
        if (!i.labels.includes(name)) i.labels.push(name);
      }
      return { status: 200, body: i.labels.map((l) => this.label(repo, l)) };
    }));

    gh.on('issues/create-label', withRepo((repo, req) => {
      const b = req.body as Json;
      const name = String(b.name);
      if (repo.labels.has(name.toLowerCase())) return invalid('Label', 'already_exists', 'already_exists');
      repo.labels.set(name.toLowerCase(), { id: this.ids++, name, color: String(b.color ?? 'ededed') });
      return { status: 201, body: this.label(repo, name) };
    }));

    gh.on('issues/list-for-repo', withRepo((repo, req) => {
      const state = req.query.state ?? 'open';
      const wanted = req.query.labels ? req.query.labels.split(',').map((s) => s.trim().toLowerCase()) : [];
      const list = [...this.issuesOf(repo.full), ...this.pullsOf(repo.full)]
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => !req.query.creator || i.user === req.query.creator)
        .filter((i) => wanted.every((w) => i.labels.some((l) => l.toLowerCase() === w)))
        .sort((a, b) => b.number - a.number);
      return this.page(req, list.map((i) => this.issue(repo, i)));
    }));

    gh.on('issues/get', withRepo((repo, req) => {
      const i = issueOf(repo, Number(req.params.issue_number));
      return i ? { status: 200, body: this.issue(repo, i) } : notFound();
    }));

    gh.on('issues/create', withRepo((repo, req, user) => {
      const b = req.body as Json;
      if (typeof b.body === 'string' && b.body.length > 65536) return invalid('Issue', 'custom', 'body is too long (maximum is 65536 characters)');
      const now = this.now();
      const labels = ((b.labels ?? []) as unknown[]).map((l) => (typeof l === 'string' ? l : String((l as Json).name)));
      for (const name of labels) if (!repo.labels.has(name.toLowerCase())) repo.labels.set(name.toLowerCase(), { id: this.ids++, name, color: 'ededed' });
      const i: IssueModel = { number: repo.nextNumber++, title: String(b.title), body: String(b.body ?? ''), state: 'open', user, labels, comments: [], created_at: now, updated_at: now, closed_at: null };
      this.issuesOf(repo.full).push(i);
      return { status: 201, body: this.issue(repo, i) };
    }));

    gh.on('issues/update', withRepo((repo, req) => {
      const i = issueOf(repo, Number(req.params.issue_number));
      if (!i) return notFound();
      const b = req.body as Json;
      if (typeof b.body === 'string' && b.body.length > 65536) return invalid('Issue', 'custom', 'body is too long (maximum is 65536 characters)');
      if (b.title !== undefined) i.title = String(b.title);
      if (b.body !== undefined) i.body = String(b.body);
      if (b.state !== undefined) i.state = b.state;
      i.updated_at = this.now();
      return { status: 200, body: this.issue(repo, i) };
    }));

    // ---- the git data API: real objects in the bare repository, refs moved with a compare-and-swap

    gh.on('git/create-blob', withRepo((repo, req) => {
      const b = req.body as Json;
      const encoding = String(b.encoding ?? 'utf-8').toLowerCase();
      if (encoding !== 'utf-8' && encoding !== 'utf8' && encoding !== 'base64') return unprocessable(`encoding must be utf-8 or base64, not ${JSON.stringify(b.encoding)}`);
      const content = encoding === 'base64' ? Buffer.from(String(b.content), 'base64') : Buffer.from(String(b.content), 'utf8');
      // GitHub's limit for one blob through the API.
      if (content.length > 100 * 1024 * 1024) return unprocessable('content is too large (maximum is 100 MB)');
      const sha = writeBlob(repo.bare, content);
      return { status: 201, headers: { location: `${this.url}/repos/${repo.full}/git/blobs/${sha}` }, body: { sha, url: `${this.url}/repos/${repo.full}/git/blobs/${sha}` } };
    }));

    gh.on('git/create-tree', withRepo((repo, req) => {
      const b = req.body as Json;
      const base = b.base_tree === undefined ? undefined : String(b.base_tree);
      if (base !== undefined && objectType(repo.bare, base) !== 'tree') return unprocessable('base_tree is not a valid tree oid');
      try {
        const sha = writeTree(repo.bare, base, (b.tree ?? []) as TreeEntryInput[]);
        const tree = listTree(repo.bare, sha).map((e) => ({ ...e, url: `${this.url}/repos/${repo.full}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}` }));
        return { status: 201, headers: { location: `${this.url}/repos/${repo.full}/git/trees/${sha}` }, body: { sha, url: `${this.url}/repos/${repo.full}/git/trees/${sha}`, tree, truncated: false } };
      } catch (err) {
        if (err instanceof Unprocessable) return unprocessable(err.message);
        throw err;
      }
    }));

    gh.on('git/create-commit', withRepo((repo, req) => {
      const b = req.body as Json;
      const tree = String(b.tree);
      if (objectType(repo.bare, tree) !== 'tree') return unprocessable('Tree SHA does not exist');
      const parents = ((b.parents ?? []) as unknown[]).map(String);
      for (const p of parents) if (objectType(repo.bare, p) !== 'commit') return unprocessable('Parent SHA does not exist or is not a commit object');
      const me = this.apiIdentity(req.headers.authorization as string | undefined);
      if (!me) return { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' } };
      const now = this.now();
      const given = (x: unknown) => (x && typeof x === 'object' ? (x as Json) : undefined);
      const author = given(b.author) ? { name: String(b.author.name), email: String(b.author.email), date: String(b.author.date ?? now) } : { ...me, date: now };
      const committer = given(b.committer) ? { name: String(b.committer.name), email: String(b.committer.email), date: String(b.committer.date ?? now) } : { ...author };
      const message = String(b.message);
      const sha = writeCommit(repo.bare, { tree, parents, message, author, committer });
      // GitHub signs what it authors itself; a commit with an identity or a signature of the caller's is theirs to sign.
      if (!given(b.author) && !given(b.committer) && b.signature === undefined) this.signed.add(`${repo.id}:${sha}`);
      return { status: 201, headers: { location: `${this.url}/repos/${repo.full}/git/commits/${sha}` }, body: this.gitCommit(repo, sha, readCommit(repo.bare, sha)!) };
    }));

    gh.on('git/get-commit', withRepo((repo, req) => {
      const c = readCommit(repo.bare, req.params.commit_sha!);
      return c ? { status: 200, body: this.gitCommit(repo, req.params.commit_sha!, c) } : notFound();
    }));

    gh.on('git/get-ref', withRepo((repo, req) => {
      const m = /^heads\/(.+)$/.exec(req.params.ref!);
      const sha = m ? this.branchSha(repo.full, m[1]!) : undefined;
      return sha ? { status: 200, body: this.gitRef(repo, `refs/heads/${m![1]}`, sha) } : notFound();
    }));

    gh.on('git/create-ref', withRepo((repo, req) => {
      const b = req.body as Json;
      const ref = String(b.ref);
      const sha = String(b.sha);
      const m = /^refs\/heads\/(.+)$/.exec(ref);
      if (!m) return unprocessable(`${ref} is not a valid ref name (the local GitHub creates branches only)`);
      if (objectType(repo.bare, sha) !== 'commit') return unprocessable('Object does not exist');
      if (this.branchSha(repo.full, m[1]!)) return unprocessable('Reference already exists');
      const refused = this.refRefusal(repo, req.headers.authorization as string | undefined, m[1]!, undefined, sha);
      if (refused) return refused;
      if (!moveRef(repo.bare, ref, sha, '')) return unprocessable('Reference already exists');
      return { status: 201, headers: { location: `${this.url}/repos/${repo.full}/git/${ref}` }, body: this.gitRef(repo, ref, sha) };
    }));

    gh.on('git/update-ref', withRepo((repo, req) => {
      const b = req.body as Json;
      const m = /^heads\/(.+)$/.exec(req.params.ref!);
      const old = m ? this.branchSha(repo.full, m[1]!) : undefined;
      if (!m || !old) return unprocessable('Reference does not exist');
      const sha = String(b.sha);
      if (objectType(repo.bare, sha) !== 'commit') return unprocessable('Object does not exist');
      if (b.force !== true && !isAncestor(repo.bare, old, sha)) return unprocessable('Update is not a fast forward');
      const refused = this.refRefusal(repo, req.headers.authorization as string | undefined, m[1]!, old, sha);
      if (refused) return refused;
      // The swap is on the value read just above: a push landing in between makes this call fail, never vanish.
      if (!moveRef(repo.bare, `refs/heads/${m[1]}`, sha, old)) return unprocessable('Reference cannot be updated');
      return { status: 200, body: this.gitRef(repo, `refs/heads/${m[1]}`, sha) };
    }));

    gh.on('users/get-by-username', (req) => {
      const login = this.knownUser(req.params.username!);
      if (!login) return notFound();
      return { status: 200, body: sampleOf('public-user', { login, id: this.userId(login), type: login.endsWith('[bot]') ? 'Bot' : 'User', html_url: `${this.serverUrl}/${encodeURIComponent(login)}`, user_view_type: 'public', name: null, email: null, bio: null, blog: null, company: null, hireable: null, location: null }) };
    });

    gh.on('repos/get-content', withRepo((repo, req) => {
      const ref = req.query.ref ?? repo.defaultBranch;
      const folder = this.folderAt(repo.full, ref, req.params.path!);
      if (folder) {
        // A folder answers with its listing (whatever media type was asked for), as GitHub does.
        const dir = req.params.path!.replace(/\/+$/, '');
        return {
          status: 200,
          body: folder.map((e) => {
            const p = `${dir}/${e.name}`;
            const url = `${this.url}/repos/${repo.full}/contents/${p}?ref=${ref}`;
            const html = `${this.serverUrl}/${repo.full}/${e.type === 'dir' ? 'tree' : 'blob'}/${ref}/${p}`;
            const git = `${this.url}/repos/${repo.full}/git/${e.type === 'dir' ? 'trees' : 'blobs'}/${e.sha}`;
            return { type: e.type, size: e.size, name: e.name, path: p, sha: e.sha, url, git_url: git, html_url: html, download_url: e.type === 'file' ? `${this.serverUrl}/${repo.full}/raw/${ref}/${p}` : null, _links: { self: url, git, html } };
          }),
        };
      }
      const text = this.fileAt(repo.full, ref, req.params.path!);
      if (text === undefined) return notFound();
      return { status: 200, contentType: 'application/vnd.github.raw', body: text };
    }));
  }

  // ---------------------------------------------------------------- response objects

  private headOf(repo: RepoModel, p: PullModel): string {
    const sha = this.branchSha(repo.full, p.head);
    if (sha) p.headSha = sha;
    return p.headSha;
  }

  private user(login: string): Json {
    return sampleOf('simple-user', { login, id: 1, type: login.endsWith('[bot]') ? 'Bot' : 'User', html_url: `${this.serverUrl}/${encodeURIComponent(login)}` });
  }

  private label(repo: RepoModel, name: string): Json {
    const l = repo.labels.get(name.toLowerCase()) ?? { id: 0, name, color: 'ededed' };
    return sampleOf('label', { id: l.id, name: l.name, color: l.color, url: `${this.url}/repos/${repo.full}/labels/${encodeURIComponent(l.name)}`, default: false, description: '' });
  }

  private pullCommon(repo: RepoModel, p: PullModel): Json {
    const api = `${this.url}/repos/${repo.full}`;
    const html = `${this.serverUrl}/${repo.full}/pull/${p.number}`;
    const sha = this.headOf(repo, p);
    const baseSha = this.branchSha(repo.full, p.base) ?? '';
    const repository = sampleOf('repository', { id: repo.id, name: repo.name, full_name: repo.full, default_branch: repo.defaultBranch, html_url: `${this.serverUrl}/${repo.full}`, owner: this.user(repo.owner) });
    return {
      id: p.number + repo.id * 1000, node_id: this.nodeId(repo.full, p.number), number: p.number, state: p.state, title: p.title, body: p.body, draft: p.draft, locked: false,
      url: `${api}/pulls/${p.number}`, html_url: html, diff_url: `${html}.diff`, patch_url: `${html}.patch`, issue_url: `${api}/issues/${p.number}`,
      user: this.user(p.user), labels: p.labels.map((l) => this.label(repo, l)), requested_reviewers: p.requested_reviewers.filter((r) => !r.includes('/')).map((r) => this.user(r)),
      created_at: p.created_at, updated_at: p.updated_at, closed_at: p.closed_at, merged_at: p.merged_at,
      head: { label: `${repo.owner}:${p.head}`, ref: p.head, sha, user: this.user(repo.owner), repo: repository },
      base: { label: `${repo.owner}:${p.base}`, ref: p.base, sha: baseSha, user: this.user(repo.owner), repo: repository },
    };
  }

  /** The PR as a GraphQL `PullRequest` (the fields the bot reads; a missing non-null one fails loudly). */
  private pullNode(repo: RepoModel, p: PullModel): Json {
    return {
      __typename: 'PullRequest', id: this.nodeId(repo.full, p.number), number: p.number, isDraft: p.draft, title: p.title, body: p.body,
      state: p.merged ? 'MERGED' : p.state === 'open' ? 'OPEN' : 'CLOSED', url: `${this.serverUrl}/${repo.full}/pull/${p.number}`,
      headRefName: p.head, baseRefName: p.base, createdAt: p.created_at, updatedAt: p.updated_at,
    };
  }

  private pullSimple(repo: RepoModel, p: PullModel): Json {
    return sampleOf('pull-request-simple', this.pullCommon(repo, p));
  }

  private pullFull(repo: RepoModel, p: PullModel): Json {
    const files = this.pullFiles(repo, p);
    return sampleOf('pull-request', {
      ...this.pullCommon(repo, p), merged: p.merged, mergeable: null, mergeable_state: 'unknown', comments: p.comments.length, review_comments: p.reviewComments.length,
      commits: 1,
      additions: files.reduce((n, f) => n + f.additions, 0), deletions: files.reduce((n, f) => n + f.deletions, 0), changed_files: files.length,
    });
  }

  private readonly filesCache = new Map<string, Json[]>();

  private pullFiles(repo: RepoModel, p: PullModel): Json[] {
    const head = this.headOf(repo, p);
    const base = this.branchSha(repo.full, p.base);
    if (!base) return [];
    const key = `${repo.full}:${base}:${head}`;
    const cached = this.filesCache.get(key);
    if (cached) return cached;
    const files = this.computeFiles(repo, base, head);
    this.filesCache.set(key, files);
    return files;
  }

  private computeFiles(repo: RepoModel, base: string, head: string): Json[] {
    const range = `${base}...${head}`;
    const numstat = git(repo.bare, ['diff', '--numstat', range]).split('\n').filter(Boolean);
    const status = new Map(git(repo.bare, ['diff', '--name-status', range]).split('\n').filter(Boolean).map((l) => {
      const [s, f] = l.split('\t') as [string, string];
      return [f, s];
    }));
    return numstat.map((line) => {
      const [add, del, filename] = line.split('\t') as [string, string, string];
      const s = status.get(filename) ?? 'M';
      const patch = git(repo.bare, ['diff', range, '--', filename]).split('\n').slice(4).join('\n');
      return sampleOf('diff-entry', {
        sha: head, filename, status: s.startsWith('A') ? 'added' : s.startsWith('D') ? 'removed' : 'modified', additions: Number(add), deletions: Number(del), changes: Number(add) + Number(del),
        blob_url: `${this.serverUrl}/${repo.full}/blob/${head}/${filename}`, raw_url: `${this.serverUrl}/${repo.full}/raw/${head}/${filename}`, contents_url: `${this.url}/repos/${repo.full}/contents/${filename}?ref=${head}`, patch,
      });
    });
  }

  /** The PR's changed files as GitHub lists them (from the bare repository). */
  filesOf(full: string, n: number): { filename: string; status: string; additions: number; deletions: number }[] {
    return this.pullFiles(this.repo(full), this.pull(full, n)).map((f) => ({ filename: f.filename, status: f.status, additions: f.additions, deletions: f.deletions }));
  }

  /** Lines of the head side that are part of the PR's diff, per file (where review comments may go). */
  diffLines(repo: RepoModel, p: PullModel): Map<string, Set<number>> {
    const out = new Map<string, Set<number>>();
    for (const f of this.pullFiles(repo, p)) {
      const set = new Set<number>();
      let line = 0;
      for (const l of String(f.patch ?? '').split('\n')) {
        const h = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(l);
        if (h) {
          line = Number(h[1]);
          continue;
        }
        if (l.startsWith('-')) continue;
        if (l.startsWith('+') || l.startsWith(' ')) set.add(line++);
      }
      out.set(String(f.filename), set);
    }
    return out;
  }

  private issue(repo: RepoModel, i: IssueModel): Json {
    const api = `${this.url}/repos/${repo.full}`;
    const isPull = 'head' in i;
    return sampleOf('issue', {
      id: i.number + repo.id * 1000, number: i.number, state: i.state, title: i.title, body: i.body, user: this.user(i.user), labels: i.labels.map((l) => this.label(repo, l)),
      url: `${api}/issues/${i.number}`, html_url: `${this.serverUrl}/${repo.full}/${isPull ? 'pull' : 'issues'}/${i.number}`, repository_url: api, labels_url: `${api}/issues/${i.number}/labels{/name}`,
      comments_url: `${api}/issues/${i.number}/comments`, events_url: `${api}/issues/${i.number}/events`, comments: i.comments.length, locked: false,
      created_at: i.created_at, updated_at: i.updated_at, closed_at: i.closed_at, author_association: 'NONE',
      ...(isPull ? { pull_request: { url: `${api}/pulls/${i.number}`, html_url: `${this.serverUrl}/${repo.full}/pull/${i.number}`, diff_url: null, patch_url: null } } : {}),
    });
  }

  private draftEvent(repo: RepoModel, e: DraftEventModel): Json {
    return sampleOf('state-change-issue-event', {
      id: e.id, node_id: `CTDE_${e.id}`, url: `${this.url}/repos/${repo.full}/issues/events/${e.id}`, actor: this.user(e.actor), event: e.event,
      commit_id: null, commit_url: null, created_at: e.created_at, performed_via_github_app: null,
    });
  }

  private comment(repo: RepoModel, i: IssueModel, c: CommentModel): Json {
    const api = `${this.url}/repos/${repo.full}`;
    return sampleOf('issue-comment', {
      id: c.id, body: c.body, user: this.user(c.user), url: `${api}/issues/comments/${c.id}`, html_url: `${this.serverUrl}/${repo.full}/issues/${i.number}#issuecomment-${c.id}`,
      issue_url: `${api}/issues/${i.number}`, created_at: c.created_at, updated_at: c.created_at, author_association: 'NONE',
    });
  }

  private review(repo: RepoModel, p: PullModel, r: ReviewModel): Json {
    return sampleOf('pull-request-review', {
      id: r.id, body: r.body, state: r.state, user: this.user(r.user), commit_id: r.commit_id, author_association: 'NONE',
      html_url: `${this.serverUrl}/${repo.full}/pull/${p.number}#pullrequestreview-${r.id}`, pull_request_url: `${this.url}/repos/${repo.full}/pulls/${p.number}`,
      _links: { html: { href: `${this.serverUrl}/${repo.full}/pull/${p.number}` }, pull_request: { href: `${this.url}/repos/${repo.full}/pulls/${p.number}` } },
    });
  }

  private reviewComment(repo: RepoModel, p: PullModel, c: ReviewCommentModel): Json {
    const api = `${this.url}/repos/${repo.full}`;
    return sampleOf('pull-request-review-comment', {
      id: c.id, pull_request_review_id: c.review_id, path: c.path, line: c.line, body: c.body, user: this.user(c.user), commit_id: c.commit_id, original_commit_id: c.commit_id,
      diff_hunk: '', position: 1, url: `${api}/pulls/comments/${c.id}`, html_url: `${this.serverUrl}/${repo.full}/pull/${p.number}#discussion_r${c.id}`,
      pull_request_url: `${api}/pulls/${p.number}`, created_at: p.updated_at, updated_at: p.updated_at, author_association: 'NONE',
      _links: { self: { href: `${api}/pulls/comments/${c.id}` }, html: { href: `${this.serverUrl}/${repo.full}/pull/${p.number}#discussion_r${c.id}` }, pull_request: { href: `${api}/pulls/${p.number}` } },
    });
  }
}

/** GitHub's 422 of the git data API: a message, no field errors. */
function unprocessable(message: string): FakeResponse {
  return { status: 422, body: { message, documentation_url: 'https://docs.github.com/rest/git', status: '422' } };
}

function invalid(resource: string, code: string, message: string): FakeResponse {
  return { status: 422, body: { message: 'Validation Failed', errors: [{ resource, code, field: 'base', message }], documentation_url: 'https://docs.github.com/rest' } };
}

function basicToken(authorization: string): { user: string; token: string } | undefined {
  const m = /^basic\s+(\S+)$/i.exec(authorization);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const token = decoded.slice(decoded.indexOf(':') + 1);
  return token ? { user: decoded.slice(0, Math.max(0, decoded.indexOf(':'))), token } : undefined;
}

function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, {
    cwd,
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: 'local-github', GIT_AUTHOR_EMAIL: 'local-github@example.invalid', GIT_COMMITTER_NAME: 'local-github', GIT_COMMITTER_EMAIL: 'local-github@example.invalid', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}
