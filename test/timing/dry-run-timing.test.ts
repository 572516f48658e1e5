// `migrate --local DIR --dry-run --timing`: measures and prints the table, and writes nothing
// anywhere: not the checkout, not the timing store, no temp folder left behind. Every changed
// Dockerfile is timed, once per target the build files build from it.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runLocal, type LocalArgs } from '../../src/cli/local.ts';
import { FileTimingStore } from '../../src/timing/store.ts';
import { parseTimingResult, type TimingResult } from '../../src/timing/result.ts';
import { Capture } from '../helpers/streams.ts';
import { RecordingBuilder } from '../helpers/recording-builder.ts';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples/repos');
const PLATFORMS = ['linux/amd64', 'linux/arm64'];

/** Every entry below `dir` with its kind, mode, content hash and mtime: any write shows. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = path.join(rel, name);
      const st = lstatSync(path.join(dir, r));
      if (st.isDirectory()) {
        out[r + '/'] = `dir ${st.mode} ${st.mtimeMs}`;
        walk(r);
      } else out[r] = `${st.mode} ${st.mtimeMs} ${createHash('sha256').update(readFileSync(path.join(dir, r))).digest('hex')}`;
    }
  };
  walk('');
  return out;
}

let work: string;
let tmp: string;
let savedTmp: string | undefined;

beforeEach(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'ibm-dry-timing-'));
  // Temp folders of the run go here, so the test sees whether any is left behind.
  tmp = path.join(work, 'tmp');
  mkdirSync(tmp);
  savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
});

afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  rmSync(work, { recursive: true, force: true });
});

function checkout(example: string, extra: Record<string, string> = {}): string {
  const dir = path.join(work, example);
  cpSync(path.join(EXAMPLES, example), dir, { recursive: true });
  for (const [rel, text] of Object.entries(extra)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

async function local(args: Partial<LocalArgs> & { dir: string }, builder: RecordingBuilder, storeDir: string) {
  const out = new Capture();
  const err = new Capture();
  const code = await runLocal({ dryRun: true, json: false, ...args, timing: { builder, buildArgs: {}, storeDir, platforms: PLATFORMS } }, out, err);
  return { code, out: out.text, err: err.text };
}

const resultOf = (jsonOut: string): TimingResult => parseTimingResult(JSON.stringify((JSON.parse(jsonOut) as { timing: unknown }).timing), 'stdout');

describe('--dry-run --timing writes nothing anywhere', () => {
  it('measures and prints the table; the store is not created, the checkout is as it was, no temp folder is left', async () => {
    const dir = checkout('image-build-widget');
    const store = path.join(work, 'store');
    const before = snapshot(dir);
    const builder = new RecordingBuilder({ seconds: (req) => (req.platform === 'linux/arm64' && req.buildArgs?.ARCH ? 300 : 30) });
    const r = await local({ dir }, builder, store);
    expect(r.err).toBe(builder.builds.map((b, i) => `timing: image-build-widget Dockerfile ${b.buildArgs.ARCH ? 'before' : 'after'} ${b.platform}: building (cold)\ntiming: image-build-widget Dockerfile ${b.buildArgs.ARCH ? 'before' : 'after'} ${b.platform}: ok in ${[30, 30, 300, 30][i]!.toFixed(1)}s\n`).join(''));
    expect(r.code).toBe(0);
    expect(builder.builds).toHaveLength(4);
    expect(r.out).toContain('| linux/arm64 | 5m00s | 30s | 10.0x | 1.00 |');
    expect(r.out).toContain('would change Dockerfile');
    expect(existsSync(store)).toBe(false);
    expect(snapshot(dir)).toEqual(before);
    // The builds ran from scratch copies in the temp folder, which are gone now.
    expect(builder.builds.every((b) => b.contextDir.startsWith(tmp + path.sep))).toBe(true);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('reuses a stored result without building, and leaves the store byte for byte as it was', async () => {
    const dir = checkout('image-build-widget');
    const store = path.join(work, 'store');
    const first = new RecordingBuilder();
    const measured = resultOf((await local({ dir, json: true }, first, store)).out);
    expect(first.builds).toHaveLength(4);
    await new FileTimingStore(store).put(measured);
    const stored = snapshot(store);
    expect(Object.keys(stored)).toEqual([`${measured.digest.slice(7)}.json`]);

    const second = new RecordingBuilder();
    const r = await local({ dir }, second, store);
    expect(r.code).toBe(0);
    expect(second.builds).toEqual([]);
    expect(r.err).toContain(`timing: reusing the result stored for ${measured.digest.slice(0, 19)}`);
    expect(r.out).toContain(`reused: nothing changed since; ${measured.digest.slice(0, 19)}`);
    expect(snapshot(store)).toEqual(stored);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('every Dockerfile and every built target is timed', () => {
  it('two final stages the Makefile builds with --target: one part of the table and of the JSON each', async () => {
    const dir = checkout('image-build-gizmo-operator');
    const builder = new RecordingBuilder({ seconds: (req) => (req.target === 'webhook' ? 20 : 40) });
    const r = await local({ dir, json: true }, builder, path.join(work, 'store'));
    expect(r.code).toBe(0);
    expect(builder.builds.map((b) => `${b.target} ${b.buildArgs.ARCH ? 'before' : 'after'} ${b.platform}`)).toEqual(
      ['operator', 'webhook'].flatMap((t) => PLATFORMS.flatMap((p) => [`${t} before ${p}`, `${t} after ${p}`])),
    );
    // The report carries the diff, not the migration's whole before and after texts.
    expect(Object.keys(JSON.parse(r.out) as object)).not.toContain('changes');
    const result = resultOf(r.out);
    expect([...new Set(result.measurements.map((m) => `${m.dockerfile}:${m.target}`))]).toEqual(['Dockerfile:operator', 'Dockerfile:webhook']);

    const table = await local({ dir }, new RecordingBuilder({ seconds: (req) => (req.target === 'webhook' ? 20 : 40) }), path.join(work, 'store'));
    const parts = table.out.slice(table.out.indexOf('**Dockerfile, target operator**'));
    expect(parts).toMatch(/^\*\*Dockerfile, target operator\*\*\n\n\| platform \| before \| after \| speedup \| parity \|\n\|---\|---:\|---:\|---:\|---:\|\n\| linux\/amd64 \| 40s \| 40s \| 1\.0x \| 1\.00 \|\n\| linux\/arm64 \| 40s \| 40s \| 1\.0x \| 1\.00 \|\n/);
    expect(parts).toContain('**Dockerfile, target webhook**\n\n| platform | before | after | speedup | parity |\n|---|---:|---:|---:|---:|\n| linux/amd64 | 20s | 20s | 1.0x | 1.00 |\n');
  });

  it('several Dockerfiles: each changed one is timed from the same checkout; an unchanged one is named as not measured', async () => {
    const read = (rel: string) => readFileSync(path.join(EXAMPLES, rel), 'utf8');
    const dir = checkout('image-build-widget', { 'agent/Dockerfile': read('image-build-beacon/Dockerfile'), 'done/Dockerfile': read('image-build-sprocket/Dockerfile') });
    const builder = new RecordingBuilder();
    const r = await local({ dir, json: true, dockerfiles: ['Dockerfile', 'agent/Dockerfile', 'done/Dockerfile'] }, builder, path.join(work, 'store'));
    expect(r.code).toBe(0);
    const result = resultOf(r.out);
    expect([...new Set(result.measurements.map((m) => m.dockerfile))]).toEqual(['Dockerfile', 'agent/Dockerfile']);
    expect(result.notMeasured).toEqual([{ what: 'done/Dockerfile', why: 'unchanged by the migration' }]);
    // The agent's after build is built from the agent's after text, not the root Dockerfile's.
    const agentAfter = builder.builds.filter((b) => !b.buildArgs.ARCH)[2]!;
    expect(agentAfter.dockerfile).toContain('COPY internal/ internal/');
    expect(agentAfter.dockerfile).toContain('FROM --platform=$BUILDPLATFORM');
    expect(new Set(builder.builds.map((b) => b.contextDir)).size).toBe(2);
  });
});
