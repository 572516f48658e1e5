import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearSecrets } from '../../src/secrets/redact.ts';
import { CacheBusyError, openCache, writeLockForPid, type Cache } from '../../src/workspace/cache.ts';
import { isPristine, recordPristine } from '../../src/workspace/pristine.ts';
import { prepareWorkspace, WorkspaceError } from '../../src/workspace/workspace.ts';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.ts';
import { commitToBare, makeBareRepo, removeDir, runGit, SIMPLE_DOCKERFILE, tempDir } from '../helpers/repos.ts';

const repo = { owner: 'acme', name: 'image-build-thing', full: 'acme/image-build-thing' };
const TOKEN = 'ghs_fakeInstallationToken0123456789abcdef';

describe('workspaces', () => {
  let dir: string;
  let remotes: string;
  let cache: Cache;
  let bare: string;
  let url: string;
  const servers: GitHttpServer[] = [];

  beforeEach(async () => {
    dir = tempDir();
    remotes = path.join(dir, 'remotes');
    bare = makeBareRepo(remotes, repo.full, { Dockerfile: SIMPLE_DOCKERFILE, '.gitignore': 'build/\n' });
    url = pathToFileURL(bare).href;
    cache = await openCache(path.join(dir, 'cache'));
  });
  afterEach(async () => {
    await cache.release();
    for (const s of servers.splice(0)) await s.close();
    removeDir(dir);
    clearSecrets();
  });

  const tmpLeftovers = () => (existsSync(cache.tmpDir) ? readdirSync(cache.tmpDir) : []);

  it('clones shallow and single-branch into the cache', async () => {
    const ws = await prepareWorkspace(cache, { repo, url, branch: 'main' });
    expect(ws.dir).toBe(path.join(cache.root, 'acme', 'image-build-thing'));
    expect(ws.reused).toBe(false);
    expect(ws.commit).toBe(runGit(bare, ['rev-parse', 'main']).trim());
    expect(readFileSync(path.join(ws.dir, 'Dockerfile'), 'utf8')).toBe(SIMPLE_DOCKERFILE);
    expect(existsSync(path.join(ws.dir, '.git', 'shallow'))).toBe(true);
    expect(runGit(ws.dir, ['config', '--get-all', 'remote.origin.fetch']).trim()).toBe('+refs/heads/main:refs/remotes/origin/main');
    expect(tmpLeftovers()).toEqual([]);
  });

  it('reuses a workspace: fetches, hard-resets and cleans what a crashed run left behind', async () => {
    const first = await prepareWorkspace(cache, { repo, url, branch: 'main' });
    // The crash: edits, new files, ignored build output, and git's own lock file.
    writeFileSync(path.join(first.dir, 'Dockerfile'), 'FROM half-written\n');
    writeFileSync(path.join(first.dir, 'untracked.txt'), 'x');
    mkdirSync(path.join(first.dir, 'build'));
    writeFileSync(path.join(first.dir, 'build', 'out'), 'x');
    writeFileSync(path.join(first.dir, '.git', 'index.lock'), '');
    const next = commitToBare(bare, { 'Makefile': 'all:\n' });

    const ws = await prepareWorkspace(cache, { repo, url, branch: 'main' });
    expect(ws.reused).toBe(true);
    expect(ws.commit).toBe(next);
    expect(readFileSync(path.join(ws.dir, 'Dockerfile'), 'utf8')).toBe(SIMPLE_DOCKERFILE);
    expect(existsSync(path.join(ws.dir, 'untracked.txt'))).toBe(false);
    expect(existsSync(path.join(ws.dir, 'build'))).toBe(false);
    expect(existsSync(path.join(ws.dir, 'Makefile'))).toBe(true);
    expect(runGit(ws.dir, ['status', '--porcelain', '--ignored']).trim()).toBe('');
  });

  it('skips the fetch when the known remote commit is already there', async () => {
    const first = await prepareWorkspace(cache, { repo, url, branch: 'main' });
    // A URL that cannot work proves no network call was made.
    const ws = await prepareWorkspace(cache, { repo, url: 'file:///nonexistent/remote.git', branch: 'main', knownCommit: first.commit });
    expect(ws.commit).toBe(first.commit);
    // A fetch that fails discards the workspace and clones once more (which fails here too).
    await expect(prepareWorkspace(cache, { repo, url: 'file:///nonexistent/remote.git', branch: 'main', knownCommit: 'f'.repeat(40) })).rejects.toThrow(/clone failed/);
    expect(existsSync(first.dir)).toBe(false);
  });

  it('knows an untouched workspace without git, and notices any touch', async () => {
    const ws = await prepareWorkspace(cache, { repo, url, branch: 'main' });
    expect(await isPristine(ws.dir, ws.commit)).toBe(true);
    expect(await isPristine(ws.dir, 'f'.repeat(40))).toBe(false);
    // Same content, same size, rewritten: only the mtime tells.
    writeFileSync(path.join(ws.dir, 'Dockerfile'), SIMPLE_DOCKERFILE);
    expect(await isPristine(ws.dir, ws.commit)).toBe(false);
    await recordPristine(ws.dir, ws.commit);
    runGit(ws.dir, ['update-index', '--chmod=+x', 'Dockerfile']);
    expect(await isPristine(ws.dir, ws.commit)).toBe(false);
    await recordPristine(ws.dir, ws.commit);
    mkdirSync(path.join(ws.dir, 'build'));
    expect(await isPristine(ws.dir, ws.commit)).toBe(false);
    // And a run resets it for real.
    const again = await prepareWorkspace(cache, { repo, url, branch: 'main', knownCommit: ws.commit });
    expect(existsSync(path.join(again.dir, 'build'))).toBe(false);
    expect(await isPristine(again.dir, ws.commit)).toBe(true);
  });

  it('never runs hooks, not even ones planted in the workspace', async () => {
    const ws = await prepareWorkspace(cache, { repo, url, branch: 'main' });
    const marker = path.join(dir, 'hook-ran');
    for (const hook of ['reference-transaction', 'post-checkout', 'post-merge']) {
      const f = path.join(ws.dir, '.git', 'hooks', hook);
      writeFileSync(f, `#!/bin/sh\necho ${hook} >> '${marker}'\n`);
      chmodSync(f, 0o755);
    }
    commitToBare(bare, { 'Makefile': 'all:\n' });
    await prepareWorkspace(cache, { repo, url, branch: 'main' });
    expect(existsSync(marker)).toBe(false);
    // Control: the same hooks do run for plain git, so the assertion above could fail.
    runGit(ws.dir, ['checkout', '-q', '-B', 'other']);
    expect(readFileSync(marker, 'utf8')).toMatch(/post-checkout|reference-transaction/);
  });

  it('replaces a workspace that is not a usable checkout', async () => {
    const first = await prepareWorkspace(cache, { repo, url, branch: 'main' });
    writeFileSync(path.join(first.dir, '.git', 'HEAD'), 'garbage\n');
    const ws = await prepareWorkspace(cache, { repo, url, branch: 'main' });
    expect(ws.reused).toBe(false);
    rmSync(path.join(ws.dir, '.git'), { recursive: true });
    const again = await prepareWorkspace(cache, { repo, url, branch: 'main' });
    expect(again.reused).toBe(false);
    expect(runGit(again.dir, ['rev-parse', '--show-toplevel']).trim()).toBe(again.dir);
  });

  it('fails alone and leaves nothing when the branch does not exist', async () => {
    const err = await prepareWorkspace(cache, { repo, url, branch: 'nope' }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkspaceError);
    expect(err.step).toBe('clone');
    expect(err.message).toMatch(/clone failed: .*nope/);
    expect(existsSync(cache.workspaceDir(repo))).toBe(false);
    expect(tmpLeftovers()).toEqual([]);
  });

  it('sends the token as an http.extraHeader, never in the URL, config or errors', async () => {
    const server = await startGitHttpServer({ root: remotes, token: TOKEN });
    servers.push(server);
    const httpUrl = `${server.url}/${repo.full}.git`;

    const denied = await prepareWorkspace(cache, { repo, url: httpUrl, branch: 'main' }).catch((e) => e);
    expect(denied).toBeInstanceOf(WorkspaceError);
    expect(denied.message).toMatch(/clone failed/);
    expect(existsSync(cache.workspaceDir(repo))).toBe(false);

    const ws = await prepareWorkspace(cache, { repo, url: httpUrl, branch: 'main', auth: { token: TOKEN } });
    expect(ws.commit).toHaveLength(40);
    const basic = `Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
    expect(server.authorizations).toContain(basic);
    expect(server.urls.join('\n')).not.toContain(TOKEN);
    const gitConfig = readFileSync(path.join(ws.dir, '.git', 'config'), 'utf8');
    expect(gitConfig).not.toContain(TOKEN);
    expect(gitConfig).not.toContain(Buffer.from(`x-access-token:${TOKEN}`).toString('base64'));
    expect(runGit(ws.dir, ['remote', 'get-url', 'origin']).trim()).toBe(httpUrl);

    // Reuse over HTTP with a wrong token: the error names the failure, not the token.
    const wrong = 'ghs_wrongTokenWrongTokenWrongToken0000';
    commitToBare(bare, { 'Makefile': 'all:\n' });
    const err = await prepareWorkspace(cache, { repo, url: httpUrl, branch: 'main', auth: { token: wrong } }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkspaceError);
    expect(err.message).not.toContain(wrong);
    expect(server.receivePackRequests).toBe(0);
  });

  it('survives a network drop half way through a clone: no workspace, no temp files, next run works', async () => {
    commitToBare(bare, { 'vendor/blob.bin': randomBytes(1 << 20).toString('base64') });
    const server = await startGitHttpServer({ root: remotes, dropUploadPackAfterBytes: 64 * 1024 });
    servers.push(server);
    const httpUrl = `${server.url}/${repo.full}.git`;
    const err = await prepareWorkspace(cache, { repo, url: httpUrl, branch: 'main' }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkspaceError);
    expect(err.step).toBe('clone');
    expect(err.message).toMatch(/early EOF|unexpected disconnect|transfer closed|RPC failed|fetch-pack|index-pack/i);
    expect(existsSync(cache.workspaceDir(repo))).toBe(false);
    expect(tmpLeftovers()).toEqual([]);

    server.options.dropUploadPackAfterBytes = undefined;
    const ws = await prepareWorkspace(cache, { repo, url: httpUrl, branch: 'main' });
    expect(existsSync(path.join(ws.dir, 'vendor', 'blob.bin'))).toBe(true);
  });
});

describe('the cache lock', () => {
  const dir = tempDir();
  afterAll(() => removeDir(dir));

  it('refuses a cache another live run holds, and takes over a dead run\'s lock and temp files', async () => {
    const root = path.join(dir, 'c1');
    const held = await openCache(root);
    await expect(openCache(root)).rejects.toThrow(CacheBusyError);
    await held.release();

    const root2 = path.join(dir, 'c2');
    await writeLockForPid(root2, 2 ** 22 + 12345);
    mkdirSync(path.join(root2, '_tmp', 'acme--half-cloned'), { recursive: true });
    const c = await openCache(root2);
    expect(readdirSync(c.tmpDir)).toEqual([]);
    await c.release();
    expect(existsSync(path.join(root2, '.lock'))).toBe(false);
  });

  // Runs starting at the same instant: the lock used to be created empty and filled afterwards,
  // so a second run could read no pid, take the lock for stale and get the cache too.
  it('gives the cache to exactly one of many runs starting at once, on a free cache and on a dead run\'s lock', async () => {
    for (const [name, stale] of [['race-free', false], ['race-stale', true]] as const) {
      const root = path.join(dir, name);
      if (stale) await writeLockForPid(root, 2 ** 22 + 54321);
      const tries = await Promise.allSettled(Array.from({ length: 24 }, () => openCache(root)));
      const won = tries.filter((t): t is PromiseFulfilledResult<Cache> => t.status === 'fulfilled');
      const refused = tries.filter((t) => t.status === 'rejected').map((t) => (t as PromiseRejectedResult).reason);
      expect(won.length, name).toBe(1);
      expect(refused.every((e) => e instanceof CacheBusyError), name).toBe(true);
      expect(readFileSync(path.join(root, '.lock'), 'utf8')).toBe(String(process.pid));
      // Nothing of the attempts is left beside the lock.
      expect(readdirSync(root).filter((f) => f.startsWith('.lock')), name).toEqual(['.lock']);
      await won[0]!.value.release();
      expect(existsSync(path.join(root, '.lock'))).toBe(false);
    }
  });

  it('gives the cache to exactly one of several processes starting at the same instant', async () => {
    const root = path.join(dir, 'race-processes');
    await writeLockForPid(root, 2 ** 22 + 54322);
    const cacheModule = pathToFileURL(path.resolve('src/workspace/cache.ts')).href;
    // Each process says when it is ready and tries when the test says go, to all of them at once;
    // the winner holds the cache until every other has tried, and each waits for the test's last
    // line before it exits (so no write meets a closed pipe). A deadline instead raced the start-up
    // of six processes on a busy machine: one that started late found the cache released and won too.
    const script = `import { createInterface } from 'node:readline';
import { openCache } from ${JSON.stringify(cacheModule)};
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
console.log('ready');
await lines.next();
try { const c = await openCache(${JSON.stringify(root)}); console.log('won'); await lines.next(); await c.release(); }
catch (e) { console.log(e.name); await lines.next(); }
process.exit(0);`;
    const procs = Array.from({ length: 6 }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
      const lines: string[] = [];
      const waiters: (() => void)[] = [];
      createInterface({ input: child.stdout! }).on('line', (l) => {
        lines.push(l.trim());
        waiters.splice(0).forEach((w) => w());
      });
      const line = async (n: number) => {
        while (lines.length < n) await new Promise<void>((r) => waiters.push(r));
        return lines[n - 1]!;
      };
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      return { child, line, exited };
    });
    try {
      for (const p of procs) expect(await p.line(1)).toBe('ready');
      for (const p of procs) p.child.stdin!.write('go\n');
      const runs = await Promise.all(procs.map((p) => p.line(2)));
      expect(runs.filter((r) => r === 'won')).toHaveLength(1);
      expect(runs.filter((r) => r === 'CacheBusyError')).toHaveLength(5);
      for (const p of procs) p.child.stdin!.end('release\n');
      expect(await Promise.all(procs.map((p) => p.exited))).toEqual([0, 0, 0, 0, 0, 0]);
    } finally {
      for (const p of procs) p.child.kill();
    }
  });
});
