// The store keeps each before/after pair under its own digest: when one Dockerfile of a
// repository changes, only its pair is rebuilt; the others' results are reused.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { measureTiming, type TimingSection } from '../../src/timing/measure.ts';
import { FileTimingStore } from '../../src/timing/store.ts';
import { RecordingBuilder } from '../helpers/recording-builder.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ibm-pair-reuse-'));
  writeFileSync(path.join(dir, 'main.go'), 'package main\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const pair = (dockerfile: string, after: string, target?: string): TimingSection => ({
  dockerfile,
  ...(target ? { target } : {}),
  before: { text: 'FROM golang\nCOPY main.go .\nRUN go build main.go\n', contextDir: dir },
  after: { text: after, contextDir: dir },
});
const AFTER = 'FROM --platform=$BUILDPLATFORM golang\nCOPY main.go .\nRUN go build main.go\n';

describe('measureTiming: one stored result per pair', () => {
  it('rebuilds only the pair that changed; all pairs unchanged: the whole result is reused', async () => {
    const store = new FileTimingStore(path.join(dir, '.store'));
    const run = (sections: TimingSection[], builder: RecordingBuilder) => measureTiming({ repo: 'o/r', sections, platforms: ['linux/arm64'], builder, store });
    const first = new RecordingBuilder();
    const r1 = await run([pair('Dockerfile', AFTER), pair('agent/Dockerfile', AFTER)], first);
    expect(first.builds).toHaveLength(4);
    expect(r1.reused).toBeUndefined();
    expect(readdirSync(path.join(dir, '.store'))).toHaveLength(2);

    const second = new RecordingBuilder({ seconds: () => 7 });
    const r2 = await run([pair('Dockerfile', AFTER), pair('agent/Dockerfile', AFTER + 'RUN true\n')], second);
    expect(second.builds.map((b) => b.dockerfile)).toEqual([pair('x', '').before.text, AFTER + 'RUN true\n']);
    expect(r2.reused).toBeUndefined();
    expect(r2.digest).not.toBe(r1.digest);
    expect(r2.measurements.map((m) => [m.dockerfile, m.variant, m.wallSeconds])).toEqual([
      ['Dockerfile', 'before', 10],
      ['Dockerfile', 'after', 10],
      ['agent/Dockerfile', 'before', 7],
      ['agent/Dockerfile', 'after', 7],
    ]);

    const third = new RecordingBuilder();
    const r3 = await run([pair('Dockerfile', AFTER), pair('agent/Dockerfile', AFTER + 'RUN true\n')], third);
    expect(third.builds).toEqual([]);
    expect(r3.reused).toBe(true);
    expect(r3.digest).toBe(r2.digest);
    expect(r3.measurements).toEqual(r2.measurements);
  });
});
