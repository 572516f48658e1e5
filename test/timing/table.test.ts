import { describe, expect, it } from 'vitest';
import { renderTimingTable } from '../../src/timing/table.ts';
import { headline, headlineText, parseTimingResult, TimingResultSchema, type Measurement, type TimingResult } from '../../src/timing/result.ts';
import { formatSeconds } from '../../src/timing/format.ts';

const m = (variant: 'before' | 'after', platform: string, wallSeconds: number, extra: Partial<Measurement> = {}): Measurement => ({
  variant,
  platform,
  status: 'ok',
  wallSeconds,
  timeoutSeconds: 3600,
  slowestSteps: [],
  ...extra,
});

const base = (measurements: Measurement[], extra: Partial<TimingResult> = {}): TimingResult =>
  TimingResultSchema.parse({
    schemaVersion: 1,
    repo: 'example/image-build-beacon',
    baseCommit: '0123456789abcdef0123456789abcdef01234567',
    digest: `sha256:${'ab'.repeat(32)}`,
    builder: { kind: 'docker', version: '20.10.24', engine: '20.10.24' },
    platforms: ['linux/amd64', 'linux/arm64'],
    measurements,
    notMeasured: [],
    measuredAt: '2026-12-01T12:00:00.000Z',
    ...extra,
  });

describe('renderTimingTable', () => {
  it('shows before, after, speedup and parity per platform, and the slowest steps of the slowest platform', () => {
    const r = base([
      m('before', 'linux/amd64', 100),
      m('after', 'linux/amd64', 80),
      m('before', 'linux/arm64', 842, { slowestSteps: [{ name: '[builder 4/7] RUN go build ./...', seconds: 801.4 }] }),
      m('after', 'linux/arm64', 88, { slowestSteps: [{ name: '[builder 4/7] RUN xx-go --wrap && go build ./...', seconds: 60.2 }] }),
    ]);
    expect(renderTimingTable(r)).toBe(
      [
        '| platform | before | after | speedup | parity |',
        '|---|---:|---:|---:|---:|',
        '| linux/amd64 | 1m40s | 1m20s | 1.3x | 1.00 |',
        '| linux/arm64 | 14m02s | 1m28s | 9.6x | 1.10 |',
        '',
        'Slowest steps before, linux/arm64:',
        '',
        '- 13m21s `[builder 4/7] RUN go build ./...`',
        '',
        'Slowest steps after, linux/arm64:',
        '',
        '- 1m00s `[builder 4/7] RUN xx-go --wrap && go build ./...`',
        '',
        '<sub>Cold builds (docker 20.10.24, engine 20.10.24, base 0123456789ab; sha256:abababababab)</sub>',
        '',
      ].join('\n'),
    );
  });

  it('writes a timeout as "> 60m", a failure with its step and log, and lists what was not measured', () => {
    const r = base(
      [
        m('before', 'linux/amd64', 100),
        m('after', 'linux/amd64', 90),
        m('before', 'linux/arm64', 3600, { status: 'timeout' }),
        m('after', 'linux/arm64', 95, { status: 'failed', failedStep: '[strip_binary 2/3] RUN strip /x | y', error: 'exit code: 1', logTail: ['strip: not found'] }),
      ],
      { notMeasured: [{ what: 'linux/s390x', why: 'the engine has no emulator for s390x' }], reused: true },
    );
    const md = renderTimingTable(r);
    expect(md).toContain('| linux/arm64 | > 60m | failed at `[strip_binary 2/3] RUN strip /x \\| y` | – | – |');
    expect(md).toContain('| linux/amd64 | 1m40s | 1m30s | 1.1x | 1.00 |');
    // Outside the table a pipe needs no escape (in a code span it would show as `\\|`).
    expect(md).toContain('after linux/arm64 failed at `[strip_binary 2/3] RUN strip /x | y`: exit code: 1\n\n```\nstrip: not found\n```');
    expect(md).toContain('Not measured:\n\n- linux/s390x: the engine has no emulator for s390x\n- before linux/arm64: stopped after 60m\n');
    expect(md).toContain('reused: nothing changed since');
  });

  it('gives a lower bound for the speedup when only the before build timed out', () => {
    const r = base([m('before', 'linux/arm64', 3600, { status: 'timeout' }), m('after', 'linux/arm64', 120)], { platforms: ['linux/arm64'] });
    expect(renderTimingTable(r)).toContain('| linux/arm64 | > 60m | 2m00s | > 30.0x | – |');
  });
});

describe('headline figures for delivery', () => {
  const r = base([m('before', 'linux/amd64', 100), m('after', 'linux/amd64', 125), m('before', 'linux/arm64', 842), m('after', 'linux/arm64', 131)]);

  it('computes the arm64 speedup and the parity against amd64', () => {
    const h = headline(r);
    expect(h).toEqual({ platform: 'linux/arm64', beforeSeconds: 842, afterSeconds: 131, speedup: 842 / 131, parity: 131 / 125 });
    expect(headlineText(r)).toBe('linux/arm64: 14m02s -> 2m11s (6.4x), now within 5% of amd64');
  });

  it('says nothing when a build did not succeed', () => {
    const failed = base([m('before', 'linux/arm64', 842), m('after', 'linux/arm64', 10, { status: 'failed' })]);
    expect(headline(failed).speedup).toBeUndefined();
    expect(headlineText(failed)).toBeUndefined();
  });
});

describe('the stored JSON', () => {
  it('is checked against the schema, naming the field', () => {
    const bad = JSON.stringify({ ...base([]), measurements: [{ ...m('before', 'linux/arm64', 1), status: 'flaky' }] });
    expect(() => parseTimingResult(bad, 'store/x.json')).toThrow(/^store\/x\.json: measurements\.0\.status: .*delete it to measure again$/);
    expect(() => parseTimingResult('{', 'store/y.json')).toThrow(/^store\/y\.json: not JSON/);
  });
});

describe('formatSeconds', () => {
  it('reads like a person writes durations', () => {
    expect([formatSeconds(0.25), formatSeconds(9.94), formatSeconds(12.4), formatSeconds(59.6), formatSeconds(117), formatSeconds(3600), formatSeconds(3725)]).toEqual(['0.3s', '9.9s', '12s', '1m00s', '1m57s', '1h00m', '1h02m']);
  });
});
