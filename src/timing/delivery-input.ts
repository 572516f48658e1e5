import { createHash } from 'node:crypto';
import { OUT_OF_BUDGET } from './measure.ts';
import { measurement, sectionsOf, sectionTitle, type TimingResult } from './result.ts';
import { renderTimingTable } from './table.ts';

/**
 * What delivery needs from timing (src/timing/, issue 10), defined here so the PR body and the
 * dashboard do not depend on how it is measured. All plain JSON.
 */
export interface TimingInput {
  /** A complete Markdown table (before / after per platform); shown as is, never cut. */
  markdownTable: string;
  /** Changes whenever the numbers change: a new digest updates the PR body (never the branch). */
  digest: string;
  /** arm64 build wall time before and after the migration, for the dashboard's speedup and chart. */
  arm64SecondsBefore?: number;
  arm64SecondsAfter?: number;
  /** Set when nothing was measured, with why (no docker, --no-timing...): the PR stays a draft. */
  notMeasuredReason?: string;
  /** When (ISO time) and where (machine, builder, engine) the table was measured. */
  measuredAt?: string;
  where?: string;
  /** Builds per cell of the table (each before/after, platform pair built this many times). */
  samples?: number;
  /** Every build the table is made of, with its outcome (the body's Verified section lists them). */
  builds?: { variant: 'before' | 'after'; platform: string; section?: string; status: 'ok' | 'failed' | 'timeout'; failedStep?: string }[];
  /** The table was read from the timing store: nothing it depends on changed since it was measured. */
  reused?: boolean;
}

export const measured = (t: TimingInput | undefined): t is TimingInput => Boolean(t && !t.notMeasuredReason && t.markdownTable.trim());

/** Builds of the migrated files that did not succeed: such a PR is not ready for review. */
export function failedAfterBuilds(t: TimingInput | undefined): NonNullable<TimingInput['builds']> {
  return (t?.builds ?? []).filter((b) => b.variant === 'after' && b.status !== 'ok');
}

export function notMeasuredText(t: TimingInput | undefined): string {
  return t?.notMeasuredReason ?? 'this run did not time the builds (`--timing` was not given; the nightly run gives it)';
}

export function speedup(t: TimingInput | undefined): string | undefined {
  if (!t?.arm64SecondsBefore || !t.arm64SecondsAfter) return undefined;
  return `${(t.arm64SecondsBefore / t.arm64SecondsAfter).toFixed(1)}×`;
}

/** From `--timing`'s outcome (migration-timing.ts): the table, a digest of the numbers, arm64 before/after. */
export function timingInputFrom(outcome: { result?: TimingResult; skipped?: string } | undefined): TimingInput | undefined {
  if (!outcome) return undefined;
  if (!outcome.result) return { markdownTable: '', digest: '', notMeasuredReason: outcome.skipped ?? 'nothing was measured' };
  const r = outcome.result;
  // A run whose budget ran out measured part of the table: the PR waits for the whole one (the
  // measured sections are stored, so the next night builds only the rest).
  const leftOut = r.notMeasured.filter((n) => n.why === OUT_OF_BUDGET).length;
  if (leftOut) return { markdownTable: '', digest: '', notMeasuredReason: `the run's timing budget ran out with ${leftOut} of ${leftOut + r.measurements.length} builds left; the next night builds the rest` };
  const ok = (v: 'before' | 'after') => {
    const m = measurement(r, v, 'linux/arm64');
    return m?.status === 'ok' ? m.wallSeconds : undefined;
  };
  const digest = createHash('sha256').update(JSON.stringify([r.digest, r.measurements.map((m) => [m.variant, m.platform, m.status, m.wallSeconds])])).digest('hex').slice(0, 16);
  const host = r.host ? `${r.host.runner ? `${r.host.runner}, ` : ''}${r.host.os} ${r.host.arch}, ${r.host.cpus} CPU${r.host.cpus === 1 ? '' : 's'}, ` : '';
  return {
    markdownTable: renderTimingTable(r), digest, arm64SecondsBefore: ok('before'), arm64SecondsAfter: ok('after'),
    builds: r.measurements.map((m) => ({ variant: m.variant, platform: m.platform, ...(sectionsOf(r).length > 1 ? { section: sectionTitle(m) } : {}), status: m.status, ...(m.failedStep ? { failedStep: m.failedStep } : {}) })),
    measuredAt: r.measuredAt, where: `${host}${r.builder.kind === 'buildx' ? 'docker buildx' : 'docker build (BuildKit)'} ${r.builder.version}, engine ${r.builder.engine}`, samples: 1, ...(r.reused ? { reused: true } : {}),
  };
}
