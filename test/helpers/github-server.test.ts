// The fake must itself be able to fail: otherwise tests built on it prove nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeRepository, notFound, startGitHubServer, type FakeGitHub } from './github-server.ts';

describe('fake GitHub server', () => {
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await startGitHubServer();
    gh.on('repos/get', ({ params }) => {
      if (params.repo === 'bad-response') return { status: 200, body: { name: 'missing everything else' } };
      if (params.repo === 'undocumented-status') return { status: 418, body: {} };
      if (params.repo === 'missing') return notFound();
      return { status: 200, body: fakeRepository({ owner: params.owner!, name: params.repo!, apiUrl: gh.url, cloneUrl: 'https://git.example/x.git' }) };
    });
  });
  afterAll(() => gh.close());

  const get = (path: string, init: RequestInit = {}) => fetch(`${gh.url}${path}`, init);

  it('serves a conforming response', async () => {
    const before = gh.violations.length;
    const res = await get('/repos/rancher/image-build-x');
    expect(res.status).toBe(200);
    expect((await res.json()).full_name).toBe('rancher/image-build-x');
    expect(gh.violations.length).toBe(before);
    const nf = await get('/repos/rancher/missing');
    expect(nf.status).toBe(404);
    expect(gh.violations.length).toBe(before);
  });

  it('flags a response body that breaks the schema', async () => {
    const res = await get('/repos/rancher/bad-response');
    expect(res.status).toBe(500);
    expect(gh.violations.at(-1)).toMatch(/response does not conform to repos\/get: body: .*must have required property/);
  });

  it('flags an undocumented status, an unknown endpoint, an unserved operation, bad query and headers', async () => {
    const n = gh.violations.length;
    await get('/repos/rancher/undocumented-status');
    await get('/not/an/endpoint');
    await get('/repos/rancher/x/pulls');
    await get('/repos/rancher/x?foo=1');
    await get('/repos/rancher/x', { headers: { accept: 'application/vnd.github.raw+json' } });
    await get('/repos/rancher/x', { method: 'DELETE' });
    const added = gh.violations.slice(n);
    expect(added).toHaveLength(6);
    expect(added[0]).toMatch(/status 418 is not documented/);
    expect(added[1]).toMatch(/not an endpoint/);
    expect(added[2]).toMatch(/pulls\/list is not served/);
    expect(added[3]).toMatch(/undocumented query parameter foo/);
    expect(added[4]).toMatch(/not a documented media type of repos\/get/);
    expect(added[5]).toMatch(/repos\/delete is not served/);
    expect(gh.writes().map((w) => w.method)).toEqual(['DELETE']);
    expect(() => gh.assertClean()).toThrow(/non-conforming/);
    gh.violations.length = 0;
  });
});
