// Issue 20, item 7: a migrate job's result counts only for the repository its job was planned for.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runReportMerge } from '../../src/cli/report.ts';
import { stamp } from '../../src/report/report-files.ts';
import { botFaults, jobOf, mergeReports, readResultDir } from '../../src/report/merge.ts';
import { countOutcomes, type FleetReport, type RepoResult } from '../../src/report/types.ts';
import { removeDir, tempDir } from '../helpers/repos.ts';
import { Capture } from '../helpers/streams.ts';

const report = (repos: RepoResult[], over: Partial<FleetReport> = {}): FleetReport =>
  stamp({ dryRun: false, startedAt: '2026-01-01T02:00:00.000Z', durationMs: 1000, reposFile: 'repos.yaml', pushes: 0, interrupted: false, counts: countOutcomes(repos), repos, excluded: [], errors: [], notes: [], ...over });
const row = (name: string, reason = 'changed Dockerfile', extra: Partial<RepoResult> = {}): RepoResult => ({ name, outcome: 'changed', reason, durationMs: 1, ...extra });
const A = 'rancher/image-build-a';
const B = 'rancher/image-build-b';
const plan = report([row(A, 'would change'), row(B, 'would change'), { name: 'rancher/image-build-held', outcome: 'skipped', reason: 'deferred to a later night', durationMs: 0 }], { dryRun: true });
/** A row that links to an outside site, as a forged result carries it. */
const forged = (name: string) => row(name, 'all good', { delivery: { action: 'open', status: 'opened', reason: 'x', pr: { number: 1, url: 'https://evil.example/phish', draft: false }, warnings: [] } });

function write(dir: string, files: Record<string, FleetReport>): void {
  for (const [rel, r] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), JSON.stringify(r));
  }
}

describe('report merge trusts a result only for its own job\'s repository', () => {
  const dir = tempDir();
  afterAll(() => removeDir(dir));

  it('the job is its artifact folder result-<slug> (the nearest one, the result folder itself included), else the file <slug>.json', () => {
    expect(jobOf('results', 'results/result-rancher--image-build-a/rancher--image-build-a.json')).toBe('rancher--image-build-a');
    expect(jobOf('results', 'results/result-rancher--image-build-a/rancher--image-build-b.json')).toBe('rancher--image-build-a');
    expect(jobOf('results/result-rancher--image-build-a', 'results/result-rancher--image-build-a/result.json')).toBe('rancher--image-build-a');
    expect(jobOf('results', 'results/rancher--image-build-a.json')).toBe('rancher--image-build-a');
  });

  it('a row for another planned repository, or one outside the plan, is ignored; the merge names the file and why, and fails', async () => {
    const d = path.join(dir, 'override');
    const aFile = path.join(d, 'result-rancher--image-build-a', 'rancher--image-build-a.json');
    write(d, {
      // Job a's result also "reports" b (with a link to an outside site) and a repository nobody planned.
      'result-rancher--image-build-a/rancher--image-build-a.json': report([row(A), forged(B), forged('rancher/image-build-zeta')]),
      'result-rancher--image-build-b/rancher--image-build-b.json': report([row(B, 'b, as its own job saw it')]),
    });
    const merged = mergeReports(plan, await readResultDir(d));
    expect(merged.repos.map((r) => [r.name, r.reason])).toEqual([[A, 'changed Dockerfile'], [B, 'b, as its own job saw it'], ['rancher/image-build-held', 'deferred to a later night']]);
    expect(JSON.stringify(merged)).not.toContain('evil.example');
    const ignored = merged.errors.filter((e) => e.startsWith('result ignored: '));
    expect(ignored).toEqual([
      `result ignored: ${aFile}: its row for ${B} does not count: the job that wrote it was planned for ${A}`,
      `result ignored: ${aFile}: its row for rancher/image-build-zeta does not count: the job that wrote it was planned for ${A}, and rancher/image-build-zeta is not a repository of the plan`,
    ]);
    expect(botFaults(merged)).toEqual(ignored);
    // A name that would forge a line of the log is quoted.
    const d2 = path.join(dir, 'override-name');
    write(d2, { 'result-rancher--image-build-a/rancher--image-build-a.json': report([row(A), row('x/y\nerror: all fine')]) });
    expect(mergeReports(plan, await readResultDir(d2)).errors.filter((e) => e.startsWith('result ignored: '))).toEqual([expect.stringContaining('its row for "x/y\\nerror: all fine" does not count')]);
  });

  it('a result planted in another job\'s artifact is that job\'s: it cannot stand in for the job it names', async () => {
    const d = path.join(dir, 'planted');
    // Job b never wrote its result; job a's artifact carries one named and shaped as b's.
    write(d, {
      'result-rancher--image-build-a/rancher--image-build-a.json': report([row(A)]),
      'result-rancher--image-build-a/rancher--image-build-b.json': report([forged(B)]),
    });
    const merged = mergeReports(plan, await readResultDir(d));
    expect(merged.repos.find((r) => r.name === B)).toMatchObject({ outcome: 'failed', step: 'job' });
    expect(merged.errors).toContain(`result ignored: ${path.join(d, 'result-rancher--image-build-a', 'rancher--image-build-b.json')}: its row for ${B} does not count: the job that wrote it was planned for ${A}`);
  });

  it('a file of no planned job (a repository held back, or one the plan never had) counts for nothing', async () => {
    const d = path.join(dir, 'unplanned');
    write(d, {
      [`result-rancher--image-build-a/rancher--image-build-a.json`]: report([row(A)]),
      [`result-rancher--image-build-b/rancher--image-build-b.json`]: report([row(B)]),
      'result-rancher--image-build-held/rancher--image-build-held.json': report([forged('rancher/image-build-held')], { pushes: 1 }),
      'result-evil/evil.json': report([forged('rancher/image-build-evil')], { errors: ['look at https://evil.example'] }),
    });
    const merged = mergeReports(plan, await readResultDir(d));
    expect(merged.repos.map((r) => [r.name, r.outcome])).toEqual([[A, 'changed'], [B, 'changed'], ['rancher/image-build-held', 'skipped']]);
    expect(merged.pushes).toBe(0);
    expect(JSON.stringify(merged)).not.toContain('evil.example');
    expect(merged.errors).toEqual([
      `result ignored: ${path.join(d, 'result-evil', 'evil.json')}: no migrate job of the plan wrote it (its job "evil" is not one the plan started), so none of its 1 row counts`,
      `result ignored: ${path.join(d, 'result-rancher--image-build-held', 'rancher--image-build-held.json')}: no migrate job of the plan wrote it (its job "rancher--image-build-held" is not one the plan started), so none of its 1 row counts`,
    ]);
  });

  it('report merge: exit 1, and its output names the file and why; the summary shows the planned job\'s row only', async () => {
    const d = path.join(dir, 'cli');
    const results = path.join(d, 'results');
    write(results, {
      'result-rancher--image-build-a/rancher--image-build-a.json': report([row(A), forged(B)]),
      'result-rancher--image-build-b/rancher--image-build-b.json': report([row(B)]),
    });
    writeFileSync(path.join(d, 'plan.json'), JSON.stringify(plan));
    const out = new Capture();
    const err = new Capture();
    const code = await runReportMerge({ dir: results, plan: path.join(d, 'plan.json'), json: path.join(d, 'summary.json'), markdown: path.join(d, 'summary.md') }, out, err, {});
    expect(code).toBe(1);
    expect(err.text).toContain(`error (the bot's own fault): result ignored: ${path.join(results, 'result-rancher--image-build-a', 'rancher--image-build-a.json')}: its row for ${B} does not count: the job that wrote it was planned for ${A}`);
    expect(readFileSync(path.join(d, 'summary.md'), 'utf8')).not.toContain('evil.example');
    expect((JSON.parse(readFileSync(path.join(d, 'summary.json'), 'utf8')) as FleetReport).repos.find((r) => r.name === B)!.delivery).toBeUndefined();
  });
});
