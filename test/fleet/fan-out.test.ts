/**
 * The nightly fan-out as the workflow runs it: the plan, one migrate job per repository and the
 * summary, each a process of its own in its own empty working folder and cache, sharing nothing
 * but the JSON files the workflow passes as artifacts (and the GitHub they all talk to). The end
 * state must be the one of a single sequential run; a job killed half way must leave the other
 * jobs' results intact and its repository a failed row.
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetReport } from '../../src/report/types.ts';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.ts';
import { fakeRepository, startGitHubServer, type FakeGitHub } from '../helpers/github-server.ts';
import { makeBareRepo, removeDir, SIMPLE_DOCKERFILE, tempDir } from '../helpers/repos.ts';
import { spawnCli } from '../helpers/cli-process.ts';
import { NO_PACING } from '../helpers/pacing.ts';

const root = path.resolve(import.meta.dirname, '../..');
const MIGRATED = readFileSync(path.join(root, 'examples/repos/image-build-sprocket/Dockerfile'), 'utf8');
const BROKEN = 'FROM busybox\nRUNN echo broken\n';
const FLEET: Record<string, string> = {
  'rancher/image-build-alpha': SIMPLE_DOCKERFILE,
  'rancher/image-build-beta': SIMPLE_DOCKERFILE.replace('/out/app', '/out/beta'),
  'rancher/image-build-gamma': SIMPLE_DOCKERFILE.replace('/out/app', '/out/gamma'),
  'rancher/image-build-done': MIGRATED,
  'rancher/image-build-broken': BROKEN,
};

interface Proc { code: number | null; stdout: string; stderr: string }

/** One stage of the workflow: a fresh process in an empty folder of its own, like a fresh runner. */
function stage(dir: string, args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<Proc> } {
  mkdirSync(dir, { recursive: true });
  return spawnCli(args, { cwd: dir, env });
}

const rows = (r: FleetReport) => r.repos.map(({ name, outcome, reason, step, diff, commit }) => ({ name, outcome, reason, step, diff, commit }));
const readReport = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as FleetReport;

describe('nightly fan-out: plan, parallel migrate jobs, summary', () => {
  const dir = tempDir();
  let gh: FakeGitHub;
  let git: GitHttpServer;
  let env: NodeJS.ProcessEnv;
  let reposYaml: string;

  beforeAll(async () => {
    for (const [full, dockerfile] of Object.entries(FLEET)) makeBareRepo(path.join(dir, 'git'), full, { Dockerfile: dockerfile, 'main.go': 'package main\nfunc main() {}\n' });
    // Every git response waits a little, so a job can be caught in the middle of its clone.
    git = await startGitHttpServer({ root: path.join(dir, 'git'), delayMs: 250 });
    gh = await startGitHubServer();
    gh.on('repos/get', ({ params }) => ({ status: 200, body: fakeRepository({ owner: params.owner!, name: params.repo!, apiUrl: gh.url, cloneUrl: `${git.url}/${params.owner}/${params.repo}.git`, defaultBranch: 'main' }) }));
    reposYaml = `include: [${Object.keys(FLEET).join(', ')}]\n`;
    env = { GITHUB_API_URL: gh.url, GITHUB_TOKEN: '', ...NO_PACING };
  });
  afterAll(async () => {
    await git?.close();
    await gh?.close();
    removeDir(dir);
  });

  /** The checkout of this repository a runner starts from: here just its repos.yaml. */
  function runner(name: string): string {
    const w = path.join(dir, name);
    mkdirSync(w, { recursive: true });
    writeFileSync(path.join(w, 'repos.yaml'), reposYaml);
    return w;
  }

  /** Plan and matrix, as the plan job does; returns the matrix and the plan artifact. */
  async function planStage(night: string) {
    const w = runner(`${night}-plan`);
    mkdirSync(path.join(w, 'plan'));
    const plan = await stage(w, ['migrate', '--dry-run', '--report', 'plan/plan.json', '--cache-dir', 'cache'], env).done;
    expect(plan.code, plan.stderr).toBe(1); // the broken repository is a row of the plan
    const m = await stage(w, ['migrate', 'report', 'matrix', 'plan/plan.json', '--max-new', '5', '--out', 'plan/plan-for-summary.json'], env).done;
    expect(m.code, m.stderr).toBe(0);
    const artifacts = path.join(dir, `${night}-artifacts`);
    cpSync(path.join(w, 'plan/plan-for-summary.json'), path.join(artifacts, 'plan', 'plan-for-summary.json'));
    return { matrix: JSON.parse(m.stdout) as { include: { repo: string; slug: string }[] }, artifacts };
  }

  function migrateJob(night: string, repo: string, slug: string) {
    const w = runner(`${night}-job-${slug}`);
    mkdirSync(path.join(w, 'result'));
    return { w, ...stage(w, ['migrate', '--dry-run', '--only', repo, '--report', `result/${slug}.json`, '--cache-dir', 'cache'], env) };
  }

  /** upload-artifact of the job, then download-artifact of the summary job. */
  function upload(artifacts: string, w: string, slug: string): void {
    const file = path.join(w, 'result', `${slug}.json`);
    if (existsSync(file)) cpSync(file, path.join(artifacts, 'results', `result-${slug}`, `${slug}.json`));
  }

  async function summaryStage(night: string, artifacts: string) {
    const w = runner(`${night}-summary`);
    cpSync(artifacts, w, { recursive: true });
    mkdirSync(path.join(w, 'results'), { recursive: true });
    mkdirSync(path.join(w, 'summary'));
    const r = await stage(w, ['migrate', 'report', 'merge', 'results', '--plan', 'plan/plan-for-summary.json', '--json', 'summary/summary.json', '--markdown', 'summary/summary.md'], env).done;
    return { ...r, report: existsSync(path.join(w, 'summary/summary.json')) ? readReport(path.join(w, 'summary/summary.json')) : undefined, w };
  }

  let sequential: Promise<FleetReport> | undefined;
  /** One run over the whole fleet, the reference end state (computed once, alongside the first night). */
  function sequentialRun(): Promise<FleetReport> {
    sequential ??= runSequential();
    return sequential;
  }
  async function runSequential() {
    const w = runner('sequential');
    const r = await stage(w, ['migrate', '--dry-run', '--report', 'seq.json', '--cache-dir', 'cache'], env).done;
    expect(r.code, r.stderr).toBe(1);
    return readReport(path.join(w, 'seq.json'));
  }

  it('parallel jobs end where one sequential run ends', async () => {
    const reference = sequentialRun();
    const { matrix, artifacts } = await planStage('n1');
    expect(matrix.include.map((i) => i.repo)).toEqual(['rancher/image-build-alpha', 'rancher/image-build-beta', 'rancher/image-build-gamma']);
    const jobs = matrix.include.map((i) => ({ ...i, ...migrateJob('n1', i.repo, i.slug) }));
    const results = await Promise.all(jobs.map((j) => j.done));
    for (const [i, r] of results.entries()) expect(r.code, `${jobs[i]!.repo}: ${r.stderr}`).toBe(0);
    // Each job cloned only its own repository, into its own cache.
    for (const j of jobs) expect(readdirSync(path.join(j.w, 'cache', 'rancher'))).toEqual([j.repo.split('/')[1]]);
    for (const j of jobs) upload(artifacts, j.w, j.slug);

    const summary = await summaryStage('n1', artifacts);
    expect(summary.code, summary.stderr).toBe(0);
    const sequential = await reference;
    expect(rows(summary.report!)).toEqual(rows(sequential));
    expect(summary.report!.counts).toEqual(sequential.counts);
    expect(rows(summary.report!).find((r) => r.name === 'rancher/image-build-broken')).toMatchObject({ outcome: 'failed', step: 'migrate' });
    gh.assertClean();
  }, 120_000);

  it('a job killed half way: the others\' results stand, its repository is a failed row, the summary fails', async () => {
    const { matrix, artifacts } = await planStage('n2');
    const before = git.urls.length;
    const jobs = matrix.include.map((i) => ({ ...i, ...migrateJob('n2', i.repo, i.slug) }));
    const victim = jobs.find((j) => j.repo === 'rancher/image-build-beta')!;
    // Half way: its clone has reached the git server (whose answers are delayed) — kill it there.
    const deadline = Date.now() + 30_000;
    while (!git.urls.slice(before).some((u) => u.startsWith('/rancher/image-build-beta.git/')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(git.urls.slice(before).some((u) => u.startsWith('/rancher/image-build-beta.git/'))).toBe(true);
    victim.child.kill('SIGKILL');
    const results = await Promise.all(jobs.map((j) => j.done));
    for (const [i, r] of results.entries()) {
      if (jobs[i] === victim) expect(r.code).toBeNull();
      else expect(r.code, r.stderr).toBe(0);
    }
    expect(existsSync(path.join(victim.w, 'result', `${victim.slug}.json`))).toBe(false);
    for (const j of jobs) upload(artifacts, j.w, j.slug);

    const summary = await summaryStage('n2', artifacts);
    expect(summary.code, summary.stderr).toBe(1);
    expect(summary.stderr).toContain("error (the bot's own fault): rancher/image-build-beta: its migrate job left no readable result");
    const sequential = await sequentialRun();
    const got = rows(summary.report!);
    const want = rows(sequential).map((r) => (r.name === 'rancher/image-build-beta' ? { ...r, outcome: 'failed', step: 'job', diff: undefined, reason: got.find((g) => g.name === r.name)!.reason } : r));
    expect(got).toEqual(want);
    expect(got.find((r) => r.name === 'rancher/image-build-beta')!.reason).toContain('failed, timed out or was cancelled');
    expect(readFileSync(path.join(summary.w, 'summary/summary.md'), 'utf8')).toContain('| `rancher/image-build-beta` | [job] its migrate job left no readable result');
    gh.assertClean();
  }, 120_000);
});
