// Issue 19, "Git conventions": as a GitHub App the bot's commit is made by GitHub through the git
// data API, as the App's bot, and reported verified; with a token it is made with git as the
// configured author, unsigned; a `Signed-off-by:` trailer where repos.yaml asks for one. Driven
// through the real CLI against the local GitHub, as the nightly runs it.
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { isWrite } from '../../scripts/local-github/api-server.ts';
import { APP_ID, appEnv, appKeys, INSTALLATION_ID, WORKFLOW_PERMISSIONS } from '../helpers/github-app.ts';
import { cli, repoOf, startFleet, TOKEN, WIDGET, type Fleet } from './fleet.ts';

const BRANCH = 'cross-compile/xx';
const APP_BOT = 'image-build-migrator[bot]';
const APP_EMAIL = `${9_000_000 + APP_ID}+image-build-migrator[bot]@users.noreply.github.com`;
const READER = ['ghp', 'signedCommitsReader0123456789abcdefABCD'].join('_');
const full = (n: string) => `rancher/image-build-${n}`;

const fleets: Fleet[] = [];
afterAll(async () => {
  for (const f of fleets) await f.close();
});

/** What GitHub's API says of a commit (as a reviewer's tooling reads it): author, committer, verification, message. */
async function commitOf(f: Fleet, repo: string, sha: string): Promise<{ author: { name: string; email: string }; committer: { name: string; email: string }; verification: { verified: boolean; reason: string }; message: string }> {
  const res = await fetch(`${f.gh.url}/repos/${repo}/git/commits/${sha}`, { headers: { authorization: `token ${READER}`, accept: 'application/vnd.github+json' } });
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

/** A fleet where the bot is a GitHub App (and a human can read the API with a token of theirs). */
async function appFleet(repos: Record<string, Record<string, string>>, yaml = ''): Promise<{ f: Fleet; env: Record<string, string> }> {
  const keys = appKeys();
  const gh = await LocalGitHub.start({ app: { id: APP_ID, publicKey: keys.publicKey, installationId: INSTALLATION_ID, permissions: WORKFLOW_PERMISSIONS }, tokens: { [READER]: 'a-maintainer' } });
  const f = await startFleet(repos, `delivery:\n  maxPrsPerRun: 20\n${yaml}`, gh);
  fleets.push(f);
  return { f, env: appEnv(keys) };
}

/** Writes other than minting installation tokens (which every App run does). */
const botWrites = (f: Fleet, from: number) => [...f.gh.api.requests.slice(from).filter(isWrite).filter((q) => q.operationId !== 'apps/create-installation-access-token').map((q) => q.operationId), ...f.gh.pushes.map(() => 'git push')];

describe('as a GitHub App: the commit is GitHub\'s, signed', () => {
  it('is authored by the App\'s bot, verified, with the tree git would make and the trailers the bot reads back; the next run writes nothing; a human\'s push stops it', async () => {
    const { f, env } = await appFleet({ [full('signed')]: WIDGET, [full('dco')]: WIDGET }, `repos:\n  ${full('dco')}:\n    signOff: true\n`);
    const r = await cli(f, [], { token: null, env });
    f.gh.assertClean();
    expect(r.code, r.err).toBe(0);
    for (const n of ['signed', 'dco']) expect(repoOf(r, full(n)).delivery, n).toMatchObject({ action: 'open', status: 'opened' });
    expect(f.gh.pushes).toEqual([]);

    const repo = full('signed');
    const sha = f.gh.branchSha(repo, BRANCH)!;
    const c = await commitOf(f, repo, sha);
    expect(c.author).toMatchObject({ name: APP_BOT, email: APP_EMAIL });
    expect(c.committer).toMatchObject({ name: APP_BOT, email: APP_EMAIL });
    expect(c.verification).toMatchObject({ verified: true, reason: 'valid' });
    expect(c.message).toMatch(/\n\nImage-Build-Migrator: \d+\.\d+\.\d+\nImage-Build-Migrator-Result: [0-9a-f]{20}$/);
    expect(c.message).not.toContain('Signed-off-by');
    // One commit on the default branch's head, changing the migrated files and nothing else.
    expect(f.gh.branchAuthors(repo, BRANCH)).toEqual([APP_EMAIL]);
    expect(f.gh.filesOf(repo, 1).map((x) => [x.filename, x.status])).toEqual([['Dockerfile', 'modified'], ['Makefile', 'modified']]);
    expect(f.gh.fileAt(repo, BRANCH, 'Dockerfile')).toContain('xx-go');
    expect(f.gh.pullsOf(repo)[0]!.user).toBe(APP_BOT);
    // The very tree the git path commits for the same repository (trees are named by content).
    const viaGit = await startFleet({ [repo]: WIDGET });
    fleets.push(viaGit);
    expect((await cli(viaGit, [])).code).toBe(0);
    expect(viaGit.gh.pushes).toHaveLength(1);
    const treeOf = (x: Fleet) => execFileSync('git', ['rev-parse', `refs/heads/${BRANCH}^{tree}`], { cwd: x.gh.repos.get(repo)!.bare, encoding: 'utf8' }).trim();
    expect(treeOf(f)).toBe(treeOf(viaGit));

    // DCO: the trailer names the commit's author, in the trailer block the bot reads back.
    const dco = await commitOf(f, full('dco'), f.gh.branchSha(full('dco'), BRANCH)!);
    expect(dco.message).toMatch(/\nImage-Build-Migrator-Result: [0-9a-f]{20}\nSigned-off-by: image-build-migrator\[bot\] <9004242\+image-build-migrator\[bot\]@users\.noreply\.github\.com>$/);
    expect(dco.verification.verified).toBe(true);

    // Idempotent: the same result, no write at all.
    const from = f.gh.api.requests.length;
    const again = await cli(f, [], { token: null, env });
    expect(again.code, again.err).toBe(0);
    expect(repoOf(again, repo).delivery).toMatchObject({ action: 'leave', status: 'current' });
    expect(botWrites(f, from)).toEqual([]);
    expect(f.gh.branchSha(repo, BRANCH)).toBe(sha);

    // A human's commit on the bot branch: the run stops there, as it does with git.
    const human = f.gh.commit(repo, BRANCH, { 'NOTES.md': 'my fix\n' });
    f.gh.commit(repo, 'main', { Dockerfile: WIDGET.Dockerfile.replace('ARG TAG=v0.4.2', 'ARG TAG=v0.4.3') });
    const third = await cli(f, ['--only', repo], { token: null, env });
    expect(repoOf(third, repo).delivery).toMatchObject({ action: 'blocked', status: 'blocked-by-human' });
    expect(f.gh.branchSha(repo, BRANCH)).toBe(human);
    expect((await commitOf(f, repo, human)).verification).toMatchObject({ verified: false, reason: 'unsigned' });
    f.gh.assertClean();
  }, 180_000);

  it('a human push landing after the plan, before the ref moves, is never overwritten: the lease read refuses and the re-read sees the human', async () => {
    const { f, env } = await appFleet({ [full('race')]: WIDGET });
    const repo = full('race');
    expect((await cli(f, [], { token: null, env })).code).toBe(0);
    const botSha = f.gh.branchSha(repo, BRANCH)!;
    // The default branch moves: the next run rebuilds the branch (an update with a lease on the bot's commit).
    f.gh.commit(repo, 'main', { Dockerfile: WIDGET.Dockerfile.replace('ARG TAG=v0.4.2', 'ARG TAG=v0.4.3') });
    let human = '';
    // The human pushes while the bot makes its commit, after it read the branch for its plan.
    f.gh.api.fail({ operationId: 'git/create-commit', when: () => ((human ||= f.gh.commit(repo, BRANCH, { 'NOTES.md': 'racing\n' })), false) });
    const r = await cli(f, ['--only', repo], { token: null, env });
    f.gh.assertClean();
    expect(human).not.toBe('');
    expect(f.gh.branchSha(repo, BRANCH)).toBe(human);
    expect(repoOf(r, repo).delivery).toMatchObject({ action: 'blocked', status: 'blocked-by-human' });
    // The lease was read and refused the move: no update-ref was sent over the human's commit.
    expect(f.gh.api.requests.filter((q) => q.operationId === 'git/update-ref')).toEqual([]);
    expect(f.gh.api.requests.filter((q) => q.operationId === 'git/get-ref').map((q) => q.status)).toContain(200);
    expect(botSha).not.toBe(human);
  }, 180_000);

  it('an API-made commit whose PR was never opened (a run cut short) is still the bot\'s: the next run opens the PR, not a refusal', async () => {
    const { f, env } = await appFleet({ [full('resume')]: WIDGET });
    const repo = full('resume');
    f.gh.api.fail({ operationId: 'pulls/create', times: 10, response: { status: 502, body: { message: 'Server Error' } } });
    const first = await cli(f, [], { token: null, env });
    expect(repoOf(first, repo).outcome).toBe('failed');
    const sha = f.gh.branchSha(repo, BRANCH)!;
    expect(sha).toBeDefined();
    expect(f.gh.pullsOf(repo)).toEqual([]);
    f.gh.api.clearFaults();
    const second = await cli(f, [], { token: null, env });
    expect(repoOf(second, repo).delivery, second.err).toMatchObject({ action: 'open', status: 'opened' });
    expect(f.gh.pullsOf(repo)).toHaveLength(1);
    f.gh.assertClean();
  }, 180_000);

  it('the nightly\'s scoped installation token with GITHUB_BOT_LOGIN commits through the API too; an identity GitHub will not give falls back to git, said on the row', async () => {
    const { f } = await appFleet({ [full('scoped')]: WIDGET, [full('fallback')]: WIDGET });
    const minted = f.gh.app!.mint()!;
    const r = await cli(f, ['--only', full('scoped')], { token: minted.token, env: { GITHUB_BOT_LOGIN: APP_BOT } });
    expect(repoOf(r, full('scoped')).delivery, r.err).toMatchObject({ action: 'open' });
    expect(f.gh.branchAuthors(full('scoped'), BRANCH)).toEqual([APP_EMAIL]);
    expect(f.gh.pushes).toEqual([]);

    f.gh.api.fail({ operationId: 'users/get-by-username', times: 5, response: { status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } } });
    const fb = await cli(f, ['--only', full('fallback')], { token: minted.token, env: { GITHUB_BOT_LOGIN: APP_BOT } });
    const row = repoOf(fb, full('fallback'));
    expect(row.delivery, fb.err).toMatchObject({ action: 'open' });
    expect(row.delivery!.warnings).toEqual([`the GitHub App's commit identity could not be read (GET /users/${APP_BOT} answered 404): committed with git as image-build-migrator <image-build-migrator@users.noreply.github.com>, unsigned`]);
    expect(f.gh.branchAuthors(full('fallback'), BRANCH)).toEqual(['image-build-migrator@users.noreply.github.com']);
    expect(f.gh.pushes.map((p) => [p.repo, p.status])).toEqual([[full('fallback'), 200]]);
    f.gh.assertClean();
  }, 180_000);
});

describe('with a token: git, the configured author, unsigned', () => {
  it('commits with git as repos.yaml\'s author, with the Signed-off-by trailer only where asked', async () => {
    const f = await startFleet({ [full('plain')]: WIDGET, [full('signoff')]: WIDGET }, `delivery:\n  maxPrsPerRun: 20\n  author: { name: Fleet Bot, email: fleet-bot@example.invalid }\nrepos:\n  ${full('signoff')}:\n    signOff: true\n`);
    fleets.push(f);
    const r = await cli(f, []);
    f.gh.assertClean();
    expect(r.code, r.err).toBe(0);
    expect(f.gh.api.requests.filter((q) => q.operationId?.startsWith('git/'))).toEqual([]);
    expect(f.gh.pushes.map((p) => [p.repo, p.status]).sort()).toEqual([[full('plain'), 200], [full('signoff'), 200]]);
    const read = async (repo: string) => {
      const res = await fetch(`${f.gh.url}/repos/${repo}/git/commits/${f.gh.branchSha(repo, BRANCH)}`, { headers: { authorization: `token ${TOKEN}` } });
      return (await res.json()) as { author: { name: string; email: string }; committer: { email: string }; verification: { verified: boolean; reason: string }; message: string };
    };
    const plain = await read(full('plain'));
    expect(plain.author).toMatchObject({ name: 'Fleet Bot', email: 'fleet-bot@example.invalid' });
    expect(plain.committer.email).toBe('fleet-bot@example.invalid');
    expect(plain.verification).toMatchObject({ verified: false, reason: 'unsigned' });
    expect(plain.message).not.toContain('Signed-off-by');
    const signed = await read(full('signoff'));
    expect(signed.message).toMatch(/\nImage-Build-Migrator-Result: [0-9a-f]{20}\nSigned-off-by: Fleet Bot <fleet-bot@example\.invalid>$/);
    // The configured identity is still how the bot knows its own commit: the next run leaves it.
    const again = await cli(f, []);
    expect(repoOf(again, full('signoff')).delivery).toMatchObject({ action: 'leave', status: 'current' });
    f.gh.assertClean();
  }, 180_000);
});
