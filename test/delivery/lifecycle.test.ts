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
const names = ['behind', 'touched'];
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
});
