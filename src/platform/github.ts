/**
 * The Platform on GitHub's REST API (github.com or Enterprise), through the one PlatformClient.
 */
import { RequestError } from 'octokit';
import type { RepoName } from '../config/names.ts';
import type { PlatformClient } from './octokit.ts';
import { redact } from '../secrets/redact.ts';
import { PullExistsError, RefRefused, type CommitIdentity, type Comment, type Issue, type NewReview, type Platform, type PullFile, type PullRequest, type RepoInfo, type ReviewComment, type TreeChange } from './types.ts';

type Any = Record<string, any>;

function toPull(p: Any): PullRequest {
  return {
    number: p.number, nodeId: p.node_id ?? '', url: p.html_url, state: p.state, merged: Boolean(p.merged_at) || p.merged === true, draft: Boolean(p.draft), title: p.title, body: p.body ?? '',
    head: p.head.ref, base: p.base.ref, headSha: p.head.sha, author: p.user?.login ?? '',
    labels: ((p.labels ?? []) as Any[]).map((l) => String(typeof l === 'string' ? l : l.name)),
    requestedReviewers: ((p.requested_reviewers ?? []) as Any[]).map((u) => String(u.login)),
    requestedTeams: ((p.requested_teams ?? []) as Any[]).map((t) => String(t.slug)),
  };
}

function toIssue(i: Any): Issue {
  return { number: i.number, url: i.html_url, title: i.title, body: i.body ?? '', state: i.state, author: i.user?.login ?? '' };
}

const r = (repo: RepoName) => ({ owner: repo.owner, repo: repo.name });

// GitHub's names of the permissions in `x-accepted-github-permissions`, as its settings pages show them.
const PERMISSION_TITLES: Record<string, string> = { pull_requests: 'Pull requests', issues: 'Issues', contents: 'Contents', metadata: 'Metadata' };

/**
 * A write GitHub refused with 403 because the token lacks a permission (a GitHub App's
 * installation, or a fine-grained token): say which one, from GitHub's
 * `x-accepted-github-permissions` header, and where to grant it.
 */
async function permitted<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof RequestError) || err.status !== 403) throw err;
    const said = String((err.response?.data as Any | undefined)?.message ?? err.message);
    if (!/not accessible|permission/i.test(said)) throw err;
    const accepted = String(err.response?.headers?.['x-accepted-github-permissions'] ?? '');
    const first = accepted.split(';')[0]?.trim().split(',')[0]?.trim() ?? '';
    const [name, level] = first.split('=');
    const grant = name ? `${PERMISSION_TITLES[name] ?? name}: ${level === 'write' ? 'Read and write' : 'Read'}` : 'the permission this call needs';
    throw new Error(`GitHub refused to ${what} (403 "${said}")${accepted ? `: the token lacks ${accepted}` : ''}. Give the GitHub App (or the token) "${grant}" on this repository; for an App, accept the new permissions on its installation`);
  }
}

export class GitHubPlatform implements Platform {
  private me: Promise<string | undefined> | undefined;
  constructor(private readonly client: PlatformClient, private readonly botLogin?: string) {}

  login(): Promise<string | undefined> {
    // A login given wins ('' for one known to be unknown): an installation token cannot say whose it is.
    this.me ??= this.botLogin !== undefined ? Promise.resolve(this.botLogin) : this.client.whoami();
    return this.me;
  }

  async findPulls(repo: RepoName, branch: string): Promise<PullRequest[]> {
    const data = await this.client.octokit.paginate(this.client.octokit.rest.pulls.list, { ...r(repo), state: 'all', head: `${repo.owner}:${branch}`, per_page: 100 });
    return data.map(toPull).sort((a, b) => b.number - a.number);
  }

  async createPull(repo: RepoName, pr: { title: string; body: string; head: string; base: string; draft: boolean }): Promise<PullRequest> {
    try {
      const { data } = await permitted('open the pull request', () => this.client.octokit.rest.pulls.create({ ...r(repo), ...pr, maintainer_can_modify: true }));
      return toPull(data);
    } catch (err) {
      if (err instanceof RequestError && err.status === 422 && /already exists/i.test(JSON.stringify((err.response?.data as Any) ?? err.message))) {
        throw new PullExistsError(`a pull request already exists for ${repo.owner}:${pr.head}`);
      }
      throw err;
    }
  }

  async updatePull(repo: RepoName, number: number, change: { title?: string; body?: string; state?: 'open' | 'closed' }): Promise<PullRequest> {
    const { data } = await permitted(`update pull request #${number}`, () => this.client.octokit.rest.pulls.update({ ...r(repo), pull_number: number, ...change }));
    return toPull(data);
  }

  async markReady(repo: RepoName, pr: { number: number; nodeId: string }): Promise<void> {
    if (!pr.nodeId) throw new Error(`no node id for ${repo.owner}/${repo.name}#${pr.number}`);
    const data = await this.client.graphql<{ markPullRequestReadyForReview: { pullRequest: { number: number; isDraft: boolean } | null } | null }>(
      `${repo.owner}/${repo.name}`,
      'mutation MarkReady($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { number isDraft } } }',
      { id: pr.nodeId },
    ).catch((err: unknown) => {
      // GitHub's `errors` answer (HTTP 200): one line naming each error, for warnings and logs.
      const errors = (err as { errors?: { type?: string; message?: string }[] } | null)?.errors;
      if (!Array.isArray(errors)) throw err;
      throw new Error(`GitHub's GraphQL API answered: ${errors.map((e) => `${e.type ? `${e.type}: ` : ''}${e.message ?? 'error'}`).join('; ')}`);
    });
    const after = data.markPullRequestReadyForReview?.pullRequest;
    if (!after || after.number !== pr.number || after.isDraft) throw new Error(`GitHub did not mark ${repo.owner}/${repo.name}#${pr.number} ready for review`);
  }

  async convertedToDraft(repo: RepoName, number: number): Promise<boolean> {
    const events = await this.client.octokit.paginate(this.client.octokit.rest.issues.listEvents, { ...r(repo), issue_number: number, per_page: 100 });
    return events.some((e) => e.event === 'convert_to_draft');
  }

  async getPull(repo: RepoName, number: number): Promise<PullRequest> {
    const { data } = await this.client.octokit.rest.pulls.get({ ...r(repo), pull_number: number });
    return toPull(data);
  }

  async listComments(repo: RepoName, number: number): Promise<Comment[]> {
    const data = await this.client.octokit.paginate(this.client.octokit.rest.issues.listComments, { ...r(repo), issue_number: number, per_page: 100 });
    return data.map((c) => ({ id: c.id, body: c.body ?? '', author: c.user?.login ?? '' }));
  }

  async comment(repo: RepoName, number: number, body: string): Promise<void> {
    await permitted(`comment on #${number}`, () => this.client.octokit.rest.issues.createComment({ ...r(repo), issue_number: number, body }));
  }

  async addLabels(repo: RepoName, number: number, labels: string[]): Promise<void> {
    if (labels.length) await this.client.octokit.rest.issues.addLabels({ ...r(repo), issue_number: number, labels });
  }

  async requestReviewers(repo: RepoName, number: number, reviewers: string[]): Promise<void> {
    const users = reviewers.filter((x) => !x.includes('/'));
    const teams = reviewers.filter((x) => x.includes('/')).map((x) => x.slice(x.indexOf('/') + 1));
    if (users.length || teams.length) await this.client.octokit.rest.pulls.requestReviewers({ ...r(repo), pull_number: number, reviewers: users, team_reviewers: teams });
  }

  async listIssues(repo: RepoName, o: { label?: string; creator?: string }): Promise<Issue[]> {
    const data = await this.client.octokit.paginate(this.client.octokit.rest.issues.listForRepo, { ...r(repo), state: 'all', per_page: 100, ...(o.label ? { labels: o.label } : {}), ...(o.creator ? { creator: o.creator } : {}) });
    return data.filter((i) => !i.pull_request).map(toIssue);
  }

  async createIssue(repo: RepoName, issue: { title: string; body: string; labels: string[] }): Promise<Issue> {
    const { data } = await permitted('open the issue', () => this.client.octokit.rest.issues.create({ ...r(repo), ...issue }));
    return toIssue(data);
  }

  async updateIssue(repo: RepoName, number: number, change: { title?: string; body?: string; state?: 'open' | 'closed' }): Promise<Issue> {
    const { data } = await permitted(`update issue #${number}`, () => this.client.octokit.rest.issues.update({ ...r(repo), issue_number: number, ...change }));
    return toIssue(data);
  }

  async listPullFiles(repo: RepoName, number: number): Promise<PullFile[]> {
    const data = await this.client.octokit.paginate(this.client.octokit.rest.pulls.listFiles, { ...r(repo), pull_number: number, per_page: 100 });
    return data.map((f) => ({ filename: f.filename, status: f.status, patch: f.patch }));
  }

  async repository(repo: RepoName): Promise<RepoInfo> {
    try {
      const { data } = await this.client.octokit.rest.repos.get(r(repo));
      // GitHub answers a transferred or renamed repository with 301 to its new home, which the
      // client follows: every later call by the old name (the bot branch's PRs under the old
      // owner) would find nothing and open a PR that already exists, every night.
      if (typeof data.full_name === 'string' && data.full_name.toLowerCase() !== repo.full.toLowerCase()) {
        return { status: 'missing', reason: `moved: GitHub serves this repository as ${JSON.stringify(data.full_name)} now (transferred or renamed); the bot acts on the names its list gives, so update the ECM list or repos.yaml to the new name` };
      }
      if (data.archived) return { status: 'archived', defaultBranch: data.default_branch };
      return { status: 'ok', cloneUrl: checkCloneUrl(data.clone_url), defaultBranch: data.default_branch, canPush: data.permissions?.push };
    } catch (err) {
      if (err instanceof RequestError && err.status === 404) {
        return { status: 'missing', reason: "repository not found on GitHub (404): check the name, or the token's access for a private repository" };
      }
      if (err instanceof RequestError && err.status === 403) throw new Error(`GitHub refused access to ${repo.full} (403): ${redact(err.message)}`);
      throw err;
    }
  }

  async getFile(repo: RepoName, path: string, ref?: string): Promise<string | undefined> {
    try {
      const res = await this.client.octokit.request('GET /repos/{owner}/{repo}/contents/{path}', { ...r(repo), path, ...(ref ? { ref } : {}), headers: { accept: 'application/vnd.github.raw+json' } });
      // A folder answers with its listing, not a text.
      return typeof res.data === 'string' ? res.data : undefined;
    } catch (err) {
      if (err instanceof RequestError && err.status === 404) return undefined;
      throw err;
    }
  }

  async listFolder(repo: RepoName, path: string, ref: string): Promise<string[]> {
    try {
      const { data } = await this.client.octokit.rest.repos.getContent({ ...r(repo), path, ref });
      return Array.isArray(data) ? data.filter((e) => e.type === 'file').map((e) => e.name) : [];
    } catch (err) {
      if (err instanceof RequestError && err.status === 404) return [];
      throw err;
    }
  }

  async listReviewComments(repo: RepoName, number: number): Promise<ReviewComment[]> {
    const data = await this.client.octokit.paginate(this.client.octokit.rest.pulls.listReviewComments, { ...r(repo), pull_number: number, per_page: 100 });
    return data.map((c) => ({ path: c.path, line: c.line ?? c.original_line ?? 0, body: c.body, author: c.user?.login ?? '' }));
  }

  async listReviews(repo: RepoName, number: number): Promise<{ body: string; author: string }[]> {
    const data = await this.client.octokit.paginate(this.client.octokit.rest.pulls.listReviews, { ...r(repo), pull_number: number, per_page: 100 });
    return data.map((x) => ({ body: x.body ?? '', author: x.user?.login ?? '' }));
  }

  async createReview(repo: RepoName, number: number, review: NewReview): Promise<void> {
    await this.client.octokit.rest.pulls.createReview({
      ...r(repo), pull_number: number, commit_id: review.commitId, body: review.body, event: review.event,
      comments: review.comments.map((c) => ({ path: c.path, line: c.line, side: 'RIGHT', body: c.body })),
    });
  }

  private identity: Promise<CommitIdentity> | undefined;

  commitIdentity(): Promise<CommitIdentity> {
    this.identity ??= (async (): Promise<CommitIdentity> => {
      if (!this.client.installation) return { kind: 'token' };
      const login = await this.login().catch(() => undefined);
      if (!login || !/\[bot\]$/.test(login)) return { kind: 'unknown', reason: `GitHub did not say the App's login (GET /app${login === undefined ? '' : `: ${JSON.stringify(login)}`}; GITHUB_BOT_LOGIN gives it for an installation token)` };
      try {
        // The bot user's id, not the App's: the number in the noreply email GitHub gives the App's commits.
        const { data } = await this.client.octokit.rest.users.getByUsername({ username: login });
        return { kind: 'app', author: { name: login, email: `${data.id}+${login}@users.noreply.github.com` } };
      } catch (err) {
        const status = (err as { status?: unknown } | null)?.status;
        return { kind: 'unknown', reason: `GET /users/${login} answered ${typeof status === 'number' ? status : redact(err instanceof Error ? err.message : String(err))}` };
      }
    })();
    return this.identity;
  }

  async createBlob(repo: RepoName, content: Buffer): Promise<string> {
    const { data } = await permitted('create a blob', () => this.client.octokit.rest.git.createBlob({ ...r(repo), content: content.toString('base64'), encoding: 'base64' }));
    return data.sha;
  }

  async createTree(repo: RepoName, baseTree: string, changes: TreeChange[]): Promise<string> {
    const { data } = await permitted('create a tree', () => this.client.octokit.rest.git.createTree({ ...r(repo), base_tree: baseTree, tree: changes }));
    return data.sha;
  }

  async createCommit(repo: RepoName, commit: { message: string; tree: string; parents: string[] }): Promise<string> {
    // No author, no committer: GitHub makes the commit as the App's bot and signs it.
    const { data } = await permitted('create the commit', () => this.client.octokit.rest.git.createCommit({ ...r(repo), message: commit.message, tree: commit.tree, parents: commit.parents }));
    return data.sha;
  }

  async branchHead(repo: RepoName, branch: string): Promise<string | undefined> {
    try {
      const { data } = await this.client.octokit.rest.git.getRef({ ...r(repo), ref: `heads/${branch}` });
      return data.object.sha;
    } catch (err) {
      if (err instanceof RequestError && err.status === 404) return undefined;
      throw err;
    }
  }

  async setBranch(repo: RepoName, branch: string, sha: string, o: { create: boolean }): Promise<void> {
    try {
      await permitted(`move the branch ${branch}`, async (): Promise<unknown> =>
        o.create
          ? this.client.octokit.rest.git.createRef({ ...r(repo), ref: `refs/heads/${branch}`, sha })
          : this.client.octokit.rest.git.updateRef({ ...r(repo), ref: `heads/${branch}`, sha, force: true }),
      );
    } catch (err) {
      if (!(err instanceof RequestError) || err.status !== 422) throw err;
      const said = String((err.response?.data as Any | undefined)?.message ?? err.message);
      const workflow = /refusing to allow .{0,60}? to create or update workflow `([^`\n]{1,200})`/i.exec(said);
      if (workflow) throw new RefRefused('workflows', JSON.stringify(workflow[1]), said);
      if (/\bGH006\b|protected branch update failed/i.test(said)) throw new RefRefused('protected', '', said);
      if (/\bGH013\b|repository rule violations/i.test(said)) throw new RefRefused('ruleset', '', said);
      if (/already exists/i.test(said)) throw new RefRefused('exists', '', said);
      if (/fast forward|does not exist|cannot be updated|cannot lock/i.test(said)) throw new RefRefused('moved', '', said);
      throw err;
    }
  }

  mayChangeWorkflows(): Promise<boolean | undefined> {
    return this.client.mayChangeWorkflows();
  }

  gitToken(): Promise<string | undefined> {
    return this.client.gitToken();
  }

  calls(repo?: string) {
    return this.client.calls(repo);
  }
}

/** Clone over http(s) only, never with credentials in the URL: it is printed and handed to git. */
function checkCloneUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`GitHub returned an unusable clone URL ${JSON.stringify(redact(raw))}`);
  }
  if (!/^https?:$/.test(url.protocol) || url.username || url.password) {
    throw new Error(`GitHub returned an unexpected clone URL ${JSON.stringify(redact(raw))} (only http(s) without credentials)`);
  }
  return url.href;
}
