import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appendStepSummary, renderMarkdown } from '../../src/report/markdown.ts';
import { writeJsonReport } from '../../src/report/json.ts';
import { renderText } from '../../src/report/text.ts';
import { countOutcomes, type FleetReport, type RepoResult } from '../../src/report/types.ts';
import { removeDir, tempDir } from '../helpers/repos.ts';
import { expectInOrder } from '../helpers/order.ts';

const repos: RepoResult[] = [
  { name: 'rancher/image-build-a', outcome: 'would-change', reason: 'would change Dockerfile (3 edits)', diff: '--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1 +1 @@\n-FROM x\n+FROM --platform=$BUILDPLATFORM x\n', branch: 'master', commit: 'abcdef1234567890', durationMs: 5 },
  { name: 'rancher/image-build-b', outcome: 'already-migrated', reason: 'already migrated: nothing to change', durationMs: 3 },
  { name: 'rancher/image-build-base', outcome: 'skipped', reason: 'repos.yaml: builds the Go base image', durationMs: 0 },
  { name: 'rancher/image-build-c', outcome: 'failed', step: 'clone', reason: 'clone failed: early EOF | pipe', durationMs: 9 },
];

const report: FleetReport = {
  schemaVersion: 2, tool: { name: 'image-build-migrator', version: '0.1.0' }, dryRun: true, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1234, reposFile: '/x/repos.yaml', pushes: 0, interrupted: false,
  counts: countOutcomes(repos), repos, excluded: [{ name: 'rancher/ingress-nginx', reason: 'does not match namePattern image-build-*' }], errors: [], notes: [],
};

describe('reports', () => {
  const dir = tempDir();
  afterAll(() => removeDir(dir));

  it('text: diffs first, then every repository grouped by outcome with its reason', () => {
    const text = renderText(report);
    expectInOrder(text, ['+FROM --platform=$BUILDPLATFORM x', 'Dry run summary']);
    const order = ['Would change (1)', 'Already migrated (1)', 'Skipped (1)', 'Failed (1)'].map((h) => text.indexOf(h));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toMatch(/\n {2}rancher\/image-build-c +\[clone\] clone failed: early EOF \| pipe\n/);
    expect(text).toContain('Not in scope (1): rancher/ingress-nginx (does not match namePattern image-build-*)');
    expect(text).toContain('4 repositories in 1.2 s: 1 would change, 1 already migrated, 1 skipped, 1 failed. Pushes: 0.');
    expect(text).toContain('Nothing was pushed');
    expect(renderText({ ...report, interrupted: true })).toContain('Interrupted: this summary is partial.');
  });

  it('markdown: tables with escaped cells, diffs folded', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('| Would change | 1 |');
    expect(md).toContain('| `rancher/image-build-c` | [clone] clone failed: early EOF \\| pipe |');
    expect(md).toContain('<details><summary>rancher/image-build-a diff</summary>');
    expect(md).toContain('```diff\n--- a/Dockerfile');
    expect(md).toContain('_Dry run: nothing was pushed and no pull request was opened._');
    // A live run says what it wrote, from the report (no stale "not implemented" text).
    const live = renderMarkdown({ ...report, dryRun: false, pushes: 1, repos: [{ ...repos[0]!, outcome: 'changed', delivery: { action: 'open', status: 'opened', reason: 'needed', pr: { number: 3, url: 'https://github.com/rancher/image-build-a/pull/3' }, warnings: [] } }] });
    expect(live).toContain('_1 branch pushed, 1 pull request opened, updated or closed._');
    expect(live).not.toMatch(/not implemented/);
    expect(renderMarkdown({ ...report, dryRun: false, plan: true })).toContain('_Plan: read calls only');
  });

  it('appends to GITHUB_STEP_SUMMARY only when it is set, and writes JSON atomically', async () => {
    const summary = path.join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    expect(await appendStepSummary(report, {})).toBeUndefined();
    expect(await appendStepSummary(report, { GITHUB_STEP_SUMMARY: summary })).toBe(summary);
    const content = readFileSync(summary, 'utf8');
    expect(content.startsWith('# earlier step\n## image-build-migrator dry run')).toBe(true);

    const json = path.join(dir, 'out', 'report.json');
    mkdirSync(path.dirname(json), { recursive: true });
    await writeJsonReport(json, report);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toEqual(report);
  });
});
