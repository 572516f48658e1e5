// What each timed build is given besides its Dockerfile text: the build-args the variant's own
// build files pass (the run's --build-arg values win, ARCH stays the timing's), and the
// Dockerfile's own `<Dockerfile>.dockerignore`, put beside the text's file where the client looks.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { measureTiming, type TimingSection } from '../../src/timing/measure.ts';
import { RecordingBuilder } from '../helpers/recording-builder.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ibm-build-inputs-'));
  mkdirSync(path.join(dir, 'build'));
  writeFileSync(path.join(dir, 'main.go'), 'package main\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const BEFORE = 'FROM golang\nARG ARCH\nARG TAG\nCOPY main.go .\nRUN GOARCH=$ARCH go build -ldflags "-X main.v=$TAG" main.go\n';
const AFTER = 'FROM --platform=$BUILDPLATFORM golang\nARG TAG\nCOPY main.go .\nARG TARGETPLATFORM\nRUN xx-go --wrap && go build -ldflags "-X main.v=$TAG" main.go\n';

describe('measureTiming: the inputs of each build', () => {
  it("passes each variant's build-file args, the run's --build-arg over them, ARCH only to before", async () => {
    const section: TimingSection = {
      dockerfile: 'Dockerfile',
      before: { text: BEFORE, contextDir: dir, buildArgs: { TAG: 'v1.2.3', PKG: 'example.org/app' } },
      after: { text: AFTER, contextDir: dir, buildArgs: { TAG: 'v1.2.3' } },
    };
    const b = new RecordingBuilder();
    await measureTiming({ repo: 'o/r', sections: [section], platforms: ['linux/arm64'], buildArgs: { PKG: 'example.org/fork' }, builder: b });
    expect(b.builds.map((x) => x.buildArgs)).toEqual([
      { TAG: 'v1.2.3', PKG: 'example.org/fork', ARCH: 'arm64' },
      { TAG: 'v1.2.3', PKG: 'example.org/fork' },
    ]);
  });

  it("gives a Dockerfile's own .dockerignore to the build of its text; the root's stays where the client finds it", async () => {
    writeFileSync(path.join(dir, '.dockerignore'), 'docs/\n');
    writeFileSync(path.join(dir, 'build', 'Dockerfile.dockerignore'), '*.md\n!main.go\n');
    const sections = (dockerfile: string): TimingSection[] => [{ dockerfile, before: { text: BEFORE, contextDir: dir }, after: { text: AFTER, contextDir: dir } }];
    const own = new RecordingBuilder();
    await measureTiming({ repo: 'o/r', sections: sections('build/Dockerfile'), platforms: ['linux/amd64'], builder: own });
    expect(own.builds.map((x) => x.ignoreFile)).toEqual(['*.md\n!main.go\n', '*.md\n!main.go\n']);
    const root = new RecordingBuilder();
    await measureTiming({ repo: 'o/r', sections: sections('Dockerfile'), platforms: ['linux/amd64'], builder: root });
    // The root .dockerignore is read from the context by the client itself: nothing is put beside.
    expect(root.builds.map((x) => x.ignoreFile)).toEqual([undefined, undefined]);
  });
});
