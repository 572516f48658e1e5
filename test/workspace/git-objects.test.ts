import { chmodSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCommit, writeFolderTree, type FileEntry } from '../../src/workspace/git-objects.ts';
import { removeDir, runGit, tempDir, writeFiles } from '../helpers/repos.ts';

describe('writing git objects without git', () => {
  const dir = tempDir();
  afterAll(() => removeDir(dir));

  it('builds the same tree as git, and a commit git accepts', async () => {
    const folder = path.join(dir, 'folder');
    // Names chosen to exercise git's ordering (a directory sorts as "name/").
    writeFiles(folder, { 'a.b': '1', 'a-b': '2', 'a/x': '3', a0: '4', 'sub/dir/deep.txt': 'deep\n', Dockerfile: 'FROM scratch\n', 'bin/run.sh': '#!/bin/sh\n', empty: '' });
    chmodSync(path.join(folder, 'bin/run.sh'), 0o755);
    symlinkSync('Dockerfile', path.join(folder, 'link'));
    const files: FileEntry[] = [
      ['a.b', '100644'], ['a-b', '100644'], ['a/x', '100644'], ['a0', '100644'], ['sub/dir/deep.txt', '100644'], ['Dockerfile', '100644'], ['bin/run.sh', '100755'], ['empty', '100644'], ['link', '120000'],
    ].map(([rel, mode]) => ({ rel: rel!, mode: mode as FileEntry['mode'], abs: path.join(folder, rel!) }));

    const bare = path.join(dir, 'bare.git');
    runGit(dir, ['init', '-q', '--bare', bare]);
    const tree = await writeFolderTree(bare, files);
    const commit = await writeCommit(bare, tree, undefined, 'snapshot', new Date('2026-01-01T00:00:00Z'));
    runGit(bare, ['update-ref', 'refs/heads/main', commit]);

    const index = path.join(dir, 'index');
    runGit(folder, ['--git-dir', bare, '--work-tree', folder, 'add', '-A'], { GIT_INDEX_FILE: index });
    expect(runGit(folder, ['--git-dir', bare, 'write-tree'], { GIT_INDEX_FILE: index }).trim()).toBe(tree);
    expect(runGit(bare, ['fsck', '--strict', '--no-dangling']).trim()).toBe('');
    expect(runGit(bare, ['log', '-1', '--format=%T %s %an', 'main']).trim()).toBe(`${tree} snapshot image-build-migrator`);

    const child = await writeCommit(bare, tree, commit, 'again');
    expect(runGit(bare, ['rev-parse', `${child}^`]).trim()).toBe(commit);
  });
});
