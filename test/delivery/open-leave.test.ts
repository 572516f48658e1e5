// Delivery through the real CLI against the local GitHub: open once, then leave it alone.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMarker } from '../../src/delivery/marker.ts';
import { cli, repoOf, SIMPLE_DOCKERFILE, SPROCKET, startFleet, TOKEN, WIDGET, type Fleet } from './fleet.ts';

describe('delivery: one PR per repository, opened once, left alone when current', () => {
  let f: Fleet;
  beforeAll(async () => {
    f = await startFleet({ 'rancher/image-build-widget': WIDGET, 'rancher/image-build-alpha': { Dockerfile: SIMPLE_DOCKERFILE }, 'rancher/image-build-sprocket': SPROCKET });
  });
  afterAll(() => f.close());

  it('without a token and without --dry-run: stops at once with a clear error, clones nothing', async () => {
    const r = await cli(f, [], { token: null, cacheDir: path.join(f.dir, 'no-token-cache') });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/needs GITHUB_TOKEN \(or a GitHub App.*nothing was cloned.*--dry-run/);
    expect(f.gh.api.requests).toHaveLength(0);
    expect(existsSync(path.join(f.dir, 'no-token-cache', 'rancher'))).toBe(false);
  });

  it('--dry-run: zero write calls and zero pushes', async () => {
    const r = await cli(f, ['--dry-run']);
    expect(r.code).toBe(0);
    expect(f.gh.writeCalls()).toEqual([]);
    expect(f.gh.api.git!.receivePackRequests).toBe(0);
    expect(r.report.pushes).toBe(0);
    f.gh.assertClean();
  });

  it('--plan: says open for the repositories that need it, with read calls only', async () => {
    const r = await cli(f, ['--plan']);
    expect(r.code).toBe(0);
    expect(repoOf(r, 'rancher/image-build-widget').delivery).toMatchObject({ action: 'open', status: 'opened' });
    expect(repoOf(r, 'rancher/image-build-alpha').delivery).toMatchObject({ action: 'open' });
    expect(repoOf(r, 'rancher/image-build-sprocket').delivery).toMatchObject({ action: 'leave', status: 'not-needed' });
    expect(f.gh.writeCalls()).toEqual([]);
    expect(f.gh.api.git!.receivePackRequests).toBe(0);
    expect(r.out).toContain('Plan only');
    f.gh.assertClean();
  });

  it('first run: pushes one commit on the default branch and opens one PR per migratable repository', async () => {
    const r = await cli(f, []);
    f.gh.assertClean();
    expect(r.code).toBe(0);
    for (const name of ['rancher/image-build-widget', 'rancher/image-build-alpha']) {
      const d = repoOf(r, name).delivery!;
      expect(d).toMatchObject({ action: 'open', status: 'opened' });
      const pulls = f.gh.pullsOf(name);
      expect(pulls).toHaveLength(1);
      const pr = pulls[0]!;
      expect(pr).toMatchObject({ state: 'open', head: 'cross-compile/xx', base: 'main', draft: true, labels: ['cross-compilation'], requested_reviewers: [], user: 'image-build-migrator[bot]' });
      // One commit by the bot on top of the default branch, holding the migrated Dockerfile.
      expect(f.gh.branchAuthors(name, 'cross-compile/xx')).toEqual(['image-build-migrator@users.noreply.github.com']);
      expect(f.gh.fileAt(name, 'cross-compile/xx', 'Dockerfile')).toContain('FROM --platform=$BUILDPLATFORM');
      const marker = parseMarker(pr.body)!;
      expect(marker.pushed).toBe(f.gh.branchSha(name, 'cross-compile/xx'));
      expect(marker.base).toBe(f.gh.branchSha(name, 'main'));
      expect(pr.body).toContain('Not measured:');
      // How to check it: one platform per build (the default docker driver), before = the base, after = the bot's commit.
      const short = name.split('/')[1]!;
      expect(pr.body).toContain(`git worktree add ../${short}-before ${marker.base}`);
      expect(pr.body).toContain(`git worktree add ../${short}-after ${marker.pushed}`);
      expect(pr.body).toContain('docker buildx build --load --platform linux/$arch');
      expect(pr.body).not.toContain('--platform linux/amd64,linux/arm64');
      // Reasons link the PR's own lines (the bot's one commit), never the base's.
      expect(pr.body).toContain(`${f.gh.serverUrl}/${name}/commit/${marker.pushed}#diff-`);
      expect(pr.body).not.toContain(`/blob/${marker.base}/`);
      for (const section of ['### What changed, and why', '### Behaviour changes', '### Verified', '### Build time', '### How to check it yourself', '### The bot on this repository']) expect(pr.body).toContain(section);
      expect(pr.body).toContain('- [ ] <!-- image-build-migrator:rebase -->');
      expect(d.pr?.url).toBe(`${f.gh.serverUrl}/${name}/pull/${pr.number}`);
    }
    expect(f.gh.pullsOf('rancher/image-build-sprocket')).toEqual([]);
    expect(f.gh.branchSha('rancher/image-build-sprocket', 'cross-compile/xx')).toBeUndefined();
    expect(r.report.pushes).toBe(2);
    expect(f.gh.pushes.filter((p) => p.status === 200)).toHaveLength(2);
  });

  it('second run: the PRs are current, zero write calls, at most 4 API calls per repository', async () => {
    const before = f.gh.writeCalls().length;
    const r = await cli(f, []);
    f.gh.assertClean();
    expect(r.code).toBe(0);
    expect(f.gh.writeCalls().slice(before)).toEqual([]);
    for (const name of ['rancher/image-build-widget', 'rancher/image-build-alpha']) {
      expect(repoOf(r, name).delivery).toMatchObject({ action: 'leave', status: 'current' });
      const calls = repoOf(r, name).apiCalls!;
      expect(calls.calls).toBeLessThanOrEqual(4);
    }
    expect(r.report.pushes).toBe(0);
    expect(f.gh.pullsOf('rancher/image-build-widget')).toHaveLength(1);
  });

  it('third run: the PR list is a conditional read answered 304; the token appears in no output, report, PR body, comment or .git/config', async () => {
    const r = await cli(f, []);
    for (const name of ['rancher/image-build-widget', 'rancher/image-build-alpha']) expect(repoOf(r, name).apiCalls).toEqual({ calls: 1, notModified: 1 });
    const basic = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
    const texts = [r.out, r.err, JSON.stringify(r.report)];
    for (const name of ['rancher/image-build-widget', 'rancher/image-build-alpha']) {
      for (const pr of f.gh.pullsOf(name)) texts.push(pr.body, ...pr.comments.map((c) => c.body));
      texts.push(readFileSync(path.join(f.dir, 'cache', name, '.git', 'config'), 'utf8'));
    }
    for (const file of readdirSync(f.dir).filter((x) => x.endsWith('.json'))) texts.push(readFileSync(path.join(f.dir, file), 'utf8'));
    for (const t of texts) {
      expect(t).not.toContain(TOKEN);
      expect(t).not.toContain(basic);
    }
    // Git saw the token only as a header, never in a URL.
    expect(f.gh.api.git!.urls.some((u) => u.includes(TOKEN))).toBe(false);
    expect(f.gh.api.git!.authorizations.every((a) => a === `Basic ${basic}`)).toBe(true);
  });
});
