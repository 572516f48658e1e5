/**
 * The nightly stages through the real CLI on the example fleet (dry run, offline): the plan's
 * matrix, one `--only` job per entry each with its own cache, and the merge, which must show the
 * same rows as the one sequential run the plan is.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.ts';
import type { FleetReport } from '../../src/report/types.ts';
import { removeDir, tempDir } from '../helpers/repos.ts';
import { Capture } from '../helpers/streams.ts';

const examples = path.resolve(import.meta.dirname, '../../examples');

async function cli(...argv: string[]) {
  const out = new Capture();
  const err = new Capture();
  const code = await main(argv, out, err);
  return { code, out: out.text, err: err.text };
}

const rows = (r: FleetReport) => r.repos.map(({ name, outcome, reason, step }) => ({ name, outcome, reason, step }));

describe('migrate report matrix / merge', () => {
  const dir = tempDir();
  // The example fleet plus its broken-on-purpose repository: a repository's own failure in the mix.
  const reposFile = path.join(dir, 'fleet', 'repos.yaml');
  cpSync(path.join(examples, 'repos'), path.join(dir, 'fleet', 'repos'), { recursive: true });
  cpSync(path.join(examples, 'faults', 'repos', 'image-build-broken'), path.join(dir, 'fleet', 'repos', 'image-build-broken'), { recursive: true });
  writeFileSync(reposFile, readFileSync(path.join(examples, 'faults', 'repos.yaml'), 'utf8'));
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['GITHUB_ACTIONS', 'GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    vi.restoreAllMocks();
  });
  afterAll(() => removeDir(dir));

  it('plan -> matrix -> one job per repository -> merge gives the rows of the sequential run', async () => {
    const planFile = path.join(dir, 'plan.json');
    const plan = await cli('migrate', '--dry-run', '--repos', reposFile, '--cache-dir', path.join(dir, 'cache-plan'), '--report', planFile, '--json');
    expect(plan.code).toBe(1); // the broken repository
    const sequential = JSON.parse(readFileSync(planFile, 'utf8')) as FleetReport;

    process.env.GITHUB_ACTIONS = 'true';
    process.env.GITHUB_OUTPUT = path.join(dir, 'output.txt');
    process.env.GITHUB_STEP_SUMMARY = path.join(dir, 'summary.md');
    writeFileSync(process.env.GITHUB_OUTPUT, '');
    writeFileSync(process.env.GITHUB_STEP_SUMMARY, '');
    const summaryPlan = path.join(dir, 'plan-for-summary.json');
    const m = await cli('migrate', 'report', 'matrix', planFile, '--out', summaryPlan);
    expect(m.code).toBe(0);
    const matrix = JSON.parse(m.out) as { include: { repo: string; slug: string }[] };
    expect(matrix.include.map((i) => i.repo)).toEqual(['example/image-build-beacon', 'example/image-build-gizmo-operator', 'example/image-build-widget']);
    const outputs = readFileSync(process.env.GITHUB_OUTPUT, 'utf8');
    expect(outputs).toMatch(new RegExp(`^matrix<<(ghadelimiter_[0-9a-f-]+)\\n${m.out.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n\\1\\ncount<<`, 'm'));
    expect(outputs).toMatch(/count<<(ghadelimiter_[0-9a-f-]+)\n3\n\1\n$/);
    const planSummary = readFileSync(process.env.GITHUB_STEP_SUMMARY, 'utf8');
    expect(planSummary).toContain('**3 migrate jobs:** `example/image-build-beacon`, `example/image-build-gizmo-operator`, `example/image-build-widget`');
    expect(planSummary).toContain('| `example/image-build-broken` | failed [migrate]: Dockerfile:7: unknown instruction "RUNN" |');

    for (const { repo, slug } of matrix.include) {
      // --report never creates folders (a typo must not plant directories): the job makes its own.
      mkdirSync(path.join(dir, 'results', `result-${slug}`), { recursive: true });
      const job = await cli('migrate', '--dry-run', '--repos', reposFile, '--only', repo, '--cache-dir', path.join(dir, `cache-${slug}`), '--report', path.join(dir, 'results', `result-${slug}`, 'result.json'), '--json');
      expect(job.code).toBe(0);
    }

    writeFileSync(process.env.GITHUB_STEP_SUMMARY, '');
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const merged = path.join(dir, 'merged.json');
    const merge = await cli('migrate', 'report', 'merge', path.join(dir, 'results'), '--plan', summaryPlan, '--json', merged, '--markdown', path.join(dir, 'merged.md'));
    const annotations = stdout.mock.calls.map((c) => String(c[0])).join('');
    stdout.mockRestore();
    expect(merge.code).toBe(0);
    const report = JSON.parse(readFileSync(merged, 'utf8')) as FleetReport;
    expect(rows(report)).toEqual(rows(sequential));
    expect(report.counts).toEqual(sequential.counts);
    expect(report.repos.find((r) => r.name === 'example/image-build-widget')!.diff).toBe(sequential.repos.find((r) => r.name === 'example/image-build-widget')!.diff);
    expect(merge.out).toContain('6 repositories in');
    const md = readFileSync(process.env.GITHUB_STEP_SUMMARY, 'utf8');
    expect(md).toBe(readFileSync(path.join(dir, 'merged.md'), 'utf8'));
    expect(md).toContain('| `example/image-build-broken` | [migrate] Dockerfile:7: unknown instruction "RUNN" |');
    // The broken repository is a warning on the run page, not the bot's fault.
    expect(annotations).toBe('::warning title=example/image-build-broken failed [migrate]::Dockerfile:7: unknown instruction "RUNN"\n');
  }, 60_000);

  it('a job that left no result fails the merge (exit 1) with an error annotation, and every other row stands', async () => {
    const d = path.join(dir, 'partial');
    mkdirSync(d);
    const planFile = path.join(dir, 'plan.json');
    const onlyWidget = path.join(dir, 'results', 'result-example--image-build-widget');
    expect(existsSync(onlyWidget)).toBe(true);
    process.env.GITHUB_ACTIONS = 'true';
    // @actions/core keeps the summary file it first wrote to for the life of the process.
    process.env.GITHUB_STEP_SUMMARY = path.join(dir, 'summary.md');
    writeFileSync(process.env.GITHUB_STEP_SUMMARY, '');
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const merge = await cli('migrate', 'report', 'merge', onlyWidget, '--plan', planFile, '--json', path.join(d, 'merged.json'));
    const annotations = stdout.mock.calls.map((c) => String(c[0])).join('');
    stdout.mockRestore();
    expect(merge.code).toBe(1);
    expect(merge.err).toContain("error (the bot's own fault): example/image-build-gizmo-operator: its migrate job left no readable result");
    expect(annotations).toContain('::error title=example/image-build-gizmo-operator failed [job]::its migrate job left no readable result');
    const report = JSON.parse(readFileSync(path.join(d, 'merged.json'), 'utf8')) as FleetReport;
    expect(report.repos.find((r) => r.name === 'example/image-build-widget')!.outcome).toBe('would-change');
    expect(readFileSync(process.env.GITHUB_STEP_SUMMARY, 'utf8')).toContain("### The bot's own faults (this job fails)");
  });

  it('a refused plan stops with exit 2 naming the file; nothing is written', async () => {
    const bad = path.join(dir, 'future.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 7, tool: { name: 'image-build-migrator', version: '3.0.0' } }));
    const out = path.join(dir, 'never.json');
    const r = await cli('migrate', 'report', 'merge', path.join(dir, 'results'), '--plan', bad, '--json', out);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: ${bad}: written by a newer image-build-migrator 3.0.0 with schema 7; this one (0.1.0) reads schemas 1 to 2. Run every stage of the night from the same commit of the bot (re-run the workflow), or update this checkout.\n`);
    expect(existsSync(out)).toBe(false);
    const m = await cli('migrate', 'report', 'matrix', path.join(dir, 'missing-plan.json'));
    expect(m.code).toBe(2);
    expect(m.err).toContain('missing-plan.json: no such file');
    expect((await cli('migrate', 'report', 'matrix', path.join(dir, 'plan.json'), '--max-new', '-1')).code).toBe(2);
  });
});
