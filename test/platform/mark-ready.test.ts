// The platform seam's one GraphQL call, through the real Octokit client against the local GitHub
// (Enterprise layout: REST under /api/v3, GraphQL at /api/graphql).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { parseRepoName } from '../../src/config/names.ts';
import { GitHubPlatform } from '../../src/platform/github.ts';
import { createPlatformClient } from '../../src/platform/octokit.ts';
import { clearSecrets } from '../../src/secrets/redact.ts';
import { NO_PACING_OPTIONS } from '../helpers/pacing.ts';

const TOKEN = ['ghp', 'markReadySeamTest0123456789abcdefABCDE'].join('_');
const FULL = 'rancher/image-build-seam';

describe('Platform.markReady', () => {
  let gh: LocalGitHub;
  let platform: GitHubPlatform;
  const repo = parseRepoName(FULL);
  beforeAll(async () => {
    gh = await LocalGitHub.start({ prefix: '/api/v3', tokens: { [TOKEN]: 'image-build-migrator[bot]' } });
    gh.addRepo(FULL, { Dockerfile: 'FROM scratch\n' });
    for (const b of ['one', 'two']) {
      gh.commit(FULL, b, { [`${b}.txt`]: 'x\n' });
      gh.setDraft(FULL, gh.openPull(FULL, b, b).number, true);
    }
    const client = await createPlatformClient({ apiUrl: gh.url, serverUrl: gh.serverUrl, auth: { kind: 'token', token: TOKEN }, pacing: NO_PACING_OPTIONS, retries: 0 });
    platform = new GitHubPlatform(client);
  });
  afterAll(async () => {
    clearSecrets();
    await gh.close();
  });

  it('marks a draft ready by its node id from REST, counted as one call of that repository', async () => {
    const pr = await platform.getPull(repo, 1);
    expect(pr).toMatchObject({ draft: true, nodeId: gh.nodeId(FULL, 1) });
    // Made a draft by a human after it was opened: GitHub's convert_to_draft event.
    expect(await platform.convertedToDraft(repo, 1)).toBe(true);
    const before = platform.calls(FULL).calls;
    await platform.markReady(repo, pr);
    expect(platform.calls(FULL).calls).toBe(before + 1);
    expect((await platform.getPull(repo, 1)).draft).toBe(false);
    expect(gh.api.requests.at(-2)).toMatchObject({ method: 'POST', url: '/api/graphql', operationId: 'graphql/markPullRequestReadyForReview', status: 200, authorization: `token ${TOKEN}` });
    expect(gh.pull(FULL, 1).events.map((e) => [e.event, e.actor])).toEqual([['convert_to_draft', 'a-maintainer'], ['ready_for_review', 'image-build-migrator[bot]']]);
    gh.assertClean();
  });

  it('a GraphQL error answer (HTTP 200) and a 5xx both throw, and the PR stays a draft', async () => {
    const pr = await platform.getPull(repo, 2);
    gh.api.fail({ operationId: 'graphql/markPullRequestReadyForReview', response: { status: 200, body: { data: { markPullRequestReadyForReview: null }, errors: [{ type: 'FORBIDDEN', path: ['markPullRequestReadyForReview'], message: 'Resource not accessible by integration' }] } } });
    await expect(platform.markReady(repo, pr)).rejects.toThrow(/Resource not accessible by integration/);
    gh.api.fail({ operationId: 'graphql/markPullRequestReadyForReview', response: { status: 502, body: { message: 'Server Error' } } });
    await expect(platform.markReady(repo, pr)).rejects.toThrow(/Server Error|502/);
    await expect(platform.markReady(repo, { number: 2, nodeId: 'PR_doesNotExist' })).rejects.toThrow(/Could not resolve to a node/);
    expect(gh.pull(FULL, 2).draft).toBe(true);
    gh.assertClean();
  });
});
