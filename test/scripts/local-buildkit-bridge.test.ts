// The address the build world's stand-in servers listen on, as scripts/local-buildkit.sh finds
// it. dockerd 20.10 was seen on a fresh machine reporting the default bridge with a Subnet and no
// Gateway; the script then started git-daemon on an empty address and CI stopped. A stand-in
// `docker` client (and `ip`) answers each shape dockerd and the kernel were seen to give.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '../../scripts/local-buildkit.sh');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder with a stand-in `docker` printing what dockerd's IPAM config gives, and optionally `ip`. */
function world(ipam: { gateway?: string; subnet?: string }, docker0?: string): { env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'ibm-bridge-'));
  dirs.push(dir);
  // Only the two fields bridge_ip asks for, each through its Go template.
  const docker = `#!/bin/sh
# STAND-IN docker client for this test: answers \`network inspect bridge --format ...\` only.
case "$*" in
  *'network inspect bridge'*Gateway*) printf '%s\\n' '${ipam.gateway ?? ''}' ;;
  *'network inspect bridge'*Subnet*) printf '%s\\n' '${ipam.subnet ?? ''}' ;;
  *) exit 1 ;;
esac
`;
  writeFileSync(join(dir, 'docker'), docker);
  chmodSync(join(dir, 'docker'), 0o755);
  const bin = join(dir, 'bin');
  execFileSync('mkdir', ['-p', bin]);
  // `ip` exists on the path only when the case gives docker0 an address: otherwise a stand-in that fails.
  const ipScript = docker0
    ? `#!/bin/sh\nprintf '5: docker0    inet %s brd 172.17.255.255 scope global docker0\\\\       valid_lft forever\\n' '${docker0}'\n`
    : '#!/bin/sh\nexit 1\n';
  writeFileSync(join(bin, 'ip'), ipScript);
  chmodSync(join(bin, 'ip'), 0o755);
  return { env: { ...process.env, IBM_BUILDKIT_DOCKER: join(dir, 'docker'), IBM_BUILDKIT_STATE: dir, PATH: `${bin}:${process.env.PATH}` } };
}

const run = (env: NodeJS.ProcessEnv) => spawnSync('bash', [SCRIPT, 'bridge-ip'], { env, encoding: 'utf8' });

describe('local-buildkit.sh finds the docker bridge address', () => {
  it('uses the Gateway when dockerd reports one', () => {
    const r = run(world({ gateway: '172.17.0.1', subnet: '172.17.0.0/16' }, '10.9.9.9/16').env);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('172.17.0.1');
  });
  it('falls back to the docker0 interface when the Gateway is missing', () => {
    const r = run(world({ subnet: '172.17.0.0/16' }, '172.31.0.1/16').env);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('172.31.0.1');
  });
  it('falls back to the subnet first address when neither Gateway nor docker0 tells', () => {
    const r = run(world({ subnet: '172.18.0.0/16' }).env);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('172.18.0.1');
  });
  it('stops with an error naming what it read when nothing tells the address', () => {
    const r = run(world({}).env);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("cannot find the docker bridge's address");
  });
});
