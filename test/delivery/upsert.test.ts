// The PR upsert state machine, each case driven through the real CLI against the local GitHub.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMarker, rebaseTicked } from '../../src/delivery/marker.ts';
import { cli, OTHER_TOKEN, repoOf, TOKEN, SIMPLE_DOCKERFILE, SPROCKET, startFleet, WIDGET, type Fleet } from './fleet.ts';

const BOT = 'cross-compile/xx';

describe('the bot PR follows the repository, and never overwrites a human', () => {
  let f: Fleet;
  const names = ['moves', 'human', 'closed', 'recreate', 'handmade', 'skipme', 'merged', 'conflict', 'lostrecord', 'closekill'].map((n) => `rancher/image-build-${n}`);
  const only = (n: string) => ['--only', `rancher/image-build-${n}`];
  beforeAll(async () => {
    f = await startFleet(Object.fromEntries(names.map((n) => [n, n.endsWith('conflict') ? { Dockerfile: SIMPLE_DOCKERFILE } : WIDGET])), 'delivery:\n  maxPrsPerRun: 20\nrepos:\n  rancher/image-build-recreate:\n    recreateClosed: true\n');
    const first = await cli(f, []);
    expect(first.code).toBe(0);
    for (const n of names) expect(f.gh.pullsOf(n)).toHaveLength(1);
  }, 120_000);
  afterAll(() => f.close());

  it('the default branch moved under what the PR changes: the branch is rebuilt on it (one commit, lease on the last push) and the body follows', async () => {
    const repo = 'rancher/image-build-moves';
    const oldPush = f.gh.branchSha(repo, BOT);
    // A new upstream tag in the Dockerfile the migration rewrites (a README alone leaves a branch only behind: lifecycle.test.ts).
    const newBase = f.gh.commit(repo, 'main', { 'README.md': 'a note\n', Dockerfile: WIDGET.Dockerfile.replace('ARG TAG=v0.4.2', 'ARG TAG=v0.4.3') });
    const r = await cli(f, only('moves'));
    expect(repoOf(r, repo).delivery).toMatchObject({ action: 'update', status: 'updated', reason: expect.stringMatching(/default branch moved/) });
    const pr = f.gh.pullsOf(repo)[0]!;
    const m = parseMarker(pr.body)!;
    expect(m.base).toBe(newBase);
    expect(m.pushed).toBe(f.gh.branchSha(repo, BOT));
    expect(m.pushed).not.toBe(oldPush);
    expect(f.gh.branchAuthors(repo, BOT)).toHaveLength(1);
    expect(f.gh.fileAt(repo, BOT, 'README.md')).toBe('a note\n');
    expect(f.gh.pullsOf(repo)).toHaveLength(1);
    f.gh.assertClean();
  });

  it('a human commit on the bot branch survives any number of runs; one comment says how to hand it back', async () => {
    const repo = 'rancher/image-build-human';
    const human = f.gh.commit(repo, BOT, { 'NOTES.md': 'mine\n' });
    f.gh.commit(repo, 'main', { 'README.md': 'base moves too\n' });
    for (let i = 0; i < 3; i++) {
      const r = await cli(f, only('human'));
      expect(repoOf(r, repo).delivery).toMatchObject({ action: 'blocked', status: 'blocked-by-human' });
      expect(f.gh.branchSha(repo, BOT)).toBe(human);
    }
    const pr = f.gh.pullsOf(repo)[0]!;
    expect(pr.comments.filter((c) => c.body.includes('image-build-migrator:stopped'))).toHaveLength(1);
    expect(pr.comments[0]!.body).toMatch(/tick the \*\*Rebuild this PR\*\* box/);

    // Ticking the rebase box hands the branch back: rebuilt from main over the human commit, box unticked.
    f.gh.editBody(repo, pr.number, (b) => b.replace('- [ ] <!-- image-build-migrator:rebase -->', '- [x] <!-- image-build-migrator:rebase -->'));
    const r = await cli(f, only('human'));
    expect(repoOf(r, repo).delivery).toMatchObject({ action: 'update', reason: expect.stringMatching(/rebase box/) });
    expect(f.gh.branchAuthors(repo, BOT)).toEqual(['image-build-migrator@users.noreply.github.com']);
    expect(f.gh.fileAt(repo, BOT, 'NOTES.md')).toBeUndefined();
    expect(rebaseTicked(f.gh.pullsOf(repo)[0]!.body)).toBe(false);
    const again = await cli(f, only('human'));
    expect(repoOf(again, repo).delivery).toMatchObject({ action: 'leave', status: 'current' });
    f.gh.assertClean();
  });

  // The record of a push (the PR body) is written after the push: a 5xx there, or a kill in
  // between, left the bot's own commit unrecorded, and the next runs took it for a human's and
  // stopped for good. The commit itself says whose it is: the bot's identity and trailer.
  it("a push whose PR update failed (GitHub 500): the next run knows the commit for its own, rebuilds, and stops nothing", async () => {
    const repo = 'rancher/image-build-lostrecord';
    f.gh.commit(repo, 'main', { Dockerfile: WIDGET.Dockerfile.replace('ARG TAG=v0.4.2', 'ARG TAG=v0.4.3') });
    let broken = true;
    f.gh.api.fail({ operationId: 'pulls/update', when: (q) => broken && q.params.repo === 'image-build-lostrecord', times: 100, response: { status: 500, body: { message: 'Server Error', documentation_url: 'https://docs.github.com/rest' } } });
    const failed = await cli(f, only('lostrecord'));
    broken = false;
    expect(repoOf(failed, repo)).toMatchObject({ outcome: 'failed', step: 'deliver' });
    const unrecorded = f.gh.branchSha(repo, BOT)!;
    expect(parseMarker(f.gh.pullsOf(repo)[0]!.body)!.pushed).not.toBe(unrecorded);

    const next = await cli(f, only('lostrecord'));
    expect(repoOf(next, repo).delivery).toMatchObject({ action: 'update', status: 'updated', reason: expect.stringMatching(/last push was not recorded/) });
    const pr = f.gh.pullsOf(repo)[0]!;
    expect(parseMarker(pr.body)!.pushed).toBe(f.gh.branchSha(repo, BOT));
    expect(pr.comments.filter((c) => c.body.includes('image-build-migrator:stopped'))).toEqual([]);
    expect(repoOf(await cli(f, only('lostrecord')), repo).delivery).toMatchObject({ action: 'leave', status: 'current' });

    // A human's commit on top is still a human's.
    f.gh.commit(repo, BOT, { 'NOTES.md': 'mine\n' });
    expect(repoOf(await cli(f, only('lostrecord')), repo).delivery).toMatchObject({ action: 'blocked', status: 'blocked-by-human' });
  });

  it('a run that dies between its closing comment and the close: the next run closes, and says it once', async () => {
    const repo = 'rancher/image-build-closekill';
    f.gh.commit(repo, 'main', { Dockerfile: SPROCKET.Dockerfile, Makefile: SPROCKET.Makefile });
    let broken = true;
    f.gh.api.fail({ operationId: 'pulls/update', when: (q) => broken && q.params.repo === 'image-build-closekill', times: 100, response: { status: 500, body: { message: 'Server Error', documentation_url: 'https://docs.github.com/rest' } } });
    const died = await cli(f, only('closekill'));
    broken = false;
    expect(repoOf(died, repo)).toMatchObject({ outcome: 'failed', step: 'deliver' });
    expect(f.gh.pullsOf(repo)[0]!.state).toBe('open');
    const next = await cli(f, only('closekill'));
    expect(repoOf(next, repo).delivery).toMatchObject({ action: 'close' });
    const pr = f.gh.pullsOf(repo)[0]!;
    expect(pr.state).toBe('closed');
    expect(pr.comments.filter((c) => c.body.includes('image-build-migrator:closed'))).toHaveLength(1);
  });

  it('a PR closed by a human is never reopened or recreated, unless repos.yaml says recreateClosed', async () => {
    f.gh.closePull('rancher/image-build-closed', 1);
    f.gh.closePull('rancher/image-build-recreate', 1);
    for (let i = 0; i < 2; i++) {
      const r = await cli(f, ['--only', 'rancher/image-build-closed,rancher/image-build-recreate']);
      expect(repoOf(r, 'rancher/image-build-closed').delivery).toMatchObject({ action: 'leave', status: 'closed-by-human' });
      expect(r.out).toMatch(/closed by a human/);
    }
    expect(f.gh.pullsOf('rancher/image-build-closed').map((p) => p.state)).toEqual(['closed']);
    expect(f.gh.pullsOf('rancher/image-build-recreate').map((p) => [p.number, p.state])).toEqual([[1, 'closed'], [2, 'open']]);
  });

  it('migrated by hand, or skipped now: the bot closes its PR with a comment saying why and deletes its branch', async () => {
    f.gh.commit('rancher/image-build-handmade', 'main', { Dockerfile: SPROCKET.Dockerfile, Makefile: SPROCKET.Makefile });
    writeFileSync(f.reposFile, `${readYaml(f)}  rancher/image-build-skipme:\n    skip: moved to a multi-arch base image\n`);
    const r = await cli(f, ['--only', 'rancher/image-build-handmade,rancher/image-build-skipme']);
    expect(r.code).toBe(0);
    for (const [repo, why] of [['rancher/image-build-handmade', /already migrated/], ['rancher/image-build-skipme', /moved to a multi-arch base image/]] as const) {
      expect(repoOf(r, repo).delivery).toMatchObject({ action: 'close', status: 'no-longer-needed' });
      const pr = f.gh.pullsOf(repo)[0]!;
      expect(pr.state).toBe('closed');
      expect(pr.comments.at(-1)!.body).toMatch(why);
      expect(f.gh.branchSha(repo, BOT)).toBeUndefined();
    }
    const again = await cli(f, ['--only', 'rancher/image-build-handmade,rancher/image-build-skipme']);
    expect(repoOf(again, 'rancher/image-build-handmade').delivery).toMatchObject({ action: 'leave', status: 'not-needed' });
    expect(f.gh.pullsOf('rancher/image-build-skipme')).toHaveLength(1);
    f.gh.assertClean();
  });

  it('a merged PR is left alone, and not reopened', async () => {
    f.gh.mergePull('rancher/image-build-merged', 1);
    const r = await cli(f, only('merged'));
    expect(repoOf(r, 'rancher/image-build-merged').delivery).toMatchObject({ action: 'leave', status: 'merged' });
    expect(f.gh.pullsOf('rancher/image-build-merged')).toHaveLength(1);
  });

  it('a PR that conflicts with the default branch is rebuilt on it, never merged into', async () => {
    const repo = 'rancher/image-build-conflict';
    // The same line the migration rewrote changes on main: the old branch no longer merges cleanly.
    const base = f.gh.commit(repo, 'main', { Dockerfile: SIMPLE_DOCKERFILE.replace('go-build-static.sh -o bin/thing .', 'go-build-static.sh -o bin/thing ./cmd/thing') });
    const r = await cli(f, only('conflict'));
    expect(repoOf(r, repo).delivery).toMatchObject({ action: 'update' });
    const head = f.gh.branchSha(repo, BOT)!;
    expect(f.gh.branchAuthors(repo, BOT)).toHaveLength(1);
    expect(f.gh.fileAt(repo, head, 'Dockerfile')).toContain('./cmd/thing');
    expect(parseMarker(f.gh.pullsOf(repo)[0]!.body)!.base).toBe(base);
  });
});

describe('two runs at once, separate cache folders', () => {
  let f: Fleet;
  beforeAll(async () => {
    f = await startFleet({ 'rancher/image-build-race': WIDGET });
  });
  afterAll(() => f.close());

  it('end with one PR: the loser meets GitHub\'s 422 "already exists" and leaves the PR of whoever pushed last', async () => {
    // Order the race: run A pushes first and its create is held; run B starts later, finds A's
    // (bot-authored) branch without a PR, pushes over it with a lease and opens the PR; A's create
    // then meets the 422, sees B pushed last, and leaves B's PR as it is.
    const byToken = (t: string) => (q: { headers: Record<string, unknown> }) => String(q.headers.authorization).includes(t);
    f.gh.api.fail({ operationId: 'repos/get', when: byToken(OTHER_TOKEN), delayMs: 4000 });
    f.gh.api.fail({ operationId: 'pulls/create', when: byToken(TOKEN), delayMs: 8000 });
    const [a, b] = await Promise.all([
      cli(f, [], { cacheDir: path.join(f.dir, 'cache-a') }),
      cli(f, [], { cacheDir: path.join(f.dir, 'cache-b'), token: OTHER_TOKEN }),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(f.gh.pullsOf('rancher/image-build-race')).toHaveLength(1);
    expect(repoOf(b, 'rancher/image-build-race').delivery).toMatchObject({ action: 'open', status: 'opened' });
    expect(repoOf(a, 'rancher/image-build-race').delivery).toMatchObject({ action: 'leave', reason: expect.stringMatching(/another run opened the PR first/) });
    expect(f.gh.api.requests.filter((q) => q.operationId === 'pulls/create').map((q) => q.status)).toEqual([422, 201]); // by arrival: A's held create first
    // The PR's marker names the commit on the branch: the next run sees it as current, not as a human's.
    const pr = f.gh.pullsOf('rancher/image-build-race')[0]!;
    expect(parseMarker(pr.body)!.pushed).toBe(f.gh.branchSha('rancher/image-build-race', BOT));
    const next = await cli(f, []);
    expect(repoOf(next, 'rancher/image-build-race').delivery).toMatchObject({ action: 'leave', status: 'current' });
    f.gh.assertClean();
  }, 60_000);
});

function readYaml(f: Fleet): string {
  return readFileSync(f.reposFile, 'utf8');
}
