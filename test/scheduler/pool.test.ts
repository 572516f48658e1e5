import { describe, expect, it } from 'vitest';
import { runPool } from '../../src/scheduler/pool.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runPool', () => {
  it('never runs more than `concurrency` at once, and keeps the input order', async () => {
    let running = 0;
    let peak = 0;
    const results = await runPool(
      Array.from({ length: 12 }, (_, i) => i),
      async (i) => {
        running++;
        peak = Math.max(peak, running);
        await sleep(5 + (i % 3) * 5);
        running--;
        return i * 2;
      },
      { concurrency: 3 },
    );
    expect(peak).toBe(3);
    expect(results.map((r) => (r.status === 'done' ? r.value : -1))).toEqual(Array.from({ length: 12 }, (_, i) => i * 2));
  });

  it('lets each item fail alone', async () => {
    const results = await runPool(['a', 'boom', 'c'], async (x) => {
      if (x === 'boom') throw new Error('broken');
      return x.toUpperCase();
    }, { concurrency: 2 });
    expect(results.map((r) => r.status)).toEqual(['done', 'error', 'done']);
    expect(results[1]!.status === 'error' && (results[1]!.error as Error).message).toBe('broken');
  });

  it('cancels what has not started once the signal aborts, and passes the signal to running work', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const results = await runPool(
      [0, 1, 2, 3, 4, 5],
      async (i, signal) => {
        started.push(i);
        if (i === 1) controller.abort();
        await sleep(10);
        if (signal.aborted && i === 0) throw new Error('stopped by signal');
        return i;
      },
      { concurrency: 2, signal: controller.signal },
    );
    expect(started).toEqual([0, 1]);
    expect(results.map((r) => r.status)).toEqual(['cancelled', 'done', 'cancelled', 'cancelled', 'cancelled', 'cancelled']);
  });
});
