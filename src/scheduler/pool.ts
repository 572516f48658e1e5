/**
 * Runs one pipeline per item with at most `concurrency` at a time. Each item fails alone: a thrown
 * error becomes that item's result and the others go on. After `signal` aborts, items not yet
 * started are reported as cancelled without running; running ones see the same signal.
 */
import pLimit from 'p-limit';

export type PoolResult<T, R> =
  | { item: T; status: 'done'; value: R }
  | { item: T; status: 'error'; error: unknown }
  | { item: T; status: 'cancelled' };

export interface PoolOptions {
  concurrency: number;
  signal?: AbortSignal;
}

export async function runPool<T, R>(items: readonly T[], worker: (item: T, signal: AbortSignal) => Promise<R>, opts: PoolOptions): Promise<PoolResult<T, R>[]> {
  const limit = pLimit(Math.max(1, Math.floor(opts.concurrency)));
  // A signal that always exists, so workers need not check for undefined.
  const signal = opts.signal ?? new AbortController().signal;
  return Promise.all(
    items.map((item) =>
      limit(async (): Promise<PoolResult<T, R>> => {
        if (signal.aborted) return { item, status: 'cancelled' };
        try {
          return { item, status: 'done', value: await worker(item, signal) };
        } catch (error) {
          if (signal.aborted) return { item, status: 'cancelled' };
          return { item, status: 'error', error };
        }
      }),
    ),
  );
}
