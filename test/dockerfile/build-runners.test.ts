// Which workflow builds of the image run a platform under QEMU: a repository that builds each
// platform on a runner of its own architecture gains nothing from cross-compiling and is skipped
// with that reason; where only some builds emulate, the PR says which.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulationOf, describeBuild, archOfRunner } from '../../src/dockerfile/build-runners.ts';
import type { BuildFile } from '../../src/dockerfile/build-files.ts';
import { main } from '../../src/cli.ts';
import { Capture } from '../helpers/streams.ts';

const wf = (text: string, name = 'build.yml'): BuildFile => ({ path: `.github/workflows/${name}`, text, kind: 'workflow' });

const NATIVE_MATRIX = `name: image
on: [push]
jobs:
  image:
    strategy:
      matrix:
        include:
          - runner: ubuntu-24.04
            platform: linux/amd64
          - runner: ubuntu-24.04-arm
            platform: linux/arm64
    runs-on: \${{ matrix.runner }}
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          platforms: \${{ matrix.platform }}
`;

const EMULATED = `name: image
on: [push]
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/setup-qemu-action@v3
      - uses: docker/build-push-action@v6
        with:
          platforms: linux/amd64,linux/arm64
`;

describe('emulationOf', () => {
  it('a runner per platform (matrix include): every build native', () => {
    const e = emulationOf([wf(NATIVE_MATRIX)]);
    expect(e.builds.map(describeBuild)).toEqual([
      '.github/workflows/build.yml:4 job image (runner: ubuntu-24.04, platform: linux/amd64) builds linux/amd64 on ubuntu-24.04 (amd64)',
      '.github/workflows/build.yml:4 job image (runner: ubuntu-24.04-arm, platform: linux/arm64) builds linux/arm64 on ubuntu-24.04-arm (arm64)',
    ]);
    expect(e.emulating).toEqual([]);
  });

  it('both platforms on an amd64 runner: the arm64 one emulates', () => {
    const e = emulationOf([wf(EMULATED)]);
    expect(e.emulating.map(describeBuild)).toEqual(['.github/workflows/build.yml:4 job release builds linux/amd64,linux/arm64 on ubuntu-latest (amd64)']);
  });

  it('self-hosted labels, docker buildx in run:, and a build with no platform (the runner\'s own)', () => {
    const e = emulationOf([wf(`jobs:
  arm:
    runs-on: [self-hosted, linux, ARM64]
    steps:
      - run: docker buildx build --platform linux/arm64 -t x .
  amd:
    runs-on: ubuntu-22.04
    steps:
      - run: docker build -t x .
`)]);
    expect(e.builds.map((b) => [b.job, b.runnerArch, b.platforms])).toEqual([['arm', 'arm64', ['arm64']], ['amd', 'amd64', ['amd64']]]);
    expect(e.emulating).toEqual([]);
  });

  it('a runner the labels do not place, or a platform the files do not spell out, counts as maybe emulating', () => {
    const e = emulationOf([wf(`jobs:
  a:
    runs-on: [self-hosted, big]
    steps:
      - run: docker buildx build --platform linux/arm64 .
  b:
    runs-on: ubuntu-24.04-arm
    steps:
      - uses: docker/build-push-action@v6
        with:
          platforms: \${{ env.PLATFORMS }}
`)]);
    expect(e.emulating.map((b) => b.job)).toEqual(['a', 'b']);
  });

  it("make: the Makefile's --platform, from the command line or its own variables; a value from the machine is the host's", () => {
    const makefile = (text: string): BuildFile => ({ path: 'Makefile', text, kind: 'makefile' });
    const job = (run: string, runner: string) => wf(`jobs:\n  image:\n    runs-on: ${runner}\n    steps:\n      - run: ${run}\n`);
    const fixed = makefile('TARGET_PLATFORMS ?= linux/amd64,linux/arm64\nimage:\n\tdocker buildx build --platform=$(TARGET_PLATFORMS) .\n');
    expect(emulationOf([fixed, job('make image', 'ubuntu-latest')]).emulating).toHaveLength(1);
    expect(emulationOf([fixed, job('make image TARGET_PLATFORMS=linux/arm64', 'ubuntu-24.04-arm')]).emulating).toHaveLength(0);
    const host = makefile('ARCH ?= $(shell go env GOARCH)\nimage:\n\tdocker buildx build --platform=linux/$(ARCH) .\n');
    expect(emulationOf([host, job('make image', 'ubuntu-24.04-arm')]).emulating).toHaveLength(0);
    // A job that runs make on a Makefile that builds no image is no image build.
    expect(emulationOf([makefile('test:\n\tgo test ./...\n'), job('make test', 'ubuntu-latest')]).builds).toEqual([]);
  });

  it("reads GitHub's hosted labels", () => {
    expect(['ubuntu-latest', 'ubuntu-24.04-arm', 'ubuntu-22.04-arm', 'linux-arm64-4core', 'windows-2022', 'self-hosted'].map(archOfRunner)).toEqual(['amd64', 'arm64', 'arm64', 'arm64', 'amd64', undefined]);
  });
});

const DOCKERFILE = 'FROM golang:1.22-alpine AS builder\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/widgetd ./cmd/widgetd\n\nFROM alpine:3.20\nCOPY --from=builder /out/widgetd /usr/local/bin/widgetd\n';

describe('migrate on a repository whose builds run natively', () => {
  const checkout = (workflows: Record<string, string>) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ibm-runners-'));
    writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
    mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
    for (const [name, text] of Object.entries(workflows)) writeFileSync(path.join(dir, '.github', 'workflows', name), text);
    return dir;
  };
  const run = async (dir: string) => {
    const out = new Capture();
    const err = new Capture();
    const code = await main(['migrate', '--local', dir, '--dry-run', '--json'], out, err);
    return { code, report: JSON.parse(out.text) as { outcome: string; summary: string; diff: string } };
  };

  it('every build on a runner of its platform: skipped with the builds named, nothing changed', async () => {
    const dir = checkout({ 'image.yml': NATIVE_MATRIX });
    try {
      const { code, report } = await run(dir);
      expect(code).toBe(0);
      expect(report.outcome).toBe('skipped');
      expect(report.diff).toBe('');
      expect(report.summary).toBe('skipped: every workflow build of the image runs natively, none under QEMU (.github/workflows/image.yml:4 job image (runner: ubuntu-24.04, platform: linux/amd64) builds linux/amd64 on ubuntu-24.04 (amd64); .github/workflows/image.yml:4 job image (runner: ubuntu-24.04-arm, platform: linux/arm64) builds linux/arm64 on ubuntu-24.04-arm (arm64)): cross-compiling gains nothing here');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PR checks native but the release on an amd64 runner for both: migrated', async () => {
    const dir = checkout({ 'pr.yml': NATIVE_MATRIX, 'release.yml': EMULATED });
    try {
      const { code, report } = await run(dir);
      expect(code).toBe(0);
      expect(report.outcome).toBe('changed');
      expect(report.diff).toContain('+FROM --platform=$BUILDPLATFORM golang:1.22-alpine AS builder');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the PR body where only some builds emulate', () => {
  it('"Where this helps" names the emulating and the native builds; absent when all emulate', async () => {
    const { buildInfoOf } = await import('../../src/delivery/build-info.ts');
    const { whereSection } = await import('../../src/delivery/body-sections.ts');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ibm-where-'));
    try {
      mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
      writeFileSync(path.join(dir, '.github', 'workflows', 'pr.yml'), NATIVE_MATRIX);
      writeFileSync(path.join(dir, '.github', 'workflows', 'release.yml'), EMULATED);
      const build = await buildInfoOf(dir);
      const section = whereSection({ build } as Parameters<typeof whereSection>[0]);
      expect(section[0]).toBe('### Where this helps');
      expect(section.filter((l) => l.startsWith('- '))).toEqual([
        '- Emulates: .github/workflows/release.yml:4 job release builds linux/amd64,linux/arm64 on ubuntu-latest (amd64)',
        '- Native: .github/workflows/pr.yml:4 job image (runner: ubuntu-24.04, platform: linux/amd64) builds linux/amd64 on ubuntu-24.04 (amd64)',
        '- Native: .github/workflows/pr.yml:4 job image (runner: ubuntu-24.04-arm, platform: linux/arm64) builds linux/arm64 on ubuntu-24.04-arm (arm64)',
      ]);
      rmSync(path.join(dir, '.github', 'workflows', 'pr.yml'));
      expect(whereSection({ build: await buildInfoOf(dir) } as Parameters<typeof whereSection>[0])).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('workflows that build only amd64 on amd64', () => {
  it('say nothing of where the arm64 image is built: not a native repository, migrated as usual', async () => {
    const e = emulationOf([wf('jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build -t x .\n')]);
    expect(e.emulating).toEqual([]);
    expect(e.allNative).toBe(false);
    expect(emulationOf([wf(NATIVE_MATRIX)]).allNative).toBe(true);
  });
});
