// The timing digest covers what the builds read: both Dockerfile texts, the context files their
// COPY/ADD sources and bind mounts name (minus .dockerignore), platforms, build-args, builder.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { timingDigest, type DigestInput } from '../../src/timing/digest.ts';
import { ignored, parseDockerignore } from '../../src/timing/context-files.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ibm-digest-'));
  dirs.push(dir);
  write(dir, files);
  return dir;
}

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
}

const BEFORE = 'FROM golang AS builder\nCOPY go.mod ./\nCOPY cmd/ cmd/\nRUN go build ./cmd/app\n';
const AFTER = 'FROM --platform=$BUILDPLATFORM golang AS builder\nCOPY go.mod ./\nCOPY cmd/ cmd/\nRUN go build ./cmd/app\n';

function input(dir: string, o: Partial<DigestInput> & { before?: string; after?: string } = {}): DigestInput {
  return {
    sections: [{ dockerfile: 'Dockerfile', before: { text: o.before ?? BEFORE, contextDir: dir }, after: { text: o.after ?? AFTER, contextDir: dir } }],
    platforms: o.platforms ?? ['linux/amd64', 'linux/arm64'],
    buildArgs: o.buildArgs ?? {},
    builder: o.builder ?? { kind: 'docker', version: '20.10.24', engine: '20.10.24' },
  };
}

const REPO = { 'go.mod': 'module example.org/app\n', 'cmd/app/main.go': 'package main\nfunc main() {}\n', 'README.md': '# app\n', Makefile: 'image:\n\tdocker build .\n' };

describe('timingDigest: the files the build reads, not the whole context', () => {
  it('a README (or Makefile) change keeps the digest; a COPY source change, file or folder, makes a new one', async () => {
    const dir = context(REPO);
    const first = await timingDigest(input(dir));
    expect(first).toMatch(/^sha256:[0-9a-f]{64}$/);
    write(dir, { 'README.md': '# app, now documented\n', Makefile: 'image:\n\tdocker buildx build .\n' });
    expect(await timingDigest(input(dir))).toBe(first);
    write(dir, { 'go.mod': 'module example.org/app\n\ngo 1.22\n' });
    const second = await timingDigest(input(dir));
    expect(second).not.toBe(first);
    write(dir, { 'cmd/app/flags.go': 'package main\n' });
    expect(await timingDigest(input(dir))).not.toBe(second);
  });

  it('COPY . . reads the whole context but what .dockerignore leaves out (with ! exceptions and **)', async () => {
    const copyAll = 'FROM golang\nCOPY . /src\nRUN go build ./...\n';
    const dir = context({ ...REPO, '.dockerignore': '# docs are not built\n*.md\ndocs/\n**/*.tmp\n!NOTICE.md\n', 'docs/guide.txt': 'a guide\n', 'NOTICE.md': 'notice\n', 'cmd/app/x.tmp': 'scratch\n' });
    const d = (o = {}) => timingDigest(input(dir, { before: copyAll, after: copyAll.replace('FROM golang', 'FROM --platform=$BUILDPLATFORM golang'), ...o }));
    const first = await d();
    write(dir, { 'README.md': '# changed\n', 'docs/guide.txt': 'changed\n', 'cmd/app/x.tmp': 'changed\n' });
    expect(await d()).toBe(first);
    // Not ignored: the Makefile and the re-included NOTICE.md are sent and copied.
    write(dir, { Makefile: 'image:\n\tdocker build --pull .\n' });
    const second = await d();
    expect(second).not.toBe(first);
    write(dir, { 'NOTICE.md': 'notice, changed\n' });
    expect(await d()).not.toBe(second);
  });

  it("a Dockerfile's own <Dockerfile>.dockerignore replaces the root .dockerignore, as the client applies it", async () => {
    const copyAll = 'FROM golang\nCOPY . /src\nRUN go build ./...\n';
    const dir = context({ ...REPO, '.dockerignore': 'notes.txt\n', 'build/Dockerfile.dockerignore': 'scratch.txt\n', 'notes.txt': 'a\n', 'scratch.txt': 'b\n' });
    const d = (dockerfile: string) => {
      const i = input(dir, { before: copyAll, after: copyAll.replace('FROM golang', 'FROM --platform=$BUILDPLATFORM golang') });
      return timingDigest({ ...i, sections: [{ ...i.sections[0]!, dockerfile }] });
    };
    const first = { root: await d('Dockerfile'), own: await d('build/Dockerfile') };
    // scratch.txt is left out for build/Dockerfile only; notes.txt only for the root Dockerfile.
    write(dir, { 'scratch.txt': 'changed\n' });
    expect(await d('build/Dockerfile')).toBe(first.own);
    const root2 = await d('Dockerfile');
    expect(root2).not.toBe(first.root);
    write(dir, { 'notes.txt': 'changed\n' });
    expect(await d('Dockerfile')).toBe(root2);
    expect(await d('build/Dockerfile')).not.toBe(first.own);
  });

  it("the build-args a variant's own build files pass are part of the key", async () => {
    const dir = context(REPO);
    const i = input(dir);
    const withArgs = (tag?: string) => timingDigest({ ...i, sections: [{ ...i.sections[0]!, before: { ...i.sections[0]!.before, ...(tag ? { buildArgs: { TAG: tag } } : {}) } }] });
    const none = await withArgs();
    expect(await withArgs(undefined)).toBe(none);
    // No args: the same key as before the field existed (stored results stay valid).
    expect(await timingDigest(i)).toBe(none);
    const v1 = await withArgs('v1.0.0');
    expect(v1).not.toBe(none);
    expect(await withArgs('v1.0.1')).not.toBe(v1);
  });

  it('reads bind mounts of the context and hashes the whole context for a computed source', async () => {
    const dir = context({ ...REPO, 'go.sum': 'a v1 h1:x\n' });
    const mount = 'FROM golang\nRUN --mount=type=bind,source=go.sum,target=/src/go.sum --mount=type=cache,target=/root/.cache go mod download\n';
    const m1 = await timingDigest(input(dir, { before: mount, after: mount + '# after\n' }));
    write(dir, { 'go.sum': 'a v1 h1:y\n' });
    expect(await timingDigest(input(dir, { before: mount, after: mount + '# after\n' }))).not.toBe(m1);

    const computed = 'FROM golang\nARG SRC=cmd\nCOPY ${SRC} /src\n';
    const c1 = await timingDigest(input(dir, { before: computed, after: computed + '# after\n' }));
    write(dir, { 'README.md': '# a README the ARG could name\n' });
    expect(await timingDigest(input(dir, { before: computed, after: computed + '# after\n' }))).not.toBe(c1);
  });

  it('COPY --from, ADD of a URL and heredocs read nothing from the context', async () => {
    const dir = context(REPO);
    const text = 'FROM golang AS b\nRUN true\nFROM scratch\nCOPY --from=b /x /x\nADD https://example.invalid/a.tgz /a.tgz\nCOPY <<EOF /etc/app.conf\nkey=1\nEOF\n';
    const first = await timingDigest(input(dir, { before: text, after: text + '# after\n' }));
    write(dir, { 'go.mod': 'changed\n', 'cmd/app/main.go': 'changed\n' });
    expect(await timingDigest(input(dir, { before: text, after: text + '# after\n' }))).toBe(first);
  });

  it('the Dockerfile texts, the platforms, the build-args, the builder and the engine are part of the key', async () => {
    const dir = context(REPO);
    const first = await timingDigest(input(dir));
    const others = await Promise.all([
      timingDigest(input(dir, { after: AFTER + '# a comment\n' })),
      timingDigest(input(dir, { before: BEFORE + '# a comment\n' })),
      timingDigest(input(dir, { platforms: ['linux/arm64'] })),
      timingDigest(input(dir, { buildArgs: { GO_IMAGE: '127.0.0.1:5000/go' } })),
      timingDigest(input(dir, { builder: { kind: 'buildx', version: '20.10.24', engine: '20.10.24' } })),
      timingDigest(input(dir, { builder: { kind: 'docker', version: '20.10.24', engine: '24.0.7' } })),
    ]);
    expect(new Set([first, ...others]).size).toBe(7);
  });

  it('a target reads only the stages it needs: a file only the other target copies keeps its digest', async () => {
    const text = 'FROM golang AS builder\nCOPY go.mod ./\nFROM scratch AS operator\nCOPY --from=builder /go.mod /x\nFROM scratch AS webhook\nCOPY README.md /README.md\n';
    const dir = context(REPO);
    const section = (target: string) => ({ ...input(dir), sections: [{ dockerfile: 'Dockerfile', target, before: { text, contextDir: dir }, after: { text: text + '# after\n', contextDir: dir } }] });
    const operator = await timingDigest(section('operator'));
    const webhook = await timingDigest(section('webhook'));
    write(dir, { 'README.md': '# changed\n' });
    expect(await timingDigest(section('operator'))).toBe(operator);
    expect(await timingDigest(section('webhook'))).not.toBe(webhook);
  });

  it('a target is part of a section\'s key', async () => {
    const dir = context(REPO);
    const one = input(dir);
    const targeted = { ...one, sections: [{ ...one.sections[0]!, target: 'webhook' }] };
    expect(await timingDigest(targeted)).not.toBe(await timingDigest(one));
  });
});

describe('.dockerignore rules', () => {
  it('leaves out matches and everything below a matched folder; the last matching rule wins', () => {
    const rules = parseDockerignore('# comment\n\n/build\n*.log\n!keep.log\nvendor/**/testdata\n');
    expect(ignored('build/out/app', rules)).toBe(true);
    expect(ignored('a.log', rules)).toBe(true);
    expect(ignored('keep.log', rules)).toBe(false);
    expect(ignored('sub/a.log', rules)).toBe(false);
    expect(ignored('vendor/x/y/testdata/f.txt', rules)).toBe(true);
    expect(ignored('vendor/x/main.go', rules)).toBe(false);
    expect(ignored('cmd/main.go', rules)).toBe(false);
  });
});
