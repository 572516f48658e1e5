// Faults GitHub produces, each met by a run of the real CLI against the local GitHub.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeRequest } from '../../scripts/local-github/api-server.ts';
import { cli, repoOf, startFleet, WIDGET, type Fleet } from './fleet.ts';

const only = (...names: string[]) => ['--only', names.map((n) => `rancher/image-build-${n}`).join(',')];
const forRepo = (name: string) => (q: FakeRequest) => q.params.repo === `image-build-${name}`;
const BOT = 'cross-compile/xx';

describe('faults: retried, or failing one repository alone', () => {
  let f: Fleet;
  beforeAll(async () => {
    f = await startFleet(Object.fromEntries(['secondary', 'toomany', 'badgateway', 'hang', 'midpush', 'readonly', 'nolabel'].map((n) => [`rancher/image-build-${n}`, WIDGET])), 'delivery:\n  maxPrsPerRun: 20\n');
    f.gh.repos.get('rancher/image-build-readonly')!.pushDenied = true;
    f.gh.repos.get('rancher/image-build-nolabel')!.strictLabels = true;
  });
  afterAll(() => f.close());

  it('403 secondary rate limit with retry-after, 429, 502 and a dropped connection are retried and the run completes', async () => {
    f.gh.api.fail({ operationId: 'pulls/create', when: forRepo('secondary'), response: { status: 403, headers: { 'retry-after': '1' }, body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest' } } });
    f.gh.api.fail({ operationId: 'pulls/list', when: forRepo('toomany'), response: { status: 429, headers: { 'retry-after': '1' }, body: { message: 'Too Many Requests', documentation_url: 'https://docs.github.com/rest' } } });
    f.gh.api.fail({ operationId: 'issues/add-labels', when: forRepo('badgateway'), response: { status: 502, body: { message: 'Server Error', documentation_url: 'https://docs.github.com/rest' } } });
    f.gh.api.fail({ operationId: 'pulls/list', when: forRepo('hang'), hangMs: 300 });
    const r = await cli(f, only('secondary', 'toomany', 'badgateway', 'hang'));
    expect(r.code).toBe(0);
    for (const n of ['secondary', 'toomany', 'badgateway', 'hang']) {
      expect(repoOf(r, `rancher/image-build-${n}`).delivery).toMatchObject({ action: 'open', status: 'opened', warnings: [] });
      expect(f.gh.pullsOf(`rancher/image-build-${n}`)).toHaveLength(1);
    }
    expect(f.gh.pullsOf('rancher/image-build-badgateway')[0]!.labels).toEqual(['cross-compilation']);
    expect(f.gh.api.pendingFaults()).toBe(0);
    expect(f.gh.api.requests.filter((q) => q.fault).map((q) => q.status).sort()).toEqual([0, 403, 429, 502]);
    expect(r.err).toMatch(/secondary rate limit on POST .*waiting 1s/);
    f.gh.assertClean();
  }, 90_000);

  it('a push cut mid-pack leaves no PR pointing at a missing commit; the next run opens it', async () => {
    f.gh.dropNextPush(0);
    const r = await cli(f, only('midpush'));
    expect(r.code).toBe(1);
    expect(repoOf(r, 'rancher/image-build-midpush')).toMatchObject({ outcome: 'failed', step: 'deliver', reason: expect.stringMatching(/push failed/) });
    expect(repoOf(r, 'rancher/image-build-midpush').diff).toContain('+FROM --platform=$BUILDPLATFORM');
    expect(f.gh.pullsOf('rancher/image-build-midpush')).toEqual([]);
    expect(f.gh.branchSha('rancher/image-build-midpush', BOT)).toBeUndefined();
    const again = await cli(f, only('midpush'));
    expect(repoOf(again, 'rancher/image-build-midpush').delivery).toMatchObject({ action: 'open' });
    const pr = f.gh.pullsOf('rancher/image-build-midpush')[0]!;
    expect(f.gh.branchSha('rancher/image-build-midpush', BOT)).toBe(pr.headSha);
  });

  it('a repository the token cannot push to fails alone with "no push access"; a missing label is reported, never fatal', async () => {
    const r = await cli(f, only('readonly', 'nolabel'));
    expect(r.code).toBe(1);
    expect(repoOf(r, 'rancher/image-build-readonly')).toMatchObject({ outcome: 'failed', step: 'deliver', reason: expect.stringMatching(/^no push access/) });
    expect(f.gh.pullsOf('rancher/image-build-readonly')).toEqual([]);
    expect(f.gh.pushes.filter((p) => p.repo === 'rancher/image-build-readonly')).toEqual([]);
    const d = repoOf(r, 'rancher/image-build-nolabel').delivery!;
    expect(d).toMatchObject({ action: 'open', status: 'opened' });
    expect(d.warnings).toEqual([expect.stringMatching(/labels cross-compilation could not be added: .*does not exist/)]);
    expect(f.gh.pullsOf('rancher/image-build-nolabel')[0]!.state).toBe('open');
    expect(r.out).toMatch(/warning: labels cross-compilation could not be added/);
    f.gh.assertClean();
  });
});
