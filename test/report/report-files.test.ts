import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExchangeError, parseExchange, readExchange, SCHEMA_VERSION, stamp, TOOL } from '../../src/report/report-files.ts';
import { countOutcomes, type FleetReport, type RepoResult } from '../../src/report/types.ts';
import { removeDir, tempDir } from '../helpers/repos.ts';

const rows: RepoResult[] = [
  { name: 'rancher/image-build-a', outcome: 'would-change', reason: 'would change Dockerfile (3 edits)', branch: 'master', commit: 'abc', durationMs: 5 },
  { name: 'rancher/image-build-b', outcome: 'failed', step: 'clone', reason: 'clone failed', durationMs: 2 },
];

function body() {
  return { dryRun: true, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 10, reposFile: 'repos.yaml', pushes: 0 as const, interrupted: false, counts: countOutcomes(rows), repos: rows, excluded: [], errors: [], notes: [] };
}

function refusal(text: string, file = 'results/a.json'): string {
  try {
    parseExchange(text, file);
  } catch (e) {
    expect(e).toBeInstanceOf(ExchangeError);
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('exchange files', () => {
  const dir = tempDir();
  afterAll(() => removeDir(dir));

  it('stamps the schema and the bot, and reads its own output back unchanged', () => {
    const r = stamp(body());
    expect(r.schemaVersion).toBe(SCHEMA_VERSION);
    expect(r.tool).toEqual({ name: 'image-build-migrator', version: TOOL.version });
    expect(TOOL.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(parseExchange(JSON.stringify(r), 'x.json')).toEqual(r);
  });

  it('reads a schema-1 report (0.1, "version": 1) as the same rows', () => {
    const old = { version: 1, ...body() };
    const r = parseExchange(JSON.stringify(old), 'old.json');
    expect(r.schemaVersion).toBe(SCHEMA_VERSION);
    expect(r.repos).toEqual(rows);
    expect('version' in r).toBe(false);
  });

  it('keeps fields a newer minor change added to a row', () => {
    const r = stamp({ ...body(), repos: [{ ...rows[0]!, timing: { arm64: 12 } } as unknown as RepoResult] });
    expect((parseExchange(JSON.stringify(r), 'x.json').repos[0] as unknown as { timing: unknown }).timing).toEqual({ arm64: 12 });
  });

  it('recomputes counts, so a file cannot disagree with its own rows', () => {
    const r = { ...stamp(body()), counts: { ...countOutcomes([]), skipped: 7 } };
    expect(parseExchange(JSON.stringify(r), 'x.json').counts).toEqual(countOutcomes(rows));
  });

  it('refuses a newer schema, naming the file, both versions and what to do', () => {
    const msg = refusal(JSON.stringify({ ...stamp(body()), schemaVersion: SCHEMA_VERSION + 1, tool: { name: 'image-build-migrator', version: '9.0.0' } }));
    expect(msg).toContain('results/a.json: written by a newer image-build-migrator 9.0.0 with schema 3');
    expect(msg).toContain(`reads schemas 1 to ${SCHEMA_VERSION}`);
    expect(msg).toContain('Run every stage of the night from the same commit of the bot');
  });

  it('refuses a schema older than it reads', () => {
    expect(refusal(JSON.stringify({ ...stamp(body()), schemaVersion: 0 }))).toContain('results/a.json: written by an older image-build-migrator');
  });

  it('refuses malformed and foreign files with the field that is wrong', () => {
    const bad = structuredClone(stamp(body())) as unknown as { repos: Record<string, unknown>[] };
    bad.repos[1]!.outcome = 'exploded';
    expect(refusal(JSON.stringify(bad))).toMatch(/^results\/a\.json: schema 2 result is malformed at repos\.1\.outcome: .+Re-run the job/);
    const noRows = { ...stamp(body()) } as Record<string, unknown>;
    delete noRows.repos;
    expect(refusal(JSON.stringify(noRows))).toContain('malformed at repos');
    expect(refusal('{"schemaVersion": 2')).toMatch(/^results\/a\.json: not JSON/);
    expect(refusal('[1,2]')).toContain('not a result file of image-build-migrator');
    expect(refusal('{"name":"package"}')).toContain('it has no "schemaVersion"');
    // A schema-1 layout that claims a schemaVersion is not silently taken for schema 1.
    expect(refusal(JSON.stringify({ version: 1, schemaVersion: '1', ...body() }))).toContain('no "schemaVersion"');
  });

  it('reads from disk and says when the file is missing', async () => {
    const file = path.join(dir, 'sub', 'r.json');
    mkdirSync(path.dirname(file));
    writeFileSync(file, JSON.stringify(stamp(body())));
    expect((await readExchange(file)).repos).toHaveLength(2);
    await expect(readExchange(path.join(dir, 'nope.json'))).rejects.toThrow(/nope\.json: no such file \(did the job that writes it run/);
  });

  it('a FleetReport type and the schema agree on the stamped fields', () => {
    const r: FleetReport = stamp(body());
    expect(Object.keys(r).sort()).toEqual(['counts', 'dryRun', 'durationMs', 'errors', 'excluded', 'interrupted', 'notes', 'pushes', 'repos', 'reposFile', 'schemaVersion', 'startedAt', 'tool']);
  });
});
