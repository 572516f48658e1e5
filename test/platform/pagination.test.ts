// Lists as GitHub serves them: 30 per page unless asked, 100 at most, the rest behind Link
// headers. The local GitHub pages every list endpoint the bot reads, so a reader that stops at the
// first page loses what production would hide from it (a 101st comment, a dashboard on page 2).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { parseRepoName } from '../../src/config/names.ts';
import { DASHBOARD_LABEL, updateDashboard } from '../../src/delivery/dashboard.ts';
import { GitHubPlatform } from '../../src/platform/github.ts';
import { createPlatformClient } from '../../src/platform/octokit.ts';
import { clearSecrets } from '../../src/secrets/redact.ts';
import { NO_PACING_OPTIONS } from '../helpers/pacing.ts';

const TOKEN = ['ghp', 'paginationTest0123456789abcdefABCDEFGH'].join('_');
const FULL = 'rancher/image-build-pages';
const TOOLS = 'rancher/fleet-tools';

describe('pagination, as GitHub does it, followed by the bot', () => {
  let gh: LocalGitHub;
  let platform: GitHubPlatform;
  const repo = parseRepoName(FULL);
  beforeAll(async () => {
    gh = await LocalGitHub.start({ tokens: { [TOKEN]: 'image-build-migrator[bot]' } });
    gh.addRepo(FULL, { Dockerfile: 'FROM scratch\n' });
    gh.addRepo(TOOLS, { 'README.md': 'tools\n' });
    gh.commit(FULL, 'topic', Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`f${String(i).padStart(3, '0')}.txt`, `${i}\n`])));
    gh.openPull(FULL, 'topic', 'a topic');
    for (let i = 0; i < 130; i++) gh.addComment(FULL, 1, `comment ${i}`);
    const client = await createPlatformClient({ apiUrl: gh.url, serverUrl: gh.serverUrl, auth: { kind: 'token', token: TOKEN }, pacing: NO_PACING_OPTIONS, retries: 0 });
    platform = new GitHubPlatform(client);
  });
  afterAll(async () => {
    clearSecrets();
    await gh.close();
  });

  it('the local GitHub serves 30 by default and 100 at most, with Link headers to the rest', async () => {
    const get = (q: string) => fetch(`${gh.url}/repos/${FULL}/issues/1/comments${q}`, { headers: { authorization: `token ${TOKEN}`, accept: 'application/vnd.github+json' } });
    const first = await get('');
    expect(((await first.json()) as unknown[]).length).toBe(30);
    expect(first.headers.get('link')).toContain('page=2>; rel="next"');
    expect(first.headers.get('link')).toContain('page=5>; rel="last"');
    const big = await get('?per_page=500');
    expect(((await big.json()) as unknown[]).length).toBe(100);
    const tail = await get('?per_page=100&page=2');
    expect(((await tail.json()) as { body: string }[]).map((c) => c.body).at(-1)).toBe('comment 129');
    expect(tail.headers.get('link')).not.toContain('rel="next"');
  });

  it('the bot reads every comment, changed file and issue, not the first hundred', async () => {
    const before = gh.api.requests.length;
    expect((await platform.listComments(repo, 1)).map((c) => c.body).at(-1)).toBe('comment 129');
    expect((await platform.listPullFiles(repo, 1)).length).toBe(130);
    const ops = gh.api.requests.slice(before).map((q) => q.operationId);
    expect(ops.filter((o) => o === 'issues/list-comments')).toHaveLength(2);
    expect(ops.filter((o) => o === 'pulls/list-files')).toHaveLength(2);
  });

  it('finds its dashboard behind 120 newer issues after a human removed its label: no second dashboard', async () => {
    const input = { repo: TOOLS, title: 'Cross-compilation campaign', repos: [{ name: FULL, outcome: 'changed' as const, reason: 'changed Dockerfile' }], now: '2026-12-01T02:00:00.000Z' };
    const first = await updateDashboard(platform, input);
    expect(first.action).toBe('created');
    const dashboard = gh.issuesOf(TOOLS)[0]!;
    dashboard.labels = [];
    for (let i = 0; i < 120; i++) gh.openIssue(TOOLS, `an unrelated issue ${i}`);
    const again = await updateDashboard(platform, { ...input, now: '2026-12-02T02:00:00.000Z', repos: [{ ...input.repos[0]!, outcome: 'failed', reason: 'the build failed' }] });
    expect(again).toMatchObject({ action: 'updated', url: first.url });
    expect(gh.issuesOf(TOOLS).filter((i) => i.body.includes('image-build-migrator:dashboard'))).toHaveLength(1);
    expect(dashboard.labels).toEqual([DASHBOARD_LABEL]);
  });
});
