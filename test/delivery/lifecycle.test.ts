// Issue 19: the bot branch over the PR's life. A branch only behind the default branch is left as
// it is (a rebuild re-runs CI and dismisses approvals); the branch goes after a merge or a human's
// close; a human's close is acknowledged once; reviewers are asked once the PR is ready. Driven
// through the real CLI against the local GitHub.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMarker } from '../../src/delivery/marker.ts';
import { cli, repoOf, startFleet, WIDGET, type Fleet } from './fleet.ts';

const BOT = 'cross-compile/xx';
const full = (n: string) => `rancher/image-build-${n}`;
const only = (...n: string[]) => ['--only', n.map(full).join(',')];
const names = ['behind', 'touched', 'merged', 'closed', 'kept', 'review'];
// Notes at the end of the Dockerfile, further from the lines the migration rewrites than the diff's context.
const NOTES = '\n# notes\n# one\n# two\n# three\n# four\n# five\n';
const repoFiles = (n: string) => (n === 'touched' ? { ...WIDGET, Dockerfile: `${WIDGET.Dockerfile}${NOTES}` } : WIDGET);

describe('the bot branch over the life of its PR (issue 19)', () => {
  let f: Fleet;
  beforeAll(async () => {
    f = await startFleet(Object.fromEntries(names.map((n) => [full(n), repoFiles(n)])), 'delivery:\n  maxPrsPerRun: 20\n');
    const first = await cli(f, []);
    expect(first.code).toBe(0);
    for (const n of names) expect(f.gh.pullsOf(full(n))).toHaveLength(1);
  }, 120_000);
  afterAll(() => f.close());

  it('a README-only commit on the default branch: the branch is only behind, left as it is (no push, no write) on this run and the next, the marker keeping the base the branch holds; the box still rebuilds it', async () => {
    const repo = full('behind');
    const head = f.gh.branchSha(repo, BOT)!;
    const oldBase = parseMarker(f.gh.pullsOf(repo)[0]!.body)!.base;
    f.gh.commit(repo, 'main', { 'README.md': 'a note\n' });
    const pushes = f.gh.pushes.length;
    const writes = f.gh.writeCalls().length;
    // The plan stage times nothing: the draft waiting for its build time gets its job, and no push.
    const plan = await cli(f, [...only('behind'), '--plan']);
    expect(repoOf(plan, repo).delivery).toMatchObject({ action: 'update', push: false, reason: 'the PR waits for its build time: measured by its migrate job' });
    for (let i = 0; i < 2; i++) {
      const r = await cli(f, only('behind'));
      expect(repoOf(r, repo).delivery).toMatchObject({ action: 'leave', status: 'current', reason: 'behind the default branch, no conflict: left as it is (tick the box to rebuild)' });
      expect(repoOf(r, repo).apiCalls!.calls).toBeLessThanOrEqual(4);
    }
    expect(f.gh.branchSha(repo, BOT)).toBe(head);
    expect(f.gh.pushes).toHaveLength(pushes);
    expect(f.gh.writeCalls()).toHaveLength(writes);
    expect(parseMarker(f.gh.pullsOf(repo)[0]!.body)!.base).toBe(oldBase);

    f.gh.editBody(repo, 1, (b) => b.replace('- [ ] <!-- image-build-migrator:rebase -->', '- [x] <!-- image-build-migrator:rebase -->'));
    const ticked = await cli(f, only('behind'));
    expect(repoOf(ticked, repo).delivery).toMatchObject({ action: 'update', reason: expect.stringMatching(/rebase box/) });
    expect(f.gh.fileAt(repo, BOT, 'README.md')).toBe('a note\n');
    expect(parseMarker(f.gh.pullsOf(repo)[0]!.body)!.base).toBe(f.gh.branchSha(repo, 'main'));
    f.gh.assertClean();
  }, 120_000);

  it('a commit on the default branch that changes a file the PR changes (the result the same): rebuilt on it; then current', async () => {
    const repo = full('touched');
    const head = f.gh.branchSha(repo, BOT)!;
    // A note far from the lines the migration rewrites: the diff the bot computes stays the same.
    const base = f.gh.commit(repo, 'main', { Dockerfile: `${WIDGET.Dockerfile}${NOTES.replace('# five', '# maintained by the widget team')}` });
    const r = await cli(f, only('touched'));
    expect(repoOf(r, repo).delivery).toMatchObject({ action: 'update', status: 'updated', reason: 'the default branch moved and changed "Dockerfile", which the PR changes too: rebuilt from the default branch' });
    expect(f.gh.branchSha(repo, BOT)).not.toBe(head);
    expect(f.gh.fileAt(repo, BOT, 'Dockerfile')).toContain('# maintained by the widget team');
    expect(parseMarker(f.gh.pullsOf(repo)[0]!.body)!.base).toBe(base);
    expect(repoOf(await cli(f, only('touched')), repo).delivery).toMatchObject({ action: 'leave', status: 'current', reason: 'the PR is current' });
  }, 120_000);

  const pushesTo = (n: string) => f.gh.pushes.filter((p) => p.repo === full(n)).length;

  it('merged: the first run deletes the branch (lease on the bot\'s push), later runs write nothing; needed again, a new PR opens', async () => {
    const repo = full('merged');
    f.gh.mergePull(repo, 1);
    const r = await cli(f, only('merged'));
    expect(repoOf(r, repo).delivery).toMatchObject({ action: 'leave', status: 'merged', reason: expect.stringMatching(/the branch cross-compile\/xx goes \(merged, it holds only the bot's commit\)/) });
    expect(f.gh.branchSha(repo, BOT)).toBeUndefined();
    const pushes = pushesTo('merged');
    const writes = f.gh.writeCalls().length;
    const again = await cli(f, only('merged'));
    expect(repoOf(again, repo).delivery).toMatchObject({ action: 'leave', status: 'merged', reason: expect.not.stringMatching(/goes/) });
    expect(pushesTo('merged')).toBe(pushes);
    expect(f.gh.writeCalls()).toHaveLength(writes);
    expect(repoOf(again, repo).apiCalls!.calls).toBeLessThanOrEqual(4);

    // A maintainer reverts the migration: needed again, a new PR on a new branch.
    f.gh.commit(repo, 'main', WIDGET);
    const reopened = await cli(f, only('merged'));
    expect(repoOf(reopened, repo).delivery).toMatchObject({ action: 'open', status: 'opened', reason: 'needed again after the last PR was merged' });
    expect(f.gh.pullsOf(repo).map((p) => [p.number, p.state])).toEqual([[1, 'closed'], [2, 'open']]);
    expect(parseMarker(f.gh.pullsOf(repo)[1]!.body)!.pushed).toBe(f.gh.branchSha(repo, BOT));
    f.gh.assertClean();
  }, 120_000);

  it('closed by a human: the first run deletes the branch and says once how to bring the PR back; the bot still never reopens or recreates it', async () => {
    const repo = full('closed');
    f.gh.closePull(repo, 1);
    const r = await cli(f, only('closed'));
    expect(repoOf(r, repo).delivery).toMatchObject({ action: 'leave', status: 'closed-by-human', reason: expect.stringMatching(/the branch cross-compile\/xx goes \(closed by a human/) });
    expect(f.gh.branchSha(repo, BOT)).toBeUndefined();
    // One comment acknowledges the close and says how to bring the PR back; the marker records it.
    const said = f.gh.pullsOf(repo)[0]!.comments.filter((c) => c.body.startsWith('<!-- image-build-migrator:human-closed -->'));
    expect(said).toHaveLength(1);
    expect(said[0]!.user).toBe('image-build-migrator[bot]');
    expect(said[0]!.body).toMatch(/never reopens or recreates it, and its branch `cross-compile\/xx` is deleted/);
    expect(said[0]!.body).toMatch(/restore the branch \(the \*\*Restore branch\*\* button on this PR\) and reopen this PR/);
    expect(said[0]!.body).toMatch(/set `recreateClosed: true` for this repository/);
    expect(parseMarker(f.gh.pullsOf(repo)[0]!.body)!.acknowledged).toBe(true);
    const pushes = pushesTo('closed');
    const writes = f.gh.writeCalls().length;
    for (let i = 0; i < 2; i++) {
      const again = await cli(f, only('closed'));
      expect(repoOf(again, repo).delivery).toMatchObject({ action: 'leave', status: 'closed-by-human' });
    }
    expect(f.gh.pullsOf(repo).map((p) => p.state)).toEqual(['closed']);
    expect(f.gh.pullsOf(repo)[0]!.comments).toHaveLength(said.length);
    expect(pushesTo('closed')).toBe(pushes);
    expect(f.gh.writeCalls()).toHaveLength(writes);
    f.gh.assertClean();
  }, 120_000);

  it('a branch with a human\'s commit on it stays after the merge', async () => {
    const repo = full('kept');
    const human = f.gh.commit(repo, BOT, { 'NOTES.md': 'mine\n' });
    f.gh.mergePull(repo, 1);
    const r = await cli(f, only('kept'));
    expect(repoOf(r, repo).delivery).toMatchObject({ action: 'leave', status: 'merged', reason: expect.not.stringMatching(/goes/) });
    expect(f.gh.branchSha(repo, BOT)).toBe(human);
  }, 60_000);

  it('reviewers are asked when the PR becomes ready, not while it is a draft: a draft has its labels only and stays quiet; a human marks it ready, the next run asks them, once', async () => {
    const repo = full('review');
    const pr = () => f.gh.pullsOf(repo)[0]!;
    expect(pr()).toMatchObject({ draft: true, labels: ['cross-compilation'], requested_reviewers: [] });
    expect(parseMarker(pr().body)!.applied).toEqual({ labels: ['cross-compilation'], reviewers: [] });
    const writes = f.gh.writeCalls().length;
    const quiet = await cli(f, only('review'));
    expect(repoOf(quiet, repo).delivery).toMatchObject({ action: 'leave', status: 'current' });
    expect(f.gh.writeCalls()).toHaveLength(writes);

    f.gh.setDraft(repo, 1, false);
    const r = await cli(f, only('review'));
    expect(repoOf(r, repo).delivery).toMatchObject({ action: 'update', reason: 'a human marked the PR ready for review: body updated; the PR never got reviewer octo-maintainer of repos.yaml: to be added' });
    expect(pr().requested_reviewers).toEqual(['octo-maintainer']);
    expect(parseMarker(pr().body)!.applied).toEqual({ labels: ['cross-compilation'], reviewers: ['octo-maintainer'] });
    // A reviewer a human then removes is not asked again.
    pr().requested_reviewers = [];
    const after = f.gh.writeCalls().length;
    expect(repoOf(await cli(f, only('review')), repo).delivery).toMatchObject({ action: 'leave', status: 'current' });
    expect(f.gh.writeCalls()).toHaveLength(after);
    f.gh.assertClean();
  }, 120_000);
});
