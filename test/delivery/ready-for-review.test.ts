// The bot's draft PR becomes ready for review when the reasons it was a draft are gone (the build
// time measured, no review warning), through GraphQL's markPullRequestReadyForReview on the local
// GitHub; a draft a human made, or a ready a human chose, is never overruled.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMarker, renderMarker } from '../../src/delivery/marker.ts';
import { runFleet } from '../../src/fleet/run.ts';
import type { FleetReport } from '../../src/report/types.ts';
import { clearSecrets } from '../../src/secrets/redact.ts';
import { RecordingBuilder } from '../helpers/recording-builder.ts';
import { SIMPLE_DOCKERFILE } from '../helpers/repos.ts';
import { Capture } from '../helpers/streams.ts';
import { cli, OTHER_TOKEN, repoOf, startFleet, TOKEN, WIDGET, type Fleet } from './fleet.ts';
import { NO_PACING } from '../helpers/pacing.ts';

const MUTATION = 'graphql/markPullRequestReadyForReview';
const name = (n: string) => `rancher/image-build-${n}`;
// A stage name in capitals: the migration keeps it, and the review warns about it (stage-name-casing).
const WARNS = { Dockerfile: SIMPLE_DOCKERFILE.replace('AS builder', 'AS Builder').replace('--from=builder', '--from=Builder') };

describe('a draft PR of the bot becomes ready for review when the reason it was a draft is gone', () => {
  let f: Fleet;
  beforeAll(async () => {
    f = await startFleet({ [name('ready')]: WIDGET, [name('humandraft')]: WIDGET, [name('humanready')]: WIDGET, [name('warns')]: WARNS, [name('graphqlerror')]: WIDGET, [name('badgateway')]: WIDGET, [name('race')]: WIDGET, [name('flipflop')]: WIDGET, [name('afterfails')]: WIDGET }, 'delivery:\n  maxPrsPerRun: 20\n');
  });
  afterAll(() => f.close());

  /** A run with --timing's builds answered by a recording builder (arm64 before: `arm64` seconds). */
  const timed = async (only: string[], o: { arm64?: number; dryRun?: boolean; plan?: boolean; store?: string; afterFailsOnArm64?: string } = {}) => {
    let report: FleetReport | undefined;
    // The before builds get ARCH as a build-arg (the old Makefile passes it), the after builds do not.
    const builder = new RecordingBuilder({ seconds: (req) => (req.platform === 'linux/arm64' && req.buildArgs?.ARCH ? (o.arm64 ?? 600) : 60), fails: (req) => (o.afterFailsOnArm64 && req.platform === 'linux/arm64' && !req.buildArgs?.ARCH ? o.afterFailsOnArm64 : undefined) });
    try {
      const code = await runFleet({
        reposFile: f.reposFile, dryRun: o.dryRun ?? false, plan: o.plan, only: only.map(name), cacheDir: path.join(f.dir, 'cache'), out: new Capture(), err: new Capture(), live: false,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_API_URL: f.gh.url, GITHUB_SERVER_URL: f.gh.serverUrl, GITHUB_TOKEN: TOKEN, ...NO_PACING, CI: '1' },
        onReport: (r) => (report = r),
        timing: { builder, buildArgs: {}, storeDir: path.join(f.dir, o.store ?? `store-${o.arm64 ?? 600}`), platforms: ['linux/amd64', 'linux/arm64'] },
      });
      return { code, report: report!, delivery: (n: string) => report!.repos.find((r) => r.name === name(n))!.delivery! };
    } finally {
      clearSecrets();
    }
  };
  const mutations = () => f.gh.api.requests.filter((q) => q.operationId === MUTATION);
  const pr = (n: string) => f.gh.pullsOf(name(n))[0]!;
  const restDraft = async (n: string) => ((await (await fetch(`${f.gh.url}/repos/${name(n)}/pulls/${pr(n).number}`)).json()) as { draft: boolean }).draft;

  it('first run without timing opens a draft and records why; the run with timing marks it ready; the next one changes nothing', async () => {
    const first = await cli(f, ['--only', name('ready')]);
    expect(first.code).toBe(0);
    expect(repoOf(first, name('ready')).delivery).toMatchObject({ action: 'open', pr: { draft: true } });
    expect(await restDraft('ready')).toBe(true);
    expect(parseMarker(pr('ready').body)!.draft).toEqual({ reasons: ['timing'] });
    expect(pr('ready').body).toContain('This PR stays a draft until it is.');
    // A draft is not for review yet (issue 19): its labels, no reviewer asked.
    expect(pr('ready')).toMatchObject({ labels: ['cross-compilation'], requested_reviewers: [] });

    // The dry run and the plan see the same state with timing: neither calls the mutation nor writes.
    const writes = f.gh.writeCalls().length;
    const dry = await timed(['ready'], { dryRun: true });
    expect(dry.code).toBe(0);
    const plan = await timed(['ready'], { plan: true });
    expect(plan.delivery('ready')).toMatchObject({ action: 'update', reason: 'the timing changed: body updated' });
    expect(f.gh.writeCalls()).toHaveLength(writes);
    expect(mutations()).toEqual([]);

    const second = await timed(['ready']);
    expect(second.code).toBe(0);
    expect(second.delivery('ready')).toMatchObject({ action: 'update', status: 'updated', markedReady: true, pr: { draft: false }, warnings: [], reason: expect.stringMatching(/marked ready for review/) });
    expect(mutations()).toHaveLength(1);
    expect(await restDraft('ready')).toBe(false);
    // Marked ready by the bot: the reviewers are asked now, and recorded.
    expect(pr('ready').requested_reviewers).toEqual(['octo-maintainer']);
    expect(parseMarker(pr('ready').body)!.applied).toEqual({ labels: ['cross-compilation'], reviewers: ['octo-maintainer'] });
    const body = pr('ready').body;
    expect(body).toContain('| linux/arm64 | 10m00s | 1m00s | 10.0x | 1.00 |');
    expect(body).not.toMatch(/draft/i);
    expect(parseMarker(body)!.draft).toBeUndefined();

    const before = f.gh.writeCalls().length;
    const third = await timed(['ready']);
    expect(third.delivery('ready')).toMatchObject({ action: 'leave', status: 'current', pr: { number: pr('ready').number } });
    expect(third.delivery('ready').markedReady).toBeUndefined();
    expect(f.gh.writeCalls()).toHaveLength(before);
    expect(mutations()).toHaveLength(1);
    f.gh.assertClean();
  });

  it('a PR the bot opened ready and a human turned into a draft stays a draft', async () => {
    const open = await timed(['humandraft']);
    expect(open.delivery('humandraft')).toMatchObject({ action: 'open', pr: { draft: false } });
    expect(parseMarker(pr('humandraft').body)!.draft).toBeUndefined();
    f.gh.setDraft(name('humandraft'), pr('humandraft').number, true);
    // New numbers: the body is rewritten, the draft left as the human made it.
    const next = await timed(['humandraft'], { arm64: 900 });
    expect(next.delivery('humandraft')).toMatchObject({ action: 'update', reason: 'the timing changed: body updated', pr: { draft: true } });
    expect(next.delivery('humandraft').markedReady).toBeUndefined();
    expect(await restDraft('humandraft')).toBe(true);
    expect(pr('humandraft').body).toContain('| linux/arm64 | 15m00s |');
    expect(pr('humandraft').body).not.toMatch(/stays a draft/);
    expect(mutations().filter((q) => JSON.stringify(q.body).includes(f.gh.nodeId(name('humandraft'), pr('humandraft').number)))).toEqual([]);
    f.gh.assertClean();
  });

  it('a bot draft a human marked ready loses its draft record; a human\'s later draft is then left alone', async () => {
    await cli(f, ['--only', name('humanready')]);
    const n = pr('humanready').number;
    expect(pr('humanready').draft).toBe(true);
    f.gh.setDraft(name('humanready'), n, false);
    const r = await cli(f, ['--only', name('humanready')]);
    expect(repoOf(r, name('humanready')).delivery).toMatchObject({ action: 'update', reason: 'a human marked the PR ready for review: body updated; the PR never got reviewer octo-maintainer of repos.yaml: to be added', pr: { draft: false } });
    // Ready now: its reviewers are asked (issue 19).
    expect(pr('humanready').requested_reviewers).toEqual(['octo-maintainer']);
    expect(parseMarker(pr('humanready').body)!.draft).toBeUndefined();
    expect(pr('humanready').body).not.toMatch(/stays a draft/);
    // The human changes their mind; the timing that was the bot's reason arrives: still the human's draft.
    f.gh.setDraft(name('humanready'), n, true);
    const timedRun = await timed(['humanready']);
    expect(timedRun.delivery('humanready')).toMatchObject({ action: 'update', pr: { draft: true } });
    expect(await restDraft('humanready')).toBe(true);
    expect(mutations().filter((q) => JSON.stringify(q.body).includes(f.gh.nodeId(name('humanready'), n)))).toEqual([]);
    f.gh.assertClean();
  });

  it('a bot draft a human marked ready and made a draft again between two runs stays the human\'s draft', async () => {
    await cli(f, ['--only', name('flipflop')]);
    const n = pr('flipflop').number;
    f.gh.setDraft(name('flipflop'), n, false);
    f.gh.setDraft(name('flipflop'), n, true);
    // The marker still records the bot's draft; GitHub's convert_to_draft event says a human made this one.
    expect(parseMarker(pr('flipflop').body)!.draft).toEqual({ reasons: ['timing'] });
    const r = await timed(['flipflop']);
    expect(r.delivery('flipflop')).toMatchObject({ action: 'update', pr: { draft: true }, warnings: [], reason: 'the timing changed: body updated; left a draft: someone converted it to a draft on GitHub' });
    expect(r.delivery('flipflop').markedReady).toBeUndefined();
    expect(await restDraft('flipflop')).toBe(true);
    expect(parseMarker(pr('flipflop').body)!.draft).toBeUndefined();
    expect(pr('flipflop').body).not.toMatch(/stays a draft/);
    expect(mutations().filter((q) => JSON.stringify(q.body).includes(f.gh.nodeId(name('flipflop'), n)))).toEqual([]);
    const again = await timed(['flipflop']);
    expect(again.delivery('flipflop')).toMatchObject({ action: 'leave', status: 'current' });
    f.gh.assertClean();
  });

  // A table exists, but the migrated build failed in it: "measured" is not "mergeable".
  it('a migrated build that fails keeps the PR a draft, and the body names the platform and the step', async () => {
    const r = await timed(['afterfails'], { afterFailsOnArm64: '[builder 4/6] RUN make build', store: 'store-afterfails' });
    expect(r.delivery('afterfails')).toMatchObject({ action: 'open', pr: { draft: true } });
    expect(await restDraft('afterfails')).toBe(true);
    expect(parseMarker(pr('afterfails').body)!.draft).toEqual({ reasons: ['after-build'] });
    expect(pr('afterfails').body).toContain('**The migrated build failed for linux/arm64** at `[builder 4/6] RUN make build`: this PR stays a draft until it builds.');
  });

  it('a PR opened as a draft because of review warnings stays a draft while they remain, timing or not', async () => {
    const open = await cli(f, ['--only', name('warns')]);
    expect(repoOf(open, name('warns')).delivery).toMatchObject({ action: 'open', pr: { draft: true } });
    expect(parseMarker(pr('warns').body)!.draft).toEqual({ reasons: ['timing', 'warnings'] });
    const r = await timed(['warns']);
    expect(r.delivery('warns')).toMatchObject({ action: 'update', pr: { draft: true } });
    expect(r.delivery('warns').markedReady).toBeUndefined();
    expect(await restDraft('warns')).toBe(true);
    const body = pr('warns').body;
    expect(parseMarker(body)!.draft).toEqual({ reasons: ['warnings'] });
    expect(body).toContain('| warning | `stage-name-casing` |');
    expect(body).toContain('This PR stays a draft while the rule set has warnings about the migrated files.');
    expect(body).not.toContain('This PR stays a draft until it is.');
    const again = await timed(['warns']);
    expect(again.delivery('warns')).toMatchObject({ action: 'leave', status: 'current' });
    expect(mutations().filter((q) => JSON.stringify(q.body).includes(f.gh.nodeId(name('warns'), pr('warns').number)))).toEqual([]);
    f.gh.assertClean();
  });

  it('the race path: another run opened the PR as its draft on this run\'s push; this run updates it and marks it ready', async () => {
    const full = name('race');
    // This run's create is held; meanwhile "another run" (another token) opens the PR on the pushed
    // branch, as a draft it holds for the timing, without pushing.
    f.gh.api.fail({ operationId: 'pulls/create', when: (q) => String(q.headers.authorization).includes(TOKEN), delayMs: 5000 });
    const creates = () => f.gh.api.requests.filter((q) => q.operationId === 'pulls/create');
    const earlier = creates().length;
    const run = timed(['race']);
    let sha: string | undefined;
    for (let i = 0; i < 200 && !(sha = f.gh.branchSha(full, 'cross-compile/xx')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(sha).toBeDefined();
    const marker = renderMarker({ v: 2, tool: '0.1.0', recipes: ['xx-stage'], base: f.gh.branchSha(full, 'main')!, result: 'other-run', pushed: sha!, timing: '', draft: { reasons: ['timing'] } });
    const opened = await fetch(`${f.gh.url}/repos/${full}/pulls`, { method: 'POST', headers: { authorization: `token ${OTHER_TOKEN}` }, body: JSON.stringify({ title: 'x', body: `opened by the other run\n${marker}`, head: 'cross-compile/xx', base: 'main', draft: true }) });
    expect(opened.status).toBe(201);
    const r = await run;
    expect(r.delivery('race')).toMatchObject({ action: 'update', status: 'updated', markedReady: true, pr: { draft: false }, reason: expect.stringMatching(/^another run opened the PR first: updated it with this push; marked ready for review/) });
    // The other run's create went through; this run's, held, met GitHub's 422.
    expect(creates().slice(earlier).map((q) => [q.authorization?.includes(TOKEN) ? 'this run' : 'other run', q.status]).sort()).toEqual([['other run', 201], ['this run', 422]]);
    expect(f.gh.pullsOf(full)).toHaveLength(1);
    expect(await restDraft('race')).toBe(false);
    expect(parseMarker(pr('race').body)!.pushed).toBe(sha);
    expect(parseMarker(pr('race').body)!.draft).toBeUndefined();
    f.gh.assertClean();
  }, 60_000);

  it('a GraphQL error or a lasting 5xx from the mutation is a warning; the repository succeeds and the next run marks it ready', async () => {
    await cli(f, ['--only', `${name('graphqlerror')},${name('badgateway')}`]);
    const id = (n: string) => f.gh.nodeId(name(n), pr(n).number);
    const forPr = (n: string) => (q: { body: unknown }) => JSON.stringify(q.body).includes(id(n));
    f.gh.api.fail({ operationId: MUTATION, when: forPr('graphqlerror'), response: { status: 200, body: { data: { markPullRequestReadyForReview: null }, errors: [{ type: 'FORBIDDEN', path: ['markPullRequestReadyForReview'], locations: [{ line: 1, column: 32 }], message: 'Resource not accessible by integration' }] } } });
    // The first try and the client's three retries.
    f.gh.api.fail({ operationId: MUTATION, when: forPr('badgateway'), times: 4, response: { status: 502, body: { message: 'Server Error' } } });
    const r = await timed(['graphqlerror', 'badgateway']);
    expect(r.code).toBe(0);
    for (const [n, why] of [['graphqlerror', /Resource not accessible by integration/], ['badgateway', /Server Error|502/]] as const) {
      const row = r.report.repos.find((x) => x.name === name(n))!;
      expect(row.outcome).toBe('changed');
      expect(row.delivery).toMatchObject({ action: 'update', status: 'updated', pr: { draft: true } });
      expect(row.delivery!.markedReady).toBeUndefined();
      expect(row.delivery!.warnings).toEqual([expect.stringMatching(new RegExp(`^the PR could not be marked ready for review \\(it stays a draft until the next run\\): .*${why.source}`))]);
      expect(await restDraft(n)).toBe(true);
      // Still the bot's draft, with no reason left: the body promises nothing, the record says so.
      expect(parseMarker(pr(n).body)!.draft).toEqual({ reasons: [] });
      expect(pr(n).body).not.toMatch(/stays a draft/);
    }
    expect(f.gh.api.pendingFaults()).toBe(0);
    const next = await timed(['graphqlerror', 'badgateway']);
    for (const n of ['graphqlerror', 'badgateway']) {
      expect(next.delivery(n)).toMatchObject({ action: 'update', reason: expect.stringMatching(/^the PR was still to be marked ready for review; marked ready/), markedReady: true, pr: { draft: false }, warnings: [] });
      expect(await restDraft(n)).toBe(false);
      expect(parseMarker(pr(n).body)!.draft).toBeUndefined();
    }
    f.gh.assertClean();
  }, 60_000);
});
