/**
 * Fault matrix: the token goes only to the configured git host, and no fragment of it is printed (issue 8, item 6).
 * Each case drives the real CLI (a separate process) and checks the exit code, the one-line
 * message, the checkout (byte-identical or fully migrated), temp files and token fragments.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, TEST_TOKEN } from '../helpers/cli-process.ts';
import { ENV, expectClean, fresh } from '../helpers/fault-cases.ts';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.ts';
import { fakeRepository, startGitHubServer, type FakeGitHub } from '../helpers/github-server.ts';
import { makeBareRepo, SIMPLE_DOCKERFILE } from '../helpers/repos.ts';
import { NO_PACING } from '../helpers/pacing.ts';

describe('6. the token goes only to the configured git host, and no fragment of it is ever printed', () => {
  const dir = fresh();
  const gitRoot = path.join(dir, 'git');
  let gh: FakeGitHub;
  let git: GitHttpServer;
  beforeAll(async () => {
    makeBareRepo(gitRoot, 'rancher/image-build-good', { Dockerfile: SIMPLE_DOCKERFILE }, 'master');
    makeBareRepo(gitRoot, 'rancher/image-build-elsewhere', { Dockerfile: SIMPLE_DOCKERFILE }, 'master');
    git = await startGitHttpServer({ root: gitRoot, token: TEST_TOKEN });
    gh = await startGitHubServer();
    gh.on('repos/get-content', () => ({
      status: 200,
      contentType: 'application/vnd.github.raw',
      body: '# RKE2 dependencies\n\n## Hardened chart images\n\n- rancher/image-build-good\n- rancher/image-build-elsewhere\n- rancher/image-build-echo\n',
    }));
    gh.on('repos/get', ({ params, headers }) => {
      if (params.repo === 'image-build-echo') {
        // A server that echoes part of the Authorization header back in its error.
        const auth = String(headers.authorization ?? '');
        return { status: 403, body: { message: `Resource not accessible by ${auth.slice(0, 6 + 14)}…`, documentation_url: 'https://docs.github.com/rest', status: '403' } };
      }
      const host = params.repo === 'image-build-elsewhere' ? git.url.replace('127.0.0.1', 'localhost') : git.url;
      return { status: 200, body: fakeRepository({ owner: params.owner!, name: params.repo!, apiUrl: gh.url, cloneUrl: `${host}/${params.owner}/${params.repo}.git`, defaultBranch: 'master' }) };
    });
  });
  afterAll(async () => {
    await gh.close();
    await git.close();
  });

  it('a clone_url on another host fails alone naming the host; an echoed token prefix is masked', async () => {
    const config = path.join(dir, 'repos.yaml');
    writeFileSync(config, 'source:\n  type: github\n  list: { repo: rancher/ecm-distro-tools, path: docs/rke2-dependencies.md }\n');
    const out = fresh();
    const report = path.join(out, 'report.json');
    const summary = path.join(out, 'summary.md');
    const r = await runCli(['migrate', '--dry-run', '--repos', config, '--cache-dir', path.join(dir, 'cache'), '--report', report, '--json'], {
      env: { ...ENV, GITHUB_API_URL: gh.url, GITHUB_STEP_SUMMARY: summary, ...NO_PACING },
    });
    gh.assertClean();
    expectClean(r, 1, undefined, [out, path.join(dir, 'cache')]);
    const by = Object.fromEntries(JSON.parse(readFileSync(report, 'utf8')).repos.map((x: { name: string }) => [x.name, x]));
    expect(by['rancher/image-build-good']).toMatchObject({ outcome: 'would-change' });
    expect(by['rancher/image-build-elsewhere']).toMatchObject({ outcome: 'failed', step: 'clone', reason: expect.stringMatching(/clone URL is on localhost, not on the configured git host 127\.0\.0\.1/) });
    expect(by['rancher/image-build-echo']).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/403/) });
    // The refused host never got a request, let alone the token.
    expect(git.urls.filter((u) => u.includes('elsewhere'))).toEqual([]);
    expect(git.authorizations.length).toBeGreaterThan(0);
    // The echo really carried a token prefix (so the masking above was needed).
    expect(gh.requests.some((q) => q.authorization === `token ${TEST_TOKEN}`)).toBe(true);
  });
});
