// --timing-budget: every build of a run ends before its deadline, so a job under the workflow's
// timeout always writes its report. What the budget left out is named, the pairs measured whole
// are stored, and the next night builds only the rest; the PR waits (a draft) for the whole table.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BuildOutcome, BuildRequest, Builder } from '../../src/timing/builder.ts';
import { measureTiming, OUT_OF_BUDGET, type TimingSection } from '../../src/timing/measure.ts';
import { FileTimingStore } from '../../src/timing/store.ts';
import { measured, timingInputFrom } from '../../src/timing/delivery-input.ts';

const MIN = 60_000;
let dir: string;
let clock: number;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ibm-budget-'));
  writeFileSync(path.join(dir, 'main.go'), 'package main\n');
  clock = Date.parse('2026-12-07T02:30:00Z');
  vi.spyOn(Date, 'now').mockImplementation(() => clock);
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

/** Each build takes `minutes` of the (mocked) clock, or stops at its timeout as a real build does. */
class SlowBuilder implements Builder {
  readonly info = { kind: 'docker' as const, client: '/nonexistent/docker-not-used', version: '20.10.24', engine: '20.10.24' };
  readonly builds: { platform: string; timeoutMs: number }[] = [];
  constructor(private readonly minutes: number) {}
  async build(req: BuildRequest): Promise<BuildOutcome> {
    this.builds.push({ platform: req.platform, timeoutMs: req.timeoutMs });
    const took = Math.min(this.minutes * MIN, req.timeoutMs);
    clock += took;
    return { status: took < this.minutes * MIN ? 'timeout' : 'ok', wallSeconds: took / 1000, steps: [], logTail: [], log: '' };
  }
}

const pair = (dockerfile: string): TimingSection => ({
  dockerfile,
  before: { text: 'FROM golang\nCOPY main.go .\nRUN go build main.go\n', contextDir: dir },
  after: { text: 'FROM --platform=$BUILDPLATFORM golang\nCOPY main.go .\nRUN go build main.go\n', contextDir: dir },
});

describe('a timing budget', () => {
  it('leaves out what does not fit, stores only whole pairs, and the next night builds only the rest', async () => {
    const store = new FileTimingStore(path.join(dir, '.store'));
    const sections = [pair('Dockerfile'), pair('agent/Dockerfile')];
    const first = new SlowBuilder(20);
    const r1 = await measureTiming({ repo: 'o/r', sections, platforms: ['linux/arm64'], builder: first, store, deadline: clock + 60.5 * MIN });
    // 0, 20 and 40 minutes in, a build starts; at 60 half a minute is left: none starts.
    expect(first.builds).toHaveLength(3);
    expect(r1.measurements.map((m) => [m.dockerfile, m.variant, m.status])).toEqual([['Dockerfile', 'before', 'ok'], ['Dockerfile', 'after', 'ok'], ['agent/Dockerfile', 'before', 'ok']]);
    expect(r1.notMeasured).toEqual([{ what: 'agent/Dockerfile after linux/arm64', why: OUT_OF_BUDGET }]);
    expect(readdirSync(path.join(dir, '.store'))).toHaveLength(1);
    const input = timingInputFrom({ result: r1 });
    expect(measured(input)).toBe(false);
    expect(input?.notMeasuredReason).toBe("the run's timing budget ran out with 1 of 4 builds left; the next night builds the rest");

    const second = new SlowBuilder(20);
    const r2 = await measureTiming({ repo: 'o/r', sections, platforms: ['linux/arm64'], builder: second, store, deadline: clock + 50 * MIN });
    expect(second.builds).toHaveLength(2);
    expect(r2.notMeasured).toEqual([]);
    expect(measured(timingInputFrom({ result: r2 }))).toBe(true);
  });

  it('a build gets at most the time left; stopped by the budget it is left out, not a timeout', async () => {
    const b = new SlowBuilder(30);
    const r = await measureTiming({ repo: 'o/r', sections: [pair('Dockerfile')], platforms: ['linux/arm64'], builder: b, deadline: clock + 40 * MIN });
    expect(b.builds.map((x) => x.timeoutMs)).toEqual([40 * MIN, 10 * MIN]);
    expect(r.measurements.map((m) => [m.variant, m.status])).toEqual([['before', 'ok']]);
    expect(r.notMeasured).toEqual([{ what: 'after linux/arm64', why: OUT_OF_BUDGET }]);
  });

  it('without a budget every build runs to its own limit', async () => {
    const b = new SlowBuilder(20);
    const r = await measureTiming({ repo: 'o/r', sections: [pair('Dockerfile')], platforms: ['linux/amd64', 'linux/arm64'], builder: b });
    expect(b.builds.map((x) => x.timeoutMs)).toEqual([3_600_000, 3_600_000, 3_600_000, 3_600_000]);
    expect(r.notMeasured).toEqual([]);
  });
});
