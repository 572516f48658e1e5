import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseReposConfig } from '../../src/config/repos-config.ts';
import { discoverRepos } from '../../src/discovery/discover.ts';
import { GitHubPlatform } from '../../src/platform/github.ts';
import { createPlatformClient } from '../../src/platform/octokit.ts';
import { clearSecrets } from '../../src/secrets/redact.ts';
import { NO_PACING_OPTIONS } from '../helpers/pacing.ts';
import { fakeRepository, notFound, startGitHubServer, type FakeGitHub, type FakeResponse } from '../helpers/github-server.ts';

const LIST = `# RKE2 dependencies

## Hardened chart images

- rancher/image-build-alpha
- rancher/image-build-beta
- rancher/image-build-$(id)
- rancher/not-image-build

## Mirrored chart images

- mirrored-thing
`;

const SCRIPT = `#!/bin/sh\nREPOS="rancher/image-build-alpha\nrancher/image-build-gamma"\nfor r in $REPOS; do echo $r; done\n`;

// A fake token, assembled so that secret scanners do not take the source for a leak.
const TOKEN = ['ghp', '0123456789abcdefghijABCDEFGHIJ012345'].join('_');

/** The run's one platform client (src/platform), as the fleet builds it for discovery; it waits no real time before a retry. */
const client = async (apiUrl: string, token?: string, log?: (line: string) => void) =>
  new GitHubPlatform(await createPlatformClient({ apiUrl, serverUrl: 'https://github.com', auth: token ? { kind: 'token', token } : { kind: 'none' }, pacing: NO_PACING_OPTIONS, log }));

describe('discovery against a GitHub that follows the OpenAPI description', () => {
  let gh: FakeGitHub;
  let ghe: FakeGitHub;
  let rateLimited = 0;
  beforeAll(async () => {
    const contents = (req: { params: Record<string, string>; query: Record<string, string> }): FakeResponse => {
      if (req.params.owner !== 'rancher' || req.params.repo !== 'ecm-distro-tools' || req.query.ref !== 'master') return notFound();
      if (req.params.path === 'docs/rke2-dependencies.md') return { status: 200, contentType: 'application/vnd.github.raw', body: LIST };
      if (req.params.path === 'bin/clone_image_build_repos.sh') return { status: 200, contentType: 'application/vnd.github.raw', body: SCRIPT };
      return notFound();
    };
    gh = await startGitHubServer({ routes: { 'repos/get-content': contents } });
    ghe = await startGitHubServer({ prefix: '/api/v3', routes: { 'repos/get-content': contents } });
    for (const server of [gh, ghe]) {
      server.on('repos/get', ({ params }) => {
        if (params.repo === 'image-build-missing') return notFound();
        if (params.repo === 'image-build-limited' && rateLimited++ === 0) {
          return { status: 403, headers: { 'retry-after': '1' }, body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest' } };
        }
        return { status: 200, body: fakeRepository({ owner: params.owner!, name: params.repo!, apiUrl: server.url, cloneUrl: `https://git.example/${params.owner}/${params.repo}.git`, archived: params.repo === 'image-build-old', defaultBranch: 'main' }) };
      });
    }
  });
  afterEach(() => {
    gh.assertClean();
    ghe.assertClean();
    clearSecrets();
  });
  afterAll(async () => {
    await gh.close();
    await ghe.close();
  });

  const config = (yaml: string) => parseReposConfig(yaml, 'repos.yaml', '/virtual/repos.yaml');

  it('reads the markdown list raw, filters by pattern, merges include/exclude, rejects bad names alone', async () => {
    const c = config(`source:
  type: github
  list: { repo: rancher/ecm-distro-tools, ref: master, path: docs/rke2-dependencies.md }
include: [rancher/image-build-extra, rancher/image-build-alpha]
exclude: [rancher/image-build-beta]
repos:
  rancher/image-build-gone: { skip: was removed }
`);
    const d = await discoverRepos(c, { platform: await client(gh.url) });
    expect(d.errors).toEqual([]);
    expect(d.targets.map((t) => [t.repo.full, t.origins])).toEqual([
      ['rancher/image-build-alpha', ['list', 'include']],
      ['rancher/image-build-extra', ['include']],
    ]);
    expect(d.excluded).toEqual([
      { name: 'rancher/image-build-beta', reason: 'listed in exclude' },
      { name: 'rancher/not-image-build', reason: 'does not match namePattern image-build-*' },
    ]);
    expect(d.rejected).toHaveLength(1);
    expect(d.rejected[0]!.name).toBe('rancher/image-build-$(id)');
    expect(d.rejected[0]!.reason).toMatch(/invalid repository name/);
    expect(d.notes).toEqual(['repos.yaml has settings for rancher/image-build-gone, which is not in the fleet']);
    const raw = gh.requests.find((r) => r.operationId === 'repos/get-content');
    expect(raw?.accept).toContain('application/vnd.github.raw');
    expect(raw?.authorization).toBeUndefined();
    expect(gh.writes()).toEqual([]);
  });

  it('reads the shell list through a GitHub Enterprise base URL, with the token as a header', async () => {
    const c = config(`source:
  type: github
  list: { repo: rancher/ecm-distro-tools, ref: master, path: bin/clone_image_build_repos.sh }
`);
    const d = await discoverRepos(c, { platform: await client(ghe.url, TOKEN) });
    expect(d.targets.map((t) => t.repo.full)).toEqual(['rancher/image-build-alpha', 'rancher/image-build-gamma']);
    const req = ghe.requests.at(-1)!;
    expect(req.url.startsWith('/api/v3/repos/rancher/ecm-distro-tools/contents/')).toBe(true);
    expect(req.authorization).toBe(`token ${TOKEN}`);
  });

  it('keeps going with include when the list cannot be read, and says why without secrets', async () => {
    const c = config(`source:
  type: github
  list: { repo: rancher/ecm-distro-tools, ref: master, path: docs/missing.md }
include: [rancher/image-build-alpha]
`);
    const d = await discoverRepos(c, { platform: await client(gh.url, TOKEN) });
    expect(d.targets.map((t) => t.repo.full)).toEqual(['rancher/image-build-alpha']);
    expect(d.errors).toHaveLength(1);
    expect(d.errors[0]).toMatch(/cannot read the repository list rancher\/ecm-distro-tools:docs\/missing\.md: Not Found/);
    expect(d.errors[0]).not.toContain(TOKEN);
  });

  it('looks up repositories: ok, archived, missing, and waits out a rate limit for as long as retry-after says', async () => {
    const logged: string[] = [];
    const platform = await client(gh.url, TOKEN, (line) => logged.push(line));
    const repo = (name: string) => ({ owner: 'rancher', name, full: `rancher/${name}` });
    expect(await platform.repository(repo('image-build-alpha'))).toEqual({ status: 'ok', cloneUrl: 'https://git.example/rancher/image-build-alpha.git', defaultBranch: 'main' });
    expect(await platform.repository(repo('image-build-old'))).toEqual({ status: 'archived', defaultBranch: 'main' });
    expect(await platform.repository(repo('image-build-missing'))).toMatchObject({ status: 'missing' });
    expect(await platform.repository(repo('image-build-limited'))).toMatchObject({ status: 'ok' });
    expect(rateLimited).toBe(2);
    // The wait the client chose: the answer's retry-after (1 s), not plugin-throttling's 60 s fallback.
    expect(logged).toEqual([`GitHub secondary rate limit on GET /repos/{owner}/{repo}: waiting 1s`]);
    expect(gh.writes()).toEqual([]);
  });
});
