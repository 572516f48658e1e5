// The local GitHub's GraphQL endpoint must refuse what GitHub refuses, or the delivery tests built
// on it prove nothing: every request is checked against GitHub's published GraphQL schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitHub } from '../../scripts/local-github/github.ts';

const TOKEN = ['ghp', 'graphqlValidatorTest0123456789abcdefAB'].join('_');
const REPO = 'rancher/image-build-graphql';
const MUTATION = 'mutation MarkReady($id: ID!) { markPullRequestReadyForReview(input: { pullRequestId: $id }) { pullRequest { number isDraft } } }';

describe('local GitHub: POST /graphql', () => {
  let gh: LocalGitHub;
  let n: number;
  beforeAll(async () => {
    gh = await LocalGitHub.start({ tokens: { [TOKEN]: 'image-build-migrator[bot]' } });
    gh.addRepo(REPO, { Dockerfile: 'FROM scratch\n' });
    gh.commit(REPO, 'topic', { 'README.md': 'x\n' });
    n = gh.openPull(REPO, 'topic', 'a draft').number;
  });
  afterAll(() => gh.close());

  const post = async (body: unknown, o: { token?: string | null; path?: string } = {}) => {
    const res = await fetch(`${gh.url}${o.path ?? '/graphql'}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(o.token === null ? {} : { authorization: `bearer ${o.token ?? TOKEN}` }) },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };
  const restDraft = async () => ((await (await fetch(`${gh.url}/repos/${REPO}/pulls/${n}`)).json()) as { draft: boolean; node_id: string });
  const takeViolations = () => gh.api.violations.splice(0);

  it('markPullRequestReadyForReview flips the PR\'s draft flag, by the node id REST gives', async () => {
    gh.setDraft(REPO, n, true);
    const before = await restDraft();
    expect(before.draft).toBe(true);
    expect(before.node_id).toBe(gh.nodeId(REPO, n));
    const r = await post({ query: MUTATION, variables: { id: before.node_id } });
    expect(r).toEqual({ status: 200, json: { data: { markPullRequestReadyForReview: { pullRequest: { number: n, isDraft: false } } } } });
    expect((await restDraft()).draft).toBe(false);
    expect(gh.api.writes().at(-1)).toMatchObject({ method: 'POST', operationId: 'graphql/markPullRequestReadyForReview', graphql: 'mutation', status: 200 });
    gh.assertClean();
  });

  it('a misspelled field or argument is refused by the schema (GitHub-shaped errors, HTTP 200) and changes nothing', async () => {
    gh.setDraft(REPO, n, true);
    const id = gh.nodeId(REPO, n);
    const field = await post({ query: MUTATION.replace('isDraft', 'isDraf'), variables: { id } });
    expect(field.status).toBe(200);
    expect(field.json.data).toBeUndefined();
    expect(field.json.errors).toEqual([expect.objectContaining({ message: 'Cannot query field "isDraf" on type "PullRequest". Did you mean "isDraft"?', locations: [expect.objectContaining({ line: 1 })] })]);
    const arg = await post({ query: MUTATION.replace('pullRequestId:', 'pullRequestID:'), variables: { id } });
    expect(arg.json.errors.map((e: { message: string }) => e.message)).toContain('Field "pullRequestID" is not defined by type "MarkPullRequestReadyForReviewInput". Did you mean "pullRequestId"?');
    const violations = takeViolations();
    expect(violations).toHaveLength(2);
    expect(violations[0]).toMatch(/does not validate against GitHub's GraphQL schema: Cannot query field "isDraf"/);
    expect((await restDraft()).draft).toBe(true);
  });

  it('variables are checked against the operation\'s types; a query that does not parse is refused', async () => {
    const missing = await post({ query: MUTATION, variables: {} });
    expect(missing.json.errors[0].message).toBe('Variable "$id" of required type "ID!" was not provided.');
    const wrong = await post({ query: MUTATION, variables: { id: { not: 'an id' } } });
    expect(wrong.json.errors[0].message).toMatch(/^Variable "\$id" got invalid value \{ not: "an id" \}; ID cannot represent value/);
    const broken = await post({ query: 'mutation { markPullRequestReadyForReview(input: {', variables: {} });
    expect(broken.json.errors[0].message).toMatch(/^Syntax Error/);
    expect(takeViolations()).toEqual([expect.stringMatching(/variables do not fit/), expect.stringMatching(/variables do not fit/), expect.stringMatching(/does not parse/)]);
    expect((await restDraft()).draft).toBe(true);
  });

  it('an id that names no PR is GitHub\'s NOT_FOUND error (an answer, not a fault of the client)', async () => {
    const r = await post({ query: MUTATION, variables: { id: 'PR_doesNotExist' } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      data: { markPullRequestReadyForReview: null },
      errors: [{ type: 'NOT_FOUND', message: "Could not resolve to a node with the global id of 'PR_doesNotExist'.", locations: [{ line: 1, column: 32 }], path: ['markPullRequestReadyForReview'] }],
    });
    expect(takeViolations()).toEqual([]);
  });

  it('only the operations the bot uses are served; no token is a 401; faults are injected by root field', async () => {
    const viewer = await post({ query: '{ viewer { login } }' });
    expect(viewer.json.errors[0].message).toMatch(/query viewer is not served/);
    expect(takeViolations()).toEqual([expect.stringMatching(/query viewer is not served by this fake/)]);
    const anonymous = await post({ query: MUTATION, variables: { id: gh.nodeId(REPO, n) } }, { token: null });
    expect(anonymous.status).toBe(401);
    expect(() => gh.api.fail({ operationId: 'graphql/markPullRequestReadyForReviw' })).toThrow(/no operation .* in GitHub's GraphQL schema/);
    gh.api.fail({ operationId: 'graphql/markPullRequestReadyForReview', response: { status: 502, body: { message: 'Server Error' } } });
    const faulted = await post({ query: MUTATION, variables: { id: gh.nodeId(REPO, n) } });
    expect(faulted.status).toBe(502);
    expect((await restDraft()).draft).toBe(true);
    gh.assertClean();
  });
});

describe('local GitHub Enterprise: GraphQL beside /api/v3', () => {
  it('is served at /api/graphql, where Octokit sends it for an /api/v3 base URL', async () => {
    const ghe = await LocalGitHub.start({ prefix: '/api/v3', tokens: { [TOKEN]: 'image-build-migrator[bot]' } });
    try {
      ghe.addRepo(REPO, { Dockerfile: 'FROM scratch\n' });
      ghe.commit(REPO, 'topic', { 'README.md': 'x\n' });
      const p = ghe.openPull(REPO, 'topic', 'a draft');
      ghe.setDraft(REPO, p.number, true);
      const origin = ghe.url.replace(/\/api\/v3$/, '');
      const res = await fetch(`${origin}/api/graphql`, { method: 'POST', headers: { authorization: `token ${TOKEN}` }, body: JSON.stringify({ query: MUTATION, variables: { id: ghe.nodeId(REPO, p.number) } }) });
      expect(await res.json()).toEqual({ data: { markPullRequestReadyForReview: { pullRequest: { number: p.number, isDraft: false } } } });
      expect(ghe.pull(REPO, p.number).draft).toBe(false);
      ghe.assertClean();
    } finally {
      await ghe.close();
    }
  });
});
