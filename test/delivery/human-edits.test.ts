// Issue 18 item 9: a human's edits of the PR's title and description outside the bot's part are
// kept on every rebuild, the bot's state survives a description rewritten without its marker,
// and the footer says what the bot rewrites. Driven through the real CLI against the local GitHub.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEGIN_MARK, parseMarker } from '../../src/delivery/marker.ts';
import { PR_TITLE } from '../../src/delivery/body.ts';
import { cli, repoOf, startFleet, WIDGET, type Fleet } from './fleet.ts';

const BOT = 'cross-compile/xx';
const full = (n: string) => `rancher/image-build-${n}`;
const only = (n: string) => ['--only', full(n)];

describe('a human edits the PR: their text and title stay, the bot keeps its state', () => {
  let f: Fleet;
  beforeAll(async () => {
    f = await startFleet(Object.fromEntries(['text', 'title', 'rewritten'].map((n) => [full(n), WIDGET])), 'delivery:\n  maxPrsPerRun: 20\n');
    const first = await cli(f, []);
    expect(first.code).toBe(0);
  }, 120_000);
  afterAll(() => f.close());

  it('the footer says what the bot rewrites and that anything outside its markers is kept', () => {
    const body = f.gh.pullsOf(full('text'))[0]!.body;
    expect(body.split('\n')[0]).toBe(BEGIN_MARK);
    expect(body).toMatch(/the bot rewrites the sections between its markers .* and the title, unless someone edited it; anything outside them, above or below, is kept/);
  });

  it('text a human adds above the bot\'s part and below its footer survives a rebuild', async () => {
    const repo = full('text');
    f.gh.editBody(repo, 1, (b) => `Tracking: rancher/rke2#42, ship after 1.30.\n\n${b}\n\nQA note: tested on the arm64 runner by hand.`);
    const base = f.gh.commit(repo, 'main', { Dockerfile: WIDGET.Dockerfile.replace('ARG TAG=v0.4.2', 'ARG TAG=v0.4.3') });
    const r = await cli(f, only('text'));
    expect(repoOf(r, repo).delivery).toMatchObject({ action: 'update', reason: expect.stringMatching(/default branch moved/) });
    const body = f.gh.pullsOf(repo)[0]!.body;
    expect(body.startsWith('Tracking: rancher/rke2#42, ship after 1.30.\n\n')).toBe(true);
    expect(body.endsWith('\n\nQA note: tested on the arm64 runner by hand.')).toBe(true);
    expect(parseMarker(body)!.base).toBe(base);
    expect(body.split(BEGIN_MARK)).toHaveLength(2);
    expect(body.split('Tracking: rancher/rke2#42')).toHaveLength(2);
    const again = await cli(f, only('text'));
    expect(repoOf(again, repo).delivery).toMatchObject({ action: 'leave', status: 'current' });
  }, 60_000);

  it('a title a human edited is kept on a rebuild', async () => {
    const repo = full('title');
    f.gh.pull(repo, 1).title = 'xx cross-compilation (needs the 1.30 base first)';
    f.gh.commit(repo, 'main', { Dockerfile: WIDGET.Dockerfile.replace('ARG TAG=v0.4.2', 'ARG TAG=v0.4.3') });
    const r = await cli(f, only('title'));
    expect(repoOf(r, repo).delivery).toMatchObject({ action: 'update' });
    expect(f.gh.pull(repo, 1).title).toBe('xx cross-compilation (needs the 1.30 base first)');
    expect(parseMarker(f.gh.pull(repo, 1).body)!.title).toBe(PR_TITLE);
    const update = f.gh.api.requests.filter((q) => q.operationId === 'pulls/update' && q.url.includes('image-build-title')).at(-1)!;
    expect(update.body).not.toHaveProperty('title');
  }, 60_000);

  it('a description rewritten by hand without the marker: the PR stays the bot\'s (its state read from its commit), its part comes back below the human\'s text', async () => {
    const repo = full('rewritten');
    const head = f.gh.branchSha(repo, BOT)!;
    f.gh.editBody(repo, 1, () => 'We will merge this after the freeze. -- the maintainers');
    const r = await cli(f, only('rewritten'));
    expect(repoOf(r, repo).delivery).toMatchObject({ action: 'update', status: 'updated', reason: expect.stringMatching(/lost the bot's state marker/) });
    expect(f.gh.pullsOf(repo)).toHaveLength(1);
    expect(f.gh.branchSha(repo, BOT)).toBe(head);
    const body = f.gh.pullsOf(repo)[0]!.body;
    expect(body.startsWith('We will merge this after the freeze. -- the maintainers\n\n' + BEGIN_MARK)).toBe(true);
    expect(parseMarker(body)).toMatchObject({ pushed: head, base: f.gh.branchSha(repo, 'main') });
    expect(f.gh.pullsOf(repo)[0]!.comments.filter((c) => c.body.includes('image-build-migrator:stopped'))).toEqual([]);
    const writes = f.gh.writeCalls().length;
    const again = await cli(f, only('rewritten'));
    expect(repoOf(again, repo).delivery).toMatchObject({ action: 'leave', status: 'current' });
    expect(f.gh.writeCalls()).toHaveLength(writes);
    f.gh.assertClean();
  }, 60_000);
});
