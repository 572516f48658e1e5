/**
 * `migrate token`, the nightly jobs' per-job token (issue 20 item 6), as a separate process
 * against the local GitHub's App: the token it mints reaches the named repository only (404 on
 * another, REST and git) and only with the permissions asked for (403 for the rest); it is
 * written for Actions only (the add-mask line, then $GITHUB_OUTPUT), and is seen nowhere else:
 * not in the rest of stdout, stderr, the argv of any git, or any file but $GITHUB_OUTPUT.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { main } from '../../src/cli.ts';
import { runCli, TEST_TOKEN } from '../helpers/cli-process.ts';
import { APP_ID, appEnv, appKeys, filesUnder, INSTALLATION_ID, leaks, secretsOf } from '../helpers/github-app.ts';
import { NO_PACING } from '../helpers/pacing.ts';
import { removeDir, SIMPLE_DOCKERFILE, tempDir } from '../helpers/repos.ts';

const keys = appKeys();
const BOT = 'image-build-migrator[bot]';
let gh: LocalGitHub;
const dir = tempDir('ibm-token-');
const argvLog = path.join(dir, 'git-argv.log');
let shimPath = '';

beforeAll(async () => {
  gh = await LocalGitHub.start({ app: { id: APP_ID, publicKey: keys.publicKey, installationId: INSTALLATION_ID, permissions: { contents: 'write', pull_requests: 'write', issues: 'write', workflows: 'write' } } });
  gh.addRepo('rancher/image-build-alpha', { Dockerfile: SIMPLE_DOCKERFILE });
  gh.addRepo('rancher/image-build-beta', { Dockerfile: SIMPLE_DOCKERFILE });
  // Every git anything runs logs its argv (the command itself runs none: the log stays empty of tokens).
  const shim = path.join(dir, 'shim');
  execFileSync('mkdir', ['-p', shim]);
  const git = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  writeFileSync(path.join(shim, 'git'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${git}' "$@"\n`);
  chmodSync(path.join(shim, 'git'), 0o755);
  writeFileSync(argvLog, '');
  shimPath = `${shim}:${process.env.PATH}`;
});
afterAll(async () => {
  await gh.close();
  removeDir(dir);
});

class Sink {
  text = '';
  write(s: string) {
    this.text += s;
    return true;
  }
}

let n = 0;
async function mintCli(args: string[], env: Record<string, string | undefined>) {
  const work = path.join(dir, `run-${++n}`);
  execFileSync('mkdir', ['-p', work]);
  const output = path.join(work, 'github-output');
  writeFileSync(output, '');
  const r = await runCli(['migrate', 'token', ...args], { cwd: work, env: { PATH: shimPath, GITHUB_API_URL: gh.url, GITHUB_SERVER_URL: gh.serverUrl, GITHUB_OUTPUT: output, ...NO_PACING, ...env } });
  return { ...r, work, output: existsSync(output) ? readFileSync(output, 'utf8') : '' };
}

const api = (token: string, route: string, init: RequestInit = {}) => fetch(`${gh.url}${route}`, { ...init, headers: { authorization: `token ${token}`, accept: 'application/vnd.github+json', 'content-type': 'application/json', ...(init.headers ?? {}) } });
const lsRemote = async (token: string, repo: string) => {
  try {
    await promisify(execFile)('git', ['ls-remote', `${gh.serverUrl}/${repo}.git`], { env: { PATH: process.env.PATH, HOME: dir, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'http.extraHeader', GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}` } });
    return 'ok';
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e);
  }
};

describe('migrate token with the GitHub App', () => {
  it('mints a token for the named repository and permissions only, written for Actions and nowhere else', async () => {
    const before = gh.app!.minted.length;
    const r = await mintCli(['--repo', 'rancher/image-build-alpha', '--permissions', 'contents:read,pull_requests:read'], appEnv(keys));
    expect(r.code, r.stderr).toBe(0);
    expect(gh.app!.minted.length).toBe(before + 1);
    const { token, permissions, repositories } = gh.app!.minted.at(-1)!;
    expect(permissions).toEqual({ contents: 'read', pull_requests: 'read' });
    expect(repositories).toEqual(['rancher/image-build-alpha']);
    // Actions' way: the mask first, then the step output.
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`::add-mask::${token}`);
    expect(r.output).toBe(`token=${token}\nlogin=${BOT}\n`);
    expect(r.stderr).toMatch(/^Minted a token for rancher\/image-build-alpha with contents:read, pull_requests:read, expiring \S+/);

    // It works where it was minted for, within what it was minted with.
    expect((await api(token, '/repos/rancher/image-build-alpha')).status).toBe(200);
    expect((await api(token, '/repos/rancher/image-build-alpha/pulls')).status).toBe(200);
    expect(await lsRemote(token, 'rancher/image-build-alpha')).toBe('ok');
    // Another repository of the installation is not found, as on GitHub.
    expect((await api(token, '/repos/rancher/image-build-beta')).status).toBe(404);
    expect((await api(token, '/repos/rancher/image-build-beta/pulls')).status).toBe(404);
    expect((await api(token, '/repos/rancher/image-build-beta/issues', { method: 'POST', body: JSON.stringify({ title: 'x' }) })).status).toBe(404);
    expect(await lsRemote(token, 'rancher/image-build-beta')).toMatch(/404|not found/i);
    // What was not asked for is refused, though the installation has it.
    const issue = await api(token, '/repos/rancher/image-build-alpha/issues', { method: 'POST', body: JSON.stringify({ title: 'x' }) });
    expect(issue.status).toBe(403);
    expect(issue.headers.get('x-accepted-github-permissions')).toBe('issues=write');
    const pull = await api(token, '/repos/rancher/image-build-alpha/pulls', { method: 'POST', body: JSON.stringify({ title: 't', head: 'x', base: 'main' }) });
    expect(pull.status).toBe(403);

    // The token, the key and the App's JWTs: only on the add-mask line and in $GITHUB_OUTPUT.
    const texts: Record<string, string> = { 'stdout after the mask': lines.slice(1).join('\n'), stderr: r.stderr, 'git argv': readFileSync(argvLog, 'utf8') };
    for (const { file, text } of filesUnder(r.work)) if (file !== path.join(r.work, 'github-output')) texts[path.relative(dir, file)] = text;
    expect(leaks(secretsOf(keys, gh.app!), texts)).toEqual([]);
    expect(leaks(secretsOf(keys, gh.app!).filter((s) => s !== token), { stdout: r.stdout, output: r.output })).toEqual([]);
    gh.assertClean();
  });

  it('the migrate job: one repository, write permissions; the App wins over a GITHUB_TOKEN beside it', async () => {
    const r = await mintCli(['--repo', 'rancher/image-build-beta', '--permissions', 'contents:write,pull_requests:write,issues:write,workflows:write'], { ...appEnv(keys), GITHUB_TOKEN: TEST_TOKEN });
    expect(r.code, r.stderr).toBe(0);
    const t = gh.app!.minted.at(-1)!;
    expect(t.permissions).toEqual({ contents: 'write', pull_requests: 'write', issues: 'write', workflows: 'write' });
    expect(r.output).toBe(`token=${t.token}\nlogin=${BOT}\n`);
    expect((await api(t.token, '/repos/rancher/image-build-beta/issues', { method: 'POST', body: JSON.stringify({ title: 'x' }) })).status).toBe(201);
    expect((await api(t.token, '/repos/rancher/image-build-alpha/issues', { method: 'POST', body: JSON.stringify({ title: 'x' }) })).status).toBe(404);
    expect(r.stdout + r.stderr).not.toContain(TEST_TOKEN);
    gh.assertClean();
  });

  it('no --repo: the whole installation (the plan job), read-only', async () => {
    const r = await mintCli(['--permissions', 'contents:read,pull_requests:read,issues:read,metadata:read'], appEnv(keys));
    expect(r.code, r.stderr).toBe(0);
    const t = gh.app!.minted.at(-1)!;
    expect(t.repositories).toBeUndefined();
    expect((await api(t.token, '/repos/rancher/image-build-beta')).status).toBe(200);
    expect((await api(t.token, '/repos/rancher/image-build-alpha/issues', { method: 'POST', body: JSON.stringify({ title: 'x' }) })).status).toBe(403);
    expect(r.stderr).toMatch(/every repository of the installation/);
    gh.assertClean();
  });

  it('refuses without GITHUB_OUTPUT (exit 2, nothing minted, nothing printed)', async () => {
    const before = gh.app!.minted.length;
    const r = await mintCli(['--repo', 'rancher/image-build-alpha', '--permissions', 'contents:read'], { ...appEnv(keys), GITHUB_OUTPUT: undefined });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: migrate token writes the token for GitHub Actions only .*GITHUB_OUTPUT is not set/);
    expect(gh.app!.minted.length).toBe(before);
  });

  it('usage mistakes are exit 2 before anything is minted', async () => {
    const before = gh.app!.minted.length;
    for (const [args, message] of [
      [['--repo', 'rancher/image-build-alpha'], /--permissions names no permission/],
      [['--permissions', 'contents'], /"contents" is not name:level/],
      [['--permissions', 'contents:admin'], /"contents:admin" is not name:level/],
      [['--repo', 'image-build-alpha', '--permissions', 'contents:read'], /--repo "image-build-alpha" is not owner\/name/],
      [['--repo', 'rancher/a', '--repo', 'other/b', '--permissions', 'contents:read'], /every repository must have the same owner/],
    ] as [string[], RegExp][]) {
      // In this process (the checks come before anything is read or minted).
      const output = path.join(dir, 'usage-output');
      writeFileSync(output, '');
      const stdout = new Sink();
      const stderr = new Sink();
      const code = await main(['migrate', 'token', ...args], stdout as unknown as NodeJS.WritableStream, stderr as unknown as NodeJS.WritableStream, { ...appEnv(keys), GITHUB_API_URL: gh.url, GITHUB_OUTPUT: output });
      const r = { code, stdout: stdout.text, stderr: stderr.text, output: readFileSync(output, 'utf8') };
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(r.output).toBe('');
    }
    expect(gh.app!.minted.length).toBe(before);
  });

  it("GitHub's 422 (a repository outside the installation, a permission it lacks) is exit 1 naming what to fix; nothing written", async () => {
    const unknown = await mintCli(['--repo', 'rancher/image-build-nowhere', '--permissions', 'contents:read'], appEnv(keys));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/could not mint a token for image-build-nowhere with contents:read \(422 "There is at least one repository that does not exist or is not accessible to the parent installation\."\): each --repo must be a repository the App is installed on/);
    expect(unknown.stdout + unknown.output).toBe('');
    const beyond = await mintCli(['--repo', 'rancher/image-build-alpha', '--permissions', 'administration:write'], appEnv(keys));
    expect(beyond.code).toBe(1);
    expect(beyond.stderr).toMatch(/422 "The permissions requested are not granted to this installation\."/);
    expect(beyond.stdout + beyond.output).toBe('');
    expect(leaks(secretsOf(keys, gh.app!), { stderr: unknown.stderr + beyond.stderr })).toEqual([]);
    gh.assertClean();
  });
});

describe('migrate token --dashboard-from (the summary job)', () => {
  const inProcess = async (args: string[], files: Record<string, string>) => {
    const work = path.join(dir, `dash-${++n}`);
    execFileSync('mkdir', ['-p', work]);
    for (const [f, text] of Object.entries(files)) writeFileSync(path.join(work, f), text);
    const output = path.join(work, 'github-output');
    writeFileSync(output, '');
    const stdout = new Sink();
    const stderr = new Sink();
    const code = await main(['migrate', 'token', ...args.map((a) => a.replace('{dir}', work))], stdout as unknown as NodeJS.WritableStream, stderr as unknown as NodeJS.WritableStream, { ...appEnv(keys), GITHUB_API_URL: gh.url, GITHUB_OUTPUT: output, ...NO_PACING });
    return { code, stdout: stdout.text, stderr: stderr.text, output: readFileSync(output, 'utf8') };
  };

  it("a token for the dashboard repository of repos.yaml only, with issues:write", async () => {
    gh.addRepo('rancher/ecm-distro-tools', { 'README.md': 'tools\n' });
    const r = await inProcess(['--dashboard-from', '{dir}/repos.yaml', '--permissions', 'issues:write'], { 'repos.yaml': 'source:\n  type: github\n  list: none\ninclude: [rancher/image-build-alpha]\ndelivery:\n  dashboard:\n    repo: rancher/ecm-distro-tools\n' });
    expect(r.code, r.stderr).toBe(0);
    const t = gh.app!.minted.at(-1)!;
    expect(t.repositories).toEqual(['rancher/ecm-distro-tools']);
    expect(t.permissions).toEqual({ issues: 'write' });
    expect(r.output).toBe(`token=${t.token}\nlogin=${BOT}\n`);
    expect((await api(t.token, '/repos/rancher/ecm-distro-tools/issues', { method: 'POST', body: JSON.stringify({ title: 'x' }) })).status).toBe(201);
    expect((await api(t.token, '/repos/rancher/image-build-alpha/issues', { method: 'POST', body: JSON.stringify({ title: 'x' }) })).status).toBe(404);
    gh.assertClean();
  });

  it('no dashboard configured: no token at all (not one for the whole installation)', async () => {
    const before = gh.app!.minted.length;
    const r = await inProcess(['--dashboard-from', '{dir}/repos.yaml', '--permissions', 'issues:write'], { 'repos.yaml': 'source:\n  type: github\n  list: none\ninclude: [rancher/image-build-alpha]\n' });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/configures no dashboard .*: no token minted/);
    expect(r.stdout + r.output).toBe('');
    expect(gh.app!.minted.length).toBe(before);
  });
});

describe('migrate token with a plain GITHUB_TOKEN', () => {
  it('passes it through, masked, with a notice that it cannot be scoped', async () => {
    const calls = gh.api.requests.length;
    const r = await mintCli(['--repo', 'rancher/image-build-alpha', '--permissions', 'contents:write'], { GITHUB_TOKEN: TEST_TOKEN });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`::add-mask::${TEST_TOKEN}`);
    expect(lines[1]).toMatch(/^::notice title=Token not scoped::GITHUB_TOKEN is a plain token: it cannot be scoped to rancher\/image-build-alpha with contents:write/);
    expect(r.output).toBe(`token=${TEST_TOKEN}\n`);
    expect(lines.slice(1).join('\n') + r.stderr).not.toContain(TEST_TOKEN);
    // Nothing to ask GitHub.
    expect(gh.api.requests.length).toBe(calls);
  });

  it('neither the App nor a token: exit 2 naming both', async () => {
    const r = await mintCli(['--permissions', 'contents:read'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs the GitHub App .* or a GITHUB_TOKEN; neither is set/);
    expect(r.output).toBe('');
  });
});

describe('an optional permission (`workflows:write?`, the migrate job’s delivery token)', () => {
  const inProcess = async (local: LocalGitHub, args: string[]) => {
    const output = path.join(dir, `optional-${++n}`);
    writeFileSync(output, '');
    const stdout = new Sink();
    const stderr = new Sink();
    const code = await main(['migrate', 'token', ...args], stdout as unknown as NodeJS.WritableStream, stderr as unknown as NodeJS.WritableStream, { ...appEnv(keys), GITHUB_API_URL: local.url, GITHUB_OUTPUT: output, ...NO_PACING });
    return { code, stdout: stdout.text, stderr: stderr.text, output: readFileSync(output, 'utf8') };
  };

  it('is in the token where the installation grants it', async () => {
    const r = await inProcess(gh, ['--repo', 'rancher/image-build-alpha', '--permissions', 'contents:write,workflows:write?']);
    expect(r.code, r.stderr).toBe(0);
    expect(gh.app!.minted.at(-1)!.permissions).toEqual({ contents: 'write', workflows: 'write' });
    expect(r.stdout).not.toContain('Permission not granted');
  });

  it('is left out, with a notice, where the installation lacks it; a required one it lacks still fails', async () => {
    const without = await LocalGitHub.start({ app: { id: APP_ID, publicKey: keys.publicKey, installationId: INSTALLATION_ID, permissions: { contents: 'write', pull_requests: 'write', issues: 'write' } } });
    try {
      without.addRepo('rancher/image-build-alpha', { Dockerfile: SIMPLE_DOCKERFILE });
      const r = await inProcess(without, ['--repo', 'rancher/image-build-alpha', '--permissions', 'contents:write,pull_requests:write,workflows:write?']);
      expect(r.code, r.stderr).toBe(0);
      const t = without.app!.minted.at(-1)!;
      expect(t.permissions).toEqual({ contents: 'write', pull_requests: 'write' });
      expect(r.output).toBe(`token=${t.token}\nlogin=${BOT}\n`);
      expect(r.stdout.split('\n')[1]).toBe("::notice title=Permission not granted::the installation does not grant workflows:write: this job's token is minted without it");
      const required = await inProcess(without, ['--repo', 'rancher/image-build-alpha', '--permissions', 'contents:write,workflows:write']);
      expect(required.code).toBe(1);
      expect(required.stderr).toMatch(/422 "The permissions requested are not granted to this installation\."/);
      expect(required.output).toBe('');
    } finally {
      await without.close();
    }
  });
});

describe('a public repository outside the token’s repositories (the fleet’s repository list)', () => {
  it('is read, REST and git, as anyone reads it, and never written', async () => {
    gh.addRepo('rancher/public-list', { 'README.md': 'a list\n' }, { public: true });
    const r = await mintCli(['--repo', 'rancher/image-build-alpha', '--permissions', 'contents:write,issues:write'], appEnv(keys));
    expect(r.code, r.stderr).toBe(0);
    const { token } = gh.app!.minted.at(-1)!;
    const read = await api(token, '/repos/rancher/public-list/contents/README.md', { headers: { accept: 'application/vnd.github.raw+json' } });
    expect(read.status).toBe(200);
    expect(await read.text()).toBe('a list\n');
    expect(await lsRemote(token, 'rancher/public-list')).toBe('ok');
    expect((await api(token, '/repos/rancher/public-list/issues', { method: 'POST', body: JSON.stringify({ title: 'x' }) })).status).toBe(403);
    // A private one stays not found.
    expect((await api(token, '/repos/rancher/image-build-beta/contents/Dockerfile', { headers: { accept: 'application/vnd.github.raw+json' } })).status).toBe(404);
    gh.assertClean();
  });
});
