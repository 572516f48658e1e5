/**
 * Real git repositories for tests: bare remotes built from a map of files, and temp folders.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tempDir(prefix = 'ibm-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function runGit(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('git', args, {
    cwd,
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid', ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function writeFiles(dir: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(dir, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}

/** Create `<root>/<owner>/<name>.git` with one commit of `files` on `branch`; returns the bare path. */
export function makeBareRepo(root: string, full: string, files: Record<string, string | Buffer>, branch = 'main'): string {
  const bare = path.join(root, `${full}.git`);
  const work = mkdtempSync(path.join(os.tmpdir(), 'ibm-work-'));
  try {
    runGit(work, ['init', '-q', `--initial-branch=${branch}`]);
    writeFiles(work, files);
    runGit(work, ['add', '-A']);
    runGit(work, ['commit', '-q', '-m', 'initial']);
    mkdirSync(path.dirname(bare), { recursive: true });
    runGit(root, ['clone', '-q', '--bare', work, bare]);
    return bare;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Add a commit to a bare repository (as if someone pushed). */
export function commitToBare(bare: string, files: Record<string, string>, branch = 'main'): string {
  const work = mkdtempSync(path.join(os.tmpdir(), 'ibm-work-'));
  try {
    runGit(work, ['clone', '-q', '--branch', branch, bare, '.']);
    writeFiles(work, files);
    runGit(work, ['add', '-A']);
    runGit(work, ['commit', '-q', '-m', 'update']);
    runGit(work, ['push', '-q', 'origin', branch]);
    return runGit(work, ['rev-parse', 'HEAD']).trim();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const SIMPLE_DOCKERFILE = `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM \${GO_IMAGE} AS builder
RUN apk --no-cache add file git make
RUN git clone --depth=1 https://github.com/example-org/thing.git /src
WORKDIR /src
RUN go-build-static.sh -o bin/thing .
RUN install -s bin/thing /usr/local/bin

FROM scratch
COPY --from=builder /usr/local/bin/thing /thing
ENTRYPOINT ["/thing"]
`;
