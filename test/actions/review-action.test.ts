/**
 * The review action's own shell steps (action.yml), run with bash on a real clone shaped like the
 * one actions/checkout leaves (the PR head, depth 1, base commit not fetched): which files it
 * picks, that annotations name repository-relative paths, and the failure threshold.
 * setup-node and `npm ci` are the runner's; this checkout's node_modules stands in for them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { globToRegExp, matchFiles } from '../../src/actions/changed-files.ts';
import { makeBareRepo, removeDir, runGit, tempDir, writeFiles } from '../helpers/repos.ts';

const root = path.resolve(import.meta.dirname, '../..');
const fixture = (rel: string) => readFileSync(path.join(root, 'test/fixtures', rel), 'utf8');
const WITH_ERRORS = fixture('review2/b06-coredns-arch-default.Dockerfile');
const WARNINGS_ONLY = fixture('review2/c01-coredns-seed.Dockerfile');
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

  /** Run the action's run-steps in order, as the runner would (env from inputs, `if` on the outputs). */
  function runAction(inputs: Record<string, string>) {
    const values = Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, inputs[k] ?? v.default]));
    const runnerTemp = tempDir('ibm-runner-');
    const outputs: Record<string, string> = {};
    const logs: { name: string; status: number; stdout: string; stderr: string }[] = [];
    for (const step of action.runs.steps) {
      if (!step.run || step.name === 'Install the reviewer') continue;
      if (step.if) {
        const m = /^steps\.(\w+)\.outputs\.(\w+) != '(.*)'$/.exec(step.if);
        expect(m, `unsupported if: ${step.if}`).not.toBeNull();
        if (outputs[`${m![1]}.${m![2]}`] === m![3]) continue;
      }
      const outFile = path.join(runnerTemp, `out-${logs.length}`);
      writeFileSync(outFile, '');
      const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_ACTION_PATH: root, RUNNER_TEMP: runnerTemp, GITHUB_OUTPUT: outFile, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: ws };
      for (const [k, v] of Object.entries(step.env ?? {})) {
        env[k] = v.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, expr: string) => {
          if (expr === 'github.event.pull_request.base.sha') return base;
          if (expr.startsWith('inputs.')) return values[expr.slice(7)] ?? '';
          throw new Error(`unsupported expression ${expr}`);
        });
      }
      const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run], { cwd: ws, env, encoding: 'utf8' });
      logs.push({ name: step.name ?? '', status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr });
      for (const line of readFileSync(outFile, 'utf8').split('\n')) {
        const eq = line.indexOf('=');
        if (eq > 0) outputs[`${step.id}.${line.slice(0, eq)}`] = line.slice(eq + 1);
      }
      if (r.status !== 0) break;
    }
    removeDir(runnerTemp);
    return { logs, outputs, review: logs.find((l) => l.name === 'Review') };
  }

  it('reviews the changed Dockerfiles (not deleted ones, not other files) with repository-relative annotations; errors fail it', () => {
    const r = runAction({});
    expect(r.logs[0]!.stdout).toBe('will review: Dockerfile\nwill review: images/x.Dockerfile\nwill review: sub dir/Dockerfile\n');
    expect(r.outputs['changed.count']).toBe('3');
    expect(r.review!.status).toBe(1);
    const files = [...r.review!.stdout.matchAll(/^::(?:error|warning) [^\n]*?file=([^,]+),/gm)].map((m) => m[1]);
    expect(new Set(files)).toEqual(new Set(['Dockerfile', 'images/x.Dockerfile', 'sub dir/Dockerfile']));
    expect(r.review!.stdout).toMatch(/^::error /m);
  });

  it('the paths and fail-on inputs: warnings pass at "error" and fail at "warning"; "never" never fails', () => {
    const warnOnly = runAction({ paths: 'images/**', 'fail-on': 'error' });
    expect(warnOnly.outputs['changed.count']).toBe('1');
    expect(warnOnly.review!.status).toBe(0);
    expect(warnOnly.review!.stdout).toMatch(/^::warning [^\n]*file=images\/x\.Dockerfile,/m);
    expect(runAction({ paths: 'images/**', 'fail-on': 'warning' }).review!.status).toBe(1);
    expect(runAction({ 'fail-on': 'never' }).review!.status).toBe(0);
  });

  it('no changed Dockerfile: the review step is skipped', () => {
    const r = runAction({ paths: 'docs/**' });
    expect(r.outputs['changed.count']).toBe('0');
    expect(r.review).toBeUndefined();
  });

  it('a bad threshold is a usage error, not a pass', () => {
    const r = runAction({ 'fail-on': 'sometimes' });
    expect(r.review!.status).toBe(2);
    expect(r.review!.stderr).toContain('unknown --fail-on "sometimes"');
  });
});
