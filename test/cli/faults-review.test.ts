/**
 * Fault matrix: review on hostile paths: nothing a symlink points at is read or echoed (issue 8, item 1).
 * Each case drives the real CLI (a separate process) and checks the exit code, the one-line
 * message, the checkout (byte-identical or fully migrated), temp files and token fragments.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, TEST_TOKEN } from '../helpers/cli-process.ts';
import { ENV, expectClean, fresh } from '../helpers/fault-cases.ts';

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
