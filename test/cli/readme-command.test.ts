/**
 * The process tests run the CLI from the bundle test/setup/cli-bundle.ts builds; a user runs the
 * README's command, `npm run migrate -- ...`, which is tsx on src/cli.ts. Both ways, on the same
 * checkout, must give the same exit code and output, and leave the checkout the same: otherwise the
 * process tests would be testing something no user runs.
 */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, snapshotTree, type CliResult } from '../helpers/cli-process.ts';
import { fresh, P02 } from '../helpers/fault-cases.ts';

function npmRunMigrate(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('npm', ['run', 'migrate', '--', ...args], { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR, CI: '1', NO_COLOR: '1' }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the README command and the tests\' bundled CLI agree', () => {
  it('npm run migrate -- --local DIR (tsx, src/cli.ts): the same exit code, output and rewrite as the bundle', async () => {
    const viaNpm = fresh();
    const viaBundle = fresh();
    cpSync(path.join(P02, 'before'), viaNpm, { recursive: true });
    cpSync(path.join(P02, 'before'), viaBundle, { recursive: true });
    const viaReadme = await npmRunMigrate(['--local', viaNpm]);
    const bundled = await runCli(['migrate', '--local', viaBundle]);
    expect(viaReadme.code, viaReadme.stderr).toBe(0);
    expect(bundled.code, bundled.stderr).toBe(0);
    expect(bundled.stdout).toMatch(/Makefile/);
    // npm prints its own banner (`> image-build-migrator@0.1.0 migrate ...`) before the CLI's output.
    expect(viaReadme.stdout.endsWith(bundled.stdout.replaceAll(viaBundle, viaNpm))).toBe(true);
    expect(viaReadme.stderr.replaceAll(viaNpm, viaBundle)).toBe(bundled.stderr);
    expect(snapshotTree(viaNpm)).toEqual(snapshotTree(viaBundle));
    expect(snapshotTree(viaNpm)).not.toEqual(snapshotTree(path.join(P02, 'before')));
  }, 120_000);
});
