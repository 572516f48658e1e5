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
    expect(body).toMatch(/\| rancher\/image-build-widget \| draft PR \| \[#1\]\(http:\/\/127\.0\.0\.1:\d+\/rancher\/image-build-widget\/pull\/1\) \| not measured \|/);
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
      expect(await updateDashboardFromEnv({ ...input, now: '2026-01-02T00:00:00Z' }, env)).toMatchObject({ action: 'current' });
      expect(gh.issuesOf('rancher/ecm-distro-tools')).toHaveLength(1);
      gh.assertClean();
    } finally {
      await gh.close();
    }
  });
});
