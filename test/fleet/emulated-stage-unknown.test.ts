// A repos.yaml `emulatedStages` entry that names no stage of the repository's Dockerfiles (a typo,
// a stage renamed upstream) fails that repository with the entry's file and line, instead of
// cross-compiling the stage its owner said must stay emulated; the other repositories go on.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateCheckout } from '../../src/migrate/checkout.ts';
import { DEFAULT_OPTIONS } from '../../src/migrate/types.ts';
import { recipes } from '../../migrations/index.ts';
import { cli, repoOf, SIMPLE_DOCKERFILE, startFleet, WIDGET, type Fleet } from '../delivery/fleet.ts';

const YAML = `repos:
  rancher/image-build-widget:
    emulatedStages:
      - stage: buidler
        reason: links a C library for the target
`;

describe('emulatedStages naming no stage', () => {
  let f: Fleet;
  beforeAll(async () => {
    f = await startFleet({ 'rancher/image-build-widget': WIDGET, 'rancher/image-build-alpha': { Dockerfile: SIMPLE_DOCKERFILE } }, YAML);
  });
  afterAll(() => f.close());

  it('fails that repository with the repos.yaml line and the stages there are; the others go on', async () => {
    const r = await cli(f, ['--dry-run']);
    expect(r.code).toBe(1);
    const line = readFileSync(f.reposFile, 'utf8').split('\n').findIndex((l) => l.includes('stage: buidler')) + 1;
    const widget = repoOf(r, 'rancher/image-build-widget');
    expect(widget.outcome).toBe('failed');
    expect(widget.reason).toContain(`${f.reposFile}:${line}: no stage named "buidler" in Dockerfile (stages: bci, builder)`);
    expect(repoOf(r, 'rancher/image-build-alpha').outcome).toBe('would-change');
  });
});

describe('migrateCheckout with emulatedStages', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ibm-emulated-unknown-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'Dockerfile'), WIDGET.Dockerfile);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes nothing when an entry names no stage, and says what to do', async () => {
    const report = await migrateCheckout(dir, { ...DEFAULT_OPTIONS, emulatedStages: [{ stage: 'buidler', reason: 'x', source: 'repos.yaml:4' }] }, recipes);
    expect(report.outcome).toBe('failed');
    expect(report.files[0]!.error).toMatchObject({ kind: 'input', message: 'repos.yaml:4: no stage named "buidler" in Dockerfile (stages: bci, builder)', hint: expect.stringMatching(/remove the entry; was the stage renamed upstream\?/) });
    expect(report.changes).toEqual([]);
    expect(readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(WIDGET.Dockerfile);
  });

  it('a stage named by its name (any case) or its index is found, and kept emulated', async () => {
    for (const stage of ['Builder', '1']) {
      const report = await migrateCheckout(dir, { ...DEFAULT_OPTIONS, dryRun: true, emulatedStages: [{ stage, reason: 'links a C library for the target' }] }, recipes);
      expect(report.outcome).not.toBe('failed');
      expect(report.files[0]!.skips.map((s) => s.stage)).toContain('builder');
    }
  });
});
