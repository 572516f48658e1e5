import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NoBuilderError } from '../../src/timing/builder.ts';
import { probeBuilder } from '../../src/timing/probe.ts';

// Clients that answer `version` and `buildx version` the way the real ones do: what the probe
// decides from their answers is under test here (the real clients are in npm run test:build).
const dir = mkdtempSync(path.join(os.tmpdir(), 'ibm-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function client(name: string, versions: string, buildx: string | null): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    `#!/bin/sh
if [ "$1" = version ]; then echo "${versions}"; exit 0; fi
if [ "$1" = buildx ] && [ "$2" = version ]; then ${buildx === null ? `echo "docker: 'buildx' is not a docker command." >&2; exit 1` : `echo "${buildx}"; exit 0`}; fi
exit 3
`,
  );
  chmodSync(file, 0o755);
  return file;
}

describe('probeBuilder', () => {
  it('prefers buildx where the plugin answers', async () => {
    const b = await probeBuilder({ clients: [client('with-buildx', '28.2.2 28.2.2', 'github.com/docker/buildx v0.21.1 7c2359c')] });
    expect(b.info).toMatchObject({ kind: 'buildx', version: '0.21.1', engine: '28.2.2' });
  });

  it('skips a new client without buildx and takes an old one that drives BuildKit itself', async () => {
    const newer = client('newer', '28.2.2 20.10.24+dfsg1', null);
    const older = client('older', '20.10.24+dfsg1 20.10.24+dfsg1', null);
    const b = await probeBuilder({ clients: [newer, older] });
    expect(b.info).toEqual({ kind: 'docker', client: older, version: '20.10.24+dfsg1', engine: '20.10.24+dfsg1' });
  });

  it('fails with every reason and what to do when nothing can build', async () => {
    const newer = client('newer2', '28.2.2 20.10.24', null);
    const down = client('no-engine', '20.10.24 ', null);
    const err = await probeBuilder({ clients: [path.join(dir, 'missing'), newer, down] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoBuilderError);
    expect((err as Error).message).toBe(
      `no BuildKit builder: ${path.join(dir, 'missing')}: not found; ${newer}: client 28.2.2 hands builds to buildx, which is not installed; ${down}: the engine does not answer (). Run scripts/local-buildkit.sh up (or install docker buildx)`,
    );
  });
});

describe('probeBuilder and the buildx version', () => {
  it('takes buildx 0.13 (Debian trixie), the first Debian one with --progress=rawjson', async () => {
    const b = await probeBuilder({ clients: [client('trixie-buildx', '20.10.24+dfsg1 20.10.24+dfsg1', 'github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3')] });
    expect(b.info).toMatchObject({ kind: 'buildx', version: '0.13.1+ds1', engine: '20.10.24+dfsg1' });
  });

  it('passes over a buildx without rawjson: an old client then builds itself, a new one fails saying why', async () => {
    const old = client('old-buildx', '20.10.24 20.10.24', 'github.com/docker/buildx v0.11.2 9872040');
    expect((await probeBuilder({ clients: [old] })).info).toMatchObject({ kind: 'docker', version: '20.10.24' });
    const newer = client('new-old-buildx', '24.0.7 24.0.7', 'github.com/docker/buildx v0.11.2 9872040');
    const err = await probeBuilder({ clients: [newer] }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`no BuildKit builder: ${newer}: buildx 0.11.2 has no --progress=rawjson (needs >= 0.12). Run scripts/local-buildkit.sh up (or install docker buildx)`);
  });

  it("asks the clients with the environment it is given (a DOCKER_CONFIG holding the plugin)", async () => {
    const file = path.join(dir, 'config-aware');
    writeFileSync(file, `#!/bin/sh\nif [ "$1" = version ]; then echo "20.10.24 20.10.24"; exit 0; fi\nif [ "$1" = buildx ] && [ -n "$DOCKER_CONFIG" ]; then echo "github.com/docker/buildx 0.13.1+ds1 x"; exit 0; fi\nexit 1\n`);
    chmodSync(file, 0o755);
    const { DOCKER_CONFIG: _, ...env } = process.env;
    expect((await probeBuilder({ clients: [file], env })).info.kind).toBe('docker');
    expect((await probeBuilder({ clients: [file], env: { ...env, DOCKER_CONFIG: dir } })).info.kind).toBe('buildx');
  });
});
