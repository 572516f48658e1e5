// GitHub's pacing as the client applies it, measured where it counts: when the calls reach the
// local GitHub. This is the one test that waits the real spacing out; every other test turns it
// off (test/helpers/pacing.ts) through the same variables a user would set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { createPlatformClient, DEFAULT_PACING, pacingFrom, platformEnvFrom, type GitHubPacing } from '../../src/platform/octokit.ts';
import { clearSecrets } from '../../src/secrets/redact.ts';
import { NO_PACING_OPTIONS } from '../helpers/pacing.ts';

const TOKEN = ['ghp', 'writeSpacingTest0123456789abcdefABCDEF'].join('_');
const FULL = 'rancher/image-build-spacing';
const [owner, repo] = FULL.split('/') as [string, string];
/** The share of a spacing a gap must reach as the server sees it (see the first test). */
const JITTER = 0.8;

describe('the GitHub client spaces its writes and waits before retries', () => {
  let gh: LocalGitHub;
  beforeAll(async () => {
    gh = await LocalGitHub.start({ tokens: { [TOKEN]: 'image-build-migrator[bot]' } });
    gh.addRepo(FULL, { Dockerfile: 'FROM scratch\n' });
    gh.commit(FULL, 'topic', { 'topic.txt': 'x\n' });
    gh.openPull(FULL, 'topic', 'a topic');
  });
  afterAll(async () => {
    clearSecrets();
    await gh.close();
  });
  const client = (pacing?: Partial<GitHubPacing>) => createPlatformClient({ apiUrl: gh.url, serverUrl: gh.serverUrl, auth: { kind: 'token', token: TOKEN }, pacing });
  const arrivals = (operationId: string, since: number) => gh.api.requests.slice(since).filter((q) => q.operationId === operationId).map((q) => q.receivedAt);
  const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

  it('by default, writes reach GitHub at least 1 s apart and writes that notify people at least 3 s apart, even when issued at once', async () => {
    const { octokit } = await client();
    // A read first: the local GitHub loads its OpenAPI description on the first call, and a stall
    // between a write's slot and its sending would bunch the next ones up.
    await octokit.rest.pulls.get({ owner, repo, pull_number: 1 });
    let since = gh.api.requests.length;
    await Promise.all(['one', 'two', 'three'].map((title) => octokit.rest.pulls.update({ owner, repo, pull_number: 1, title })));
    const edits = arrivals('pulls/update', since);
    expect(edits).toHaveLength(3);
    // The client spaces the moments it lets a write go by the full second; on a loaded machine the
    // time from there to the socket varies by up to a few tens of milliseconds per call, so a gap
    // seen by the server can be that much shorter. Unspaced writes arrive milliseconds apart.
    for (const gap of gaps(edits)) expect(gap).toBeGreaterThanOrEqual(JITTER * DEFAULT_PACING.writeMs);

    since = gh.api.requests.length;
    await Promise.all(['first', 'second'].map((body) => octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body })));
    const comments = arrivals('issues/create-comment', since);
    expect(comments).toHaveLength(2);
    expect(gaps(comments)[0]).toBeGreaterThanOrEqual(JITTER * DEFAULT_PACING.notifyMs);
  }, 30_000);

  it('waits n² retry units before the n-th retry of a 5xx', async () => {
    const unit = 100;
    const { octokit } = await client({ writeMs: 0, notifyMs: 0, retryUnitMs: unit });
    gh.api.fail({ operationId: 'pulls/get', times: 2, response: { status: 502, body: { message: 'Bad Gateway' } } });
    const since = gh.api.requests.length;
    await octokit.rest.pulls.get({ owner, repo, pull_number: 1 });
    const tries = arrivals('pulls/get', since);
    expect(tries).toHaveLength(3);
    const [first, second] = gaps(tries) as [number, number];
    // A retry waits in a timer: it can come late, never early.
    expect(first).toBeGreaterThanOrEqual(1 * unit - 2);
    expect(second).toBeGreaterThanOrEqual(4 * unit - 2);
    // ... and in units of this length, not of the default second.
    expect(second).toBeLessThan(4 * DEFAULT_PACING.retryUnitMs);
  });

  it('with the pacing turned off (as every other test runs), neither writes nor notifying writes are held back', async () => {
    const { octokit } = await client(NO_PACING_OPTIONS);
    await octokit.rest.pulls.get({ owner, repo, pull_number: 1 });
    const since = gh.api.requests.length;
    await Promise.all(['third', 'fourth', 'fifth'].map((body) => octokit.rest.issues.createComment({ owner, repo, issue_number: 1, body })));
    const comments = arrivals('issues/create-comment', since);
    expect(comments).toHaveLength(3);
    expect(comments.at(-1)! - comments[0]!).toBeLessThan(DEFAULT_PACING.writeMs);
  });

  it('reads the pacing from GITHUB_WRITE_SPACING_MS, GITHUB_NOTIFY_SPACING_MS and GITHUB_RETRY_UNIT_MS, and ignores what is not a number >= 0', async () => {
    expect(pacingFrom({})).toEqual({});
    expect(pacingFrom({ GITHUB_WRITE_SPACING_MS: '0', GITHUB_NOTIFY_SPACING_MS: ' 250 ', GITHUB_RETRY_UNIT_MS: '10' })).toEqual({ writeMs: 0, notifyMs: 250, retryUnitMs: 10 });
    expect(pacingFrom({ GITHUB_WRITE_SPACING_MS: 'soon', GITHUB_NOTIFY_SPACING_MS: '-1', GITHUB_RETRY_UNIT_MS: '' })).toEqual({});
    expect((await platformEnvFrom({ GITHUB_TOKEN: TOKEN, GITHUB_WRITE_SPACING_MS: '0' })).pacing).toEqual({ writeMs: 0 });
    clearSecrets();
  });
});
