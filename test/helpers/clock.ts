import { vi } from 'vitest';

/**
 * The wall clock under the test's control: only `Date` is faked (timers, sockets and child
 * processes run as usual, and the clock keeps ticking with real time), so the local GitHub, which
 * runs in the test's process, and the bot's own code see the same time jump when the test moves it
 * on: a token's expiry is reached without waiting for it.
 */
export function controlledClock(): { advanceTo(ms: number): void; restore(): void } {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  return {
    advanceTo: (ms) => {
      if (ms > Date.now()) vi.setSystemTime(ms);
    },
    restore: () => vi.useRealTimers(),
  };
}
