/**
 * The review action as the runner runs a JavaScript action: `node dist/action.mjs` in a folder
 * holding only action.yml and dist/ (no node_modules anywhere up its path, no package.json), with
 * the INPUT_* environment (hyphens kept, defaults from action.yml, as the runner sets them),
 * GITHUB_EVENT_PATH a pull_request event, GITHUB_WORKSPACE a clone shaped like the one
 * actions/checkout leaves (the PR head, depth 1, base commit not fetched, a bare repository as
 * origin), and the step-summary and output files. With github-token, the local GitHub server.
 * dist/ is built fresh here from src/ (test/actions/dist.test.ts checks the committed one matches).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { globToRegExp, matchFiles } from '../../src/actions/changed-files.ts';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { BUNDLE, buildAction } from '../../scripts/build-action.ts';
import { makeBareRepo, removeDir, runGit, tempDir, writeFiles } from '../helpers/repos.ts';
import { NO_PACING } from '../helpers/pacing.ts';

const root = path.resolve(import.meta.dirname, '../..');
const fixture = (rel: string) => readFileSync(path.join(root, 'test/fixtures', rel), 'utf8');
// Error-level findings at lines 35 and 36 (arch-in-build-platform-stage), warnings elsewhere.
const WITH_ERRORS = fixture('hand-migrations/b06-coredns-arch-default.Dockerfile');
const WARNINGS_ONLY = fixture('hand-migrations/c01-coredns-seed.Dockerfile');
const CLEAN = readFileSync(path.join(root, 'test/review/fixtures/widget-correct.Dockerfile'), 'utf8');

const action = parse(readFileSync(path.join(root, 'action.yml'), 'utf8')) as { inputs: Record<string, { default: string }>; runs: Record<string, unknown> };

/** GITHUB_ACTION_PATH: what a `uses: rancher/image-build-migrator@v1` checkout of it needs, nothing more. */
const scratch = tempDir('ibm-action-');
const actionPath = path.join(scratch, 'image-build-migrator');
beforeAll(async () => {
  mkdirSync(actionPath);
  copyFileSync(path.join(root, 'action.yml'), path.join(actionPath, 'action.yml'));
  await buildAction(path.join(actionPath, 'dist'));
  // Nothing to resolve a package from: a node_modules anywhere above would make the proof void.
  for (let d = actionPath; d !== path.dirname(d); d = path.dirname(d)) expect(existsSync(path.join(d, 'node_modules')), d).toBe(false);
}, 60_000);
afterAll(() => removeDir(scratch));

interface RunLog { status: number | null; stdout: string; stderr: string; summary: string }

interface RunOptions {
  ws: string;
  inputs?: Record<string, string>;
  /** The event file's content; default a pull_request event for `base`. */
  event?: unknown;
  base?: string;
  repo?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Run the action as the runner does: `node <main>` with the action folder as cwd, INPUT_<NAME>
 * for every input (the name upper-cased, spaces to _, hyphens kept; defaults filled in).
 * Asynchronous: the local GitHub answers from this very process.
 */
function runAction(o: RunOptions): Promise<RunLog> {
  const dir = tempDir('ibm-action-run-');
  const eventPath = path.join(dir, 'event.json');
  const repo = o.repo ?? 'acme/image-build-thing';
  writeFileSync(eventPath, JSON.stringify(o.event ?? { action: 'synchronize', number: 1, pull_request: { number: 1, base: { sha: o.base, ref: 'main' }, head: { ref: 'pr' } }, repository: { full_name: repo } }));
  const summary = path.join(dir, 'summary.md');
  const output = path.join(dir, 'output');
  writeFileSync(summary, '');
  writeFileSync(output, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...o.env,
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION_PATH: actionPath,
    GITHUB_WORKSPACE: o.ws,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: repo,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_OUTPUT: output,
  };
  for (const [k, v] of Object.entries(action.inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = o.inputs?.[k] ?? v.default;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(actionPath, action.runs.main as string)], { cwd: actionPath, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += String(c)));
    child.stderr.on('data', (c) => (stderr += String(c)));
    child.on('error', reject);
    child.on('exit', (status) => {
      resolve({ status, stdout, stderr, summary: readFileSync(summary, 'utf8') });
      removeDir(dir);
    });
  });
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

const annotated = (stdout: string) => new Set([...stdout.matchAll(/^::(?:error|warning) [^\n]*?file=([^,]+),/gm)].map((m) => m[1]));

describe('action.yml: a JavaScript action whose main is the committed bundle', () => {
  it('runs with node24 from dist/, no install step and no setup-node', () => {
    expect(action.runs).toEqual({ using: 'node24', main: `dist/${BUNDLE}` });
  });

  it('the action folder needs only action.yml and dist/: the bundle and the two grammars', () => {
    expect(readdirSync(path.join(actionPath, 'dist')).sort()).toEqual([BUNDLE, 'tree-sitter-bash.wasm', 'web-tree-sitter.wasm']);
  });
});

describe('globs of the paths input', () => {
  it('** spans folders, * stays in one', () => {
    expect(globToRegExp('**/Dockerfile').test('Dockerfile')).toBe(true);
    expect(globToRegExp('**/Dockerfile').test('a/b/Dockerfile')).toBe(true);
    expect(globToRegExp('*.Dockerfile').test('a/x.Dockerfile')).toBe(false);
    expect(globToRegExp('images/**').test('images/a/b')).toBe(true);
    expect(globToRegExp('Dockerfile.?').test('Dockerfile.a')).toBe(true);
    expect(globToRegExp('a+b(c).Dockerfile').test('a+b(c).Dockerfile')).toBe(true);
    expect(matchFiles(['Dockerfile', 'README.md', 'x/Dockerfile.arm64', 'x/y.Dockerfile', 'Dockerfile.md/z'], action.inputs.paths!.default.split('\n').filter(Boolean))).toEqual(['Dockerfile', 'x/Dockerfile.arm64', 'x/y.Dockerfile']);
  });
});

describe('the action on a pull request clone', () => {
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

  it('fetches the base, reviews the changed Dockerfiles (not deleted ones, not other files) with repository-relative annotations on their lines; errors fail it', async () => {
    const r = await runAction({ ws, base });
    expect(r.status, r.stderr).toBe(1);
    expect(annotated(r.stdout)).toEqual(new Set(['Dockerfile', 'images/x.Dockerfile', 'sub dir/Dockerfile']));
    expect(r.stdout).toMatch(/^::error title=arch-in-build-platform-stage,file=Dockerfile,line=35[,:]/m);
    expect(r.stdout).toMatch(/^::error title=arch-in-build-platform-stage,file=Dockerfile,line=36[,:]/m);
    expect(r.summary).toMatch(/\*\*Dockerfile review:\*\* 3 Dockerfiles reviewed, 2 errors, \d+ warnings/);
    // The base commit is now in the checkout: the action fetched it with git -C GITHUB_WORKSPACE.
    expect(() => runGit(ws, ['cat-file', '-e', base])).not.toThrow();
  });

  it('the paths and fail-on inputs: warnings pass at "error" and fail at "warning"; "never" never fails', async () => {
    const warnOnly = await runAction({ ws, base, inputs: { paths: 'images/**', 'fail-on': 'error' } });
    expect(warnOnly.status, warnOnly.stderr).toBe(0);
    expect(annotated(warnOnly.stdout)).toEqual(new Set(['images/x.Dockerfile']));
    expect(warnOnly.stdout).not.toMatch(/^::error /m);
    expect((await runAction({ ws, base, inputs: { paths: 'images/**', 'fail-on': 'warning' } })).status).toBe(1);
    const never = await runAction({ ws, base, inputs: { 'fail-on': 'never' } });
    expect(never.status).toBe(0);
    // Still annotated: "never" only keeps the check green.
    expect(never.stdout).toMatch(/^::error title=arch-in-build-platform-stage,file=Dockerfile,line=35[,:]/m);
  });

  it('no changed Dockerfile matches: nothing to review, and the check passes', async () => {
    const r = await runAction({ ws, base, inputs: { paths: 'docs/**' } });
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/^::(error|warning) /m);
    expect(r.stderr).toContain(`No file changed since ${base} matches docs/**: nothing to review.`);
  });

  it('a bad threshold is a usage error, not a pass', async () => {
    const r = await runAction({ ws, base, inputs: { 'fail-on': 'sometimes' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown --fail-on "sometimes"');
  });

  it('not a pull_request event (a push): refused with exit 2 and a message saying how to call it', async () => {
    const r = await runAction({ ws, event: { ref: 'refs/heads/main', after: base, repository: { full_name: 'acme/image-build-thing' } } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("this action reviews a pull request: call it from an 'on: pull_request' workflow");
    expect(r.stdout).not.toMatch(/^::(error|warning) file=/m);
  });
});

describe('the action with github-token: the review is posted on the pull request', () => {
  const TOKEN = ['ghp', 'actionTestToken0123456789abcdefABCDEFGH'].join('_');
  const REPO = 'acme/image-build-thing';
  const dir = tempDir();
  let gh: LocalGitHub;
  let ws: string;
  let base: string;
  beforeAll(async () => {
    ({ ws, base } = pullRequestClone(dir, { Dockerfile: CLEAN, 'README.md': 'x\n' }, { Dockerfile: WITH_ERRORS }));
    gh = await LocalGitHub.start({ tokens: { [TOKEN]: 'github-actions[bot]' } });
    gh.addRepo(REPO, { Dockerfile: CLEAN, 'README.md': 'x\n' });
    gh.commit(REPO, 'contributor/patch', { Dockerfile: WITH_ERRORS });
    gh.openPull(REPO, 'contributor/patch', 'Build it faster');
  });
  afterAll(async () => {
    await gh?.close();
    removeDir(dir);
  });
  const ghEnv = () => ({ GITHUB_API_URL: gh.url, GITHUB_SERVER_URL: gh.serverUrl, ...NO_PACING });

  it('posts one review as github-actions[bot], then annotates and applies the threshold; the token appears nowhere in the output', async () => {
    const r = await runAction({ ws, base, repo: REPO, inputs: { 'github-token': TOKEN }, env: ghEnv() });
    // Error-level findings: the post does not end the run, the threshold does (exit 1).
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/acme\/image-build-thing#1: 1 Dockerfile\(s\) reviewed, \d+ finding\(s\)/);
    expect(r.stdout).toMatch(/^::error title=arch-in-build-platform-stage,file=Dockerfile,line=35[,:]/m);
    const pr = gh.pull(REPO, 1);
    expect(pr.reviews).toHaveLength(1);
    expect(pr.reviews[0]!.user).toBe('github-actions[bot]');
    expect(pr.reviewComments.length + (pr.reviews[0]!.body.match(/`Dockerfile:\d+`/g)?.length ?? 0)).toBeGreaterThan(0);
    expect(r.stdout + r.stderr + r.summary).not.toContain(TOKEN);
    // git fetch ran without it: nothing of the token written into the checkout's git config.
    expect(readFileSync(path.join(ws, '.git/config'), 'utf8')).not.toContain(TOKEN);
    gh.assertClean();
  }, 60_000);

  it('a token that may not post (a fork\'s pull request): exit 3 with a "review not posted" annotation, as review --pr', async () => {
    // A pull request of its own: on #1 everything is posted already, and nothing new is sent.
    gh.commit(REPO, 'contributor/fork', { Dockerfile: WITH_ERRORS });
    const fork = gh.openPull(REPO, 'contributor/fork', 'From a fork');
    gh.api.fail({ operationId: 'pulls/create-review', response: { status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' } } });
    const event = { action: 'opened', number: fork.number, pull_request: { number: fork.number, base: { sha: base } }, repository: { full_name: REPO } };
    const r = await runAction({ ws, event, repo: REPO, inputs: { 'github-token': TOKEN }, env: ghEnv() });
    expect(r.status, r.stderr).toBe(3);
    expect(gh.pull(REPO, fork.number).reviews).toEqual([]);
    expect(r.stdout).toMatch(/^::error title=review not posted::could not post the review on acme\/image-build-thing#2: GitHub answered 403/m);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  }, 60_000);
});

describe('nothing of the checkout is loaded as the reviewer\'s code or configuration', () => {
  // What a pull request could add to be run by a reviewer started in, or resolving from, its checkout.
  const evil = (what: string, kind: 'esm' | 'cjs') =>
    kind === 'cjs'
      ? `require('node:fs').appendFileSync(process.env.EVIL_MARKER, ${JSON.stringify(`${what}\n`)});\nmodule.exports = {};\n`
      : // Every name the CLI imports from the packages it stands in for: a missing one would stop the
        // module graph before anything runs, and the test would prove nothing.
        `import { appendFileSync } from 'node:fs';\nappendFileSync(process.env.EVIL_MARKER, ${JSON.stringify(`${what}\n`)});\n` +
        ['Command', 'CommanderError', 'parse', 'parseDocument', 'isMap', 'isScalar', 'LineCounter', 'z', 'createTwoFilesPatch', 'diffArrays', 'formatPatch'].map((n) => `export const ${n} = undefined;\n`).join('') +
        'export default {};\n';
  const HOSTILE: Record<string, string> = {
    // tsx honoured the tsconfig.json of its working directory: these imports of the CLI would be this file.
    'tsconfig.json': JSON.stringify({ compilerOptions: { paths: Object.fromEntries(['commander', 'yaml', 'zod', 'diff'].map((m) => [m, ['./.github/evil.ts']])) } }, null, 2),
    '.github/evil.ts': evil('tsconfig paths', 'esm'),
    // A package.json: module type, subpath imports, scripts npm would run.
    'package.json': JSON.stringify({ name: 'evil', type: 'commonjs', main: './.github/evil.cjs', imports: { '#src/*': './.github/evil.cjs' }, scripts: { 'build:action': 'node .github/evil.cjs', preinstall: 'node .github/evil.cjs', prepare: 'node .github/evil.cjs' } }, null, 2),
    '.github/evil.cjs': evil('package.json', 'cjs'),
    // npm sets NODE_OPTIONS from node-options for whatever it starts.
    '.npmrc': 'node-options=--require ./.github/evil-npmrc.cjs\n',
    '.github/evil-npmrc.cjs': evil('.npmrc', 'cjs'),
    // Packages a resolution from the checkout would find first, the grammars included.
    'node_modules/commander/package.json': JSON.stringify({ name: 'commander', version: '99.0.0', main: 'index.js', exports: { '.': { import: './index.mjs', require: './index.js' } } }),
    'node_modules/commander/index.js': evil('node_modules/commander', 'cjs'),
    'node_modules/commander/index.mjs': evil('node_modules/commander (esm)', 'esm'),
    'node_modules/yaml/package.json': JSON.stringify({ name: 'yaml', version: '99.0.0', main: 'index.js' }),
    'node_modules/yaml/index.js': evil('node_modules/yaml', 'cjs'),
    'node_modules/tree-sitter-bash/package.json': JSON.stringify({ name: 'tree-sitter-bash', version: '99.0.0', main: 'index.js' }),
    'node_modules/tree-sitter-bash/tree-sitter-bash.wasm': 'not a grammar\n',
    'node_modules/web-tree-sitter/package.json': JSON.stringify({ name: 'web-tree-sitter', version: '99.0.0', main: 'index.js' }),
    'node_modules/web-tree-sitter/index.js': evil('node_modules/web-tree-sitter', 'cjs'),
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
    const r = await runAction({ ws, base, repo: REPO, inputs: { 'github-token': TOKEN }, env: { EVIL_MARKER: marker, GITHUB_API_URL: gh.url, GITHUB_SERVER_URL: gh.serverUrl, ...NO_PACING } });
    const ran = existsSync(marker) ? readFileSync(marker, 'utf8') : '';
    expect(ran, 'code of the checkout ran in the reviewer').toBe('');
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/acme\/image-build-thing#1: 1 Dockerfile\(s\) reviewed, \d+ finding\(s\)/);
    expect(gh.pull(REPO, 1).reviews).toHaveLength(1);
    // Only the changed Dockerfile, repository-relative; the hostile files are data nobody asked for.
    expect(annotated(r.stdout)).toEqual(new Set(['Dockerfile']));
    expect(r.stdout).toMatch(/^::error /m);
    expect(r.stderr).not.toMatch(/internal error|Cannot find|SyntaxError/);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    gh.assertClean();
  }, 60_000);
});
