/**
 * The CLI as a user runs it: a separate node process (src/cli.ts, bundled once per run by
 * test/setup/cli-bundle.ts), its exit code, stdout and stderr; and the checks every fault case makes on what it left behind: the tree
 * byte for byte (contents, modes, symlink targets), stray temp files, leaked secret fragments.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A fake GitHub token, different on every run, assembled so secret scanners do not flag the source. */
export const TEST_TOKEN = ['ghp', randomBytes(27).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 36)].join('_');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The bundled CLI; missing only when this helper runs outside vitest.config.ts, which builds it. */
function cliBundle(): string {
  const file = inject('cliBundle');
  if (!file) throw new Error('no CLI bundle: run the tests through vitest.config.ts, whose globalSetup (test/setup/cli-bundle.ts) builds it');
  return file;
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, CI: '1', NO_COLOR: '1', ...opts.env };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliBundle(), ...args],
      { cwd: opts.cwd ?? ROOT, env, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * The CLI as a process that can be watched or killed half way, like a nightly job on its runner.
 * It runs in `cwd`, a folder of its own: the bundle's imports resolve from where it lies, not from there.
 */
export function spawnCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [cliBundle(), ...args], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CI: '1', NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c) => (stdout += String(c)));
  child.stderr!.on('data', (c) => (stderr += String(c)));
  return { child, done: new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr }))) };
}

/** Every entry under `dir` with its mode and content (or link target): equal snapshots mean byte-identical. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = path.join(d, n);
      const rel = path.relative(dir, p);
      const st = lstatSync(p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out[rel] = `link ${readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[rel] = `dir ${mode}`;
        walk(p);
      } else if (st.isFile()) out[rel] = `file ${mode} ${readFileSync(p).toString('base64')}`;
      else out[rel] = `special ${mode}`;
    }
  };
  walk(dir);
  return out;
}

/** Temp files the tool may have left under `dir` (ours are `.NAME.ibm-tmp-XXXX`; older ones `*.tmp`). */
export function strayTemps(dir: string): string[] {
  return Object.keys(snapshotTree(dir)).filter((rel) => /ibm-tmp-|\.tmp$|\.ibm-/.test(path.basename(rel)));
}

/** The first 8-character fragment of `secret` found in `text` (raw, base64 of the git Basic form, URI-encoded), if any. */
export function leakedFragment(text: string, secret = TEST_TOKEN): string | undefined {
  const forms = [secret, encodeURIComponent(secret), Buffer.from(`x-access-token:${secret}`).toString('base64').slice(20)];
  for (const f of forms) {
    for (let i = 0; i + 8 <= f.length; i++) {
      const frag = f.slice(i, i + 8);
      if (text.includes(frag)) return frag;
    }
  }
  return undefined;
}

/** Leaks in every file under each folder (reports, checkouts, summaries). */
export function leakInFiles(...dirs: string[]): string | undefined {
  for (const d of dirs) {
    for (const [rel, entry] of Object.entries(snapshotTree(d))) {
      if (!entry.startsWith('file ')) continue;
      const frag = leakedFragment(readFileSync(path.join(d, rel)).toString('utf8'));
      if (frag) return `${rel}: ${frag}`;
    }
  }
  return undefined;
}

/** stderr lines that are not the tool's own messages: a stack trace, an "internal error". */
export function stackLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /^\s+at |internal error|Error: .*\n?\s+at /.test(l));
}

/**
 * Can this machine make a file immutable? `chattr +i` needs root and a file system that supports
 * it. When it cannot, a test that needs it fails, unless IBM_TEST_NO_CHATTR=1 opts out explicitly.
 */
export function chattr(flag: '+i' | '-i', file: string): void {
  execFileSync('chattr', [flag, file], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export const OPT_OUT_CHATTR = process.env.IBM_TEST_NO_CHATTR === '1';
export const OPT_OUT_TMPFS = process.env.IBM_TEST_NO_TMPFS === '1';

/**
 * Mount a small tmpfs (root and a kernel that allows it) for the duration of `fn`. When it cannot
 * be mounted the test fails, unless IBM_TEST_NO_TMPFS=1 opts out explicitly.
 */
export async function withTmpfs<T>(dir: string, sizeKb: number, fn: (dir: string) => Promise<T>): Promise<T> {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new Error(`cannot mount a ${sizeKb} KB tmpfs at ${dir} (${(e as Error).message.split('\n')[0]}): run as root where mounts are allowed, or set IBM_TEST_NO_TMPFS=1 to opt out`);
  }
  try {
    return await fn(dir);
  } finally {
    execFileSync('umount', [dir]);
  }
}

/** Fill the file system holding `dir` to the last byte, then free `pages` 4 KB pages. */
export function fillDisk(dir: string, pages: number): void {
  const spares = Array.from({ length: pages }, (_, i) => path.join(dir, `.spare-${i}`));
  for (const s of spares) writeFileSync(s, Buffer.alloc(4096, 1));
  const chunk = Buffer.alloc(4096, 1);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(path.join(dir, `.filler-${i}`), chunk);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      rmSync(path.join(dir, `.filler-${i}`), { force: true });
      break;
    }
  }
  for (const s of spares) rmSync(s);
}

/** Grow or shrink a tmpfs mounted by withTmpfs (tmpfs can be resized in place). */
export function resizeTmpfs(dir: string, sizeKb: number): void {
  execFileSync('mount', ['-o', `remount,size=${sizeKb}k`, dir], { stdio: ['ignore', 'ignore', 'pipe'] });
}
