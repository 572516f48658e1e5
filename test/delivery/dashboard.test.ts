import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRows, renderDashboard } from '../../src/delivery/dashboard.ts';
import { cli, SPROCKET, startFleet, WIDGET, type Fleet } from './fleet.ts';
import { NO_PACING } from '../helpers/pacing.ts';

const broken = readFileSync(path.resolve(import.meta.dirname, '../../examples/faults/repos/image-build-broken/Dockerfile'), 'utf8');

describe('the campaign dashboard issue', () => {
  let f: Fleet;
  const DASH = 'rancher/ecm-distro-tools';
  beforeAll(async () => {
    f = await startFleet({ 'rancher/image-build-widget': WIDGET, 'rancher/image-build-sprocket': SPROCKET, 'rancher/image-build-broken': { Dockerfile: broken } }, `delivery:\n  dashboard:\n    repo: ${DASH}\n`);
    f.gh.addRepo(DASH, { 'README.md': 'ecm\n' });
  });
  afterAll(() => f.close());

  it('is created once with a row per repository, found again by its marker, and not written when nothing changed', async () => {
    const r = await cli(f, []);
    expect(r.code).toBe(1); // the broken repository fails alone
    expect(r.report.dashboard).toMatchObject({ action: 'created' });
    const issues = f.gh.issuesOf(DASH);
    expect(issues).toHaveLength(1);
    const body = issues[0]!.body;
    expect(body).toMatch(/\| rancher\/image-build-widget \| draft PR \| \[#1\]\(http:\/\/127\.0\.0\.1:\d+\/rancher\/image-build-widget\/pull\/1\) \| not measured yet \|/);
    expect(body).toContain('| rancher/image-build-sprocket | already migrated |');
    expect(body).toMatch(/\| rancher\/image-build-broken \| failed at migrate: .*RUNN/);
    expect(body).toContain('ecm-distro-tools#375');
    expect(body).not.toContain('```mermaid'); // no timings yet
    expect(issues[0]!.labels).toEqual(['image-build-migrator']);

    const writes = f.gh.writeCalls().length;
    const again = await cli(f, []);
    expect(again.report.dashboard).toMatchObject({ action: 'current' });
    expect(f.gh.writeCalls().length).toBe(writes);
    expect(f.gh.issuesOf(DASH)).toHaveLength(1);
    f.gh.assertClean();
  });

  it('is edited in place when a row changes, keeping the other rows\' times', async () => {
    const before = parseRows(f.gh.issuesOf(DASH)[0]!.body);
    f.gh.closePull('rancher/image-build-widget', 1);
    const r = await cli(f, []);
    expect(r.report.dashboard).toMatchObject({ action: 'updated' });
    expect(f.gh.issuesOf(DASH)).toHaveLength(1);
    const rows = parseRows(f.gh.issuesOf(DASH)[0]!.body);
    expect(rows['rancher/image-build-widget']!.status).toBe('closed by a human');
    expect(rows['rancher/image-build-widget']!.at).not.toBe(before['rancher/image-build-widget']!.at);
    expect(rows['rancher/image-build-sprocket']!.at).toBe(before['rancher/image-build-sprocket']!.at);
  });
});

describe('renderDashboard', () => {
  it('draws a Mermaid bar chart of arm64 minutes before and after once timings exist, and the speedup per row', () => {
    const body = renderDashboard({
      repo: 'rancher/ecm-distro-tools', title: 't', now: '2026-01-02T00:00:00Z',
      repos: [
        { name: 'rancher/image-build-a', outcome: 'changed', reason: '', delivery: { action: 'open', status: 'opened', reason: '', pr: { number: 3, url: 'https://github.com/rancher/image-build-a/pull/3', draft: false }, warnings: [] } },
        { name: 'rancher/image-build-b', outcome: 'skipped', reason: 'nothing to compile' },
      ],
      timing: (n) => (n.endsWith('-a') ? { markdownTable: '|x|', digest: 'd', arm64SecondsBefore: 840, arm64SecondsAfter: 120 } : undefined),
    });
    expect(body).toContain('```mermaid\nxychart-beta');
    expect(body).toContain('  x-axis ["a"]');
    expect(body).toContain('  bar [14]\n  bar [2]');
    expect(body).toContain('| rancher/image-build-a | PR open | [#3](https://github.com/rancher/image-build-a/pull/3) | 7.0× |');
    expect(body).toContain('| rancher/image-build-b | skipped: nothing to compile |');
  });

  it("a migrated build that fails is a failure that needs a look, named with its platform and step, the PR still linked", () => {
    const body = renderDashboard({
      repo: 'rancher/ecm-distro-tools', title: 't', now: '2026-01-02T00:00:00Z',
      repos: [{ name: 'rancher/image-build-a', outcome: 'changed', reason: '', delivery: { action: 'open', status: 'opened', reason: '', pr: { number: 3, url: 'https://github.com/rancher/image-build-a/pull/3', draft: true }, warnings: [] } }],
      timing: () => ({ markdownTable: '|x|', digest: 'd', arm64SecondsBefore: 840, builds: [{ variant: 'before', platform: 'linux/arm64', status: 'ok' }, { variant: 'after', platform: 'linux/arm64', status: 'failed', failedStep: '[builder 4/7] RUN xx-go build ./cmd/a' }] }),
    });
    expect(body).toContain('| rancher/image-build-a | failed: the migrated build fails on linux/arm64 at \\[builder 4/7\\] RUN xx-go build ./cmd/a (draft PR) | [#3](https://github.com/rancher/image-build-a/pull/3) |');
    expect(body).toContain('1 need a look');
  });
});

describe('updateDashboardFromEnv (one call from a merged report)', () => {
  it('creates the issue from JSON rows, then finds it again and leaves it when nothing changed', async () => {
    const { LocalGitHub } = await import('../../scripts/local-github/github.ts');
    const { updateDashboardFromEnv } = await import('../../src/delivery/dashboard.ts');
    const token = ['ghp', 'dashboardEntryToken0123456789abcdefABC'].join('_');
    const gh = await LocalGitHub.start({ tokens: { [token]: 'image-build-migrator[bot]' } });
    try {
      gh.addRepo('rancher/ecm-distro-tools', { 'README.md': 'x\n' });
      const env = { GITHUB_API_URL: gh.url, GITHUB_SERVER_URL: gh.serverUrl, GITHUB_TOKEN: token, ...NO_PACING };
      const input = { repo: 'rancher/ecm-distro-tools', title: 'Campaign', now: '2026-01-01T00:00:00Z', repos: JSON.parse(JSON.stringify([{ name: 'rancher/image-build-a', outcome: 'already-migrated', reason: 'already migrated' }])) };
      expect(await updateDashboardFromEnv(input, env)).toMatchObject({ action: 'created' });
      // Later the same day with nothing changed: no write. The next night says when it ran: one edit.
      expect(await updateDashboardFromEnv({ ...input, now: '2026-01-01T23:00:00Z' }, env)).toMatchObject({ action: 'current' });
      expect(await updateDashboardFromEnv({ ...input, now: '2026-01-02T02:00:00Z' }, env)).toMatchObject({ action: 'updated' });
      expect(gh.issuesOf('rancher/ecm-distro-tools')[0]!.body).toContain('Last run: 2026-01-02.');
      expect(gh.issuesOf('rancher/ecm-distro-tools')).toHaveLength(1);
      gh.assertClean();
    } finally {
      await gh.close();
    }
  });
});

describe('the dashboard at any fleet size', () => {
  // Reasons as long as real ones (statusOf keeps 120 characters), a PR on most rows, timings on some.
  const fleet = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const name = `rancher/image-build-component-number-${String(i).padStart(4, '0')}`;
      const kind = i % 10;
      if (kind === 0) return { name, outcome: 'failed' as const, step: 'migrate', reason: `Dockerfile:${i}: a step the migration cannot handle, explained at the length real reasons have, and then some more words` };
      if (kind === 1) return { name, outcome: 'skipped' as const, reason: 'repos.yaml: skipped for a reason its owner wrote down at some length, as owners do' };
      if (kind === 2) return { name, outcome: 'already-migrated' as const, reason: 'already migrated: nothing to change' };
      const blocked = kind === 3;
      return { name, outcome: 'changed' as const, reason: 'changed Dockerfile', delivery: { action: blocked ? 'blocked' : 'open', status: blocked ? 'blocked-by-human' : 'opened', reason: 'x', warnings: [], pr: { number: i + 1, url: `https://github.com/${name}/pull/${i + 1}`, draft: kind === 4 } } };
    }) as unknown as Parameters<typeof renderDashboard>[0]['repos'];
  const timing = (repo: string) => (Number(repo.slice(-1)) % 2 ? { arm64SecondsBefore: 840, arm64SecondsAfter: 90 } : undefined) as never;

  for (const n of [25, 500, 2000]) {
    it(`${n} repositories: within GitHub's 65,536 characters, failed and blocked rows listed first, what is left out said`, () => {
      const body = renderDashboard({ repo: 'rancher/ecm-distro-tools', title: 'Cross-compilation', repos: fleet(n), now: '2026-12-07T02:00:00.000Z', timing });
      expect(body.length).toBeLessThanOrEqual(65_536);
      const rows = parseRows(body);
      const failed = fleet(n).filter((r) => r.outcome === 'failed' || (r as { delivery?: { status: string } }).delivery?.status === 'blocked-by-human');
      expect(body).toContain(`${failed.length} need a look`);
      const listed = Object.keys(rows).length;
      // Those that need a look are listed before any other: all of them, or nothing else.
      const urgent = new Set(failed.map((r) => r.name));
      const listedUrgent = Object.keys(rows).filter((k) => urgent.has(k)).length;
      if (n < 2000) expect(listedUrgent, 'every row that needs a look is listed').toBe(urgent.size);
      // 400 rows that need a look do not all fit: then the table holds nothing else.
      else expect(listedUrgent, 'only rows that need a look are listed').toBe(listed);
      expect(listedUrgent).toBeGreaterThan(0);
      if (n === 25) {
        expect(listed).toBe(25);
        expect(body).not.toMatch(/more repositor(y is|ies are) not listed/);
      } else {
        expect(listed).toBeLessThan(n);
        expect(body).toContain(`${n - listed} more repositories are not listed (`);
      }
      // A row with no PR has nothing that could have been measured: no "not measured" there.
      for (const line of body.split('\n').filter((l) => /\| (skipped|already migrated|failed)/.test(l))) expect(line).not.toContain('not measured');
      // The same input renders the same body the same day (a second run writes nothing); the next
      // night only the day of the last run changes, and rows keep their times.
      expect(renderDashboard({ repo: 'rancher/ecm-distro-tools', title: 'Cross-compilation', repos: fleet(n), now: '2026-12-07T09:00:00.000Z', timing }, body)).toBe(body);
      expect(renderDashboard({ repo: 'rancher/ecm-distro-tools', title: 'Cross-compilation', repos: fleet(n), now: '2026-12-08T02:00:00.000Z', timing }, body)).toBe(body.replace('Last run: 2026-12-07.', 'Last run: 2026-12-08.'));
      // "not measured yet" only where a PR is open to be measured.
      for (const line of body.split('\n').filter((l) => /blocked by a human/.test(l))) expect(line).not.toContain('not measured');
    });
  }
});
