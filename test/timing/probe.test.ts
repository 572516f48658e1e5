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
