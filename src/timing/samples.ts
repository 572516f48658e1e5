/**
 * Several cold samples of the same pair folded into one result: each cell (section, variant,
 * platform) takes the median of its samples, with the steps of the sample that gave that median,
 * so a figure is never a mix of two builds. One sample on a loaded machine was seen to give a
 * parity of 0.73; the median of three interleaved ones is what the benchmark reports.
 */
import { sameSection, type Measurement, type TimingResult } from './result.ts';

export interface MedianResult {
  result: TimingResult;
  /** How many samples each cell had that built (a failed or timed-out sample is not one). */
  samples: number;
}

/** The median of a list (the mean of the middle two for an even count); undefined when empty. */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The sample closest to the median (for an odd count: the median sample itself). */
function medianSample(ms: Measurement[]): Measurement {
  const ok = ms.filter((m) => m.status === 'ok');
  // A cell that never built is reported as its first sample says (failed, timeout).
  if (ok.length === 0) return ms[0]!;
  const mid = median(ok.map((m) => m.wallSeconds))!;
  return [...ok].sort((a, b) => Math.abs(a.wallSeconds - mid) - Math.abs(b.wallSeconds - mid) || a.wallSeconds - b.wallSeconds)[0]!;
}

const sameCell = (a: Measurement, b: Measurement) => a.variant === b.variant && a.platform === b.platform && sameSection(a, b);

/** Fold samples of one digest (the same Dockerfiles, context, platforms and builder) into one. */
export function medianOf(results: TimingResult[]): MedianResult {
  const first = results[0];
  if (!first) throw new Error('medianOf: no samples');
  const other = results.find((r) => r.digest !== first.digest);
  if (other) throw new Error(`medianOf: samples of different builds (${first.digest.slice(0, 19)} and ${other.digest.slice(0, 19)})`);
  const measurements = first.measurements.map((cell) => medianSample(results.flatMap((r) => r.measurements.filter((m) => sameCell(m, cell)))));
  const counts = first.measurements.map((cell) => results.filter((r) => r.measurements.some((m) => sameCell(m, cell) && m.status === 'ok')).length);
  const latest = [...results].sort((a, b) => a.measuredAt.localeCompare(b.measuredAt)).at(-1)!;
  const { reused: _reused, ...rest } = first;
  return { result: { ...rest, measurements, measuredAt: latest.measuredAt }, samples: counts.length ? Math.min(...counts) : 0 };
}
