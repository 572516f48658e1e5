/**
 * Ctrl-C handling for a fleet run. The first SIGINT asks every pipeline to stop (the run then
 * prints what it has); a second one exits at once — the cache lock and temp clones it leaves are
 * cleaned up by the next run, and no workspace is ever half-written because clones are renamed
 * into place only when complete.
 */
export interface Interrupt {
  signal: AbortSignal;
  /** Remove the handlers (call when the run ends). */
  dispose(): void;
}

export function onInterrupt(notify: (message: string) => void, parent?: AbortSignal): Interrupt {
  const controller = new AbortController();
  if (parent) {
    if (parent.aborted) controller.abort(parent.reason);
    else parent.addEventListener('abort', () => controller.abort(parent.reason), { once: true });
  }
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count++;
    if (count === 1) {
      notify(`\n${sig} received: stopping; repositories not started are cancelled (press Ctrl-C again to quit at once)`);
      controller.abort(new Error(`interrupted by ${sig}`));
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
