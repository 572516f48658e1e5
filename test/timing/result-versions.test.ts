// Timing results across schema versions: version 1 (one Dockerfile, no names) still reads and
// renders; version 2 carries one section per Dockerfile and target, and delivery reads both.
import { describe, expect, it } from 'vitest';
import { headline, measurement, parseTimingResult, sectionsOf, TIMING_SCHEMA_VERSION, type Measurement } from '../../src/timing/result.ts';
import { renderTimingTable } from '../../src/timing/table.ts';
import { timingInputFrom } from '../../src/timing/delivery-input.ts';

const m = (variant: 'before' | 'after', platform: string, wallSeconds: number, extra: Partial<Measurement> = {}): Measurement => ({ variant, platform, status: 'ok', wallSeconds, timeoutSeconds: 3600, slowestSteps: [], ...extra });

const result = (schemaVersion: number, measurements: Measurement[]) =>
  JSON.stringify({
    schemaVersion,
    repo: 'example/image-build-gizmo-operator',
    digest: `sha256:${'cd'.repeat(32)}`,
    builder: { kind: 'buildx', version: '0.19.3', engine: '27.5.1' },
    platforms: ['linux/amd64', 'linux/arm64'],
    measurements,
    notMeasured: [],
    measuredAt: '2026-12-01T12:00:00.000Z',
  });

describe('timing results, version 1 and 2', () => {
  it('a version 1 result (as stored before sections existed) reads as one section and feeds delivery', () => {
    const v1 = parseTimingResult(result(1, [m('before', 'linux/amd64', 100), m('after', 'linux/amd64', 90), m('before', 'linux/arm64', 840), m('after', 'linux/arm64', 95)]), 'old.json');
    expect(v1.schemaVersion).toBe(1);
    expect(sectionsOf(v1)).toEqual([{}]);
    const table = renderTimingTable(v1);
    expect(table.startsWith('| platform | before | after | speedup | parity |\n')).toBe(true);
    expect(table).not.toContain('**');
    expect(table).toContain('| linux/arm64 | 14m00s | 1m35s | 8.8x | 1.06 |');
    expect(timingInputFrom({ result: v1 })).toMatchObject({ arm64SecondsBefore: 840, arm64SecondsAfter: 95, markdownTable: table });
  });

  it('a version 2 result with two targets: a titled part each; the headline figures are the first section\'s', () => {
    const op = { dockerfile: 'Dockerfile', target: 'operator' };
    const wh = { dockerfile: 'Dockerfile', target: 'webhook' };
    const v2 = parseTimingResult(
      result(TIMING_SCHEMA_VERSION, [
        m('before', 'linux/amd64', 100, op), m('after', 'linux/amd64', 90, op), m('before', 'linux/arm64', 840, op), m('after', 'linux/arm64', 95, op),
        m('before', 'linux/amd64', 50, wh), m('after', 'linux/amd64', 45, wh), m('before', 'linux/arm64', 3600, { ...wh, status: 'timeout' }), m('after', 'linux/arm64', 47, wh),
      ]),
      'new.json',
    );
    expect(TIMING_SCHEMA_VERSION).toBe(2);
    expect(sectionsOf(v2)).toEqual([op, wh]);
    expect(headline(v2)).toMatchObject({ beforeSeconds: 840, afterSeconds: 95 });
    expect(measurement(v2, 'after', 'linux/arm64', wh)!.wallSeconds).toBe(47);
    const table = renderTimingTable(v2);
    expect(table).toBe(
      [
        '**Dockerfile, target operator**',
        '',
        '| platform | before | after | speedup | parity |',
        '|---|---:|---:|---:|---:|',
        '| linux/amd64 | 1m40s | 1m30s | 1.1x | 1.00 |',
        '| linux/arm64 | 14m00s | 1m35s | 8.8x | 1.06 |',
        '',
        '**Dockerfile, target webhook**',
        '',
        '| platform | before | after | speedup | parity |',
        '|---|---:|---:|---:|---:|',
        '| linux/amd64 | 50s | 45s | 1.1x | 1.00 |',
        '| linux/arm64 | > 60m | 47s | > 76.6x | 1.04 |',
        '',
        'Not measured:',
        '',
        '- Dockerfile, target webhook before linux/arm64: stopped after 60m',
        '',
        `<sub>Cold builds (buildx 0.19.3, engine 27.5.1; sha256:cdcdcdcdcdcd)</sub>`,
        '',
      ].join('\n'),
    );
    expect(timingInputFrom({ result: v2 })).toMatchObject({ arm64SecondsBefore: 840, arm64SecondsAfter: 95, markdownTable: table });
  });

  it('refuses an unknown schema version, naming the file', () => {
    expect(() => parseTimingResult(result(3, []), 'store/z.json')).toThrow(/^store\/z\.json: schemaVersion: .*delete it to measure again$/);
  });
});
