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
  getFile(repo: RepoName, path: string, ref: string): Promise<string | undefined>;
  /** The names of the files in a folder at `ref`, [] when the folder does not exist there. */
  listFolder(repo: RepoName, path: string, ref: string): Promise<string[]>;
  listReviewComments(repo: RepoName, number: number): Promise<ReviewComment[]>;
  /** Review bodies already posted on the PR (the bot finds its own by marker). */
  listReviews(repo: RepoName, number: number): Promise<{ body: string; author: string }[]>;
  createReview(repo: RepoName, number: number, review: NewReview): Promise<void>;
  /** A token git can push with (a GitHub App's installation token is refreshed before it expires). */
  gitToken(): Promise<string | undefined>;
  /** May pushes change `.github/workflows/`? false: no; undefined: GitHub only tells by refusing the push (a token). */
  mayChangeWorkflows(): Promise<boolean | undefined>;
  /** API calls made so far for one repository (`owner/name`), or for all when omitted. */
  calls(repo?: string): ApiCalls;
}
