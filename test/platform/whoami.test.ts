// Who the bot is on GitHub, asked the way GitHub answers each kind of credential: what `review --pr`
// trusts its own earlier comments by.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { createPlatformClient, platformEnvFrom } from '../../src/platform/octokit.ts';
import { clearSecrets } from '../../src/secrets/redact.ts';
import { appEnv, appKeys, INSTALLATION_ID, APP_ID, WORKFLOW_PERMISSIONS } from '../helpers/github-app.ts';
import { NO_PACING } from '../helpers/pacing.ts';

const TOKEN = ['ghp', 'whoamiTestToken0123456789abcdefABCDEFGH'].join('_');

describe('PlatformClient.whoami', () => {
  const keys = appKeys();
  let gh: LocalGitHub;
  beforeAll(async () => {
    gh = await LocalGitHub.start({ tokens: { [TOKEN]: 'a-maintainer' }, app: { id: APP_ID, publicKey: keys.publicKey, installationId: INSTALLATION_ID, permissions: WORKFLOW_PERMISSIONS } });
  });
  afterAll(async () => {
    clearSecrets();
    await gh.close();
  });
  const client = async (env: Record<string, string>) => createPlatformClient(await platformEnvFrom({ GITHUB_API_URL: gh.url, ...NO_PACING, ...env }));

  it('a token: its user; a GitHub App: <slug>[bot]; an installation token as a plain token: unknown', async () => {
    expect(await (await client({ GITHUB_TOKEN: TOKEN })).whoami()).toBe('a-maintainer');
    const app = await client(appEnv(keys));
    expect(await app.whoami()).toBe('image-build-migrator[bot]');
    // Actions hands a step such a token (GITHUB_TOKEN): GitHub refuses /user to it.
    const installation = (await app.gitToken())!;
    expect(await (await client({ GITHUB_TOKEN: installation })).whoami()).toBeUndefined();
    gh.assertClean();
  });

  it("an installation token with GITHUB_BOT_LOGIN (the login `migrate token` outputs beside it): that login, with no call to /user", async () => {
    const app = await client(appEnv(keys));
    const installation = (await app.gitToken())!;
    const calls = gh.api.requests.length;
    expect(await (await client({ GITHUB_TOKEN: installation, GITHUB_BOT_LOGIN: 'image-build-migrator[bot]' })).whoami()).toBe('image-build-migrator[bot]');
    expect(gh.api.requests.length).toBe(calls);
    // Without a token it names nothing: the App's own login comes from GET /app.
    expect(await (await client({ ...appEnv(keys), GITHUB_BOT_LOGIN: 'someone-else' })).whoami()).toBe('image-build-migrator[bot]');
    gh.assertClean();
  });
});
