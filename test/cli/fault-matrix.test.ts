/**
 * The fault matrix (issue 8): hostile and unlucky inputs against the real CLI, one process per
 * case. Every case asserts the exit code, the one-line message, that the checkout is either
 * byte-identical (contents and modes) or fully migrated, that no temp file is left, and that no
 * 8-character fragment of the test token appears in stdout, stderr or any file written.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chattr, leakedFragment, leakInFiles, OPT_OUT_CHATTR, runCli, snapshotTree, stackLines, strayTemps, TEST_TOKEN, type CliResult } from '../helpers/cli-process.ts';
import { removeDir, tempDir } from '../helpers/repos.ts';

const temps: string[] = [];
afterAll(() => temps.forEach(removeDir));
const fresh = (prefix = 'ibm-fault-') => {
  const d = tempDir(prefix);
  temps.push(d);
  return d;
};
const P02 = path.resolve('test/fixtures/patterns/P02-arch-build-arg');
const ENV = { GITHUB_TOKEN: TEST_TOKEN };

/**
 * The common assertions: no stack, no token fragment in the output or the files of `dirs` (the
 * folders written to; a case whose input holds the token passes `scan` without the input folder),
 * one `error:` line matching `message`, no temp file left in `dirs`.
 */
function expectClean(r: CliResult, code: number, message: RegExp | undefined, dirs: string[], scan = dirs): void {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code });
  expect(stackLines(r.stderr)).toEqual([]);
  expect(leakedFragment(r.stdout), 'token fragment in stdout').toBeUndefined();
  expect(leakedFragment(r.stderr), 'token fragment in stderr').toBeUndefined();
  expect(leakInFiles(...scan), 'token fragment in a file').toBeUndefined();
  if (message) {
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'));
    expect(errors, r.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  }
  for (const d of dirs) expect(strayTemps(d), `temp files left in ${d}`).toEqual([]);
}

function p02Checkout(): string {
  const dir = fresh();
  cpSync(path.join(P02, 'before'), dir, { recursive: true });
  chmodSync(path.join(dir, 'Makefile'), 0o640);
  chmodSync(path.join(dir, 'Dockerfile'), 0o600);
  return dir;
}

describe('1. review never prints what a hostile path points at', () => {
  it('a Dockerfile symlinked to /proc/self/environ: refused, nothing of the environment echoed (--format github)', async () => {
    const dir = fresh();
    mkdirSync(path.join(dir, 'evil'));
    symlinkSync('/proc/self/environ', path.join(dir, 'evil', 'Dockerfile'));
    const r = await runCli(['review', path.join(dir, 'evil'), '--format', 'github'], { env: ENV });
    expectClean(r, 2, /^error: cannot read .*evil\/Dockerfile: is a symlink to a file outside the folder$/, [dir]);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('PATH=');
  });

  it('the same symlink named directly on the command line is refused too', async () => {
    const dir = fresh();
    symlinkSync('/proc/self/environ', path.join(dir, 'Dockerfile'));
    const r = await runCli(['review', path.join(dir, 'Dockerfile'), '--format', 'github'], { env: ENV });
    expectClean(r, 2, /^error: cannot read .*Dockerfile: is a symlink to a file outside the folder$/, [dir]);
    expect(r.stdout).toBe('');
  });

  it('a file inside the folder that holds the token: the parse error shows at most 80 characters, redacted', async () => {
    const dir = fresh();
    const line = `${TEST_TOKEN}=${'A'.repeat(200)} more`;
    writeFileSync(path.join(dir, 'Dockerfile'), `${line}\nFROM alpine\n`);
    const r = await runCli(['review', dir, '--format', 'github'], { env: ENV });
    expectClean(r, 1, undefined, [dir], []);
    const annotation = r.stdout.split('\n').find((l) => l.startsWith('::error '))!;
    expect(annotation).toMatch(/title=parse::unknown instruction "/);
    expect(annotation).not.toContain('A'.repeat(81));
  });

  it('a binary file is called binary (exit 2), content not shown', async () => {
    const dir = fresh();
    writeFileSync(path.join(dir, 'Dockerfile'), Buffer.concat([Buffer.from(`FROM ${TEST_TOKEN}\n`), Buffer.from([0, 1, 2, 0xff])]));
    const r = await runCli(['review', dir], { env: ENV });
    expectClean(r, 2, /^error: cannot read .*Dockerfile: is a binary file \(NUL byte\) \(line 2\)$/, [dir], []);
  });

  it('a FIFO, a folder named Dockerfile, a dangling link: each refused by name, exit 2', async () => {
    const dir = fresh();
    symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'Dockerfile'));
    const r = await runCli(['review', path.join(dir, 'Dockerfile')], { env: ENV });
    expectClean(r, 2, /^error: cannot read .*Dockerfile: is a dangling symlink$/, [dir]);

    const fifoDir = fresh();
    execFileSync('mkfifo', [path.join(fifoDir, 'Dockerfile')]);
    const fifo = await runCli(['review', path.join(fifoDir, 'Dockerfile')], { env: ENV, timeoutMs: 20_000 });
    expectClean(fifo, 2, /^error: cannot read .*Dockerfile: is not a regular file$/, [fifoDir]);

    const folderDir = fresh();
    mkdirSync(path.join(folderDir, 'Dockerfile'));
    const folder = await runCli(['review', path.join(folderDir, 'Dockerfile')], { env: ENV });
    expectClean(folder, 2, /^error: no Dockerfile .* found in .*Dockerfile$/, [folderDir]);
  });
});

describe('2. a checkout is written all or nothing', () => {
  it.skipIf(OPT_OUT_CHATTR)('an immutable Makefile: the Dockerfile is rolled back, checkout byte-identical, exit 1 (set IBM_TEST_NO_CHATTR=1 where chattr cannot work)', async () => {
    const dir = p02Checkout();
    const before = snapshotTree(dir);
    try {
      chattr('+i', path.join(dir, 'Makefile'));
    } catch (e) {
      throw new Error(`chattr +i does not work here (${(e as Error).message.split('\n')[0]}); run as root on a file system with attributes, or set IBM_TEST_NO_CHATTR=1 to opt out`);
    }
    try {
      const r = await runCli(['migrate', '--local', dir], { env: ENV });
      expectClean(r, 1, /^error: cannot replace .*Makefile: operation not permitted \(EPERM\); check that the file is not immutable/, [dir]);
    } finally {
      chattr('-i', path.join(dir, 'Makefile'));
    }
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('without the fault the same checkout is fully migrated, modes kept', async () => {
    const dir = p02Checkout();
    const r = await runCli(['migrate', '--local', dir], { env: ENV });
    expectClean(r, 0, undefined, [dir]);
    expect(readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(readFileSync(path.join(P02, 'after', 'Dockerfile'), 'utf8'));
    expect(readFileSync(path.join(dir, 'Makefile'), 'utf8')).toBe(readFileSync(path.join(P02, 'after', 'Makefile'), 'utf8'));
    const snap = snapshotTree(dir);
    expect(snap['Makefile']).toMatch(/^file 640 /);
    expect(snap['Dockerfile']).toMatch(/^file 600 /);
  });
});

/** A one-repository local fleet (no network): a folder of repositories and its repos.yaml. */
function localFleet(): { dir: string; config: string; cache: string } {
  const dir = fresh();
  cpSync(path.join(P02, 'before'), path.join(dir, 'repos', 'image-build-gadget'), { recursive: true });
  const config = path.join(dir, 'repos.yaml');
  writeFileSync(config, 'version: 1\nsource:\n  type: local\n  path: repos\n  owner: example\nnamePattern: image-build-*\n');
  return { dir, config, cache: path.join(dir, 'cache') };
}

describe('3. report files are written exclusively and never through a planted symlink', () => {
  it('--report whose path is a planted symlink: the link is replaced, its target untouched', async () => {
    const f = localFleet();
    const out = fresh();
    const victim = path.join(out, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, path.join(out, 'r.json'));
    const r = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', f.cache, '--report', path.join(out, 'r.json')], { env: ENV });
    expectClean(r, 0, undefined, [out]);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(JSON.parse(readFileSync(path.join(out, 'r.json'), 'utf8')).counts).toMatchObject({ 'would-change': 1 });
    expect(snapshotTree(out)['r.json']).toMatch(/^file /);
  });

  it('GITHUB_STEP_SUMMARY pointing at a symlink is not followed: a one-line warning, the target untouched', async () => {
    const f = localFleet();
    const out = fresh();
    const victim = path.join(out, 'victim.txt');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, path.join(out, 'summary.md'));
    const before = snapshotTree(out);
    const r = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', f.cache], { env: { ...ENV, GITHUB_STEP_SUMMARY: path.join(out, 'summary.md') } });
    expectClean(r, 0, undefined, [out]);
    expect(r.stderr).toMatch(/^warning: cannot append to GITHUB_STEP_SUMMARY: cannot append to .*summary\.md: it is a symlink, refused/m);
    expect(snapshotTree(out)).toEqual(before);
  });

  it('--report into a folder that does not exist: "no such directory", exit 2, nothing created, nothing run', async () => {
    const f = localFleet();
    const missing = path.join(f.dir, 'nonexistent', 'dir', 'r.json');
    const r = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', f.cache, '--report', missing], { env: ENV });
    expectClean(r, 2, /^error: --report: cannot write .*r\.json: no such directory .*nonexistent\/dir; create it first/, [f.dir]);
    expect(existsSync(path.join(f.dir, 'nonexistent'))).toBe(false);
    expect(existsSync(f.cache)).toBe(false);
  });
});
