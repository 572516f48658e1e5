/**
 * The nightly workflow's way in: the bot as a GitHub App (GITHUB_APP_ID, the private key,
 * GITHUB_APP_INSTALLATION_ID; no GITHUB_TOKEN), end to end against the local GitHub. auth-app
 * signs a JWT with a key made in the test, the local GitHub checks it and mints installation
 * tokens that expire, the bot clones and pushes over `git http-backend` with them and opens the
 * PRs; no key, JWT or token is seen in any output, report, PR, argv or checkout.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { migrateCheckout } from '../../src/migrate/checkout.ts';
import { recipes } from '../../migrations/index.ts';
import { runFleet } from '../../src/fleet/run.ts';
import { runPrReview } from '../../src/github-review/command.ts';
import type { FleetReport } from '../../src/report/types.ts';
import { clearSecrets, redact } from '../../src/secrets/redact.ts';
import { cli, repoOf, SIMPLE_DOCKERFILE, SPROCKET, WIDGET, type Fleet } from '../delivery/fleet.ts';
import { APP_ID, appEnv, appKeys, filesUnder, INSTALLATION_ID, leaks, secretsOf, WORKFLOW_PERMISSIONS, type AppKeys } from '../helpers/github-app.ts';
import { controlledClock } from '../helpers/clock.ts';
import { removeDir, tempDir } from '../helpers/repos.ts';
import { Capture } from '../helpers/streams.ts';
import type { Permissions } from '../../scripts/local-github/github-app.ts';
import { NO_PACING, NO_PACING_OPTIONS } from '../helpers/pacing.ts';

const DASHBOARD = 'rancher/ecm-distro-tools';
const BOT = 'image-build-migrator[bot]';
const FLEET: Record<string, Record<string, string>> = {
  'rancher/image-build-widget': WIDGET,
  'rancher/image-build-alpha': { Dockerfile: SIMPLE_DOCKERFILE },
  'rancher/image-build-sprocket': SPROCKET,
};

const dirs: string[] = [];
const worlds: LocalGitHub[] = [];

/** Every git the bot (and the local GitHub) runs goes through a shim that logs its argv. */
let argvLog = '';
const realPath = process.env.PATH;
beforeAll(() => {
  const shim = tempDir('ibm-git-shim-');
  dirs.push(shim);
  argvLog = path.join(shim, 'argv.log');
  const git = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  writeFileSync(path.join(shim, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${git}' "$@"\n`);
  chmodSync(path.join(shim, 'git'), 0o755);
  writeFileSync(argvLog, '');
  process.env.PATH = `${shim}:${realPath}`;
});
afterAll(async () => {
  process.env.PATH = realPath;
  for (const w of worlds) await w.close();
  for (const d of dirs) removeDir(d);
});

async function appWorld(keys: AppKeys, o: { permissions?: Permissions; tokenLifetimeSeconds?: number; repos?: Record<string, Record<string, string>> } = {}): Promise<Fleet> {
  const gh = await LocalGitHub.start({ app: { id: APP_ID, publicKey: keys.publicKey, installationId: INSTALLATION_ID, permissions: o.permissions ?? WORKFLOW_PERMISSIONS, tokenLifetimeSeconds: o.tokenLifetimeSeconds } });
  worlds.push(gh);
  const repos = o.repos ?? FLEET;
  for (const [full, files] of Object.entries(repos)) gh.addRepo(full, files);
  gh.addRepo(DASHBOARD, { 'README.md': 'tools\n' });
  const dir = tempDir('ibm-app-');
  dirs.push(dir);
  const reposFile = path.join(dir, 'repos.yaml');
  writeFileSync(reposFile, `source:\n  type: github\ninclude: [${Object.keys(repos).join(', ')}]\ndefaults:\n  labels: [cross-compilation]\ndelivery:\n  dashboard:\n    repo: ${DASHBOARD}\n`);
  return { gh, dir, reposFile, close: () => gh.close() };
}

/** The token each git request (fetch or push) carried, decoded from its Basic header, in order. */
function gitTokens(gh: LocalGitHub): string[] {
  return gh.api.git!.authorizations
    .map((a) => Buffer.from(a.replace(/^Basic /, ''), 'base64').toString('utf8'))
    .map((up) => up.slice(up.indexOf(':') + 1));
}

/** Everything a human or another process could read after the run. */
function outputs(f: Fleet, run: { out: string; err: string }, extra: Record<string, string> = {}): Record<string, string> {
  const texts: Record<string, string> = { stdout: run.out, stderr: run.err, 'git argv': readFileSync(argvLog, 'utf8'), ...extra };
  for (const { file, text } of filesUnder(f.dir)) texts[path.relative(f.dir, file)] = text;
  for (const full of [...Object.keys(FLEET), DASHBOARD]) {
    for (const p of f.gh.pullsOf(full)) texts[`${full}#${p.number}`] = [p.title, p.body, ...p.comments.map((c) => c.body), ...p.reviews.map((r) => r.body)].join('\n');
    for (const i of f.gh.issuesOf(full)) texts[`${full} issue #${i.number}`] = [i.title, i.body, ...i.comments.map((c) => c.body)].join('\n');
  }
  return texts;
}

describe('the nightly workflow as a GitHub App, against the local GitHub', () => {
  it('with only the App variables, clones and pushes over HTTP with an installation token and opens the PR; no secret anywhere', async () => {
    const keys = appKeys();
    const f = await appWorld(keys);
    writeFileSync(argvLog, '');
    const r = await cli(f, [], { token: null, env: appEnv(keys) });
    f.gh.assertClean();
    expect(r.err).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const app = f.gh.app!;

    // One token minted (it lasts an hour), by a JWT the local GitHub verified.
    expect(app.minted).toHaveLength(1);
    const token = app.minted[0]!.token;
    const mints = f.gh.api.requests.filter((q) => q.operationId === 'apps/create-installation-access-token');
    expect(mints.map((q) => q.status)).toEqual([201]);
    expect(mints[0]!.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/i);
    // GET /app (the App's own login, for "did the bot write this?") takes the JWT, as GitHub wants.
    const jwtCalls = ['apps/create-installation-access-token', 'apps/get-authenticated'];
    for (const q of f.gh.api.requests.filter((x) => x.operationId === 'apps/get-authenticated')) expect(q.authorization).toMatch(/^bearer [\w-]+\.[\w-]+\.[\w-]+$/i);
    // Every other API call carried the installation token, never the JWT.
    const others = f.gh.api.requests.filter((q) => !jwtCalls.includes(q.operationId ?? ''));
    expect(others.length).toBeGreaterThan(5);
    expect(new Set(others.map((q) => q.authorization))).toEqual(new Set([`token ${token}`]));

    // git cloned over HTTP with x-access-token:<installation token>, as on GitHub; the commits were
    // made through the API (GitHub signs those), so nothing was pushed with git.
    expect(new Set(f.gh.api.git!.authorizations)).toEqual(new Set([`Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`]));
    expect(f.gh.api.git!.uploadPackRequests).toBeGreaterThan(0);
    expect(f.gh.pushes).toEqual([]);
    expect(f.gh.api.requests.filter((q) => q.operationId === 'git/create-ref').map((q) => [q.url.split('/')[3], q.status]).sort()).toEqual([['image-build-alpha', 201], ['image-build-widget', 201]]);

    // The PRs are the App's bot's.
    for (const full of ['rancher/image-build-widget', 'rancher/image-build-alpha']) {
      expect(repoOf(r, full)).toMatchObject({ outcome: 'changed', delivery: { action: 'open' } });
      expect(f.gh.pullsOf(full).map((p) => [p.user, p.head, p.state])).toEqual([[BOT, 'cross-compile/xx', 'open']]);
      expect(f.gh.branchAuthors(full, 'cross-compile/xx')).toEqual([`${9_000_000 + APP_ID}+${BOT}@users.noreply.github.com`]);
    }
    expect(repoOf(r, 'rancher/image-build-sprocket').outcome).toBe('already-migrated');
    expect(f.gh.issuesOf(DASHBOARD)).toHaveLength(1);

    // The key, the JWT and the token: nowhere (outputs, report, PRs and dashboard, git's argv, the checkouts' files and .git/config).
    const secrets = secretsOf(keys, app);
    expect(app.jwts.length).toBeGreaterThan(0);
    const texts = outputs(f, r);
    expect(Object.keys(texts).filter((k) => k.endsWith(path.join('.git', 'config'))).length).toBe(3);
    expect(texts['git argv']).toMatch(/ clone .*ls-remote /s);
    expect(leaks(secrets, texts)).toEqual([]);
  }, 90_000);

  it('mints a second installation token when the first expires during the run, and uses it for the later push and API calls', async () => {
    const keys = appKeys();
    // Tokens that live an hour, as on GitHub; the test's clock jumps past the first one's expiry.
    const f = await appWorld(keys, { repos: { 'rancher/image-build-widget': WIDGET, 'rancher/image-build-alpha': { Dockerfile: SIMPLE_DOCKERFILE } } });
    const app = f.gh.app!;
    let migrations = 0;
    const out = new Capture();
    const err = new Capture();
    let report: FleetReport | undefined;
    let code: number;
    let jwtMasked = '';
    const clock = controlledClock();
    try {
      code = await runFleet({
        reposFile: f.reposFile, dryRun: false, concurrency: 1, cacheDir: path.join(f.dir, 'cache'), out, err, live: false, pacing: NO_PACING_OPTIONS,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_API_URL: f.gh.url, GITHUB_SERVER_URL: f.gh.serverUrl, CI: '1', ...appEnv(keys) },
        onReport: (x) => (report = x),
        // The second repository's migration outlasts the first token: the clock moves past its expiry, for the server as for the bot.
        migrate: async (dir, o) => {
          if (++migrations === 2) clock.advanceTo(app.minted[0]!.expiresAt + 50);
          return migrateCheckout(dir, o, recipes);
        },
      });
      // The redactor knows every JWT the bot signed (they are not token-shaped: only registration masks them).
      jwtMasked = redact(`jwt ${app.jwts[0]} end`);
    } finally {
      clock.restore();
      clearSecrets();
    }
    f.gh.assertClean();
    expect(err.text).not.toMatch(/error/i);
    expect(code).toBe(0);
    expect(jwtMasked).toBe('jwt *** end');

    // Two mints: the first token served the first repository (alpha) and the second's clone; the
    // second token, minted after the first expired, the second repository's push and PR.
    expect(app.minted).toHaveLength(2);
    const [t1, t2] = app.minted.map((m) => m.token) as [string, string];
    expect(f.gh.api.requests.filter((q) => q.operationId === 'apps/create-installation-access-token').map((q) => q.status)).toEqual([201, 201]);
    expect(app.minted[1]!.mintedAt).toBeGreaterThan(app.minted[0]!.expiresAt);
    const creates = f.gh.api.requests.filter((q) => q.operationId === 'pulls/create');
    expect(creates.map((q) => [q.url.split('/')[3], q.authorization, q.status])).toEqual([
      ['image-build-alpha', `token ${t1}`, 201],
      ['image-build-widget', `token ${t2}`, 201],
    ]);
    const used = gitTokens(f.gh);
    expect(used).toContain(t1);
    expect(used).toContain(t2);
    // Once the second token exists, git never uses the first again.
    expect(used.indexOf(t2)).toBeGreaterThan(used.lastIndexOf(t1));
    // No call was refused for an expired token: the bot never sent one.
    expect(f.gh.api.requests.filter((q) => q.status === 401)).toEqual([]);
    // The branches were moved through the API, each by the token current at the time.
    expect(f.gh.pushes).toEqual([]);
    expect(f.gh.api.requests.filter((q) => q.operationId === 'git/create-ref').map((q) => [q.url.split('/')[3], q.authorization, q.status])).toEqual([['image-build-alpha', `token ${t1}`, 201], ['image-build-widget', `token ${t2}`, 201]]);
    expect(f.gh.branchSha('rancher/image-build-widget', 'cross-compile/xx')).toBeDefined();
    expect(report!.repos.map((x) => [x.name, x.outcome])).toEqual([['rancher/image-build-alpha', 'changed'], ['rancher/image-build-widget', 'changed']]);
    expect(leaks(secretsOf(keys, app), outputs(f, { out: out.text, err: err.text }))).toEqual([]);
  }, 120_000);

  it('reads the key from GITHUB_APP_PRIVATE_KEY_FILE as well as from the PEM text', async () => {
    const keys = appKeys();
    const f = await appWorld(keys, { repos: { 'rancher/image-build-alpha': { Dockerfile: SIMPLE_DOCKERFILE } } });
    const keyDir = tempDir('ibm-key-');
    dirs.push(keyDir);
    const keyFile = path.join(keyDir, 'app.pem');
    writeFileSync(keyFile, keys.privateKey, { mode: 0o600 });
    const r = await cli(f, [], { token: null, env: appEnv(keys, { keyFile }) });
    f.gh.assertClean();
    expect(r.code).toBe(0);
    expect(f.gh.app!.minted).toHaveLength(1);
    expect(f.gh.pullsOf('rancher/image-build-alpha').map((p) => p.user)).toEqual([BOT]);
    expect(leaks(secretsOf(keys, f.gh.app!), outputs(f, r))).toEqual([]);

    // The PEM text with its line breaks escaped, as a one-line secret store keeps it.
    const escaped = await cli(f, ['--dry-run'], { token: null, env: { ...appEnv(keys), GITHUB_APP_PRIVATE_KEY: keys.privateKey.replace(/\n/g, '\\n') } });
    f.gh.assertClean();
    expect(escaped.code).toBe(0);
    expect(f.gh.app!.minted).toHaveLength(2);
    expect(repoOf(escaped, 'rancher/image-build-alpha').outcome).toBe('would-change');
    expect(leaks([...secretsOf(keys, f.gh.app!), keys.privateKey.replace(/\n/g, '\\n')], { stdout: escaped.out, stderr: escaped.err })).toEqual([]);
  }, 90_000);

  it('a wrong key, a key that is no key, or a wrong installation: one error naming what to fix, exit 2, nothing cloned, no secret printed', async () => {
    const keys = appKeys();
    const wrong = appKeys();
    const f = await appWorld(keys, { repos: { 'rancher/image-build-alpha': { Dockerfile: SIMPLE_DOCKERFILE } } });
    const app = f.gh.app!;

    // Signed with another key: the local GitHub's signature check refuses the JWT with GitHub's 401.
    const bad = await cli(f, [], { token: null, env: appEnv(wrong) });
    f.gh.assertClean();
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/GitHub App 4242 could not authenticate: GitHub refused its JWT \(401 "A JSON web token could not be decoded"\)/);
    expect(bad.err).toMatch(/GITHUB_APP_PRIVATE_KEY \(or the file GITHUB_APP_PRIVATE_KEY_FILE names\) must be a private key of the App GITHUB_APP_ID names/);
    expect(bad.err).toMatch(/nothing was cloned/);
    expect(f.gh.api.requests.map((q) => [q.operationId, q.status])).toEqual([['apps/create-installation-access-token', 401]]);
    expect(app.minted).toEqual([]);
    expect(f.gh.api.git!.uploadPackRequests).toBe(0);
    expect(leaks(secretsOf(wrong, app), { stdout: bad.out, stderr: bad.err })).toEqual([]);

    // review --pr (the review action with the App's credentials) says the same and exits 2.
    const prOut = new Capture();
    const prErr = new Capture();
    const prCode = await runPrReview({ pr: 'rancher/image-build-alpha#1', env: { GITHUB_API_URL: f.gh.url, GITHUB_SERVER_URL: f.gh.serverUrl, ...NO_PACING, ...appEnv(wrong) } }, prOut, prErr).finally(() => clearSecrets());
    expect(prCode).toBe(2);
    expect(prErr.text).toMatch(/^error: GitHub App 4242 could not authenticate: GitHub refused its JWT \(401/);
    expect(leaks(secretsOf(wrong, app), { stdout: prOut.text, stderr: prErr.text })).toEqual([]);
    expect(f.gh.api.requests.map((q) => q.status)).toEqual([401, 401]);

    // Not a key at all (a truncated paste): refused before any call.
    const garbage = await cli(f, [], { token: null, env: { ...appEnv(keys), GITHUB_APP_PRIVATE_KEY: keys.privateKey.slice(0, 400) } });
    expect(garbage.code).toBe(2);
    expect(garbage.err).toMatch(/GITHUB_APP_PRIVATE_KEY is not an RSA private key in PEM form/);
    expect(leaks(secretsOf(keys, app).slice(0, 5), { stderr: garbage.err, stdout: garbage.out })).toEqual([]);
    expect(f.gh.api.requests).toHaveLength(2);

    // The right key, an installation the App does not have: GitHub's 404, named.
    const lost = await cli(f, [], { token: null, env: appEnv(keys, { installationId: 78 }) });
    f.gh.assertClean();
    expect(lost.code).toBe(2);
    expect(lost.err).toMatch(/GitHub App 4242 has no installation 78 \(404\): set GITHUB_APP_INSTALLATION_ID/);
    expect(f.gh.api.git!.uploadPackRequests).toBe(0);
    expect(leaks(secretsOf(keys, app), { stdout: lost.out, stderr: lost.err })).toEqual([]);
  }, 90_000);

  it('an installation whose pull requests are read-only: GitHub 403s the PR, those repositories fail with the permission to grant, the others go on', async () => {
    const keys = appKeys();
    const f = await appWorld(keys, { permissions: { contents: 'write', pull_requests: 'read', issues: 'write' } });
    const r = await cli(f, [], { token: null, env: appEnv(keys) });
    f.gh.assertClean();
    expect(r.code).toBe(1);
    const creates = f.gh.api.requests.filter((q) => q.operationId === 'pulls/create');
    expect(creates.map((q) => q.status)).toEqual([403, 403]);
    for (const full of ['rancher/image-build-widget', 'rancher/image-build-alpha']) {
      expect(repoOf(r, full)).toMatchObject({
        outcome: 'failed',
        step: 'deliver',
        reason: expect.stringMatching(/GitHub refused to open the pull request \(403 "Resource not accessible by integration"\): the token lacks pull_requests=write\. Give the GitHub App \(or the token\) "Pull requests: Read and write"/),
      });
      expect(f.gh.pullsOf(full)).toEqual([]);
    }
    expect(repoOf(r, 'rancher/image-build-sprocket').outcome).toBe('already-migrated');
    // issues: write still works: the dashboard issue shows the two failures.
    const dash = f.gh.issuesOf(DASHBOARD);
    expect(dash).toHaveLength(1);
    expect(dash[0]!.body).toMatch(/image-build-widget[^\n]*failed/);
    expect(r.out).toMatch(/Pull requests: Read and write/);
    expect(leaks(secretsOf(keys, f.gh.app!), outputs(f, r))).toEqual([]);
  }, 90_000);
});
