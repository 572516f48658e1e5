/**
 * The fault matrix (issue 8): hostile and unlucky inputs against the real CLI, one process per
 * case. Every case asserts the exit code, the one-line message, that the checkout is either
 * byte-identical (contents and modes) or fully migrated, that no temp file is left, and that no
 * 8-character fragment of the test token appears in stdout, stderr or any file written.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chattr, fillDisk, leakedFragment, leakInFiles, OPT_OUT_CHATTR, OPT_OUT_TMPFS, resizeTmpfs, runCli, withTmpfs, snapshotTree, stackLines, strayTemps, TEST_TOKEN, type CliResult } from '../helpers/cli-process.ts';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.ts';
import { fakeRepository, startGitHubServer, type FakeGitHub } from '../helpers/github-server.ts';
import { makeBareRepo, removeDir, SIMPLE_DOCKERFILE, tempDir } from '../helpers/repos.ts';

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

describe('6. the token goes only to the configured git host, and no fragment of it is ever printed', () => {
  const dir = fresh();
  const gitRoot = path.join(dir, 'git');
  let gh: FakeGitHub;
  let git: GitHttpServer;
  beforeAll(async () => {
    makeBareRepo(gitRoot, 'rancher/image-build-good', { Dockerfile: SIMPLE_DOCKERFILE }, 'master');
    makeBareRepo(gitRoot, 'rancher/image-build-elsewhere', { Dockerfile: SIMPLE_DOCKERFILE }, 'master');
    git = await startGitHttpServer({ root: gitRoot, token: TEST_TOKEN });
    gh = await startGitHubServer();
    gh.on('repos/get-content', () => ({
      status: 200,
      contentType: 'application/vnd.github.raw',
      body: '# RKE2 dependencies\n\n## Hardened chart images\n\n- rancher/image-build-good\n- rancher/image-build-elsewhere\n- rancher/image-build-echo\n',
    }));
    gh.on('repos/get', ({ params, headers }) => {
      if (params.repo === 'image-build-echo') {
        // A server that echoes part of the Authorization header back in its error.
        const auth = String(headers.authorization ?? '');
        return { status: 403, body: { message: `Resource not accessible by ${auth.slice(0, 6 + 14)}…`, documentation_url: 'https://docs.github.com/rest', status: '403' } };
      }
      const host = params.repo === 'image-build-elsewhere' ? git.url.replace('127.0.0.1', 'localhost') : git.url;
      return { status: 200, body: fakeRepository({ owner: params.owner!, name: params.repo!, apiUrl: gh.url, cloneUrl: `${host}/${params.owner}/${params.repo}.git`, defaultBranch: 'master' }) };
    });
  });
  afterAll(async () => {
    await gh.close();
    await git.close();
  });

  it('a clone_url on another host fails alone naming the host; an echoed token prefix is masked', async () => {
    const config = path.join(dir, 'repos.yaml');
    writeFileSync(config, 'source:\n  type: github\n  list: { repo: rancher/ecm-distro-tools, path: docs/rke2-dependencies.md }\n');
    const out = fresh();
    const report = path.join(out, 'report.json');
    const summary = path.join(out, 'summary.md');
    const r = await runCli(['migrate', '--dry-run', '--repos', config, '--cache-dir', path.join(dir, 'cache'), '--report', report, '--json'], {
      env: { ...ENV, GITHUB_API_URL: gh.url, GITHUB_STEP_SUMMARY: summary },
    });
    gh.assertClean();
    expectClean(r, 1, undefined, [out, path.join(dir, 'cache')]);
    const by = Object.fromEntries(JSON.parse(readFileSync(report, 'utf8')).repos.map((x: { name: string }) => [x.name, x]));
    expect(by['rancher/image-build-good']).toMatchObject({ outcome: 'would-change' });
    expect(by['rancher/image-build-elsewhere']).toMatchObject({ outcome: 'failed', step: 'clone', reason: expect.stringMatching(/clone URL is on localhost, not on the configured git host 127\.0\.0\.1/) });
    expect(by['rancher/image-build-echo']).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/403/) });
    // The refused host never got a request, let alone the token.
    expect(git.urls.filter((u) => u.includes('elsewhere'))).toEqual([]);
    expect(git.authorizations.length).toBeGreaterThan(0);
    // The echo really carried a token prefix (so the masking above was needed).
    expect(gh.requests.some((q) => q.authorization === `token ${TEST_TOKEN}`)).toBe(true);
  });
});

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

  it('--emulate naming no stage, duplicate --dockerfile, --only "": usage errors, nothing written or run', async () => {
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
