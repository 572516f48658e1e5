/**
 * What the end-to-end build test and `npm run bench:build` share: the images of the local build
 * world (scripts/local-buildkit.sh), the beacon example migrated by the bot into a scratch copy,
 * and reading a file out of a built image.
 */
import { cp, mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateCheckout } from '../src/migrate/checkout.ts';
import { DEFAULT_OPTIONS } from '../src/migrate/types.ts';
import { recipes } from '../migrations/index.ts';
import { runProcess } from '../src/timing/run-process.ts';
import { readBuildFiles } from '../src/dockerfile/build-files.ts';
import { timedBuildArgs } from '../src/timing/build-args.ts';
import type { TimingSection } from '../src/timing/measure.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REGISTRY = '127.0.0.1:5000';
export const LOCAL_IMAGES = {
  go: `${REGISTRY}/hardened-build-base:v1.19.8b1`,
  xx: `${REGISTRY}/mirrored-tonistiigi-xx:1.6.1`,
  runtime: `${REGISTRY}/busybox:1.35`,
};
/**
 * The example Dockerfiles name the real images in their ARG defaults; these point them here. (Their
 * upstream sources need no build-arg: the Go image routes github.com and GOPROXY to the build
 * world's stand-in servers.)
 */
export const LOCAL_BUILD_ARGS = { GO_IMAGE: LOCAL_IMAGES.go, RUNTIME_IMAGE: LOCAL_IMAGES.runtime, BCI_IMAGE: LOCAL_IMAGES.runtime, XX_IMAGE: LOCAL_IMAGES.xx };

/** scripts/local-buildkit.sh's state folder (IBM_BUILDKIT_STATE, as the script reads it). */
export const BUILDKIT_STATE = process.env.IBM_BUILDKIT_STATE ?? '/var/tmp/ibm-buildkit';
/**
 * The environment in which `docker buildx` finds the plugin local-buildkit.sh installed (Debian
 * trixie's docker-buildx): a DOCKER_CONFIG of its own, so builds opt in to buildx.
 */
export const BUILDX_ENV: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: path.join(BUILDKIT_STATE, 'docker-config') };

/** Fail loudly, with what to do, when the build world is not there. */
export async function requireWorld(): Promise<void> {
  const p = await runProcess('bash', [path.join(ROOT, 'scripts/local-buildkit.sh'), 'status'], { timeoutMs: 60_000 });
  if (p.code !== 0) {
    throw new Error(`the local build world is not ready (run: sudo scripts/local-buildkit.sh up):\n${p.stderr.trim()}`);
  }
}

export interface MigratedExample {
  dir: string;
  before: string;
  after: string;
  /** What `migrate --timing` gives each variant's builds from its build files (src/timing/build-args.ts). */
  buildArgs: { before: Record<string, string>; after: Record<string, string> };
}

/** The example's Dockerfile before and after, as `migrate --timing` times it (same inputs, same digest). */
export function exampleSection(ex: MigratedExample): TimingSection {
  return {
    dockerfile: 'Dockerfile',
    before: { text: ex.before, contextDir: ex.dir, buildArgs: ex.buildArgs.before },
    after: { text: ex.after, contextDir: ex.dir, buildArgs: ex.buildArgs.after },
  };
}

/** Copy an example repository to a scratch folder and migrate it there with the bot. */
export async function migrateExample(name: string): Promise<MigratedExample> {
  const dir = path.join(await mkdtemp(path.join(os.tmpdir(), `ibm-${name}-`)), name);
  await cp(path.join(ROOT, 'examples/repos', name), dir, { recursive: true });
  const before = await readFile(path.join(dir, 'Dockerfile'), 'utf8');
  const report = await migrateCheckout(dir, { ...DEFAULT_OPTIONS, xxImage: LOCAL_IMAGES.xx }, recipes);
  if (report.outcome === 'failed') throw new Error(`${name}: the migration failed: ${report.files.map((f) => f.error?.message).filter(Boolean).join('; ')}`);
  const after = await readFile(path.join(dir, 'Dockerfile'), 'utf8');
  const buildArgs = { before: timedBuildArgs(await readBuildFiles(path.join(ROOT, 'examples/repos', name))), after: timedBuildArgs(await readBuildFiles(dir)) };
  return { dir, before, after, buildArgs };
}

/** A file of an image, read with `docker create` + `docker cp` (no need to run the image). */
export async function fileFromImage(docker: string, image: string, file: string): Promise<Buffer> {
  const created = await runProcess(docker, ['create', image, '/nothing'], { timeoutMs: 60_000 });
  if (created.code !== 0) throw new Error(`docker create ${image}: ${created.stderr.trim()}`);
  const id = created.stdout.trim();
  try {
    const tar = await runBinary(docker, ['cp', `${id}:${file}`, '-']);
    return untarFirst(tar);
  } finally {
    await runProcess(docker, ['rm', id], { timeoutMs: 60_000 });
  }
}

function runBinary(cmd: string, args: string[]): Promise<Buffer> {
  return import('node:child_process').then(
    ({ execFile }) =>
      new Promise((resolve, reject) =>
        execFile(cmd, args, { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.toString()}`)) : resolve(stdout))),
      ),
  );
}

/** The content of the first entry of a tar stream (docker cp of one file). */
export function untarFirst(tar: Buffer): Buffer {
  const size = parseInt(tar.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim(), 8);
  return tar.subarray(512, 512 + size);
}

/** e_machine of an ELF header, by name: what `file` and xx-verify look at. */
export function elfMachine(bin: Buffer): string {
  if (bin.subarray(0, 4).toString('latin1') !== '\x7fELF') return 'not ELF';
  const machine = bin[5] === 2 ? bin.readUInt16BE(18) : bin.readUInt16LE(18);
  return { 0x3e: 'x86-64', 0xb7: 'aarch64', 0x28: 'arm', 0x03: 'i386' }[machine] ?? `machine 0x${machine.toString(16)}`;
}
