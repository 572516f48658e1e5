/**
 * Fault matrix: invalid input refused; big inputs bounded (issue 8, items 7 and 8).
 * Each case drives the real CLI (a separate process) and checks the exit code, the one-line
 * message, the checkout (byte-identical or fully migrated), temp files and token fragments.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, snapshotTree } from '../helpers/cli-process.ts';
import { ENV, expectClean, fresh, localFleet, p02Checkout } from '../helpers/fault-cases.ts';

describe('7. invalid input is refused, exit 2, with the file, line and what to do', () => {
  it('FROM with no image: a parse error on its line in migrate and in review, nothing written', async () => {
    const dir = fresh();
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM golang:1.22 AS builder\nRUN go build -o /out/app .\nFROM\nCOPY --from=builder /out/app /app\n');
    const before = snapshotTree(dir);
    const m = await runCli(['migrate', '--local', dir], { env: ENV });
    expectClean(m, 2, /^error: Dockerfile:3: FROM names no image$/, [dir]);
    expect(snapshotTree(dir)).toEqual(before);
    const r = await runCli(['review', dir, '--format', 'json'], { env: ENV });
    expectClean(r, 1, undefined, [dir]);
    expect(JSON.parse(r.stdout).findings).toEqual([expect.objectContaining({ rule: 'parse', line: 3, message: 'FROM names no image' })]);
  });

  it('--emulate naming no stage, duplicate --dockerfile, --only "", --concurrency 65: usage errors, nothing written or run', async () => {
    const dir = p02Checkout();
    const before = snapshotTree(dir);
    const emulate = await runCli(['migrate', '--local', dir, '--emulate', 'buidler=typo'], { env: ENV });
    expectClean(emulate, 2, /^error: --emulate: no stage named "buidler" in Dockerfile \(stages: builder, runtime\)/, [dir]);
    const twice = await runCli(['migrate', '--local', dir, '--dockerfile', 'Dockerfile', '--dockerfile', './Dockerfile'], { env: ENV });
    expectClean(twice, 2, /^error: --dockerfile \.\/Dockerfile is given twice: list each Dockerfile once$/, [dir]);
    expect(snapshotTree(dir)).toEqual(before);
    const f = localFleet();
    const only = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', f.cache, '--only', ''], { env: ENV });
    expectClean(only, 2, /^error: --only names no repository/, [f.dir]);
    const many = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', f.cache, '--concurrency', '65'], { env: ENV });
    expectClean(many, 2, /^error: --concurrency takes a whole number >= 1 \(must be 1–64\)$/, [f.dir]);
    expect(existsSync(f.cache)).toBe(false);
  });

  it('an empty repos.yaml and concurrency: 0 are config errors naming the file and line', async () => {
    const f = localFleet();
    writeFileSync(f.config, '# nothing here yet\n');
    const empty = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', f.cache], { env: ENV });
    expectClean(empty, 2, undefined, [f.dir]);
    expect(empty.stderr).toMatch(/repos\.yaml:1: the file is empty/);
    writeFileSync(f.config, 'version: 1\nsource:\n  type: local\n  path: repos\n  owner: example\ndefaults:\n  concurrency: 0\n');
    const zero = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', f.cache], { env: ENV });
    expectClean(zero, 2, undefined, [f.dir]);
    expect(zero.stderr).toMatch(/repos\.yaml:7:\d+: defaults\.concurrency: must be 1–64/);
    expect(existsSync(f.cache)).toBe(false);
  });

  it('a symlink loop says "symlink loop" (migrate and review)', async () => {
    const dir = fresh();
    symlinkSync('Dockerfile.b', path.join(dir, 'Dockerfile'));
    symlinkSync('Dockerfile', path.join(dir, 'Dockerfile.b'));
    const before = snapshotTree(dir);
    const m = await runCli(['migrate', '--local', dir], { env: ENV });
    expectClean(m, 2, /^error: Dockerfile: symlink loop$/, [dir]);
    const r = await runCli(['review', path.join(dir, 'Dockerfile')], { env: ENV });
    expectClean(r, 2, /^error: cannot read .*Dockerfile: symlink loop$/, [dir]);
    expect(snapshotTree(dir)).toEqual(before);
  });
});

describe('8. big inputs stay bounded', () => {
  it('a file over its time budget fails alone with "too large or too complex"; the other repository is migrated', async () => {
    const f = localFleet();
    const huge = ['ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1', 'ARG ARCH="amd64"'];
    for (let i = 0; i < 10_000; i++) huge.push(`FROM \${GO_IMAGE} AS b${i}`, 'ARG ARCH', `RUN GOARCH=\${ARCH} go build -o /out/a${i} ./cmd/a${i}`);
    huge.push('FROM scratch', 'COPY --from=b0 /out/a0 /bin/');
    mkdirSync(path.join(f.dir, 'repos', 'image-build-huge'));
    writeFileSync(path.join(f.dir, 'repos', 'image-build-huge', 'Dockerfile'), `${huge.join('\n')}\n`);
    const r = await runCli(['migrate', '--dry-run', '--repos', f.config, '--cache-dir', f.cache, '--json'], { env: { ...ENV, IMAGE_BUILD_MIGRATOR_FILE_BUDGET_MS: '1500' }, timeoutMs: 120_000 });
    expectClean(r, 1, undefined, [f.dir]);
    const by = Object.fromEntries(JSON.parse(r.stdout).repos.map((x: { name: string }) => [x.name, x]));
    expect(by['example/image-build-huge']).toMatchObject({ outcome: 'failed', step: 'migrate', reason: expect.stringMatching(/^Dockerfile: is too large or too complex/) });
    expect(by['example/image-build-gadget']).toMatchObject({ outcome: 'would-change' });
  }, 120_000);
});
