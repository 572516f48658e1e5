/**
 * The platform seam: everything delivery asks of GitHub, in GitHub's terms but without Octokit.
 * Delivery, the dashboard and PR review depend on this interface only; `github.ts` implements it.
 */
import type { RepoName } from '../config/names.ts';

export interface PullRequest {
  number: number;
  /** GitHub's global node id (`node_id`), what GraphQL mutations name the PR by. */
  nodeId: string;
  url: string;
  state: 'open' | 'closed';
  merged: boolean;
  draft: boolean;
  title: string;
  body: string;
  /** Branch names (no owner). */
  head: string;
  base: string;
  headSha: string;
  author: string;
  /** Label names on the PR now (the listing carries them: no call of its own). */
  labels: string[];
  /** Users and team slugs whose review is requested now (GitHub drops a user once they reviewed). */
  requestedReviewers: string[];
  requestedTeams: string[];
}

export interface Comment {
  id: number;
  body: string;
  author: string;
}

export interface Issue {
  number: number;
  url: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  /** Login of the issue's author: the bot's own markers count only in what the bot wrote. */
  author: string;
}

export interface PullFile {
  filename: string;
  status: string;
  patch?: string;
}

export interface ReviewComment {
  path: string;
  line: number;
  body: string;
  author: string;
}

export interface NewReview {
  commitId: string;
  body: string;
  event: 'COMMENT' | 'REQUEST_CHANGES' | 'APPROVE';
  comments: { path: string; line: number; body: string }[];
}

export interface ApiCalls {
  /** HTTP requests made (retries included), 304s excluded. */
  calls: number;
  /** Conditional reads answered 304 Not Modified (free of rate limit). */
  notModified: number;
}

/** 422 "A pull request already exists": another run won the race. */
export class PullExistsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PullExistsError';
  }
}

/**
 * Who GitHub makes the bot's commits as, when it makes them: a GitHub App installation's bot
 * (`<slug>[bot]`, `<id>+<slug>[bot]@users.noreply.github.com`), whose commits made through the
 * git data API GitHub signs. `token`: a token's commits are made with git, as the configured
 * author. `unknown`: an App whose identity could not be read (why, in `reason`).
 */
export type CommitIdentity =
  | { kind: 'app'; author: { name: string; email: string } }
  | { kind: 'token' }
  | { kind: 'unknown'; reason: string };

/** One path of a tree made through the API: new content (inline text or a blob's sha), or deleted (`sha: null`). */
export interface TreeChange {
  path: string;
  mode: '100644' | '100755' | '120000' | '160000';
  type: 'blob' | 'commit';
  sha?: string | null;
  content?: string;
}

/**
 * GitHub refused to move a branch through the API: it exists already or moved (`exists`,
 * `moved`), a rule of the repository covers it (`protected`, `ruleset`), or the commit changes a
 * workflow file without the workflows permission (`workflows`, `detail` the file).
 */
export class RefRefused extends Error {
  constructor(readonly kind: 'exists' | 'moved' | 'protected' | 'ruleset' | 'workflows', readonly detail: string, message: string) {
    super(message);
    this.name = 'RefRefused';
  }
}

/** What GitHub knows about one repository before it is cloned: does it exist, is it archived, its default branch, where to clone it from. */
export type RepoInfo =
  | { status: 'ok'; cloneUrl: string; defaultBranch: string; /** From the token's permissions (undefined when anonymous). */ canPush?: boolean }
  | { status: 'archived'; defaultBranch: string }
  | { status: 'missing'; reason: string };

export interface Platform {
  /** The bot's login (author of its PRs and comments). */
  login(): Promise<string | undefined>;
  /** Pull requests whose head is `branch` of this repository, any state, newest first. */
  findPulls(repo: RepoName, branch: string): Promise<PullRequest[]>;
  createPull(repo: RepoName, pr: { title: string; body: string; head: string; base: string; draft: boolean }): Promise<PullRequest>;
  updatePull(repo: RepoName, number: number, change: { title?: string; body?: string; state?: 'open' | 'closed' }): Promise<PullRequest>;
  /**
   * Turn a draft PR into one ready for review (REST cannot: GraphQL's
   * `markPullRequestReadyForReview`, which needs no permission beyond Pull requests: write).
   */
  markReady(repo: RepoName, pr: { number: number; nodeId: string }): Promise<void>;
  /** Whether anyone converted the PR to a draft after it was opened (a `convert_to_draft` issue event). */
  convertedToDraft(repo: RepoName, number: number): Promise<boolean>;
  listComments(repo: RepoName, number: number): Promise<Comment[]>;
  comment(repo: RepoName, number: number, body: string): Promise<void>;
  addLabels(repo: RepoName, number: number, labels: string[]): Promise<void>;
  requestReviewers(repo: RepoName, number: number, reviewers: string[]): Promise<void>;
  /** Open or closed issues carrying `label`, newest first (the dashboard finds itself by marker among them). */
  listIssues(repo: RepoName, o: { label?: string; creator?: string }): Promise<Issue[]>;
  createIssue(repo: RepoName, issue: { title: string; body: string; labels: string[] }): Promise<Issue>;
  updateIssue(repo: RepoName, number: number, change: { title?: string; body?: string; state?: 'open' | 'closed' }): Promise<Issue>;
  getPull(repo: RepoName, number: number): Promise<PullRequest>;
  listPullFiles(repo: RepoName, number: number): Promise<PullFile[]>;
  /** A file's text at `ref`, or undefined when it does not exist there. */
  getFile(repo: RepoName, path: string, ref?: string): Promise<string | undefined>;
  /** The repository as GitHub serves it now (a transferred or renamed one counts as missing, with its new name). */
  repository(repo: RepoName): Promise<RepoInfo>;
  /** The names of the files in a folder at `ref`, [] when the folder does not exist there. */
  listFolder(repo: RepoName, path: string, ref: string): Promise<string[]>;
  listReviewComments(repo: RepoName, number: number): Promise<ReviewComment[]>;
  /** Review bodies already posted on the PR (the bot finds its own by marker). */
  listReviews(repo: RepoName, number: number): Promise<{ body: string; author: string }[]>;
  createReview(repo: RepoName, number: number, review: NewReview): Promise<void>;
  /** A token git can push with (a GitHub App's installation token is refreshed before it expires). */
  gitToken(): Promise<string | undefined>;
  /** Who GitHub makes the bot's commits as (asked once a run; never throws). */
  commitIdentity(): Promise<CommitIdentity>;
  /** A blob through the git data API (base64: binary-safe); its sha. */
  createBlob(repo: RepoName, content: Buffer): Promise<string>;
  /** A tree: `baseTree` with `changes` applied; its sha. */
  createTree(repo: RepoName, baseTree: string, changes: TreeChange[]): Promise<string>;
  /** A commit with no author or committer: GitHub makes it as the authenticated App's bot, and signs it. */
  createCommit(repo: RepoName, commit: { message: string; tree: string; parents: string[] }): Promise<string>;
  /** The branch's head through the API (GET ref), undefined when it does not exist. */
  branchHead(repo: RepoName, branch: string): Promise<string | undefined>;
  /** Create the branch at `sha` (`create`), or move it there with force; throws RefRefused. */
  setBranch(repo: RepoName, branch: string, sha: string, o: { create: boolean }): Promise<void>;
  /** May pushes change `.github/workflows/`? false: no; undefined: GitHub only tells by refusing the push (a token). */
  mayChangeWorkflows(): Promise<boolean | undefined>;
  /** API calls made so far for one repository (`owner/name`), or for all when omitted. */
  calls(repo?: string): ApiCalls;
}
