// Issue 20, item 4 in the run summary (GITHUB_STEP_SUMMARY, `report merge --markdown`) and the plan's step summary.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReportMatrix, runReportMerge } from '../../src/cli/report.ts';
import { stamp } from '../../src/report/report-files.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { countOutcomes, type FleetReport, type RepoResult } from '../../src/report/types.ts';
import { HOSTILE, PROBE } from '../helpers/hostile.ts';
import { outsideCode } from '../helpers/markdown.ts';
import { removeDir, tempDir } from '../helpers/repos.ts';
import { Capture } from '../helpers/streams.ts';
import { expectInert } from '../helpers/untrusted-checks.ts';

function hostileReport(v: string): FleetReport {
  // A diff whose lines would close a ``` or a ~~~~ fence, then say something of their own.
  const diff = `--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1 +1 @@\n+\`\`\`\n~~~~\n</details>\n${v}\n`;
  const repos: RepoResult[] = [
    { name: `rancher/${v}`, outcome: 'would-change', reason: `would change ${v}`, diff, durationMs: 1 },
    { name: 'rancher/image-build-failed', outcome: 'failed', step: v, reason: `Dockerfile:7: ${v}`, durationMs: 1 },
    { name: 'rancher/image-build-job', outcome: 'would-change', reason: v, durationMs: 1 },
    { name: 'rancher/image-build-none', outcome: 'skipped', reason: v, durationMs: 1 },
  ];
  return stamp({ dryRun: true, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, reposFile: 'repos.yaml', pushes: 0, interrupted: false, counts: countOutcomes(repos), repos, excluded: [{ name: `rancher/${v}-x`, reason: v }], errors: [v], notes: [] });
}

/** Outside the diff's fence, `</details>` is the bot's own and comes once per diff. */
function expectFencedDiff(md: string, what: string): void {
  expect(outsideCode(md).split('</details>').length, `${what}: </details> outside the diff`).toBe(md.split('<details>').length);
}

describe('the run summary with hostile repository values', () => {
  const dir = tempDir();
  // @actions/core keeps the first summary file it is given: one for the whole file, read by parts.
  const stepSummary = path.join(dir, 'step-summary.md');
  const saved = process.env.GITHUB_STEP_SUMMARY;
  beforeAll(() => {
    writeFileSync(stepSummary, '');
    process.env.GITHUB_STEP_SUMMARY = stepSummary;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved;
    removeDir(dir);
  });

  for (const [name, v] of Object.entries(HOSTILE) as [keyof typeof HOSTILE, string][]) {
    it(`${name}: renderMarkdown has no comment, box, mention or tag of the value's own, and the diff stays in its fence`, () => {
      const md = renderMarkdown(hostileReport(v));
      expect(md.split(PROBE[name]).length).toBeGreaterThan(5);
      expectInert(md, { comments: [] }, name);
      expectFencedDiff(md, name);
    });

    it(`${name}: report merge --markdown and report matrix's step summary too`, async () => {
      const d = path.join(dir, name);
      const planFile = path.join(d, 'plan.json');
      const results = path.join(d, 'results');
      const mdFile = path.join(d, 'summary.md');
      mkdirSync(results, { recursive: true });
      writeFileSync(planFile, JSON.stringify(hostileReport(v)));
      // The merge says which jobs left no result (the bot's own faults), naming each repository.
      expect(await runReportMerge({ dir: results, plan: planFile, markdown: mdFile }, new Capture(), new Capture(), {})).toBe(1);
      const merged = readFileSync(mdFile, 'utf8');
      expect(merged).toContain("### The bot's own faults");
      expectInert(merged, { comments: [] }, `${name}, merge`);
      expectFencedDiff(merged, `${name}, merge`);

      const before = readFileSync(stepSummary, 'utf8').length;
      expect(await runReportMatrix({ plan: planFile }, new Capture(), new Capture())).toBe(0);
      const plan = readFileSync(stepSummary, 'utf8').slice(before);
      expect(plan).toContain('## image-build-migrator plan');
      expect(plan.split(PROBE[name]).length).toBeGreaterThan(2);
      expectInert(plan, { comments: [] }, `${name}, plan`);
    });
  }
});
