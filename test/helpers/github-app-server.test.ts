/**
 * The local GitHub's App: it checks the App's JWT as GitHub does and answers GitHub's 401s,
 * mints installation tokens that expire, accepts only them (never the JWT) for repository
 * endpoints and git over HTTP, and only within the installation's permissions. Raw HTTP and the
 * real git client, so nothing of the bot's own code is in between.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { DECODE_FAILED, EXP_INVALID, EXP_TOO_FAR, IAT_INVALID } from '../../scripts/local-github/github-app.ts';
import { APP_ID, appKeys, INSTALLATION_ID, signJwt, WORKFLOW_PERMISSIONS } from './github-app.ts';
import { controlledClock } from './clock.ts';
import { removeDir, SIMPLE_DOCKERFILE, tempDir } from './repos.ts';

const keys = appKeys();
const other = appKeys();
const now = () => Math.floor(Date.now() / 1000);
const claims = (o: Record<string, unknown> = {}) => ({ iat: now() - 30, exp: now() + 540, iss: String(APP_ID), ...o });

describe('the local GitHub as a GitHub App sees it', () => {
  let gh: LocalGitHub;
  const work = tempDir('ibm-app-server-');
  beforeAll(async () => {
    gh = await LocalGitHub.start({ app: { id: APP_ID, publicKey: keys.publicKey, installationId: INSTALLATION_ID, permissions: { contents: 'read', pull_requests: 'write', issues: 'write' } } });
    gh.addRepo('rancher/image-build-alpha', { Dockerfile: SIMPLE_DOCKERFILE });
  });
  afterAll(async () => {
    await gh.close();
    removeDir(work);
  });

  const mint = (authorization: string, body?: unknown) =>
    fetch(`${gh.url}/app/installations/${INSTALLATION_ID}/access_tokens`, { method: 'POST', headers: { authorization, accept: 'application/vnd.github+json', ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const getRepo = (authorization: string) => fetch(`${gh.url}/repos/rancher/image-build-alpha`, { headers: { authorization, accept: 'application/vnd.github+json' } });
  /** `git ls-remote` (or push) with an Authorization header, the way the bot hands it to git (asynchronously: the server is in this process). */
  const git = async (args: string[], header: string, cwd = work) => {
    try {
      await promisify(execFile)('git', args, { cwd, env: { PATH: process.env.PATH, HOME: work, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: ${header}`, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' } });
      return 'ok';
    } catch (e) {
      return String((e as { stderr?: string }).stderr ?? e);
    }
  };
  const basic = (user: string, token: string) => `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;

  it("refuses JWTs GitHub would refuse, with GitHub's 401 messages", async () => {
    const cases: [string, string][] = [
      [signJwt(other.privateKey, claims()), DECODE_FAILED],
      [signJwt(keys.privateKey, claims({ iss: '4243' })), DECODE_FAILED],
      [signJwt(keys.privateKey, claims(), { alg: 'HS256', typ: 'JWT' }), DECODE_FAILED],
      [`${signJwt(keys.privateKey, claims()).slice(0, -4)}AAAA`, DECODE_FAILED],
      [signJwt(keys.privateKey, claims({ exp: now() + 11 * 60 })), EXP_TOO_FAR],
      [signJwt(keys.privateKey, claims({ iat: now() - 700, exp: now() - 100 })), EXP_INVALID],
      [signJwt(keys.privateKey, claims({ iat: now() + 300, exp: now() + 500 })), IAT_INVALID],
      ['not.a.jwt', DECODE_FAILED],
    ];
    for (const [jwt, message] of cases) {
      const res = await mint(`Bearer ${jwt}`);
      expect([res.status, ((await res.json()) as { message: string }).message]).toEqual([401, message]);
    }
    expect(gh.app!.minted).toEqual([]);
    gh.assertClean();
  });

  it('mints expiring installation tokens for a good JWT; a JWT never opens a repository endpoint', async () => {
    const jwt = signJwt(keys.privateKey, claims());
    const res = await mint(`Bearer ${jwt}`);
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: string; expires_at: string; permissions: Record<string, string> };
    expect(body.token).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
    // An hour, as on GitHub (to the second).
    expect(Date.parse(body.expires_at) - Date.now()).toBeLessThanOrEqual(3600_000);
    expect(Date.parse(body.expires_at) - Date.now()).toBeGreaterThan(3590_000);
    expect(body.permissions).toEqual({ contents: 'read', pull_requests: 'write', issues: 'write', metadata: 'read' });
    // More than the installation has: GitHub's 422.
    expect((await mint(`Bearer ${jwt}`, { permissions: { contents: 'write' } })).status).toBe(422);
    expect((await fetch(`${gh.url}/app/installations/78/access_tokens`, { method: 'POST', headers: { authorization: `Bearer ${jwt}` } })).status).toBe(404);

    expect((await getRepo(`Bearer ${jwt}`)).status).toBe(401);
    const ok = await getRepo(`token ${body.token}`);
    expect(ok.status).toBe(200);
    // contents: read, so GitHub says no push.
    expect(((await ok.json()) as { permissions: { push: boolean } }).permissions.push).toBe(false);

    const url = `${gh.serverUrl}/rancher/image-build-alpha.git`;
    expect(await git(['ls-remote', url], basic('x-access-token', body.token))).toBe('ok');
    expect(await git(['ls-remote', url], basic('x-access-token', jwt))).toMatch(/401|Authentication failed|could not read/);
    expect(await git(['ls-remote', url], basic('someone', body.token))).toMatch(/401|Authentication failed|could not read/);
    // contents: read refuses the push (403), whatever the pull request permissions.
    await git(['clone', '-q', url, 'c'], basic('x-access-token', body.token));
    await git(['commit', '-q', '--allow-empty', '-m', 'x'], '', path.join(work, 'c'));
    expect(await git(['push', '-q', 'origin', 'HEAD:refs/heads/x'], basic('x-access-token', body.token), path.join(work, 'c'))).toMatch(/403/);
    expect(gh.pushes).toEqual([]);

    // Past expires_at the token is refused everywhere, with GitHub's 401.
    const clock = controlledClock();
    try {
      clock.advanceTo(Date.parse(body.expires_at) + 1);
      expect((await getRepo(`token ${body.token}`)).status).toBe(401);
      expect(await git(['ls-remote', url], basic('x-access-token', body.token))).toMatch(/401|Authentication failed|could not read/);
    } finally {
      clock.restore();
    }
    gh.assertClean();
  });

  it("answers a permission it lacks with GitHub's 403 and x-accepted-github-permissions", async () => {
    gh.app!.permissions = { ...WORKFLOW_PERMISSIONS, pull_requests: 'read', metadata: 'read' };
    const { token } = (await (await mint(`Bearer ${signJwt(keys.privateKey, claims())}`)).json()) as { token: string };
    const list = await fetch(`${gh.url}/repos/rancher/image-build-alpha/pulls`, { headers: { authorization: `token ${token}` } });
    expect(list.status).toBe(200);
    const create = await fetch(`${gh.url}/repos/rancher/image-build-alpha/pulls`, { method: 'POST', headers: { authorization: `token ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ title: 't', head: 'x', base: 'main' }) });
    expect(create.status).toBe(403);
    expect(create.headers.get('x-accepted-github-permissions')).toBe('pull_requests=write');
    expect(((await create.json()) as { message: string }).message).toBe('Resource not accessible by integration');
    gh.assertClean();
  });

  it('a token minted for some repositories sees only those (404 elsewhere, REST and git); an unknown repository or a permission beyond the installation is a 422', async () => {
    gh.app!.permissions = { ...WORKFLOW_PERMISSIONS, metadata: 'read' };
    gh.addRepo('rancher/image-build-beta', { Dockerfile: SIMPLE_DOCKERFILE });
    const jwt = () => `Bearer ${signJwt(keys.privateKey, claims())}`;
    const res = await mint(jwt(), { repositories: ['image-build-alpha'], permissions: { contents: 'read' } });
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as { token: string; repository_selection: string; repositories: { full_name: string }[]; permissions: Record<string, string> };
    expect(body.repository_selection).toBe('selected');
    expect(body.repositories.map((r) => r.full_name)).toEqual(['rancher/image-build-alpha']);
    expect(body.permissions).toEqual({ contents: 'read' });
    expect((await getRepo(`token ${body.token}`)).status).toBe(200);
    const beta = await fetch(`${gh.url}/repos/rancher/image-build-beta`, { headers: { authorization: `token ${body.token}` } });
    expect(beta.status).toBe(404);
    expect(await git(['ls-remote', `${gh.serverUrl}/rancher/image-build-alpha.git`], basic('x-access-token', body.token))).toBe('ok');
    expect(await git(['ls-remote', `${gh.serverUrl}/rancher/image-build-beta.git`], basic('x-access-token', body.token))).toMatch(/404|not found/i);
    const unknown = await mint(jwt(), { repositories: ['image-build-nowhere'] });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as { message: string }).message).toMatch(/not accessible to the parent installation/);
    expect((await mint(jwt(), { repositories: ['image-build-alpha'], permissions: { administration: 'write' } })).status).toBe(422);
    // Not down-scoped: every repository of the installation.
    const all = (await (await mint(jwt())).json()) as { token: string; repository_selection: string };
    expect(all.repository_selection).toBe('all');
    expect((await fetch(`${gh.url}/repos/rancher/image-build-beta`, { headers: { authorization: `token ${all.token}` } })).status).toBe(200);
    gh.assertClean();
  });
});
