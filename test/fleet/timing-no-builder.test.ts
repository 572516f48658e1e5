// --timing on a machine without a BuildKit builder: the run stops before cloning anything and says
// what to set up, instead of failing every repository at its timing step after migrating it.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFleet } from '../../src/fleet/run.ts';
import { clearSecrets } from '../../src/secrets/redact.ts';
import { Capture } from '../helpers/streams.ts';
import { startFleet, TOKEN, WIDGET, type Fleet } from '../delivery/fleet.ts';
import { NO_PACING } from '../helpers/pacing.ts';

describe('--timing without a builder', () => {
  let f: Fleet;
  let code: number;
  const out = new Capture();
  const err = new Capture();

  beforeAll(async () => {
    f = await startFleet({ 'rancher/image-build-widget': WIDGET });
    try {
      code = await runFleet({
        reposFile: f.reposFile,
        dryRun: true,
        cacheDir: path.join(f.dir, 'cache'),
        out,
        err,
        live: false,
        // No engine answers on this socket, so every docker client the probe tries fails.
        env: { PATH: process.env.PATH, HOME: process.env.HOME, DOCKER_HOST: `unix://${path.join(f.dir, 'no-engine.sock')}`, GITHUB_API_URL: f.gh.url, GITHUB_SERVER_URL: f.gh.serverUrl, GITHUB_TOKEN: TOKEN, ...NO_PACING, CI: '1' },
        timing: { buildArgs: {}, storeDir: path.join(f.dir, 'store') },
      });
    } finally {
      clearSecrets();
    }
  });
  afterAll(() => f.close());

  it('exits 2 before cloning, naming the missing builder and the way out', () => {
    expect(code).toBe(2);
    expect(err.text).toMatch(/error: --timing: no BuildKit builder: .*scripts\/local-buildkit\.sh up.*nothing was cloned/);
    expect(existsSync(path.join(f.dir, 'cache'))).toBe(false);
    expect(existsSync(path.join(f.dir, 'store'))).toBe(false);
    expect(f.gh.writeCalls()).toHaveLength(0);
  });
});
