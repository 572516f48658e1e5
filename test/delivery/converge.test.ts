// Issue 18 item 7: every run converges the bot's PR to the labels and reviewers of repos.yaml (not
// only the run that opened it), without fighting a human who removed one. Driven through the real
// CLI against the local GitHub.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMarker } from '../../src/delivery/marker.ts';
import { cli, repoOf, startFleet, WIDGET, type Fleet } from './fleet.ts';

const names = ['lost', 'adopted', 'reviewed', 'removed'];
const full = (n: string) => `rancher/image-build-${n}`;
const only = (...n: string[]) => ['--only', n.map(full).join(',')];
const forRepo = (n: string) => (q: { params: Record<string, string> }) => q.params.repo === `image-build-${n}`;

describe('labels and reviewers converge on every run, and a human who removed one wins', () => {
  let f: Fleet;
  beforeAll(async () => {
    f = await startFleet(Object.fromEntries(names.map((n) => [full(n), WIDGET])), 'delivery:\n  maxPrsPerRun: 20\n');
  });
  afterAll(() => f.close());

  it('a create GitHub carried out but whose answer never came (every retry dropped too): the next run adds the labels (the reviewers wait for the draft to be ready), --plan first says so', async () => {
    f.gh.api.fail({ operationId: 'pulls/create', when: forRepo('lost'), dropAnswer: true, times: 10 });
    const died = await cli(f, only('lost'));
    expect(repoOf(died, full('lost'))).toMatchObject({ outcome: 'failed', step: 'deliver' });
    const pr = f.gh.pullsOf(full('lost'))[0]!;
    expect(pr).toMatchObject({ state: 'open', labels: [], requested_reviewers: [] });

    const writes = f.gh.writeCalls().length;
    const plan = await cli(f, [...only('lost'), '--plan']);
    // A draft (not timed): its labels now, its reviewers once it is ready (issue 19).
    expect(repoOf(plan, full('lost')).delivery).toMatchObject({ action: 'update', reason: 'the PR waits for its build time: measured by its migrate job; the PR never got label cross-compilation of repos.yaml: to be added' });
    expect(f.gh.writeCalls()).toHaveLength(writes);

    const next = await cli(f, only('lost'));
    expect(repoOf(next, full('lost')).delivery).toMatchObject({ action: 'update', status: 'updated', warnings: [] });
    expect(f.gh.pullsOf(full('lost'))).toHaveLength(1);
    expect(f.gh.pull(full('lost'), pr.number)).toMatchObject({ labels: ['cross-compilation'], requested_reviewers: [] });
    expect(parseMarker(f.gh.pull(full('lost'), pr.number).body)!.applied).toEqual({ labels: ['cross-compilation'], reviewers: [] });

    // Converged: the next run writes nothing and stays within the nightly's budget of calls.
    const converged = f.gh.writeCalls().length;
    const again = await cli(f, only('lost'));
    expect(repoOf(again, full('lost')).delivery).toMatchObject({ action: 'leave', status: 'current' });
    expect(f.gh.writeCalls()).toHaveLength(converged);
    expect(repoOf(again, full('lost')).apiCalls!.calls).toBeLessThanOrEqual(4);
    f.gh.assertClean();
  }, 90_000);

  it('a create whose first answer was dropped and whose retry met "already exists": the same run adopts the PR and gives it its labels (a draft: no reviewer yet)', async () => {
    f.gh.api.fail({ operationId: 'pulls/create', when: forRepo('adopted'), dropAnswer: true });
    const r = await cli(f, only('adopted'));
    expect(repoOf(r, full('adopted')).delivery).toMatchObject({ action: 'update', reason: expect.stringMatching(/another run opened the PR first/) });
    expect(f.gh.pullsOf(full('adopted'))).toHaveLength(1);
    expect(f.gh.pullsOf(full('adopted'))[0]).toMatchObject({ draft: true, labels: ['cross-compilation'], requested_reviewers: [] });
  }, 60_000);

  it('a reviewer who already reviewed the PR counts as done: not requested again', async () => {
    f.gh.api.fail({ operationId: 'pulls/create', when: forRepo('reviewed'), dropAnswer: true, times: 10 });
    await cli(f, only('reviewed'));
    const pr = f.gh.pullsOf(full('reviewed'))[0]!;
    pr.reviews.push({ id: 7001, body: 'looks fine', state: 'APPROVED', user: 'octo-maintainer', commit_id: pr.headSha });
    const next = await cli(f, only('reviewed'));
    expect(repoOf(next, full('reviewed')).delivery).toMatchObject({ action: 'update', warnings: [] });
    expect(f.gh.pull(full('reviewed'), pr.number)).toMatchObject({ labels: ['cross-compilation'], requested_reviewers: [] });
    expect(f.gh.api.requests.filter((q) => q.operationId === 'pulls/request-reviewers' && q.url.includes('image-build-reviewed'))).toEqual([]);
    const writes = f.gh.writeCalls().length;
    expect(repoOf(await cli(f, only('reviewed')), full('reviewed')).delivery).toMatchObject({ action: 'leave', status: 'current' });
    expect(f.gh.writeCalls()).toHaveLength(writes);
  }, 90_000);

  it('a human removes the label and the reviewer; a label configured since is added once; neither removal is undone on the next two runs', async () => {
    const repo = full('removed');
    const opened = await cli(f, only('removed'));
    expect(repoOf(opened, repo).delivery).toMatchObject({ action: 'open' });
    const pr = f.gh.pullsOf(repo)[0]!;
    // A draft gets its reviewers once it is ready (issue 19): a human marks it ready.
    expect(pr).toMatchObject({ labels: ['cross-compilation'], requested_reviewers: [] });
    f.gh.setDraft(repo, pr.number, false);
    expect(repoOf(await cli(f, only('removed')), repo).delivery).toMatchObject({ action: 'update' });
    expect(pr).toMatchObject({ labels: ['cross-compilation'], requested_reviewers: ['octo-maintainer'] });
    pr.labels = [];
    pr.requested_reviewers = [];
    writeFileSync(f.reposFile, `${readFileSync(f.reposFile, 'utf8')}repos:\n  ${repo}:\n    labels: [cross-compilation, arm64]\n`);

    const r = await cli(f, only('removed'));
    expect(repoOf(r, repo).delivery).toMatchObject({ action: 'update', reason: expect.stringMatching(/never got label arm64 of repos.yaml/) });
    expect(f.gh.pull(repo, pr.number)).toMatchObject({ labels: ['arm64'], requested_reviewers: [] });
    for (let i = 0; i < 2; i++) {
      const writes = f.gh.writeCalls().length;
      const again = await cli(f, only('removed'));
      expect(repoOf(again, repo).delivery).toMatchObject({ action: 'leave', status: 'current' });
      expect(f.gh.writeCalls()).toHaveLength(writes);
      expect(f.gh.pull(repo, pr.number)).toMatchObject({ labels: ['arm64'], requested_reviewers: [] });
    }
    f.gh.assertClean();
  }, 120_000);
});
