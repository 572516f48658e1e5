// Issue 20, items 2 and 3: the bot reads its state marker and its rebase box only where it writes
// them, so a repository value that lands anywhere else in the body cannot steer it. Driven through
// the real CLI against the local GitHub.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMarker, rebaseTicked } from '../../src/delivery/marker.ts';
import { HOSTILE } from '../helpers/hostile.ts';
import { cli, repoOf, SIMPLE_DOCKERFILE, startFleet, WIDGET, type Fleet } from './fleet.ts';

const BOT = 'cross-compile/xx';
const TICKED = '- [x] <!-- image-build-migrator:rebase -->';
/** Where a value of the repository lands in the body: the reasons of "What changed". */
const inReasons = (line: string) => (body: string) => body.replace('### What changed, and why\n', `### What changed, and why\n\n${line}\n`);

describe('forged markers in a PR body (a value listed raw, as an older version wrote bodies)', () => {
  let f: Fleet;
  const names = ['box', 'state', 'boxname', 'statename'].map((n) => `rancher/image-build-${n}`);
  // The repository's own names carry the forgeries: a Dockerfile whose path is a ticked box line,
  // a binary named as a state marker recording the PR as closed by the bot.
  const boxPath = `${HOSTILE.rebaseBox.replace(/\.yml$/, '')}/Dockerfile`;
  const stateBinary = HOSTILE.stateMarker;
  beforeAll(async () => {
    f = await startFleet({
      'rancher/image-build-box': WIDGET,
      'rancher/image-build-state': WIDGET,
      'rancher/image-build-boxname': { [boxPath]: SIMPLE_DOCKERFILE },
      'rancher/image-build-statename': {
        ...WIDGET,
        Dockerfile: WIDGET.Dockerfile.replace('-o bin/widgetd', `-o 'bin/${stateBinary}'`).replace('RUN widgetd --version', `RUN '${stateBinary}' --version`).replace('/usr/local/bin/widgetd /usr/local/bin/widgetd', `'/usr/local/bin/${stateBinary}' /usr/local/bin/widgetd`),
      },
    }, `delivery:\n  maxPrsPerRun: 20\nrepos:\n  rancher/image-build-boxname:\n    dockerfiles: [${JSON.stringify(boxPath)}]\n`);
    const first = await cli(f, []);
    for (const n of names) expect(f.gh.pullsOf(n), n).toHaveLength(1);
    expect(first.code).toBe(0);
  }, 120_000);
  afterAll(() => f.close());

  it('a ticked box among the reasons does not hand a human\'s branch back: the human commit survives', async () => {
    const repo = 'rancher/image-build-box';
    const human = f.gh.commit(repo, BOT, { 'NOTES.md': 'mine\n' });
    f.gh.editBody(repo, 1, inReasons(TICKED));
    // A contributor quoting the bot's "stopped" mark does not stand in for the bot's own comment.
    f.gh.pull(repo, 1).comments.push({ id: 9001, body: '<!-- image-build-migrator:stopped -->\nnothing to see', user: 'a-contributor', created_at: '2026-01-01T00:00:00Z' });
    for (let i = 0; i < 2; i++) {
      const r = await cli(f, ['--only', repo]);
      expect(repoOf(r, repo).delivery).toMatchObject({ action: 'blocked', status: 'blocked-by-human' });
      expect(f.gh.branchSha(repo, BOT)).toBe(human);
    }
    const stopped = f.gh.pull(repo, 1).comments.filter((c) => c.body.startsWith('<!-- image-build-migrator:stopped -->'));
    expect(stopped.map((c) => c.user)).toEqual(['a-contributor', 'image-build-migrator[bot]']);
    // The bot's own box still works.
    f.gh.editBody(repo, 1, (b) => b.replace('- [ ] <!-- image-build-migrator:rebase -->', TICKED));
    const r = await cli(f, ['--only', repo]);
    expect(repoOf(r, repo).delivery).toMatchObject({ action: 'update', reason: expect.stringMatching(/rebase box/) });
  });

  it('a state marker among the reasons does not block the bot\'s PR, nor reopen it once a human closed it', async () => {
    const repo = 'rancher/image-build-state';
    const real = parseMarker(f.gh.pullsOf(repo)[0]!.body)!;
    f.gh.editBody(repo, 1, inReasons(HOSTILE.stateMarker));
    expect(parseMarker(f.gh.pullsOf(repo)[0]!.body)).toEqual(real);
    const r = await cli(f, ['--only', repo]);
    expect(repoOf(r, repo).delivery).toMatchObject({ action: 'leave', status: 'current' });
    f.gh.closePull(repo, 1);
    const closed = await cli(f, ['--only', repo]);
    expect(repoOf(closed, repo).delivery).toMatchObject({ action: 'leave', status: 'closed-by-human' });
    expect(f.gh.pullsOf(repo)).toHaveLength(1);
  });

  it('the same forgeries as the repository\'s own file and binary names: the bot reads its own box and marker', async () => {
    for (const repo of ['rancher/image-build-boxname', 'rancher/image-build-statename']) {
      const body = f.gh.pullsOf(repo)[0]!.body;
      expect(rebaseTicked(body), repo).toBe(false);
      expect(parseMarker(body)!.pushed, repo).toBe(f.gh.branchSha(repo, BOT));
      expect(parseMarker(body)!.closed, repo).toBeUndefined();
    }
    // Their names did reach the body.
    expect(f.gh.pullsOf('rancher/image-build-boxname')[0]!.body).toContain('image-build-migrator:rebase');
    expect(f.gh.pullsOf('rancher/image-build-statename')[0]!.body).toContain('"closed":"x"');
    const human = f.gh.commit('rancher/image-build-boxname', BOT, { 'NOTES.md': 'mine\n' });
    const r = await cli(f, ['--only', 'rancher/image-build-boxname,rancher/image-build-statename']);
    expect(repoOf(r, 'rancher/image-build-boxname').delivery).toMatchObject({ action: 'blocked' });
    expect(f.gh.branchSha('rancher/image-build-boxname', BOT)).toBe(human);
    expect(repoOf(r, 'rancher/image-build-statename').delivery).toMatchObject({ action: 'leave', status: 'current' });
  });
});
