/**
 * Timing builds run the fleet's Dockerfiles: the build client gets an environment with no
 * credential in it (issue 20 item 6). The CLI runs a real `migrate --local --timing` in a process
 * of its own, with the credentials a nightly job has, against stand-in docker clients (shell
 * scripts written here, not docker) that record the environment of every invocation.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, TEST_TOKEN } from '../helpers/cli-process.ts';
import { removeDir, runGit, SIMPLE_DOCKERFILE, tempDir, writeFiles } from '../helpers/repos.ts';
import { withoutCredentials } from '../../src/secrets/build-env.ts';

const dir = tempDir('ibm-build-env-');
afterAll(() => removeDir(dir));

/** The credentials of a nightly job (names and made-up values). */
const CREDENTIALS: Record<string, string> = {
  GITHUB_TOKEN: TEST_TOKEN,
  GH_TOKEN: `${TEST_TOKEN}gh`,
  GITHUB_APP_ID: '4242',
  GITHUB_APP_INSTALLATION_ID: '77',
  GITHUB_APP_PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\\nnot-a-real-key-but-a-secret-all-the-same\\n-----END RSA PRIVATE KEY-----',
  GITHUB_APP_PRIVATE_KEY_FILE: '/run/secrets/app-key-file.pem',
  ACTIONS_RUNTIME_TOKEN: 'runtime-token-value-123',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'id-token-request-value-456',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.example.invalid/oidc?token-url-789',
  NPM_TOKEN: 'npm-token-value-abc',
  AWS_SECRET_ACCESS_KEY: 'aws-secret-value-def',
  REGISTRY_PASSWORD: 'registry-password-ghi',
  SSH_AUTH_SOCK: '/tmp/ssh-agent.sock',
  GITHUB_ENV: '/tmp/github-env-file',
  GITHUB_OUTPUT: '/tmp/github-output-file',
};
/** What a client needs and keeps. */
const KEPT: Record<string, string> = {
  DOCKER_CONFIG: path.join(dir, 'docker-config'),
  DOCKER_HOST: 'unix:///tmp/stand-in-docker.sock',
  BUILDX_BUILDER: 'stand-in-builder',
};

/** A stand-in docker client: appends its argv and environment to `dump`, then answers as `kind` would. */
function standIn(kind: 'docker' | 'buildx'): { client: string; dump: string } {
  const client = path.join(dir, `stand-in-${kind}`);
  const dump = path.join(dir, `${kind}.env`);
  const [versions, buildx] = kind === 'docker' ? ['20.10.24 20.10.24', 'echo "docker: \'buildx\' is not a docker command." >&2; exit 1'] : ['28.2.2 28.2.2', 'echo "github.com/docker/buildx v0.21.1 7c2359c"; exit 0'];
  writeFileSync(
    client,
    `#!/bin/sh
# A stand-in for the docker client (not docker): it records what it was run with.
{ echo "=== argv: $*"; env; } >> '${dump}'
if [ "$1" = version ]; then echo "${versions}"; exit 0; fi
if [ "$1" = buildx ] && [ "$2" = version ]; then ${buildx}; fi
exit 0
`,
  );
  chmodSync(client, 0o755);
  writeFileSync(dump, '');
  return { client, dump };
}

function checkout(): string {
  const work = tempDir('ibm-build-env-checkout-');
  runGit(work, ['init', '-q', '--initial-branch=main']);
  writeFiles(work, { Dockerfile: SIMPLE_DOCKERFILE });
  runGit(work, ['add', 'Dockerfile']);
  runGit(work, ['commit', '-q', '-m', 'initial']);
  return work;
}

describe('timing builds get an environment without credentials', () => {
  for (const kind of ['docker', 'buildx'] as const) {
    it(`${kind}: no credential reaches the build client; what it needs does`, async () => {
      const { client, dump } = standIn(kind);
      const work = checkout();
      try {
        const r = await runCli(['migrate', '--local', work, '--dry-run', '--timing', '--platforms', 'linux/amd64', '--timing-store', path.join(dir, `store-${kind}`)], {
          env: { DOCKER: client, ...CREDENTIALS, ...KEPT },
        });
        const text = readFileSync(dump, 'utf8');
        const runs = text.split('=== argv: ').filter(Boolean);
        // The probe and the builds themselves (prune, build) all ran through the stand-in.
        expect(runs.map((x) => x.split('\n')[0]).join('\n'), r.stderr).toMatch(new RegExp(kind === 'docker' ? '^build --progress=plain' : '^buildx build --progress=rawjson', 'm'));
        for (const run of runs) {
          const names = run.split('\n').slice(1).map((l) => /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(l)?.[1]).filter(Boolean);
          for (const name of Object.keys(CREDENTIALS)) expect(names, `${name} in ${run.split('\n')[0]}`).not.toContain(name);
          for (const [name, value] of Object.entries(KEPT)) expect(run, name).toContain(`${name}=${value}\n`);
          expect(names).toContain('PATH');
          expect(names).toContain('HOME');
        }
        for (const [name, value] of Object.entries(CREDENTIALS)) if (value.length >= 8) expect(text.includes(value), `the value of ${name}`).toBe(false);
      } finally {
        removeDir(work);
      }
    });
  }

  it('withoutCredentials removes by name and by registered value, and copies', () => {
    const env: NodeJS.ProcessEnv = { ...CREDENTIALS, ...KEPT, PATH: '/usr/bin', HOME: '/home/x', HTTPS_PROXY: 'http://proxy:3128', DOCKER_BUILDKIT: '1' };
    const clean = withoutCredentials(env);
    expect(clean).toEqual({ ...KEPT, PATH: '/usr/bin', HOME: '/home/x', HTTPS_PROXY: 'http://proxy:3128', DOCKER_BUILDKIT: '1' });
    expect(env.GITHUB_TOKEN).toBe(TEST_TOKEN);
  });
});
