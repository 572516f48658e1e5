/**
 * The nightly fan-out with delivery, against the local GitHub: the plan (`--plan`, read calls
 * only), one migrate job per repository (`--no-dashboard`) and the summary (`report merge
 * --dashboard`), each a process of its own in an empty folder with its own cache, sharing nothing
 * but the JSON artifacts. It must leave GitHub as one sequential run leaves it (the same PRs, the
 * same dashboard rows); a job killed half way leaves the others' PRs and a dashboard that marks
 * its repository failed.
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { DASHBOARD_LABEL, parseRows } from '../../src/delivery/dashboard.ts';
import type { FleetReport } from '../../src/report/types.ts';
import { SIMPLE_DOCKERFILE, SPROCKET, TOKEN } from '../delivery/fleet.ts';
import { removeDir, tempDir } from '../helpers/repos.ts';
import { spawnCli } from '../helpers/cli-process.ts';
import { NO_PACING } from '../helpers/pacing.ts';

const DASHBOARD = 'rancher/ecm-distro-tools';
const FLEET: Record<string, Record<string, string>> = {
  'rancher/image-build-alpha': { Dockerfile: SIMPLE_DOCKERFILE },
  'rancher/image-build-beta': { Dockerfile: SIMPLE_DOCKERFILE.replace('/out/app', '/out/beta') },
  'rancher/image-build-gamma': { Dockerfile: SIMPLE_DOCKERFILE.replace('/out/app', '/out/gamma') },
  'rancher/image-build-sprocket': SPROCKET,
  'rancher/image-build-broken': { Dockerfile: 'FROM busybox\nRUNN echo broken\n' },
};
const JOBS = ['rancher/image-build-alpha', 'rancher/image-build-beta', 'rancher/image-build-gamma'];

interface Proc { code: number | null; stdout: string; stderr: string }

describe('nightly fan-out with delivery: plan, parallel jobs, one dashboard update', () => {
  const dir = tempDir();
  const worlds: LocalGitHub[] = [];
  afterAll(async () => {
    for (const w of worlds) await w.close();
    removeDir(dir);
  });

  async function world(name: string) {
    const gh = await LocalGitHub.start({ tokens: { [TOKEN]: 'image-build-migrator[bot]' } });
    worlds.push(gh);
    for (const [full, files] of Object.entries(FLEET)) gh.addRepo(full, files);
    gh.addRepo(DASHBOARD, { 'README.md': 'tools\n' });
    const env: NodeJS.ProcessEnv = { GITHUB_API_URL: gh.url, GITHUB_SERVER_URL: gh.serverUrl, GITHUB_TOKEN: TOKEN, ...NO_PACING };
    const yaml = `source:\n  type: github\ninclude: [${Object.keys(FLEET).join(', ')}]\ndefaults:\n  labels: [cross-compilation]\ndelivery:\n  dashboard:\n    repo: ${DASHBOARD}\n`;
    /** A fresh runner: an empty folder holding this repository's repos.yaml. */
    const runner = (job: string) => {
      const w = path.join(dir, name, job);
      mkdirSync(w, { recursive: true });
      writeFileSync(path.join(w, 'repos.yaml'), yaml);
      return w;
    };
    const stage = (w: string, args: string[]): { child: ChildProcess; done: Promise<Proc> } => spawnCli(args, { cwd: w, env });
    return { gh, env, runner, stage, artifacts: path.join(dir, name, 'artifacts') };
  }
  type World = Awaited<ReturnType<typeof world>>;

  async function plan(w: World) {
    const p = w.runner('plan');
    mkdirSync(path.join(p, 'plan'));
    const r = await w.stage(p, ['migrate', '--plan', '--report', 'plan/plan.json', '--cache-dir', 'cache']).done;
    expect(r.code, r.stderr).toBe(1); // the broken repository is a failed row of the plan
    expect(w.gh.writeCalls(), 'the plan makes read calls only').toEqual([]);
    const m = await w.stage(p, ['migrate', 'report', 'matrix', 'plan/plan.json', '--max-new', '5', '--out', 'plan/plan-for-summary.json']).done;
    expect(m.code, m.stderr).toBe(0);
    cpSync(path.join(p, 'plan/plan-for-summary.json'), path.join(w.artifacts, 'plan/plan-for-summary.json'));
    return (JSON.parse(m.stdout) as { include: { repo: string; slug: string }[] }).include;
  }

  function job(w: World, repo: string, slug: string, extra: string[] = []) {
    const j = w.runner(`job-${slug}`);
    mkdirSync(path.join(j, 'result'));
    const s = w.stage(j, ['migrate', '--only', repo, '--no-dashboard', '--report', `result/${slug}.json`, '--cache-dir', 'cache', ...extra]);
    const upload = () => {
      const f = path.join(j, 'result', `${slug}.json`);
      if (existsSync(f)) cpSync(f, path.join(w.artifacts, 'results', `result-${slug}`, `${slug}.json`));
      return existsSync(f);
    };
    return { ...s, repo, slug, upload };
  }

  async function summary(w: World, extra: string[] = [], runner = 'summary') {
    const s = w.runner(runner);
    cpSync(w.artifacts, s, { recursive: true });
    mkdirSync(path.join(s, 'results'), { recursive: true });
    mkdirSync(path.join(s, 'summary'));
    const r = await w.stage(s, ['migrate', 'report', 'merge', 'results', '--plan', 'plan/plan-for-summary.json', '--dashboard', '--repos', 'repos.yaml', '--json', 'summary/summary.json', ...extra]).done;
    return { ...r, report: JSON.parse(readFileSync(path.join(s, 'summary/summary.json'), 'utf8')) as FleetReport };
  }

  /** GitHub's end state, with what differs between two worlds by construction (ports, commit ids, times) masked. */
  function endState(w: World) {
    const mask = (s: string) => s.replaceAll(w.gh.serverUrl, 'SERVER').replaceAll(w.gh.url, 'API').replace(/\b[0-9a-f]{40}\b/g, 'SHA').replace(/\b[0-9a-f]{7,12}\b/g, 'SHORT').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'TIME');
    const pulls = Object.fromEntries(Object.keys(FLEET).map((full) => [full, w.gh.pullsOf(full).map((p) => ({ title: p.title, state: p.state, draft: p.draft, head: p.head, base: p.base, labels: p.labels, body: mask(p.body), dockerfile: w.gh.fileAt(full, p.head, 'Dockerfile') }))]));
    const dashboards = w.gh.issuesOf(DASHBOARD).filter((i) => i.labels.includes(DASHBOARD_LABEL));
    const rows = Object.fromEntries(Object.entries(parseRows(dashboards[0]?.body)).map(([k, r]) => [k, { status: r.status, pr: r.pr?.number, speedup: r.speedup }]));
    return { pulls, dashboards: dashboards.length, rows };
  }

  it('the same PRs and dashboard as one sequential run, the dashboard written once', async () => {
    const seq = await world('sequential');
    const s = await seq.stage(seq.runner('all'), ['migrate', '--report', 'seq.json', '--cache-dir', 'cache']).done;
    expect(s.code, s.stderr).toBe(1);

    const fan = await world('fan-out');
    const include = await plan(fan);
    expect(include.map((i) => i.repo)).toEqual(JOBS);
    const jobs = include.map((i) => job(fan, i.repo, i.slug));
    for (const [i, r] of (await Promise.all(jobs.map((j) => j.done))).entries()) expect(r.code, `${jobs[i]!.repo}: ${r.stderr}`).toBe(0);
    for (const j of jobs) expect(j.upload()).toBe(true);
    expect(fan.gh.writeCalls().filter((c) => 'url' in c && c.url.includes(DASHBOARD)), 'matrix jobs leave the dashboard alone').toEqual([]);
    expect(JOBS.every((r) => fan.gh.pullsOf(r).length === 1)).toBe(true);

    const sum = await summary(fan);
    expect(sum.code, sum.stderr).toBe(0);
    expect(sum.stderr).toMatch(/Dashboard created: /);
    expect(fan.gh.writeCalls().filter((c) => 'url' in c && c.url.includes(DASHBOARD)).map((c) => (c as { method: string }).method)).toEqual(['POST']);
    expect(endState(fan)).toEqual(endState(seq));
    expect(endState(fan).rows['rancher/image-build-alpha']).toMatchObject({ pr: 1 });
    expect(endState(fan).rows['rancher/image-build-broken']!.status).toMatch(/^failed at migrate/);
    fan.gh.assertClean();
    seq.gh.assertClean();
  }, 240_000);

  // The workflow's dry-run dispatch: the plan is made as on any night (read calls only, so it
  // says live), the jobs and the summary get --dry-run. Once the plan's "live" made the summary
  // write the dashboard.
  it('a dry-run dispatch writes nothing: not the PRs, not the dashboard, also when every job died', async () => {
    const w = await world('dry-dispatch');
    const include = await plan(w);
    const jobs = include.map((i) => job(w, i.repo, i.slug, ['--dry-run']));
    for (const r of await Promise.all(jobs.map((j) => j.done))) expect(r.code, r.stderr).toBe(0);
    for (const j of jobs) expect(j.upload()).toBe(true);
    const sum = await summary(w, ['--dry-run']);
    expect(sum.stderr).toContain('Dry run: the dashboard issue is left alone.');
    expect(sum.report.dryRun).toBe(true);
    expect(w.gh.writeCalls()).toEqual([]);
    // The jobs died before writing anything: only the summary's flag says the night was dry.
    rmSync(path.join(w.artifacts, 'results'), { recursive: true, force: true });
    const blind = await summary(w, ['--dry-run'], 'summary-again');
    expect(blind.code).toBe(1); // the dead jobs are still the bot's faults
    expect(blind.stderr).toContain('Dry run: the dashboard issue is left alone.');
    expect(w.gh.writeCalls()).toEqual([]);
    w.gh.assertClean();
  }, 240_000);

  it('a job killed half way: the other PRs stand, the dashboard marks its repository failed, the summary fails', async () => {
    const w = await world('killed');
    const include = await plan(w);
    const jobs = include.map((i) => job(w, i.repo, i.slug));
    const victim = jobs.find((j) => j.repo === 'rancher/image-build-beta')!;
    // Half way: discovery done (its first line is out), the clone and the push not yet.
    let stderr = '';
    await new Promise<void>((resolve) => {
      victim.child.stderr!.on('data', (c) => {
        stderr += String(c);
        if (/^Run over 1 repositor/m.test(stderr)) resolve();
      });
    });
    victim.child.kill('SIGKILL');
    const results = await Promise.all(jobs.map((j) => j.done));
    for (const [i, r] of results.entries()) if (jobs[i] !== victim) expect(r.code, r.stderr).toBe(0);
    expect(results[jobs.indexOf(victim)]!.code).toBeNull();
    for (const j of jobs) expect(j.upload()).toBe(j !== victim);
    expect(w.gh.pullsOf('rancher/image-build-beta')).toEqual([]);

    const sum = await summary(w);
    expect(sum.code).toBe(1);
    expect(sum.stderr).toContain("error (the bot's own fault): rancher/image-build-beta: its migrate job left no readable result");
    const end = endState(w);
    expect(end.dashboards).toBe(1);
    expect(end.rows['rancher/image-build-beta']!.status).toMatch(/^failed at job: its migrate job left no readable result/);
    for (const r of ['rancher/image-build-alpha', 'rancher/image-build-gamma']) {
      expect(end.pulls[r]).toHaveLength(1);
      expect(end.rows[r]!.pr).toBe(1);
    }
    expect(sum.report.repos.find((r) => r.name === 'rancher/image-build-beta')).toMatchObject({ outcome: 'failed', step: 'job' });
    w.gh.assertClean();
  }, 240_000);
});
