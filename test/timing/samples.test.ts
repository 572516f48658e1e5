import { describe, expect, it } from 'vitest';
import { median, medianOf } from '../../src/timing/samples.ts';
import { headline, TimingResultSchema, type Measurement, type TimingResult } from '../../src/timing/result.ts';

const m = (variant: 'before' | 'after', platform: string, wallSeconds: number, step: number, extra: Partial<Measurement> = {}): Measurement => ({
  variant,
  platform,
  status: 'ok',
  wallSeconds,
  timeoutSeconds: 3600,
  slowestSteps: [{ name: `go build (${wallSeconds})`, seconds: step }],
  ...extra,
});

const sample = (measuredAt: string, cells: Measurement[], digest = `sha256:${'ab'.repeat(32)}`): TimingResult =>
  TimingResultSchema.parse({
    schemaVersion: 2,
    repo: 'example/image-build-beacon',
    digest,
    builder: { kind: 'docker', version: '20.10.24', engine: '20.10.24' },
    platforms: ['linux/amd64', 'linux/arm64'],
    measurements: cells,
    notMeasured: [],
    measuredAt,
  });

describe('median', () => {
  it('is the middle value of an odd count and the mean of the middle two of an even one', () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});

describe('medianOf', () => {
  it('takes each cell from its median sample, steps included, so one slow sample does not move the parity', () => {
    const samples = [
      sample('2026-12-07T01:00:00.000Z', [m('after', 'linux/amd64', 10, 8), m('after', 'linux/arm64', 10.4, 8.2)]),
      // The loaded-machine sample: amd64 slow, parity alone would read 0.73.
      sample('2026-12-07T01:10:00.000Z', [m('after', 'linux/amd64', 15, 12), m('after', 'linux/arm64', 11, 9)]),
      sample('2026-12-07T01:20:00.000Z', [m('after', 'linux/amd64', 10.2, 8.1), m('after', 'linux/arm64', 10.6, 8.4)]),
    ];
    const { result, samples: n } = medianOf(samples);
    expect(n).toBe(3);
    const amd = result.measurements.find((x) => x.platform === 'linux/amd64')!;
    const arm = result.measurements.find((x) => x.platform === 'linux/arm64')!;
    expect([amd.wallSeconds, amd.slowestSteps[0]!.seconds]).toEqual([10.2, 8.1]);
    expect([arm.wallSeconds, arm.slowestSteps[0]!.seconds]).toEqual([10.6, 8.4]);
    expect(headline(result).parity!.toFixed(3)).toBe('1.039');
    expect(result.measuredAt).toBe('2026-12-07T01:20:00.000Z');
  });

  it('counts only the samples that built; a cell that never built keeps its failure', () => {
    const failed = m('after', 'linux/arm64', 3, 0, { status: 'failed', failedStep: 'RUN go build', slowestSteps: [] });
    const { result, samples: n } = medianOf([
      sample('2026-12-07T01:00:00.000Z', [m('after', 'linux/amd64', 10, 8), failed]),
      sample('2026-12-07T01:10:00.000Z', [m('after', 'linux/amd64', 11, 9), failed]),
    ]);
    expect(n).toBe(0);
    expect(result.measurements.find((x) => x.platform === 'linux/arm64')!.status).toBe('failed');
    expect(result.measurements.find((x) => x.platform === 'linux/amd64')!.wallSeconds).toBe(10);
  });

  it('refuses samples of different builds', () => {
    expect(() => medianOf([sample('2026-12-07T01:00:00.000Z', []), sample('2026-12-07T01:00:00.000Z', [], `sha256:${'cd'.repeat(32)}`)])).toThrow(/different builds/);
  });
});
