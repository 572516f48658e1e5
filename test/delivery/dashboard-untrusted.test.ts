// Issue 20, item 4 on the dashboard: repository names, failure reasons and PR links from a fleet report.
import { describe, expect, it } from 'vitest';
import { parseRows, renderDashboard, type DashboardInput } from '../../src/delivery/dashboard.ts';
import { HOSTILE, PROBE } from '../helpers/hostile.ts';
import { expectInert } from '../helpers/untrusted-checks.ts';

function hostileRepos(v: string): DashboardInput['repos'] {
  return [
    { name: `rancher/image-build-${v}`, outcome: 'failed', step: v, reason: `Dockerfile:7: ${v}` },
    { name: 'rancher/image-build-closing', outcome: 'already-migrated', reason: v, delivery: { action: 'close', status: 'no-longer-needed', reason: v, warnings: [] } },
    { name: 'rancher/image-build-skipped', outcome: 'skipped', reason: `skipped: ${v}` },
    { name: 'rancher/image-build-linked', outcome: 'changed', reason: '', delivery: { action: 'open', status: 'opened', reason: '', pr: { number: 3, url: `https://github.com/x/${v}`, draft: false }, warnings: [] } },
  ];
}

describe('the dashboard with hostile repository values', () => {
  for (const [name, v] of Object.entries(HOSTILE) as [keyof typeof HOSTILE, string][]) {
    it(`${name}: no comment, box, mention, tag or link of the value's own; the rows read back`, () => {
      const input: DashboardInput = {
        repo: 'rancher/ecm-distro-tools', title: 't', now: '2026-01-02T00:00:00Z', repos: hostileRepos(v),
        timing: () => ({ markdownTable: '|x|', digest: 'd', arm64SecondsBefore: 840, arm64SecondsAfter: 120 }),
      };
      const body = renderDashboard(input);
      expect(body.split(PROBE[name]).length).toBeGreaterThan(2);
      const marker = body.split('\n').at(-1)!;
      expect(marker).toMatch(/^<!-- image-build-migrator:dashboard \{.*\} -->$/);
      expectInert(body, { comments: [marker] }, name);
      // A URL a value can end early is shown as text, not followed.
      expect(body).not.toMatch(/\]\(https:\/\/github\.com\/x\/[^)]*[\s<]/);
      const rows = parseRows(body);
      expect(Object.keys(rows)).toContain(`rancher/image-build-${v}`);
      expect(rows[`rancher/image-build-${v}`]!.status).toContain(v.replace(/\s+/g, ' ').trim());
    });
  }
});
