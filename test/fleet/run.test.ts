import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runFleet, type RunFleetOptions } from '../../src/fleet/run.ts';
import { clearSecrets } from '../../src/secrets/redact.ts';
import type { FleetReport } from '../../src/report/types.ts';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.ts';
import { fakeRepository, notFound, startGitHubServer, type FakeGitHub } from '../helpers/github-server.ts';
import { makeBareRepo, removeDir, runGit, SIMPLE_DOCKERFILE, tempDir, writeFiles } from '../helpers/repos.ts';
import { NO_PACING } from '../helpers/pacing.ts';

const root = path.resolve(import.meta.dirname, '../..');
const examples = path.join(root, 'examples');

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c) => (text += String(c)));
  return { stream, text: () => text };
}

async function run(opts: Partial<RunFleetOptions> & { reposFile: string }) {
  const out = capture();
  const err = capture();
  let report: FleetReport | undefined;
  const code = await runFleet({ dryRun: true, live: false, env: {}, out: out.stream, err: err.stream, onReport: (r) => (report = r), ...opts });
  return { code, out: out.text(), err: err.text(), report: report!, outcome: (name: string) => report!.repos.find((r) => r.name === name) };
}

function treeHash(dir: string): string {
  const h = createHash('sha256');
  for (const rel of readdirSync(dir, { recursive: true }).map(String).sort()) {
    const abs = path.join(dir, rel);
    const st = statSync(abs);
    h.update(`${rel}\0${st.mode}\0${st.mtimeMs}\0`);
    if (st.isFile()) h.update(readFileSync(abs));
  }
  return h.digest('hex');
}

describe('dry run over the example fleet (offline, no token)', () => {
  const dir = tempDir();
  const cacheDir = path.join(dir, 'cache');
  afterAll(() => removeDir(dir));

  it('prints a diff per changed repository and the summary, exits 0, writes and pushes nothing', async () => {
    const before = treeHash(examples);
    const r = await run({ reposFile: path.join(examples, 'repos.yaml'), cacheDir });
    expect(r.code).toBe(0);
    expect(Object.fromEntries(r.report.repos.map((x) => [x.name, x.outcome]))).toEqual({
      'example/image-build-beacon': 'would-change',
      'example/image-build-gizmo-operator': 'would-change',
      'example/image-build-pause-mirror': 'skipped',
      'example/image-build-sprocket': 'already-migrated',
      'example/image-build-widget': 'would-change',
    });
    for (const name of ['example/image-build-widget', 'example/image-build-gizmo-operator']) {
      expect(r.out).toContain(`── ${name} (main@`);
    }
    expect(r.out).toMatch(/\+FROM --platform=\$BUILDPLATFORM rancher\/mirrored-tonistiigi-xx:1\.6\.1 AS xx/);
    expect(r.out).toContain('-\t\t--build-arg ARCH=$(ARCH) \\');
    expect(r.out).toMatch(/Would change \(3\)[\s\S]*Already migrated \(1\)[\s\S]*Skipped \(1\)/);
    expect(r.out).not.toMatch(/Failed \(/);
    expect(r.out).toContain('Pushes: 0.');
    expect(r.err).toContain('nothing will be pushed');

    // Nothing written anywhere that matters: the example folders, the workspaces, the remotes.
    expect(treeHash(examples)).toBe(before);
    for (const name of ['image-build-widget', 'image-build-gizmo-operator', 'image-build-sprocket']) {
      expect(runGit(path.join(cacheDir, 'example', name), ['status', '--porcelain', '--ignored']).trim()).toBe('');
      const bare = path.join(cacheDir, '_remotes', 'example', `${name}.git`);
      expect(existsSync(path.join(bare, 'push-attempts.log'))).toBe(false);
      expect(runGit(bare, ['for-each-ref', '--format=%(refname)']).trim()).toBe('refs/heads/main');
    }
    expect(existsSync(path.join(cacheDir, '_tmp'))).toBe(false);
    expect(existsSync(path.join(cacheDir, '.lock'))).toBe(false);
  });

  it('the faults example: the broken repository fails alone with its file and line, exit 1', async () => {
    const r = await run({ reposFile: path.join(examples, 'faults', 'repos.yaml'), cacheDir: path.join(dir, 'faults-cache') });
    expect(r.code).toBe(1);
    expect(Object.fromEntries(r.report.repos.map((x) => [x.name, x.outcome]))).toEqual({ 'example/image-build-broken': 'failed' });
    expect(r.outcome('example/image-build-broken')!.reason).toMatch(/Dockerfile:7: unknown instruction "RUNN"/);
    expect(r.out).toMatch(/Failed \(1\)/);
  });

  it('a second run reuses workspaces, even one a crash left dirty, and says the same', async () => {
    const first = await run({ reposFile: path.join(examples, 'repos.yaml'), cacheDir, only: ['image-build-widget'] });
    const ws = path.join(cacheDir, 'example', 'image-build-widget');
    writeFileSync(path.join(ws, 'Dockerfile'), 'FROM half-migrated\n');
    writeFileSync(path.join(ws, 'leftover.txt'), 'x');
    writeFileSync(path.join(ws, '.git', 'index.lock'), '');
    const second = await run({ reposFile: path.join(examples, 'repos.yaml'), cacheDir, only: ['image-build-widget'] });
    expect(second.report.repos).toHaveLength(1);
    expect(second.outcome('example/image-build-widget')!.diff).toBe(first.outcome('example/image-build-widget')!.diff);
    expect(existsSync(path.join(ws, 'leftover.txt'))).toBe(false);
  });

  it('--json prints the report instead of the text summary', async () => {
    const r = await run({ reposFile: path.join(examples, 'repos.yaml'), cacheDir, only: ['example/image-build-sprocket'], json: true });
    expect(r.code).toBe(0);
    const parsed = JSON.parse(r.out) as FleetReport;
    expect(parsed.repos.map((x) => [x.name, x.outcome])).toEqual([['example/image-build-sprocket', 'already-migrated']]);
    expect(parsed.pushes).toBe(0);
  });

  it('--only with an unknown name is a usage error', async () => {
    const r = await run({ reposFile: path.join(examples, 'repos.yaml'), cacheDir, only: ['image-build-nope'] });
    expect(r.code).toBe(2);
    expect(r.err).toContain('--only names no repository of this fleet: image-build-nope');
  });

  it('without --dry-run: migrates the workspace locally, pushes nothing, and says so', async () => {
    const r = await run({ reposFile: path.join(examples, 'repos.yaml'), cacheDir, only: ['image-build-widget'], dryRun: false });
    expect(r.code).toBe(0);
    expect(r.outcome('example/image-build-widget')!.outcome).toBe('changed');
    expect(r.out).toContain('nothing was pushed');
    const ws = path.join(cacheDir, 'example', 'image-build-widget');
    expect(readFileSync(path.join(ws, 'Dockerfile'), 'utf8')).toContain('FROM --platform=$BUILDPLATFORM');
    expect(existsSync(path.join(cacheDir, '_remotes', 'example', 'image-build-widget.git', 'push-attempts.log'))).toBe(false);
    // The next dry run starts from the remote again, not from the locally migrated files.
    const again = await run({ reposFile: path.join(examples, 'repos.yaml'), cacheDir, only: ['image-build-widget'] });
    expect(again.outcome('example/image-build-widget')!.outcome).toBe('would-change');
  });
});

describe('bad input and faults fail per repository, the run goes on', () => {
  const dir = tempDir();
  afterAll(() => removeDir(dir));

  it('rejects a folder name with shell metacharacters, a missing include, a repository without Dockerfile', async () => {
    const fleet = path.join(dir, 'fleet');
    cpSync(path.join(examples, 'repos', 'image-build-widget'), path.join(fleet, 'repos', 'image-build-widget'), { recursive: true });
    writeFiles(path.join(fleet, 'repos', 'image-build-x;touch PWNED'), { Dockerfile: SIMPLE_DOCKERFILE });
    writeFiles(path.join(fleet, 'repos', 'image-build-$(touch PWNED2)'), { Dockerfile: SIMPLE_DOCKERFILE });
    writeFiles(path.join(fleet, 'repos', 'image-build-nodockerfile'), { 'README.md': 'no Dockerfile here\n' });
    writeFileSync(path.join(fleet, 'repos.yaml'), 'source:\n  type: local\n  path: repos\ninclude: [local/image-build-ghost]\n');
    const r = await run({ reposFile: path.join(fleet, 'repos.yaml'), cacheDir: path.join(dir, 'cache') });
    expect(r.code).toBe(1);
    const by = Object.fromEntries(r.report.repos.map((x) => [x.name, x]));
    expect(by['local/image-build-widget']!.outcome).toBe('would-change');
    expect(by['"local/image-build-x;touch PWNED"']!).toMatchObject({ outcome: 'failed', step: 'name' });
    expect(by['"local/image-build-$(touch PWNED2)"']!.reason).toMatch(/invalid repository name.*rejected before any git command/);
    expect(by['local/image-build-ghost']!).toMatchObject({ outcome: 'failed', step: 'lookup', reason: expect.stringMatching(/repository not found/) });
    expect(by['local/image-build-nodockerfile']!).toMatchObject({ outcome: 'failed', step: 'migrate', reason: expect.stringMatching(/Dockerfile.*no such file/) });
    for (const d of [dir, fleet, path.join(fleet, 'repos'), process.cwd()]) {
      expect(existsSync(path.join(d, 'PWNED'))).toBe(false);
      expect(existsSync(path.join(d, 'PWNED2'))).toBe(false);
    }
  });

  it('malformed repos.yaml: exit 2 with file:line and the key path, nothing run', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'source:\n  type: local\n  path: repos\ndefaults:\n  concurency: 2\n');
    const r = await run({ reposFile: file, cacheDir: path.join(dir, 'cache-bad') });
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:5:3: defaults.concurency: unknown key (did you mean \`concurrency\`?)`);
    expect(r.report).toBeUndefined();
    expect(existsSync(path.join(dir, 'cache-bad'))).toBe(false);

    writeFileSync(file, 'include: [a/b\n');
    const syntax = await run({ reposFile: file });
    expect(syntax.code).toBe(2);
    expect(syntax.err).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: .*fix the YAML syntax`));
  });
});

describe('dry run against GitHub (fake API + git over HTTP)', () => {
  // A fake token, assembled so that secret scanners do not take the source for a leak.
  const TOKEN = ['ghp', 'fleetTestToken0123456789abcdefABCDEF'].join('_');
  const dir = tempDir();
  const gitRoot = path.join(dir, 'git');
  let gh: FakeGitHub;
  let git: GitHttpServer;
  let flaky: GitHttpServer;

  beforeAll(async () => {
    makeBareRepo(gitRoot, 'rancher/image-build-alpha', { Dockerfile: SIMPLE_DOCKERFILE }, 'master');
    makeBareRepo(gitRoot, 'rancher/image-build-nodocker', { 'README.md': 'x\n' }, 'master');
    makeBareRepo(gitRoot, 'rancher/image-build-flaky', { Dockerfile: SIMPLE_DOCKERFILE, 'vendor/blob': randomText(1 << 20) }, 'master');
    git = await startGitHttpServer({ root: gitRoot, token: TOKEN });
    flaky = await startGitHttpServer({ root: gitRoot, token: TOKEN, dropUploadPackAfterBytes: 32 * 1024 });
    gh = await startGitHubServer();
    gh.on('repos/get-content', ({ params }) => {
      if (params.path !== 'docs/rke2-dependencies.md') return notFound();
      return {
        status: 200,
        contentType: 'application/vnd.github.raw',
        body: '# RKE2 dependencies\n\n## Hardened chart images\n\n- rancher/image-build-alpha\n- rancher/image-build-archived\n- rancher/image-build-missing\n- rancher/image-build-nodocker\n- rancher/image-build-flaky\n- rancher/image-build-a`b`\n- rancher/ingress-nginx\n',
      };
    });
    gh.on('repos/get', ({ params }) => {
      if (params.repo === 'image-build-missing') return notFound();
      const server = params.repo === 'image-build-flaky' ? flaky : git;
      return { status: 200, body: fakeRepository({ owner: params.owner!, name: params.repo!, apiUrl: gh.url, cloneUrl: `${server.url}/${params.owner}/${params.repo}.git`, archived: params.repo === 'image-build-archived', defaultBranch: 'master' }) };
    });
  });
  afterEach(() => clearSecrets());
  afterAll(async () => {
    await gh.close();
    await git.close();
    await flaky.close();
    removeDir(dir);
  });

  it('reports each repository, keeps the token out of everything, and makes zero write calls and pushes', async () => {
    const config = path.join(dir, 'repos.yaml');
    writeFileSync(config, 'source:\n  type: github\n  list: { repo: rancher/ecm-distro-tools, path: docs/rke2-dependencies.md }\n');
    const reportFile = path.join(dir, 'report.json');
    const summary = path.join(dir, 'step-summary.md');
    const r = await run({ reposFile: config, cacheDir: path.join(dir, 'cache'), reportFile, env: { GITHUB_API_URL: gh.url, GITHUB_TOKEN: TOKEN, GITHUB_STEP_SUMMARY: summary, ...NO_PACING } });
    gh.assertClean();
    expect(r.code).toBe(1);
    const by = Object.fromEntries(r.report.repos.map((x) => [x.name, x]));
    expect(by['rancher/image-build-alpha']!).toMatchObject({ outcome: 'would-change', branch: 'master' });
    expect(by['rancher/image-build-archived']!).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/archived/) });
    expect(by['rancher/image-build-missing']!).toMatchObject({ outcome: 'failed', step: 'lookup', reason: expect.stringMatching(/not found/) });
    expect(by['rancher/image-build-nodocker']!).toMatchObject({ outcome: 'failed', step: 'migrate' });
    expect(by['rancher/image-build-flaky']!).toMatchObject({ outcome: 'failed', step: 'clone', reason: expect.stringMatching(/clone failed/) });
    expect(by['"rancher/image-build-a`b`"']!).toMatchObject({ outcome: 'failed', step: 'name' });
    expect(r.report.excluded).toEqual([{ name: 'rancher/ingress-nginx', reason: 'does not match namePattern image-build-*' }]);
    expect(existsSync(path.join(dir, 'cache', 'rancher', 'image-build-flaky'))).toBe(false);

    // Auth went where it should, as headers.
    expect(gh.requests.every((q) => q.authorization === `token ${TOKEN}`)).toBe(true);
    expect(git.authorizations.length).toBeGreaterThan(0);
    // Dry run: no GitHub write call, no push attempt on either git server.
    expect(gh.writes()).toEqual([]);
    expect(git.receivePackRequests + flaky.receivePackRequests).toBe(0);

    // The token appears nowhere a human or a log reads.
    const written = [r.out, r.err, readFileSync(reportFile, 'utf8'), readFileSync(summary, 'utf8'), readFileSync(path.join(dir, 'cache', 'rancher', 'image-build-alpha', '.git', 'config'), 'utf8')];
    for (const text of written) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString('base64'));
    }
    expect(JSON.parse(readFileSync(reportFile, 'utf8')).counts).toEqual(r.report.counts);
    expect(readFileSync(summary, 'utf8')).toContain('### Failed (4)');
  });

  it('anonymous dry run: no Authorization header at all, and a private repository fails alone with 401', async () => {
    const config = path.join(dir, 'anon.yaml');
    writeFileSync(config, 'include: [rancher/image-build-alpha]\n');
    const before = gh.requests.length;
    const r = await run({ reposFile: config, cacheDir: path.join(dir, 'cache-anon'), env: { GITHUB_API_URL: gh.url, ...NO_PACING } });
    gh.assertClean();
    expect(gh.requests.slice(before).every((q) => q.authorization === undefined)).toBe(true);
    expect(r.code).toBe(1);
    expect(r.outcome('rancher/image-build-alpha')!).toMatchObject({ outcome: 'failed', step: 'clone' });
  });
});

function randomText(n: number): string {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(n, i + 65536)));
  return Buffer.from(bytes).toString('base64');
}

