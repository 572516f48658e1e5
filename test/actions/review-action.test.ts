/**
 * The review action's own shell steps (action.yml), run with bash on a real clone shaped like the
 * one actions/checkout leaves (the PR head, depth 1, base commit not fetched): which files it
 * picks, that annotations name repository-relative paths, and the failure threshold.
 * setup-node and `npm ci` are the runner's; this checkout's node_modules stands in for them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { globToRegExp, matchFiles } from '../../src/actions/changed-files.ts';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { makeBareRepo, removeDir, runGit, tempDir, writeFiles } from '../helpers/repos.ts';
import { NO_PACING } from '../helpers/pacing.ts';
import { expectInOrder } from '../helpers/order.ts';

const root = path.resolve(import.meta.dirname, '../..');
const fixture = (rel: string) => readFileSync(path.join(root, 'test/fixtures', rel), 'utf8');
const WITH_ERRORS = fixture('hand-migrations/b06-coredns-arch-default.Dockerfile');
const WARNINGS_ONLY = fixture('hand-migrations/c01-coredns-seed.Dockerfile');
const CLEAN = readFileSync(path.join(root, 'test/review/fixtures/widget-correct.Dockerfile'), 'utf8');

interface Step { name?: string; id?: string; if?: string; run?: string; env?: Record<string, string>; uses?: string }
const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8')) as { inputs: Record<string, { default: string }>; runs: { steps: Step[] } };

describe('globs of the paths input', () => {
  it('** spans folders, * stays in one', () => {
    expect(globToRegExp('**/Dockerfile').test('Dockerfile')).toBe(true);
    expect(globToRegExp('**/Dockerfile').test('a/b/Dockerfile')).toBe(true);
    expect(globToRegExp('*.Dockerfile').test('a/x.Dockerfile')).toBe(false);
    expect(globToRegExp('images/**').test('images/a/b')).toBe(true);
    expect(globToRegExp('Dockerfile.?').test('Dockerfile.a')).toBe(true);
    expect(globToRegExp('a+b(c).Dockerfile').test('a+b(c).Dockerfile')).toBe(true);
    expect(matchFiles(['Dockerfile', 'README.md', 'x/Dockerfile.arm64', 'x/y.Dockerfile', 'Dockerfile.md/z'], action.inputs.paths.default.split('\n').filter(Boolean))).toEqual(['Dockerfile', 'x/Dockerfile.arm64', 'x/y.Dockerfile']);
  });
});

describe('action.yml steps on a pull request clone', () => {
  const dir = tempDir();
  let ws: string;
  let base: string;
  beforeAll(() => {
    const bare = makeBareRepo(dir, 'acme/image-build-thing', { Dockerfile: CLEAN, 'old/Dockerfile': CLEAN, 'images/x.Dockerfile': CLEAN, 'README.md': 'thing\n' });
    base = runGit(bare, ['rev-parse', 'main']).trim();
    const work = path.join(dir, 'work');
    runGit(dir, ['clone', '-q', bare, work]);
    writeFiles(work, { Dockerfile: WITH_ERRORS, 'images/x.Dockerfile': WARNINGS_ONLY, 'README.md': 'thing, changed\n', 'sub dir/Dockerfile': WARNINGS_ONLY });
    runGit(work, ['rm', '-q', 'old/Dockerfile']);
    runGit(work, ['add', '-A']);
    runGit(work, ['commit', '-q', '-m', 'the pull request']);
    runGit(work, ['push', '-q', 'origin', 'HEAD:refs/heads/pr']);
    ws = path.join(dir, 'ws');
    runGit(dir, ['clone', '-q', '--depth', '1', '--branch', 'pr', `file://${bare}`, ws]);
    expect(() => runGit(ws, ['cat-file', '-e', base])).toThrow();
  });
  afterAll(() => removeDir(dir));

  /** Run the action's run-steps in order, as the runner would (env from the inputs). */
  function runAction(inputs: Record<string, string>) {
    const values = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, inputs[k] ?? v.default]));
    const logs: { name: string; status: number; stdout: string; stderr: string }[] = [];
    for (const step of action.runs.steps) {
      if (!step.run || step.name === 'Install the reviewer') continue;
      if (step.if !== undefined) {
        // The one condition of the action: post a review only when given a token.
        expect(step.if).toBe("inputs.github-token != ''");
        if (!values['github-token']) continue;
      }
      const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_ACTION_PATH: root, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: ws };
      delete env.GITHUB_STEP_SUMMARY;
      for (const [k, v] of Object.entries(step.env ?? {})) {
        env[k] = v.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, expr: string) => {
          if (expr === 'github.event.pull_request.base.sha') return base;
          if (expr.startsWith('inputs.')) return values[expr.slice(7)] ?? '';
          throw new Error(`unsupported expression ${expr}`);
        });
      }
      const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], { cwd: ws, env, encoding: 'utf8' });
      logs.push({ name: step.name ?? '', status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr });
      if (r.status !== 0) break;
    }
    return logs.find((l) => l.name === 'Review the changed Dockerfiles')!;
  }

  const annotated = (stdout: string) => new Set([...stdout.matchAll(/^::(?:error|warning) [^\n]*?file=([^,]+),/gm)].map((m) => m[1]));

  it('reviews the changed Dockerfiles (not deleted ones, not other files) with repository-relative annotations; errors fail it', () => {
    const r = runAction({});
    expect(r.status).toBe(1);
    expect(annotated(r.stdout)).toEqual(new Set(['Dockerfile', 'images/x.Dockerfile', 'sub dir/Dockerfile']));
    expect(r.stdout).toMatch(/^::error /m);
  });

  it('the paths and fail-on inputs: warnings pass at "error" and fail at "warning"; "never" never fails', () => {
    const warnOnly = runAction({ paths: 'images/**', 'fail-on': 'error' });
    expect(warnOnly.status).toBe(0);
    expect(annotated(warnOnly.stdout)).toEqual(new Set(['images/x.Dockerfile']));
    expect(warnOnly.stdout).not.toMatch(/^::error /m);
    expect(runAction({ paths: 'images/**', 'fail-on': 'warning' }).status).toBe(1);
    expect(runAction({ 'fail-on': 'never' }).status).toBe(0);
  });

  it('no changed Dockerfile matches: nothing to review, and the check passes', () => {
    const r = runAction({ paths: 'docs/**' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`No file changed since ${base} matches docs/**: nothing to review.`);
  });

  it('a bad threshold is a usage error, not a pass', () => {
    const r = runAction({ 'fail-on': 'sometimes' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown --fail-on "sometimes"');
  });
});

describe('action.yml with github-token: the review is posted on the pull request', () => {
  const TOKEN = ['ghp', 'actionTestToken0123456789abcdefABCDEFGH'].join('_');
  const REPO = 'acme/image-build-thing';
  let gh: LocalGitHub;
  beforeAll(async () => {
    gh = await LocalGitHub.start({ tokens: { [TOKEN]: 'github-actions[bot]' } });
    gh.addRepo(REPO, { Dockerfile: CLEAN, 'README.md': 'x\n' });
    gh.commit(REPO, 'contributor/patch', { Dockerfile: WITH_ERRORS });
    gh.openPull(REPO, 'contributor/patch', 'Build it faster');
  });
  afterAll(() => gh.close());

  it('the post step runs review --pr with the token from the input, before the threshold step', async () => {
    const names = action.runs.steps.map((s) => s.name);
    expectInOrder(names, ['Post the review on the pull request', 'Review the changed Dockerfiles']);
    const step = action.runs.steps.find((s) => s.name === 'Post the review on the pull request')!;
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_ACTION_PATH: root, GITHUB_API_URL: gh.url, GITHUB_SERVER_URL: gh.serverUrl, ...NO_PACING };
    for (const [k, v] of Object.entries(step.env ?? {})) {
      env[k] = v.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, expr: string) => {
        if (expr === 'inputs.github-token') return TOKEN;
        if (expr === 'github.repository') return REPO;
        if (expr === 'github.event.pull_request.number') return '1';
        if (expr === 'inputs.xx-image') return '';
        throw new Error(`unsupported expression ${expr}`);
      });
    }
    // Asynchronously: the local GitHub answers from this very process.
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += String(c)));
      child.stderr.on('data', (c) => (stderr += String(c)));
      child.on('exit', (status) => resolve({ status, stdout, stderr }));
    });
    // Error-level findings: the step still passes (the threshold is the next step's business).
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/acme\/image-build-thing#1: 1 Dockerfile\(s\) reviewed, \d+ finding\(s\)/);
    const pr = gh.pull(REPO, 1);
    expect(pr.reviews).toHaveLength(1);
    expect(pr.reviews[0]!.user).toBe('github-actions[bot]');
    expect(pr.reviewComments.length + (pr.reviews[0]!.body.match(/`Dockerfile:\d+`/g)?.length ?? 0)).toBeGreaterThan(0);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    gh.assertClean();
  }, 60_000);
});
