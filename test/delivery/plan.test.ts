// The planner alone (pure): the cases the CLI tests do not reach cheaply.
import { describe, expect, it } from 'vitest';
import { renderMarker, type Marker } from '../../src/delivery/marker.ts';
import { planDelivery, type PlanInput } from '../../src/delivery/plan.ts';

const m: Marker = { v: 2, tool: '0.1.0', recipes: ['xx-stage'], base: 'base1', result: 'res1', pushed: 'push1', timing: '' };
const pr = (o: Partial<PlanInput['pulls'][number]> = {}, marker: Partial<Marker> = {}) => ({ number: 7, url: 'u', state: 'open' as const, merged: false, author: 'bot', draft: false, nodeId: 'PR_x', body: `hi\n${renderMarker({ ...m, ...marker })}`, ...o });
const input = (o: Partial<PlanInput> = {}): PlanInput => ({
  migration: { kind: 'needed', base: 'base1', result: 'res1', recipes: ['xx-stage'] }, branch: { name: 'cross-compile/xx', sha: 'push1' }, pulls: [pr()], tool: '0.1.0', timing: '', recreateClosed: false, mayOpen: true, ...o,
});

describe('planDelivery', () => {
  it('current PR: leave; new timing: body only, no push; new result: push with the lease on the last push', () => {
    expect(planDelivery(input())).toMatchObject({ action: 'leave', status: 'current' });
    expect(planDelivery(input({ timing: 'digest2' }))).toMatchObject({ action: 'update', push: false });
    expect(planDelivery(input({ migration: { kind: 'needed', base: 'base1', result: 'res2', recipes: ['xx-stage'] } }))).toMatchObject({ action: 'update', push: true, lease: 'push1' });
  });

  it('the default branch moved, the result the same (issue 19): only behind -> left, a file both changed -> rebuilt, not known -> rebuilt', () => {
    const moved = { kind: 'needed' as const, base: 'base2', result: 'res1', recipes: ['xx-stage'] };
    expect(planDelivery(input({ migration: moved, branch: { name: 'cross-compile/xx', sha: 'push1', bothChanged: [] } }))).toMatchObject({ action: 'leave', status: 'current', reason: 'behind the default branch, no conflict: left as it is (tick the box to rebuild)' });
    expect(planDelivery(input({ migration: moved, branch: { name: 'cross-compile/xx', sha: 'push1', bothChanged: ['Dockerfile'] } }))).toMatchObject({ action: 'update', push: true, lease: 'push1', reason: 'the default branch moved and changed "Dockerfile", which the PR changes too: rebuilt from the default branch' });
    expect(planDelivery(input({ migration: moved }))).toMatchObject({ action: 'update', push: true, reason: 'the default branch moved: rebuilt from the default branch' });
    expect(planDelivery(input({ migration: { ...moved, result: 'res2' }, branch: { name: 'cross-compile/xx', sha: 'push1', bothChanged: [] } }))).toMatchObject({ action: 'update', push: true, reason: 'the migration result changed: rebuilt from the default branch' });
    // Only behind, and the timing changed: the body only (the marker keeps the base the branch is built on).
    expect(planDelivery(input({ migration: moved, timing: 'd2', branch: { name: 'cross-compile/xx', sha: 'push1', bothChanged: [] } }))).toMatchObject({ action: 'update', push: false });
  });

  it('after a merge or a human close (issue 19): the branch goes while it holds the bot\'s last push, never else; keyed on the PR', () => {
    const done = { kind: 'not-needed' as const, reason: 'already migrated' };
    expect(planDelivery(input({ migration: done, pulls: [pr({ state: 'closed', merged: true })] }))).toMatchObject({ action: 'leave', status: 'merged', deleteBranch: true, lease: 'push1' });
    expect(planDelivery(input({ migration: done, branch: { name: 'cross-compile/xx', sha: 'human1' }, pulls: [pr({ state: 'closed', merged: true })] }))).not.toHaveProperty('deleteBranch');
    expect(planDelivery(input({ pulls: [pr({ state: 'closed' })] }))).toMatchObject({ action: 'leave', status: 'closed-by-human', deleteBranch: true, lease: 'push1' });
    expect(planDelivery(input({ branch: { name: 'cross-compile/xx' }, pulls: [pr({ state: 'closed' })] }))).toMatchObject({ action: 'leave', status: 'closed-by-human' });
    expect(planDelivery(input({ branch: { name: 'cross-compile/xx' }, pulls: [pr({ state: 'closed' })] }))).not.toHaveProperty('deleteBranch');
    // Closed by the bot (it deleted its branch then), or about to be reused: left.
    expect(planDelivery(input({ migration: done, pulls: [pr({ state: 'closed' }, { closed: 'no longer needed' })] }))).not.toHaveProperty('deleteBranch');
    expect(planDelivery(input({ pulls: [pr({ state: 'closed', merged: true })] }))).toMatchObject({ action: 'open', lease: 'push1', reason: 'needed again after the last PR was merged' });
  });

  it('the draft record: a human marked the bot\'s draft ready -> body once; a mark that did not go through -> again; a human\'s draft -> left', () => {
    expect(planDelivery(input({ pulls: [pr({ draft: false }, { draft: { reasons: ['timing'] } })] }))).toMatchObject({ action: 'update', push: false, reason: 'a human marked the PR ready for review: body updated' });
    expect(planDelivery(input({ pulls: [pr({ draft: true }, { draft: { reasons: [] } })] }))).toMatchObject({ action: 'update', push: false, reason: 'the PR was still to be marked ready for review' });
    expect(planDelivery(input({ pulls: [pr({ draft: true }, { draft: { reasons: ['warnings'] } })] }))).toMatchObject({ action: 'leave', status: 'current' });
    expect(planDelivery(input({ pulls: [pr({ draft: true })] }))).toMatchObject({ action: 'leave', status: 'current' });
  });

  // The nightly's plan stage times nothing: its '' is "unknown", not "no timing".
  it('planning without timing: a timed PR is left (no job each night), a draft waiting for its build time gets its job', () => {
    expect(planDelivery(input({ timingUnknown: true, pulls: [pr({}, { timing: 'digest1' })] }))).toMatchObject({ action: 'leave', status: 'current' });
    expect(planDelivery(input({ timingUnknown: true, pulls: [pr({ draft: true }, { draft: { reasons: ['timing'] } })] }))).toMatchObject({ action: 'update', push: false, reason: 'the PR waits for its build time: measured by its migrate job' });
    expect(planDelivery(input({ timingUnknown: true, pulls: [pr({ draft: true }, { draft: { reasons: ['warnings'] } })] }))).toMatchObject({ action: 'leave', status: 'current' });
    // A draft whose migrated build failed gets its job again every night (failures are never reused).
    expect(planDelivery(input({ timingUnknown: true, pulls: [pr({ draft: true }, { draft: { reasons: ['after-build'] } })] }))).toMatchObject({ action: 'update', push: false, reason: 'the migrated build failed last time: built again by its migrate job' });
    // A run that measured: the digest counts.
    expect(planDelivery(input({ timing: 'digest2', pulls: [pr({}, { timing: 'digest1' })] }))).toMatchObject({ action: 'update', reason: 'the timing changed: body updated' });
  });

  it('a failed migration never touches the PR', () => {
    expect(planDelivery(input({ migration: { kind: 'failed', reason: 'x' } }))).toMatchObject({ action: 'leave', status: 'failed' });
  });

  it('a branch left by an interrupted run of the bot is reused with a lease; a stranger\'s branch blocks', () => {
    expect(planDelivery(input({ pulls: [], branch: { name: 'b', sha: 'zzz', botAuthored: true } }))).toMatchObject({ action: 'open', lease: 'zzz' });
    expect(planDelivery(input({ pulls: [], branch: { name: 'b', sha: 'zzz', botAuthored: false } }))).toMatchObject({ action: 'blocked' });
  });

  it('maxPrsPerRun reached: deferred; PRs of others on the branch are not the bot\'s', () => {
    expect(planDelivery(input({ pulls: [], branch: { name: 'b' }, mayOpen: false }))).toMatchObject({ action: 'leave', status: 'deferred' });
    expect(planDelivery(input({ pulls: [{ ...pr(), body: 'a human PR' }], branch: { name: 'b' } }))).toMatchObject({ action: 'open', lease: '' });
  });

  it('closed by the bot earlier and needed again: a new PR; a human deleted the branch of an open PR: blocked', () => {
    expect(planDelivery(input({ pulls: [pr({ state: 'closed' }, { closed: 'no longer needed' })], branch: { name: 'b' } }))).toMatchObject({ action: 'open' });
    expect(planDelivery(input({ branch: { name: 'b' } }))).toMatchObject({ action: 'blocked' });
  });
});

describe('planDelivery: labels and reviewers of repos.yaml (issue 18 item 7)', () => {
  const want = { labels: ['cross-compilation'], reviewers: ['octo-maintainer', 'rancher/reviewers'] };
  it('never seen through and not on the PR -> update; on the PR, or in the record -> leave; no record (an older marker) -> leave', () => {
    expect(planDelivery(input({ want, pulls: [pr({}, { applied: { labels: [], reviewers: [] } })] }))).toMatchObject({ action: 'update', push: false, reason: 'the PR never got label cross-compilation and reviewers octo-maintainer, rancher/reviewers of repos.yaml: to be added' });
    expect(planDelivery(input({ want, pulls: [pr({ labels: ['Cross-Compilation'], requestedReviewers: ['octo-maintainer'], requestedTeams: ['reviewers'] }, { applied: { labels: [], reviewers: [] } })] }))).toMatchObject({ action: 'leave', status: 'current' });
    expect(planDelivery(input({ want, pulls: [pr({}, { applied: { labels: ['cross-compilation'], reviewers: ['octo-maintainer', 'rancher/reviewers'] } })] }))).toMatchObject({ action: 'leave', status: 'current' });
    expect(planDelivery(input({ want, pulls: [pr()] }))).toMatchObject({ action: 'leave', status: 'current' });
    // An update for another reason says it too.
    expect(planDelivery(input({ want, timing: 'd2', pulls: [pr({}, { applied: { labels: ['cross-compilation'], reviewers: ['octo-maintainer'] } })] }))).toMatchObject({ action: 'update', reason: 'the timing changed: body updated; the PR never got reviewer rancher/reviewers of repos.yaml: to be added' });
  });
});
