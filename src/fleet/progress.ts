/**
 * What the operator sees while the fleet runs. On a terminal: a live list (listr2) that always fits
 * the screen — one line per pipeline slot plus a counter, however large the fleet. Elsewhere (CI,
 * pipes, files): one plain line per finished repository, no escape codes.
 */
import { Listr, ListrLogger, ProcessOutput } from 'listr2';
import { redact } from '../secrets/redact.ts';
import type { RepoOutcome } from '../report/types.ts';

export interface Progress {
  start(name: string): void;
  step(name: string, what: string): void;
  finish(name: string, outcome: RepoOutcome, reason: string): void;
  /** A run-level message (an error reading the list, an interrupt). */
  message(text: string): void;
  close(): Promise<void>;
}

export interface ProgressOptions {
  stream: NodeJS.WritableStream;
  total: number;
  concurrency: number;
  /** Force a mode; default: live on a TTY unless CI is set. */
  live?: boolean;
}

export function isLiveTerminal(stream: NodeJS.WritableStream): boolean {
  return Boolean((stream as NodeJS.WriteStream).isTTY) && !process.env.CI && process.env.TERM !== 'dumb';
}

export function createProgress(opts: ProgressOptions): Progress {
  const live = opts.live ?? isLiveTerminal(opts.stream);
  return live && opts.total > 0 ? new LiveProgress(opts) : new PlainProgress(opts);
}

const SYMBOL: Record<RepoOutcome, string> = {
  'would-change': 'would change',
  changed: 'changed',
  'already-migrated': 'already migrated',
  skipped: 'skipped',
  failed: 'FAILED',
  cancelled: 'cancelled',
};

class PlainProgress implements Progress {
  private done = 0;
  private readonly width: number;
  constructor(private readonly opts: ProgressOptions) {
    this.width = String(opts.total).length;
  }
  start(): void {}
  step(): void {}
  finish(name: string, outcome: RepoOutcome, reason: string): void {
    this.done++;
    // The codemod's summaries already start with the outcome ("would change Dockerfile ...").
    const label = SYMBOL[outcome];
    const text = !reason ? label : reason.toLowerCase().startsWith(label.toLowerCase()) ? reason : `${label} - ${reason}`;
    this.opts.stream.write(redact(`[${String(this.done).padStart(this.width)}/${this.opts.total}] ${name}: ${text}\n`));
  }
  message(text: string): void {
    this.opts.stream.write(`${redact(text)}\n`);
  }
  async close(): Promise<void> {}
}

interface Slot {
  name?: string;
  title: string;
}

class LiveProgress implements Progress {
  private readonly slots: Slot[];
  private readonly slotOf = new Map<string, Slot>();
  private readonly counts = new Map<RepoOutcome, number>();
  private done = 0;
  private finished!: () => void;
  private readonly allDone = new Promise<void>((resolve) => (this.finished = resolve));
  private header?: { title: string };
  private readonly running: Promise<unknown>;

  constructor(private readonly opts: ProgressOptions) {
    const n = Math.min(opts.concurrency, opts.total);
    this.slots = Array.from({ length: n }, () => ({ title: 'waiting' }));
    const list = new Listr(
      [
        {
          title: this.headerTitle(),
          task: (_ctx, task) => {
            this.header = task;
            return task.newListr(
              this.slots.map((slot) => ({
                title: slot.title,
                task: async (_c, sub) => {
                  // Titles are polled: listr2 renders on its own timer, we only mutate state.
                  const timer = setInterval(() => {
                    if (sub.title !== slot.title) sub.title = slot.title;
                  }, 100);
                  await this.allDone;
                  clearInterval(timer);
                  sub.title = 'idle';
                },
              })),
              { concurrent: true, rendererOptions: { collapseSubtasks: true } },
            );
          },
        },
      ],
      {
        exitOnError: false,
        registerSignalListeners: false,
        rendererOptions: {
          collapseSubtasks: true,
          logger: new ListrLogger({ processOutput: new ProcessOutput(opts.stream as NodeJS.WriteStream, opts.stream as NodeJS.WriteStream) }),
        },
      },
    );
    this.running = list.run().catch(() => undefined);
  }

  private headerTitle(): string {
    const parts = [...this.counts.entries()].map(([o, n]) => `${n} ${SYMBOL[o]}`);
    return `${this.done}/${this.opts.total} repositories${parts.length ? ` (${parts.join(', ')})` : ''}`;
  }

  start(name: string): void {
    const slot = this.slots.find((s) => !s.name);
    if (!slot) return;
    slot.name = name;
    slot.title = `${name}: starting`;
    this.slotOf.set(name, slot);
  }
  step(name: string, what: string): void {
    const slot = this.slotOf.get(name);
    if (slot) slot.title = redact(`${name}: ${what}`);
  }
  finish(name: string, outcome: RepoOutcome, reason: string): void {
    this.done++;
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
    const slot = this.slotOf.get(name);
    if (slot) {
      slot.name = undefined;
      slot.title = 'waiting';
      this.slotOf.delete(name);
    }
    if (this.header) this.header.title = this.headerTitle();
    void reason;
  }
  message(text: string): void {
    // listr2 holds writes to the stream while it renders and prints them when it stops.
    this.opts.stream.write(`${redact(text)}\n`);
  }
  async close(): Promise<void> {
    if (this.header) this.header.title = this.headerTitle();
    this.finished();
    await this.running;
  }
}
