/**
 * The review action's own shell steps (action.yml), run with bash on a real clone shaped like the
 * one actions/checkout leaves (the PR head, depth 1, base commit not fetched): which files it
 * picks, that annotations name repository-relative paths, the failure threshold, and that nothing
 * of the checkout runs as the reviewer's code or configuration.
 * setup-node and `npm ci` are the runner's: the action folder is a copy of this checkout (its
 * node_modules linked), and its dist/ is built once here, as the install step builds it.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { globToRegExp, matchFiles } from '../../src/actions/changed-files.ts';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { BUNDLE, buildAction } from '../../scripts/build-action.ts';
import { makeBareRepo, removeDir, runGit, tempDir, writeFiles } from '../helpers/repos.ts';
import { NO_PACING } from '../helpers/pacing.ts';
import { expectInOrder } from '../helpers/order.ts';

const root = path.resolve(import.meta.dirname, '../..');
const fixture = (rel: string) => readFileSync(path.join(root, 'test/fixtures', rel), 'utf8');
const WITH_ERRORS = fixture('hand-migrations/b06-coredns-arch-default.Dockerfile');
const WARNINGS_ONLY = fixture('hand-migrations/c01-coredns-seed.Dockerfile');
const CLEAN = readFileSync(path.join(root, 'test/review/fixtures/widget-correct.Dockerfile'), 'utf8');

interface Step { name?: string; id?: string; if?: string; run?: string; env?: Record<string, string>; uses?: string; 'working-directory'?: string }
const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8')) as { inputs: Record<string, { default: string }>; runs: { steps: Step[] } };

/**
 * The action folder (GITHUB_ACTION_PATH) as a runner has it after the install step: this
 * repository at a ref (src/, package.json, tsconfig.json…, node_modules from `npm ci`) plus the
 * bundle. Its own path, so the bundle is the one built here and not a stale dist/ of the checkout.
 */
const scratch = tempDir('ibm-action-');
const actionPath = path.join(scratch, 'image-build-migrator');
beforeAll(async () => {
  mkdirSync(actionPath);
  for (const f of ['action.yml', 'package.json', 'package-lock.json', 'tsconfig.json']) copyFileSync(path.join(root, f), path.join(actionPath, f));
  for (const d of ['src', 'migrations', 'scripts', 'node_modules']) symlinkSync(path.join(root, d), path.join(actionPath, d));
  await buildAction(path.join(actionPath, 'dist'));
});
afterAll(() => removeDir(scratch));

interface StepLog { name: string; status: number | null; stdout: string; stderr: string }

/** Run a step's script with bash, asynchronously: the local GitHub answers from this very process. */
function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<StepLog> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += String(c)));
    child.stderr.on('data', (c) => (stderr += String(c)));
    child.on('error', reject);
    child.on('exit', (status) => resolve({ name: '', status, stdout, stderr }));
  });
}

/** `${{ expr }}` of a step, from `values` (an unknown expression fails the test). */
function expand(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, expr: string) => {
    if (expr in values) return values[expr]!;
    throw new Error(`unsupported expression ${expr}`);
  });
}

interface RunOptions {
  /** The checkout: GITHUB_WORKSPACE, and the default working directory of a step. */
  ws: string;
  inputs?: Record<string, string>;
  /** github.* expressions (base.sha, repository, the pull request number). */
  github?: Record<string, string>;
  /** The environment the steps start from (default this process's). */
  env?: NodeJS.ProcessEnv;
}

/** Run the action's run-steps in order, as the runner would (env from the inputs, working-directory honoured). */
async function runAction(o: RunOptions): Promise<StepLog[]> {
  const values: Record<string, string> = { 'github.action_path': actionPath, ...o.github };
  for (const [k, v] of Object.entries(action.inputs)) values[`inputs.${k}`] = o.inputs?.[k] ?? v.default;
  const logs: StepLog[] = [];
  for (const step of action.runs.steps) {
    if (!step.run || step.name === 'Install the reviewer') continue;
    if (step.if !== undefined) {
      // The one condition of the action: post a review only when given a token.
      expect(step.if).toBe("inputs.github-token != ''");
      if (!values['inputs.github-token']) continue;
    }
    const env: NodeJS.ProcessEnv = { ...(o.env ?? process.env), GITHUB_ACTION_PATH: actionPath, GITHUB_ACTIONS: 'true', GITHUB_WORKSPACE: o.ws };
    delete env.GITHUB_STEP_SUMMARY;
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(v, values);
    // A composite step without working-directory runs in the workspace.
    const cwd = step['working-directory'] === undefined ? o.ws : expand(step['working-directory'], values);
    const r = await runBash(step.run, cwd, env);
    logs.push({ ...r, name: step.name ?? '' });
    if (r.status !== 0) break;
  }
  return logs;
}

/** A clone like actions/checkout's of a pull request adding `pr` to `files` (and deleting `remove`). */
function pullRequestClone(dir: string, files: Record<string, string>, pr: Record<string, string>, remove: string[] = []): { ws: string; base: string } {
  const bare = makeBareRepo(dir, 'acme/image-build-thing', files);
  const base = runGit(bare, ['rev-parse', 'main']).trim();
  const work = path.join(dir, 'work');
  runGit(dir, ['clone', '-q', bare, work]);
  writeFiles(work, pr);
  if (remove.length) runGit(work, ['rm', '-q', ...remove]);
  runGit(work, ['add', '-A']);
  runGit(work, ['commit', '-q', '-m', 'the pull request']);
  runGit(work, ['push', '-q', 'origin', 'HEAD:refs/heads/pr']);
  const ws = path.join(dir, 'ws');
  runGit(dir, ['clone', '-q', '--depth', '1', '--branch', 'pr', `file://${bare}`, ws]);
  expect(() => runGit(ws, ['cat-file', '-e', base])).toThrow();
  return { ws, base };
}

const reviewLog = (logs: StepLog[]) => logs.find((l) => l.name === 'Review the changed Dockerfiles')!;

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
    ({ ws, base } = pullRequestClone(
      dir,
      { Dockerfile: CLEAN, 'old/Dockerfile': CLEAN, 'images/x.Dockerfile': CLEAN, 'README.md': 'thing\n' },
      { Dockerfile: WITH_ERRORS, 'images/x.Dockerfile': WARNINGS_ONLY, 'README.md': 'thing, changed\n', 'sub dir/Dockerfile': WARNINGS_ONLY },
      ['old/Dockerfile'],
    ));
  });
  afterAll(() => removeDir(dir));

  const runAction1 = async (inputs: Record<string, string>) => reviewLog(await runAction({ ws, inputs, github: { 'github.event.pull_request.base.sha': base } }));

  const annotated = (stdout: string) => new Set([...stdout.matchAll(/^::(?:error|warning) [^\n]*?file=([^,]+),/gm)].map((m) => m[1]));

  it('reviews the changed Dockerfiles (not deleted ones, not other files) with repository-relative annotations; errors fail it', async () => {
    const r = await runAction1({});
    expect(r.status).toBe(1);
    expect(annotated(r.stdout)).toEqual(new Set(['Dockerfile', 'images/x.Dockerfile', 'sub dir/Dockerfile']));
    expect(r.stdout).toMatch(/^::error /m);
  });

  it('the paths and fail-on inputs: warnings pass at "error" and fail at "warning"; "never" never fails', async () => {
    const warnOnly = await runAction1({ paths: 'images/**', 'fail-on': 'error' });
    expect(warnOnly.status).toBe(0);
    expect(annotated(warnOnly.stdout)).toEqual(new Set(['images/x.Dockerfile']));
    expect(warnOnly.stdout).not.toMatch(/^::error /m);
    expect((await runAction1({ paths: 'images/**', 'fail-on': 'warning' })).status).toBe(1);
    expect((await runAction1({ 'fail-on': 'never' })).status).toBe(0);
  });

  it('no changed Dockerfile matches: nothing to review, and the check passes', async () => {
    const r = await runAction1({ paths: 'docs/**' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`No file changed since ${base} matches docs/**: nothing to review.`);
  });

  it('a bad threshold is a usage error, not a pass', async () => {
    const r = await runAction1({ 'fail-on': 'sometimes' });
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
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_ACTION_PATH: actionPath, GITHUB_API_URL: gh.url, GITHUB_SERVER_URL: gh.serverUrl, ...NO_PACING };
    const values = { 'inputs.github-token': TOKEN, 'github.repository': REPO, 'github.event.pull_request.number': '1', 'inputs.xx-image': '', 'github.action_path': actionPath };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(v, values);
    const r = await runBash(step.run!, expand(step['working-directory'] ?? '', values) || root, env);
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

describe('action.yml steps: nothing of the checkout is loaded as the reviewer\'s code or configuration', () => {
  it('the install step builds the bundle in the action folder; every step that runs the reviewer runs it there, with node, and names the checkout by path', () => {
    const install = action.runs.steps.find((s) => s.name === 'Install the reviewer')!;
    expect(install['working-directory']).toBe('${{ github.action_path }}');
    expect(install.run).toMatch(/^npm ci --no-audit --no-fund --include=dev$/m);
    expect(install.run).toMatch(/^npm run build:action$/m);
    const reviewer = action.runs.steps.filter((s) => s.run?.includes('review'));
    expect(reviewer.map((s) => s.name)).toEqual(['Post the review on the pull request', 'Review the changed Dockerfiles']);
    for (const step of reviewer) {
      expect(step['working-directory'], step.name).toBe('${{ github.action_path }}');
      expect(step.run, step.name).not.toMatch(/tsx|src\/cli\.ts/);
      expect(step.run, step.name).toContain(`node "$GITHUB_ACTION_PATH/dist/${BUNDLE}" review `);
      for (const git of step.run!.match(/^\s*git .*$/gm) ?? []) expect(git.trim(), step.name).toMatch(/^git -C "\$GITHUB_WORKSPACE" /);
    }
    expect(action.runs.steps.find((s) => s.name === 'Review the changed Dockerfiles')!.run).toContain('review --root "$GITHUB_WORKSPACE" ');
  });

  // What a pull request could add to be run by a reviewer started in its checkout.
  const evil = (what: string, kind: 'esm' | 'cjs') =>
    kind === 'cjs'
      ? `require('node:fs').appendFileSync(process.env.EVIL_MARKER, ${JSON.stringify(`${what}\n`)});\nmodule.exports = {};\n`
      : // Every name the CLI imports from the packages it stands in for: a missing one would stop the
        // module graph before anything runs, and the test would prove nothing.
        `import { appendFileSync } from 'node:fs';\nappendFileSync(process.env.EVIL_MARKER, ${JSON.stringify(`${what}\n`)});\n` +
        ['Command', 'CommanderError', 'parse', 'parseDocument', 'isMap', 'isScalar', 'LineCounter', 'z', 'createTwoFilesPatch', 'diffArrays', 'formatPatch'].map((n) => `export const ${n} = undefined;\n`).join('') +
        'export default {};\n';
  const HOSTILE: Record<string, string> = {
    // tsx honours the tsconfig.json of its working directory: these imports of the CLI would be this file.
    'tsconfig.json': JSON.stringify({ compilerOptions: { paths: Object.fromEntries(['commander', 'yaml', 'zod', 'diff'].map((m) => [m, ['./.github/evil.ts']])) } }, null, 2),
    '.github/evil.ts': evil('tsconfig paths', 'esm'),
    // A package.json of the working directory: module type, subpath imports, scripts npm would run.
    'package.json': JSON.stringify({ name: 'evil', type: 'commonjs', main: './.github/evil.cjs', imports: { '#src/*': './.github/evil.cjs' }, scripts: { 'build:action': 'node .github/evil.cjs', preinstall: 'node .github/evil.cjs', prepare: 'node .github/evil.cjs' } }, null, 2),
    '.github/evil.cjs': evil('package.json', 'cjs'),
    // npm sets NODE_OPTIONS from node-options for whatever it starts.
    '.npmrc': 'node-options=--require ./.github/evil-npmrc.cjs\n',
    '.github/evil-npmrc.cjs': evil('.npmrc', 'cjs'),
    // Packages a resolution from the working directory would find first.
    'node_modules/commander/package.json': JSON.stringify({ name: 'commander', version: '99.0.0', main: 'index.js', exports: { '.': { import: './index.mjs', require: './index.js' } } }),
    'node_modules/commander/index.js': evil('node_modules/commander', 'cjs'),
    'node_modules/commander/index.mjs': evil('node_modules/commander (esm)', 'esm'),
    'node_modules/yaml/package.json': JSON.stringify({ name: 'yaml', version: '99.0.0', main: 'index.js' }),
    'node_modules/yaml/index.js': evil('node_modules/yaml', 'cjs'),
  };

  const TOKEN = ['ghp', 'hostileCheckoutToken0123456789abcdefABCDEF'].join('_');
  const REPO = 'acme/image-build-thing';
  const dir = tempDir();
  const marker = path.join(dir, 'evil-ran');
  let gh: LocalGitHub;
  let ws: string;
  let base: string;
  beforeAll(async () => {
    ({ ws, base } = pullRequestClone(dir, { Dockerfile: CLEAN, 'README.md': 'thing\n' }, { Dockerfile: WITH_ERRORS, ...HOSTILE }));
    for (const f of Object.keys(HOSTILE)) expect(existsSync(path.join(ws, f)), f).toBe(true);
    gh = await LocalGitHub.start({ tokens: { [TOKEN]: 'github-actions[bot]' } });
    gh.addRepo(REPO, { Dockerfile: CLEAN, 'README.md': 'x\n' });
    gh.commit(REPO, 'contributor/patch', { Dockerfile: WITH_ERRORS, ...HOSTILE });
    gh.openPull(REPO, 'contributor/patch', 'Build it faster');
  });
  afterAll(async () => {
    await gh?.close();
    removeDir(dir);
  });

  it('a pull request with a hostile tsconfig.json, package.json, .npmrc and node_modules: none of it runs, and the review is made and posted as usual', async () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, EVIL_MARKER: marker, GITHUB_API_URL: gh.url, GITHUB_SERVER_URL: gh.serverUrl, ...NO_PACING };
    const logs = await runAction({
      ws,
      env,
      inputs: { 'github-token': TOKEN },
      github: { 'github.event.pull_request.base.sha': base, 'github.repository': REPO, 'github.event.pull_request.number': '1' },
    });
    const ran = existsSync(marker) ? readFileSync(marker, 'utf8') : '';
    expect(ran, 'code of the checkout ran in the reviewer').toBe('');
    expect(logs.map((l) => [l.name, l.status])).toEqual([
      ['Post the review on the pull request', 0],
      ['Review the changed Dockerfiles', 1],
    ]);
    const [post, review] = logs;
    expect(post!.stdout).toMatch(/acme\/image-build-thing#1: 1 Dockerfile\(s\) reviewed, \d+ finding\(s\)/);
    expect(gh.pull(REPO, 1).reviews).toHaveLength(1);
    // Only the changed Dockerfile, repository-relative; the hostile files are data nobody asked for.
    expect(new Set([...review!.stdout.matchAll(/^::(?:error|warning) [^\n]*?file=([^,]+),/gm)].map((m) => m[1]))).toEqual(new Set(['Dockerfile']));
    expect(review!.stdout).toMatch(/^::error /m);
    expect(review!.stderr).not.toMatch(/internal error|Cannot find|SyntaxError/);
    for (const l of logs) expect(l.stdout + l.stderr).not.toContain(TOKEN);
    gh.assertClean();
  }, 60_000);
});
