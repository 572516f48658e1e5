/**
 * Fault matrix: full disks, immutable files, paths that are not folders: one line, nothing half-written, no poisoned cache (issue 8, items 4 and 5).
 * Each case drives the real CLI (a separate process) and checks the exit code, the one-line
 * message, the checkout (byte-identical or fully migrated), temp files and token fragments.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chattr, fillDisk, OPT_OUT_CHATTR, OPT_OUT_TMPFS, resizeTmpfs, runCli, withTmpfs, snapshotTree } from '../helpers/cli-process.ts';
import { ENV, expectClean, fresh, localFleet, P02, p02Checkout } from '../helpers/fault-cases.ts';

describe('5. filesystem failures end as one line naming the path and what to do, and leave no temp file', () => {
  it.skipIf(OPT_OUT_TMPFS)('a full 64 KB tmpfs under a checkout, at every step of the write: exit 1, ENOSPC named, checkout byte-identical (IBM_TEST_NO_TMPFS=1 opts out)', async () => {
    const mnt = fresh();
    await withTmpfs(mnt, 64, async () => {
      // Three files to write: six pages (temp + copy of the original each); fail after 0..5 of them.
      for (const free of [0, 1, 3, 5]) {
        const dir = path.join(mnt, `c${free}`);
        cpSync(path.join(P02, 'before'), dir, { recursive: true });
        fillDisk(dir, free);
        const before = snapshotTree(dir);
        const r = await runCli(['migrate', '--local', dir], { env: ENV });
        expectClean(r, 1, /^error: cannot (create a temporary file next to|write) .*: no space left on the device \(ENOSPC\); free some space/, [dir]);
        expect(snapshotTree(dir), `${free} free pages`).toEqual(before);
        rmSync(dir, { recursive: true });
      }
      // With room, the same checkout is fully migrated.
      const dir = path.join(mnt, 'roomy');
      cpSync(path.join(P02, 'before'), dir, { recursive: true });
      const r = await runCli(['migrate', '--local', dir], { env: ENV });
      expectClean(r, 0, undefined, [dir]);
      expect(readFileSync(path.join(dir, 'Makefile'), 'utf8')).toBe(readFileSync(path.join(P02, 'after', 'Makefile'), 'utf8'));
    });
  }, 180_000);

  it.skipIf(OPT_OUT_TMPFS)('--report and GITHUB_STEP_SUMMARY on a full disk: the report is one line (exit 1), the summary a warning, both files as before', async () => {
    const f = localFleet();
    const mnt = fresh();
    await withTmpfs(mnt, 64, async () => {
      // Exactly one page: any append needs a page more.
      writeFileSync(path.join(mnt, 'summary.md'), '# earlier step\n'.padEnd(4096, '.'));
      fillDisk(mnt, 0);
      const before = snapshotTree(mnt);
      const r = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', f.cache, '--report', path.join(mnt, 'r.json')], {
        env: { ...ENV, GITHUB_STEP_SUMMARY: path.join(mnt, 'summary.md') },
      });
      expectClean(r, 1, /^error: cannot write .*r\.json: no space left on the device \(ENOSPC\)/, [mnt]);
      expect(snapshotTree(mnt)).toEqual(before);

      const s = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', f.cache], { env: { ...ENV, GITHUB_STEP_SUMMARY: path.join(mnt, 'summary.md') } });
      expectClean(s, 0, undefined, [mnt]);
      expect(s.stderr).toMatch(/^warning: cannot append to GITHUB_STEP_SUMMARY: cannot append to .*summary\.md: no space left on the device \(ENOSPC\)/m);
      expect(snapshotTree(mnt)).toEqual(before);
    });
  }, 120_000);

  it.skipIf(OPT_OUT_TMPFS)('the cache on a full disk: one line naming the cache, exit 1, no empty lock left', async () => {
    const f = localFleet();
    const mnt = fresh();
    await withTmpfs(mnt, 64, async () => {
      mkdirSync(path.join(mnt, 'cache'));
      fillDisk(mnt, 0);
      const before = snapshotTree(mnt);
      const r = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', path.join(mnt, 'cache')], { env: ENV });
      expectClean(r, 1, /^error: cannot write .*cache\/\.lock: no space left on the device \(ENOSPC\)/, [mnt]);
      expect(snapshotTree(mnt)).toEqual(before);
    });
  });

  it.skipIf(OPT_OUT_CHATTR)('an immutable checkout folder (EPERM) and report folder: one line each, nothing changed', async () => {
    const dir = p02Checkout();
    const before = snapshotTree(dir);
    chattr('+i', dir);
    try {
      const r = await runCli(['migrate', '--local', dir], { env: ENV });
      expectClean(r, 1, /^error: cannot create a temporary file next to .*Dockerfile: operation not permitted \(EPERM\); check that the file is not immutable/, [dir]);
      const f = localFleet();
      const rep = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', f.cache, '--report', path.join(dir, 'r.json')], { env: ENV });
      expectClean(rep, 1, /^error: cannot create a temporary file next to .*r\.json: operation not permitted \(EPERM\)/, [dir]);
    } finally {
      chattr('-i', dir);
    }
    expect(snapshotTree(dir)).toEqual(before);
  });

  it('EISDIR, ENOTDIR, EEXIST: a report path that is a folder (exit 2), a cache folder under a file or that is a file (exit 1)', async () => {
    const f = localFleet();
    const isDir = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', f.cache, '--report', f.dir], { env: ENV });
    expectClean(isDir, 2, /^error: --report: cannot write .*: it is a directory; give a file path$/, [f.dir]);
    const file = path.join(f.dir, 'repos.yaml');
    const notDir = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', path.join(file, 'cache')], { env: ENV });
    expectClean(notDir, 1, /^error: cannot create the folder .*repos\.yaml\/cache: a part of the path is not a folder \(ENOTDIR\); fix the path$/, [f.dir]);
    const exists = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', file], { env: ENV });
    expectClean(exists, 1, /^error: cannot create the folder .*repos\.yaml: exists and is not a folder \(EEXIST\); remove it, or choose another path$/, [f.dir]);
  });
});

describe('4. a full disk never poisons the cache', () => {
  it.skipIf(OPT_OUT_TMPFS)('ENOSPC while the cache is first filled (remote, clone): the repository fails naming the disk; with space the next run works', async () => {
    const f = localFleet();
    // Incompressible: its object cannot fit, so the disk fills while the remote's objects are written.
    writeFileSync(path.join(f.dir, 'repos', 'image-build-gadget', 'blob.bin'), randomBytes(96 * 1024));
    const mnt = fresh();
    await withTmpfs(mnt, 64, async () => {
      const cache = path.join(mnt, 'cache');
      const full = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', cache, '--json'], { env: ENV });
      expectClean(full, 1, undefined, [mnt]);
      const failed = JSON.parse(full.stdout).repos[0];
      expect(failed).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/no space left/i) });
      resizeTmpfs(mnt, 16 * 1024);
      const again = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', cache, '--json'], { env: ENV });
      expectClean(again, 0, undefined, [mnt]);
      expect(JSON.parse(again.stdout).repos[0]).toMatchObject({ outcome: 'would-change' });
    });
  }, 120_000);

  it.skipIf(OPT_OUT_TMPFS)('ENOSPC during the fetch into an existing workspace: discarded; with space the next run re-clones and works', async () => {
    const f = localFleet();
    const mnt = fresh();
    await withTmpfs(mnt, 16 * 1024, async () => {
      const cache = path.join(mnt, 'cache');
      const first = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', cache, '--json'], { env: ENV });
      expectClean(first, 0, undefined, [mnt]);
      // A new commit upstream, big enough not to fit: the sync or the fetch hits the full disk.
      writeFileSync(path.join(f.dir, 'repos', 'image-build-gadget', 'blob.bin'), Buffer.alloc(256 * 1024, 7));
      writeFileSync(path.join(f.dir, 'repos', 'image-build-gadget', 'Makefile'), readFileSync(path.join(P02, 'before', 'Makefile'), 'utf8') + '# touched\n');
      fillDisk(mnt, 2);
      const full = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', cache, '--json'], { env: ENV });
      expectClean(full, 1, undefined, [mnt]);
      expect(JSON.parse(full.stdout).repos[0]).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/no space left/i) });
      for (const n of readdirSync(mnt)) if (n.startsWith('.filler-')) rmSync(path.join(mnt, n));
      const again = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', cache, '--json'], { env: ENV });
      expectClean(again, 0, undefined, [mnt]);
      const repo = JSON.parse(again.stdout).repos[0];
      expect(repo).toMatchObject({ outcome: 'would-change' });
      expect(readFileSync(path.join(cache, 'example', 'image-build-gadget', 'Makefile'), 'utf8')).toContain('# touched');
      expect(existsSync(path.join(cache, 'example', 'image-build-gadget', 'blob.bin'))).toBe(true);
    });
  }, 120_000);
});
