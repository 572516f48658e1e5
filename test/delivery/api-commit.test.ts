// The bot's commit through GitHub's git data API (a GitHub App's path), against the local GitHub
// and real git: the tree GitHub builds is the very tree `git commit` would have made of the same
// workspace (edits, deletions, modes, binary files, symlinks, new folders), the commit is
// GitHub's (verified), and the branch moves only from the commit the bot last pushed.
import { chmodSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { commitThroughApi } from '../../src/delivery/api-commit.ts';
import { LeaseRejected, PushRefused, type GitRemote } from '../../src/delivery/push.ts';
import { parseRepoName } from '../../src/config/names.ts';
import { createPlatformClient, type PlatformClient } from '../../src/platform/octokit.ts';
import { GitHubPlatform } from '../../src/platform/github.ts';
import { clearSecrets } from '../../src/secrets/redact.ts';
import { NO_PACING_OPTIONS } from '../helpers/pacing.ts';
import { removeDir, runGit, tempDir, writeFiles } from '../helpers/repos.ts';

const TOKEN = ['ghp', 'apiCommitTestToken0123456789abcdefABCD'].join('_');
const FULL = 'rancher/image-build-objects';
const BINARY = Buffer.from([0x00, 0xff, 0xfe, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xc3, 0x28]);

describe('commitThroughApi against the local GitHub', () => {
  let gh: LocalGitHub;
  let client: PlatformClient;
  let platform: GitHubPlatform;
  const dirs: string[] = [];
  const repo = parseRepoName(FULL)!;

  beforeAll(async () => {
    gh = await LocalGitHub.start({ tokens: { [TOKEN]: 'octo-dev' } });
    gh.addRepo(FULL, { 'README.md': 'objects\n', 'old.txt': 'to be deleted\n', 'scripts/build.sh': '#!/bin/sh\necho one\n', 'gone/a.txt': 'a\n', 'gone/b.txt': 'b\n', Dockerfile: 'FROM scratch\n' });
    // The executable bit, as a maintainer committed it.
    const seed = tempDir('ibm-api-seed-');
    dirs.push(seed);
    runGit(seed, ['clone', '-q', gh.repos.get(FULL)!.bare, '.']);
    chmodSync(path.join(seed, 'scripts/build.sh'), 0o755);
    runGit(seed, ['commit', '-qam', 'build.sh is a script']);
    runGit(seed, ['push', '-q', 'origin', 'main']);
    client = await createPlatformClient({ apiUrl: gh.url, serverUrl: gh.serverUrl, auth: { kind: 'token', token: TOKEN }, pacing: NO_PACING_OPTIONS });
    platform = new GitHubPlatform(client);
  });
  afterAll(async () => {
    clearSecrets();
    await gh.close();
    for (const d of dirs) removeDir(d);
  });

  /** A checkout of the default branch's head, as the workspace is before the migration writes. */
  function workspace(): GitRemote {
    const dir = tempDir('ibm-api-ws-');
    dirs.push(dir);
    runGit(dir, ['clone', '-q', gh.repos.get(FULL)!.bare, '.']);
    return { dir, url: `${gh.serverUrl}/${FULL}.git`, token: TOKEN };
  }

  const bare = () => gh.repos.get(FULL)!.bare;

  it('makes the tree git would make: edits keep their mode, deletions (a whole folder too), binary blobs, symlinks, new folders', async () => {
    const ws = workspace();
    writeFiles(ws.dir, { 'scripts/build.sh': '#!/bin/sh\necho two\n', 'assets/logo.bin': BINARY, 'docs/deep/new.md': 'new\n', 'Dockerfile': 'FROM scratch\n# ünïcödé stays text\n' });
    rmSync(path.join(ws.dir, 'old.txt'));
    rmSync(path.join(ws.dir, 'gone'), { recursive: true });
    symlinkSync('README.md', path.join(ws.dir, 'readme-link'));
    const message = 'A migration\n\nImage-Build-Migrator: 0.1.0\nImage-Build-Migrator-Result: abc';
    const before = gh.api.requests.length;

    const sha = await commitThroughApi(ws, platform, repo, 'cross-compile/xx', '', message);

    gh.assertClean();
    // What `git commit` of the same workspace would have recorded, object for object.
    runGit(ws.dir, ['add', '-A']);
    const expected = runGit(ws.dir, ['write-tree']).trim();
    expect(runGit(bare(), ['rev-parse', `${sha}^{tree}`]).trim()).toBe(expected);
    const listing = runGit(bare(), ['ls-tree', '-r', sha]);
    expect(listing).toMatch(/^100755 blob [0-9a-f]{40}\tscripts\/build\.sh$/m);
    expect(listing).toMatch(/^120000 blob [0-9a-f]{40}\treadme-link$/m);
    expect(listing).not.toMatch(/old\.txt|gone\//);
    expect(Buffer.from(runGit(bare(), ['cat-file', '-p', `${sha}:assets/logo.bin`]), 'latin1').length).toBeGreaterThan(0);
    const blob = runGit(bare(), ['rev-parse', `${sha}:assets/logo.bin`]).trim();
    expect(runGit(ws.dir, ['hash-object', 'assets/logo.bin']).trim()).toBe(blob);
    // One parent, the default branch's head; the message byte for byte; the branch at the commit.
    expect(runGit(bare(), ['log', '-1', '--format=%P', sha]).trim()).toBe(gh.branchSha(FULL, 'main'));
    expect(runGit(bare(), ['log', '-1', '--format=%B', sha]).trim()).toBe(message);
    expect(gh.branchSha(FULL, 'cross-compile/xx')).toBe(sha);
    // Only the binary file needed a blob of its own: the texts rode in the tree.
    const calls = gh.api.requests.slice(before).map((q) => [q.operationId, q.status]);
    expect(calls).toEqual([['git/create-blob', 201], ['git/create-tree', 201], ['git/create-commit', 201], ['git/get-ref', 404], ['git/create-ref', 201]]);
    const blobBody = gh.api.requests.slice(before).find((q) => q.operationId === 'git/create-blob')!.body as { content: string; encoding: string };
    expect(blobBody).toEqual({ content: BINARY.toString('base64'), encoding: 'base64' });
    // No author or committer sent: GitHub's own identity, and its signature.
    const commitBody = gh.api.requests.slice(before).find((q) => q.operationId === 'git/create-commit')!.body as Record<string, unknown>;
    expect(Object.keys(commitBody).sort()).toEqual(['message', 'parents', 'tree']);
    const { data } = await client.octokit.rest.git.getCommit({ owner: repo.owner, repo: repo.name, commit_sha: sha });
    expect(data.author).toMatchObject({ name: 'octo-dev', email: `${gh.userId('octo-dev')}+octo-dev@users.noreply.github.com` });
    expect(data.committer).toMatchObject({ name: 'octo-dev', email: `${gh.userId('octo-dev')}+octo-dev@users.noreply.github.com` });
    expect(data.verification).toMatchObject({ verified: true, reason: 'valid' });
    gh.assertClean();
  });

  it('moves the branch only from the commit the bot last pushed: a branch that exists, or moved, is never overwritten', async () => {
    const head = gh.branchSha(FULL, 'cross-compile/xx')!;
    const ws = workspace();
    writeFiles(ws.dir, { Dockerfile: 'FROM scratch\n# again\n' });
    // The branch exists: creating it is refused by the read before the write.
    await expect(commitThroughApi(ws, platform, repo, 'cross-compile/xx', '', 'm')).rejects.toBeInstanceOf(LeaseRejected);
    // A human pushed on top of the bot's commit: the lease (the bot's commit) no longer holds.
    const human = gh.commit(FULL, 'cross-compile/xx', { 'NOTES.md': 'mine\n' });
    const before = gh.api.requests.length;
    await expect(commitThroughApi(ws, platform, repo, 'cross-compile/xx', head, 'm')).rejects.toBeInstanceOf(LeaseRejected);
    // The lease is read right before the move, and the move is not made.
    expect(gh.api.requests.slice(before).map((q) => [q.operationId, q.status]).slice(-1)).toEqual([['git/get-ref', 200]]);
    expect(gh.branchSha(FULL, 'cross-compile/xx')).toBe(human);
    expect(gh.api.requests.filter((q) => q.operationId === 'git/update-ref')).toEqual([]);
    // The lease that holds: moved with force (the bot's commit replaces its own, not a fast-forward).
    const ws2 = workspace();
    writeFiles(ws2.dir, { Dockerfile: 'FROM scratch\n# rebuilt\n' });
    const sha = await commitThroughApi(ws2, platform, repo, 'cross-compile/xx', human, 'rebuilt');
    expect(gh.branchSha(FULL, 'cross-compile/xx')).toBe(sha);
    expect(runGit(bare(), ['log', '-1', '--format=%P', sha]).trim()).toBe(gh.branchSha(FULL, 'main'));
    expect(gh.api.requests.filter((q) => q.operationId === 'git/update-ref').map((q) => [q.status, (q.body as { force?: boolean }).force])).toEqual([[200, true]]);
    gh.assertClean();
  });

  it('a protected branch, a ruleset and a workflow file without the permission are refused as the push path names them', async () => {
    const ws = workspace();
    writeFiles(ws.dir, { '.github/workflows/ci.yml': 'on: push\n' });
    gh.refuseWorkflowPushes = true;
    try {
      const err = await commitThroughApi(ws, platform, repo, 'wf-branch', '', 'm').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PushRefused);
      expect((err as PushRefused).kind).toBe('workflows');
      expect((err as Error).message).toContain('".github/workflows/ci.yml"');
      expect(gh.branchSha(FULL, 'wf-branch')).toBeUndefined();
    } finally {
      gh.refuseWorkflowPushes = false;
    }
    gh.repos.get(FULL)!.protectedBranches.push('kept');
    gh.repos.get(FULL)!.rulesetBranches.push('ruled');
    // Nothing to commit in a clean checkout: said, and nothing sent.
    const calls = gh.api.requests.length;
    await expect(commitThroughApi(workspace(), platform, repo, 'kept', '', 'm')).rejects.toThrow('the migration left nothing to commit');
    expect(gh.api.requests.length).toBe(calls);
    const wsKept = workspace();
    writeFiles(wsKept.dir, { Dockerfile: 'FROM scratch\n# kept\n' });
    const wsRuled = workspace();
    writeFiles(wsRuled.dir, { Dockerfile: 'FROM scratch\n# ruled\n' });
    const kept = await commitThroughApi(wsKept, platform, repo, 'kept', '', 'm').catch((e: unknown) => e);
    const ruled = await commitThroughApi(wsRuled, platform, repo, 'ruled', '', 'm').catch((e: unknown) => e);
    expect([(kept as PushRefused).kind, (ruled as PushRefused).kind]).toEqual(['protected', 'ruleset']);
    expect(gh.branchSha(FULL, 'kept')).toBeUndefined();
    expect(gh.branchSha(FULL, 'ruled')).toBeUndefined();
    gh.assertClean();
  });

  it('a commit pushed with git is reported unsigned', async () => {
    const human = gh.commit(FULL, 'main', { 'CHANGELOG.md': 'x\n' });
    const { data } = await client.octokit.rest.git.getCommit({ owner: repo.owner, repo: repo.name, commit_sha: human });
    expect(data.verification).toEqual({ verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null });
    expect(data.author).toMatchObject({ name: 'A Maintainer', email: 'maintainer@example.invalid' });
    gh.assertClean();
  });
});
