import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readExchange, stamp } from '../../src/report/report-files.ts';
import { MAX_MATRIX_JOBS, planMatrix, slugOf } from '../../src/report/matrix.ts';
import { botFaults, mergeReports, readResultDir } from '../../src/report/merge.ts';
import { countOutcomes, type FleetReport, type RepoResult } from '../../src/report/types.ts';
import { removeDir, tempDir } from '../helpers/repos.ts';

function report(repos: RepoResult[], over: Partial<FleetReport> = {}): FleetReport {
  return stamp({ dryRun: false, startedAt: '2026-01-01T02:00:00.000Z', durationMs: 1000, reposFile: 'repos.yaml', pushes: 0, interrupted: false, counts: countOutcomes(repos), repos, excluded: [], errors: [], notes: [], ...over });
}

const planRows: RepoResult[] = [
  { name: 'rancher/image-build-a', outcome: 'would-change', reason: 'would change Dockerfile (3 edits)', durationMs: 1 },
  { name: 'rancher/image-build-b', outcome: 'would-change', reason: 'would change Dockerfile (1 edit)', durationMs: 1 },
  { name: 'rancher/image-build-c', outcome: 'would-change', reason: 'would change Dockerfile (2 edits)', durationMs: 1 },
  { name: 'rancher/image-build-base', outcome: 'skipped', reason: 'repos.yaml: the Go base image', durationMs: 0 },
  { name: 'rancher/image-build-done', outcome: 'already-migrated', reason: 'already migrated: nothing to change', durationMs: 1 },
];
const plan = report(planRows, { dryRun: true, excluded: [{ name: 'rancher/ingress-nginx', reason: 'not image-build-*' }] });

function result(name: string, outcome: RepoResult['outcome'], reason: string, startedAt: string, step?: string): FleetReport {
  return report([{ name, outcome, reason, step, durationMs: 600_000 }], { startedAt, durationMs: 600_000 });
}

/** Where the nightly workflow's summary finds a job's result: its artifact `result-<slug>`, holding `<slug>.json`. */
const artifact = (x: string) => `result-rancher--image-build-${x}/rancher--image-build-${x}.json`;

function writeResults(dir: string, files: Record<string, string | FleetReport>): void {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), typeof content === 'string' ? content : JSON.stringify(content));
  }
}

describe('report merge', () => {
  const dir = tempDir();
  afterAll(() => removeDir(dir));

  it("a migrated build that fails where the original builds is the bot's fault; both failing is not", () => {
    const m = (variant: 'before' | 'after', platform: string, status: 'ok' | 'failed') => ({ dockerfile: 'Dockerfile', variant, platform, status, wallSeconds: 1, timeoutSeconds: 3600, slowestSteps: [], ...(status === 'failed' ? { failedStep: '[builder 4/7] RUN xx-go build ./cmd/app' } : {}) });
    const timed = (name: string, ms: ReturnType<typeof m>[]) => ({ name, outcome: 'changed' as const, reason: 'changed Dockerfile', durationMs: 1, timing: { measurements: ms } as unknown as RepoResult['timing'] });
    const rows = [
      timed('rancher/image-build-a', [m('before', 'linux/arm64', 'ok'), m('after', 'linux/arm64', 'failed')]),
      timed('rancher/image-build-b', [m('before', 'linux/arm64', 'failed'), m('after', 'linux/arm64', 'failed')]),
      timed('rancher/image-build-c', [m('before', 'linux/arm64', 'ok'), m('after', 'linux/arm64', 'ok')]),
    ];
    expect(botFaults(report(rows))).toEqual(['rancher/image-build-a: the migrated Dockerfile failed on linux/arm64 at [builder 4/7] RUN xx-go build ./cmd/app, where the original builds']);
  });

  it('one row per planned repository: the job results where they exist, the plan rows for the rest', async () => {
    const d = path.join(dir, 'all');
    writeResults(d, {
      [artifact('a')]: result('rancher/image-build-a', 'changed', 'changed Dockerfile', '2026-01-01T02:01:00.000Z'),
      [artifact('b')]: result('rancher/image-build-b', 'changed', 'changed Dockerfile', '2026-01-01T02:02:00.000Z'),
      [artifact('c')]: result('rancher/image-build-c', 'failed', 'Dockerfile:7: unknown instruction', '2026-01-01T02:03:00.000Z', 'migrate'),
      'notes.txt': 'not a result',
    });
    const merged = mergeReports(plan, await readResultDir(d));
    expect(merged.repos.map((r) => [r.name, r.outcome])).toEqual([
      ['rancher/image-build-a', 'changed'],
      ['rancher/image-build-b', 'changed'],
      ['rancher/image-build-base', 'skipped'],
      ['rancher/image-build-c', 'failed'],
      ['rancher/image-build-done', 'already-migrated'],
    ]);
    expect(merged.counts).toEqual({ ...countOutcomes([]), changed: 2, skipped: 1, failed: 1, 'already-migrated': 1 });
    expect(merged.excluded).toEqual(plan.excluded);
    expect(merged.dryRun).toBe(false);
    // A live plan (`--plan` makes read calls only, and says live on a dry-run dispatch too) with
    // one dry-run job result: the night was a dry run, and nothing may be written for it.
    const liveAndDry = mergeReports({ ...plan, dryRun: false }, { results: [{ file: 'a.json', job: 'rancher--image-build-a', report: { ...result('rancher/image-build-a', 'would-change', 'would change Dockerfile', '2026-01-01T02:01:00.000Z'), dryRun: true } }], refused: [] });
    expect(liveAndDry.dryRun).toBe(true);
    expect(merged.startedAt).toBe('2026-01-01T02:00:00.000Z');
    // The last job ended at 02:13: the night lasted 13 minutes, not the sum of the jobs.
    expect(merged.durationMs).toBe(13 * 60_000);
    // A repository whose Dockerfile cannot be migrated is its own row, not the bot's fault.
    expect(botFaults(merged)).toEqual([]);
  });

  it('a planned repository without a result is failed by its job, and that is the bot\'s fault', async () => {
    const d = path.join(dir, 'missing');
    writeResults(d, { [artifact('a')]: result('rancher/image-build-a', 'changed', 'changed Dockerfile', '2026-01-01T02:01:00.000Z') });
    const merged = mergeReports(plan, await readResultDir(d));
    const b = merged.repos.find((r) => r.name === 'rancher/image-build-b')!;
    expect(b).toMatchObject({ outcome: 'failed', step: 'job' });
    expect(b.reason).toContain('left no readable result');
    expect(merged.counts.failed).toBe(2);
    expect(botFaults(merged)).toEqual([`rancher/image-build-b: ${b.reason}`, `rancher/image-build-c: ${b.reason}`]);
  });

  it('a refused result file is an error naming it; its repository is failed, the others stand', async () => {
    const d = path.join(dir, 'refused');
    const newer = { ...result('rancher/image-build-b', 'changed', 'x', '2026-01-01T02:01:00.000Z'), schemaVersion: 99 };
    writeResults(d, {
      'rancher--image-build-a.json': result('rancher/image-build-a', 'changed', 'changed Dockerfile', '2026-01-01T02:01:00.000Z'),
      'b.json': JSON.stringify(newer),
      'c.json': '{"schemaVersion": 2, "trunc',
    });
    const read = await readResultDir(d);
    expect(read.results.map((r) => path.basename(r.file))).toEqual(['rancher--image-build-a.json']);
    expect(read.refused).toHaveLength(2);
    const merged = mergeReports(plan, read);
    expect(merged.errors[0]).toMatch(/^result refused: .*b\.json: written by a newer image-build-migrator/);
    expect(merged.errors[1]).toMatch(/^result refused: .*c\.json: not JSON/);
    expect(merged.repos.find((r) => r.name === 'rancher/image-build-a')!.outcome).toBe('changed');
    expect(merged.repos.find((r) => r.name === 'rancher/image-build-b')!.step).toBe('job');
    expect(botFaults(merged)).toHaveLength(4);
  });

  it('two results for one repository: the first is kept and the conflict is reported', async () => {
    const d = path.join(dir, 'dup');
    writeResults(d, {
      '1/rancher--image-build-a.json': result('rancher/image-build-a', 'changed', 'first', '2026-01-01T02:01:00.000Z'),
      '2/rancher--image-build-a.json': result('rancher/image-build-A', 'failed', 'second', '2026-01-01T02:01:00.000Z', 'clone'),
    });
    const merged = mergeReports(plan, await readResultDir(d));
    expect(merged.repos.filter((r) => r.name.toLowerCase() === 'rancher/image-build-a').map((r) => r.reason)).toEqual(['first']);
    expect(merged.errors.some((e) => e.includes('exactly one migrate job'))).toBe(true);
  });


  it('without a plan, the results alone', async () => {
    const d = path.join(dir, 'noplan');
    writeResults(d, { 'a.json': result('rancher/image-build-a', 'changed', 'changed', '2026-01-01T02:01:00.000Z') });
    const merged = mergeReports(undefined, await readResultDir(d));
    expect(merged.repos.map((r) => r.name)).toEqual(['rancher/image-build-a']);
    expect(merged.notes).toEqual([]);
  });

  it('says which folder is missing', async () => {
    await expect(readResultDir(path.join(dir, 'nope'))).rejects.toThrow(/nope: no such folder \(were the result artifacts downloaded\?\)/);
  });
});

describe('report matrix', () => {
  it('one entry per repository that needs a job, with a slug safe for artifact names', () => {
    const m = planMatrix(plan);
    expect(m.matrix.include).toEqual(['a', 'b', 'c'].map((x) => ({ repo: `rancher/image-build-${x}`, slug: `rancher--image-build-${x}` })));
    expect(m.deferred).toEqual([]);
    expect(slugOf('Rancher/Image-Build.x_y')).toBe('rancher--image-build.x_y');
  });

  it('holds back new PRs over the limit as skipped rows, never as dead jobs', async () => {
    const m = planMatrix(plan, 1);
    expect(m.matrix.include.map((i) => i.repo)).toEqual(['rancher/image-build-a']);
    expect(m.deferred).toEqual(['rancher/image-build-b', 'rancher/image-build-c']);
    const c = m.plan.repos.find((r) => r.name === 'rancher/image-build-c')!;
    expect(c.outcome).toBe('skipped');
    expect(c.reason).toBe('deferred to a later night: at most 1 new pull request per run (would change Dockerfile (2 edits))');
    expect(m.plan.counts.skipped).toBe(3);
    const merged = mergeReports(m.plan, { results: [], refused: [] });
    expect(merged.repos.find((r) => r.name === 'rancher/image-build-c')!.outcome).toBe('skipped');
    expect(botFaults(merged).map((f) => f.split(':')[0])).toEqual(['rancher/image-build-a']);
    expect(planMatrix(plan, 0).matrix.include).toEqual([]);
  });

  it('with delivery\'s plan: jobs for open, update and close; none for leave or blocked; only opens count as new', () => {
    const withDelivery = (name: string, outcome: RepoResult['outcome'], action: string) => ({ name, outcome, reason: `${action} it`, durationMs: 1, delivery: { action, status: 'x', reason: 'y', warnings: [] } }) as unknown as RepoResult;
    const p = report([
      withDelivery('rancher/image-build-new1', 'would-change', 'open'),
      withDelivery('rancher/image-build-new2', 'would-change', 'open'),
      withDelivery('rancher/image-build-moved', 'would-change', 'update'),
      withDelivery('rancher/image-build-current', 'would-change', 'leave'),
      withDelivery('rancher/image-build-human', 'would-change', 'blocked'),
      withDelivery('rancher/image-build-by-hand', 'already-migrated', 'close'),
    ], { dryRun: true });
    const m = planMatrix(p, 1);
    expect(m.matrix.include.map((i) => i.repo)).toEqual(['rancher/image-build-new1', 'rancher/image-build-moved', 'rancher/image-build-by-hand']);
    expect(m.deferred).toEqual(['rancher/image-build-new2']);
    // The repository whose PR must be closed has a job: its missing result is a dead job too.
    const merged = mergeReports(m.plan, { results: [], refused: [] });
    expect(merged.repos.find((r) => r.name === 'rancher/image-build-by-hand')!.step).toBe('job');
    expect(merged.repos.find((r) => r.name === 'rancher/image-build-current')!.outcome).toBe('would-change');
    // Held back by the new-PR limit (its plan still says "open"): a skipped row, not a dead job.
    expect(merged.repos.find((r) => r.name === 'rancher/image-build-new2')!.outcome).toBe('skipped');
    expect(botFaults(merged).map((f) => f.split(':')[0])).toEqual(['rancher/image-build-by-hand', 'rancher/image-build-moved', 'rancher/image-build-new1']);
  });

  it('never asks GitHub for more than 256 jobs: existing PRs first, the rest deferred to a later night as skipped rows', () => {
    const row = (name: string, action: string) => ({ name, outcome: 'would-change', reason: `${action} it`, durationMs: 1, delivery: { action, status: 'x', reason: 'y', warnings: [] } }) as unknown as RepoResult;
    const rows = [
      ...Array.from({ length: 250 }, (_, i) => row(`rancher/image-build-new${String(i).padStart(3, '0')}`, 'open')),
      ...Array.from({ length: 50 }, (_, i) => row(`rancher/image-build-upd${String(i).padStart(3, '0')}`, 'update')),
    ];
    const m = planMatrix(report(rows), Infinity);
    expect(m.matrix.include).toHaveLength(MAX_MATRIX_JOBS);
    // Every update keeps its job; 206 new PRs fill the rest.
    expect(m.matrix.include.filter((i) => i.repo.includes('-upd'))).toHaveLength(50);
    expect(m.deferred).toHaveLength(44);
    const held = m.plan.repos.find((r) => r.name === m.deferred[0])!;
    expect(held.outcome).toBe('skipped');
    expect(held.reason).toBe("deferred to a later night: at most 256 migrate jobs per run (GitHub's limit for one matrix) (open it)");
    // Held back is not failed: only the 256 planned jobs that left no result are the bot's faults.
    const merged = mergeReports(m.plan, { results: [], refused: [] });
    expect(botFaults(merged)).toHaveLength(MAX_MATRIX_JOBS);
    expect(merged.repos.find((r) => r.name === m.deferred[0])!.outcome).toBe('skipped');
    // The new-PR limit still names itself when it is what holds a repository back.
    const small = planMatrix(report(rows), 3);
    expect(small.matrix.include).toHaveLength(53);
    expect(small.plan.repos.find((r) => r.name === 'rancher/image-build-new003')!.reason).toBe('deferred to a later night: at most 3 new pull requests per run (open it)');
  });

  it('the plan written for the summary reads back', async () => {
    const d = tempDir();
    try {
      const file = path.join(d, 'plan.json');
      writeFileSync(file, JSON.stringify(planMatrix(plan, 1).plan));
      const back = await readExchange(file);
      expect(back.repos.filter((r) => r.outcome === 'skipped').map((r) => r.name)).toEqual(['rancher/image-build-b', 'rancher/image-build-c', 'rancher/image-build-base']);
    } finally {
      removeDir(d);
    }
  });
});
