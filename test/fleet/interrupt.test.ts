import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGitHttpServer } from '../helpers/git-http-server.ts';
import { fakeRepository, startGitHubServer } from '../helpers/github-server.ts';
import { makeBareRepo, removeDir, SIMPLE_DOCKERFILE, tempDir } from '../helpers/repos.ts';
import { NO_PACING } from '../helpers/pacing.ts';

describe('Ctrl-C', () => {
  const dir = tempDir();
  afterAll(() => removeDir(dir));

  it('stops cleanly: partial summary, exit 130, no half-written workspace, cache unlocked', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `image-build-slow${i}`);
    for (const n of names) makeBareRepo(path.join(dir, 'git'), `rancher/${n}`, { Dockerfile: SIMPLE_DOCKERFILE });
    // Every git response waits: clones are in flight when the signal arrives.
    const git = await startGitHttpServer({ root: path.join(dir, 'git'), delayMs: 1500 });
    const gh = await startGitHubServer();
    gh.on('repos/get', ({ params }) => ({ status: 200, body: fakeRepository({ owner: params.owner!, name: params.repo!, apiUrl: gh.url, cloneUrl: `${git.url}/${params.owner}/${params.repo}.git`, defaultBranch: 'main' }) }));
    const config = path.join(dir, 'repos.yaml');
    writeFileSync(config, `include: [${names.map((n) => `rancher/${n}`).join(', ')}]\n`);
    const cache = path.join(dir, 'cache');

    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'interrupt-child.ts'), config, cache], {
      env: { ...process.env, GITHUB_API_URL: gh.url, GITHUB_TOKEN: '', ...NO_PACING, CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += String(c)));
    child.stderr.on('data', (c) => (stderr += String(c)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const deadline = Date.now() + 15_000;
    while (git.urls.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(git.urls.length).toBeGreaterThan(0);
    child.kill('SIGINT');
    const code = await exited;
    await git.close();
    await gh.close();

    expect(code, stderr).toBe(130);
    expect(stderr).toContain('SIGINT received: stopping');
    expect(stdout).toContain('Interrupted: this summary is partial.');
    expect(stdout).toMatch(/Cancelled \(6\)/);
    expect(existsSync(path.join(cache, '_tmp'))).toBe(false);
    expect(existsSync(path.join(cache, '.lock'))).toBe(false);
    // No clone finished, so no workspace may exist (a half-cloned one would be a bug).
    expect(existsSync(path.join(cache, 'rancher')) ? readdirSync(path.join(cache, 'rancher')) : []).toEqual([]);
  }, 30_000);
});
