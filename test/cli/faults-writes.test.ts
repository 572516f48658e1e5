/**
 * Fault matrix: writes: a checkout all or nothing, report files exclusive and never through a symlink (issue 8, items 2 and 3).
 * Each case drives the real CLI (a separate process) and checks the exit code, the one-line
 * message, the checkout (byte-identical or fully migrated), temp files and token fragments.
 */
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chattr, OPT_OUT_CHATTR, runCli, snapshotTree } from '../helpers/cli-process.ts';
import { ENV, expectClean, fresh, localFleet, P02, p02Checkout } from '../helpers/fault-cases.ts';

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
