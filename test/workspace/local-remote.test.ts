import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCache, type Cache } from '../../src/workspace/cache.ts';
import { git } from '../../src/workspace/git.ts';
import { syncLocalRemote } from '../../src/workspace/local-remote.ts';
import { removeDir, runGit, SIMPLE_DOCKERFILE, tempDir, writeFiles } from '../helpers/repos.ts';

const repo = { owner: 'example', name: 'image-build-thing', full: 'example/image-build-thing' };

describe('local sources become bare remotes', () => {
  let dir: string;
  let folder: string;
  let cache: Cache;
  beforeEach(async () => {
    dir = tempDir();
    folder = path.join(dir, 'repos', 'image-build-thing');
    writeFiles(folder, { Dockerfile: SIMPLE_DOCKERFILE, '.github/workflows/build.yml': 'name: b\n' });
    cache = await openCache(path.join(dir, 'cache'));
  });
  afterEach(async () => {
    await cache.release();
    removeDir(dir);
  });

  const listing = (p: string) => readdirSync(p, { recursive: true }).map(String).sort();

  it('commits the folder without touching it, and only again when it changes', async () => {
    const before = listing(folder);
    const mtime = statSync(path.join(folder, 'Dockerfile')).mtimeMs;
    const first = await syncLocalRemote(cache, repo, folder);
    expect(first.url).toMatch(/^file:\/\//);
    expect(runGit(first.bareDir, ['ls-tree', '-r', '--name-only', 'main']).trim().split('\n')).toEqual(['.github/workflows/build.yml', 'Dockerfile']);
    expect(runGit(first.bareDir, ['rev-parse', 'main']).trim()).toBe(first.commit);

    const second = await syncLocalRemote(cache, repo, folder);
    expect(second.commit).toBe(first.commit);

    writeFileSync(path.join(folder, 'Makefile'), 'all:\n');
    const third = await syncLocalRemote(cache, repo, folder);
    expect(third.commit).not.toBe(first.commit);
    expect(runGit(third.bareDir, ['rev-parse', 'main~1']).trim()).toBe(first.commit);

    expect(listing(folder)).toEqual([...before, 'Makefile'].sort());
    expect(statSync(path.join(folder, 'Dockerfile')).mtimeMs).toBe(mtime);
    expect(existsSync(path.join(folder, '.git'))).toBe(false);
  });

  it('refuses pushes and records the attempt, even from the bot\'s own git', async () => {
    const remote = await syncLocalRemote(cache, repo, folder);
    const work = path.join(dir, 'work');
    runGit(dir, ['clone', '-q', remote.url, work]);
    writeFileSync(path.join(work, 'x'), 'x');
    runGit(work, ['add', 'x']);
    runGit(work, ['commit', '-q', '-m', 'x']);
    await expect(git({ baseDir: work }).raw(['push', 'origin', 'HEAD:refs/heads/bot'])).rejects.toThrow(/read-only|pre-receive/);
    expect(readFileSync(path.join(remote.bareDir, 'push-attempts.log'), 'utf8')).toMatch(/push attempt/);
    expect(runGit(remote.bareDir, ['for-each-ref', '--format=%(refname)']).trim()).toBe('refs/heads/main');
  });
});
