/**
 * The timing result of one repository, as stored (JSON, validated against this schema on read and
 * write) and as handed to delivery: for each variant (before, after) and platform the wall time,
 * the status, the slowest steps; the builder and engine versions; the base commit; and the digest
 * of what was built, which is the key that lets an unchanged pair be reused instead of rebuilt.
 */
import { z } from 'zod';
import { formatRatio, formatSeconds } from './format.ts';

/**
 * 2 added `dockerfile` and `target` to a measurement (one section per timed Dockerfile and
 * target); a version 1 result (one Dockerfile, no names) still reads, as one section.
 */
export const TIMING_SCHEMA_VERSION = 2;

export const VariantSchema = z.enum(['before', 'after']);
export type Variant = z.output<typeof VariantSchema>;

const seconds = z.number().finite().nonnegative();

export const StepTimingSchema = z.strictObject({
  name: z.string(),
  seconds,
  /** The platform in a multi-platform step name, when BuildKit printed one. */
  platform: z.string().optional(),
});

export const MeasurementSchema = z.strictObject({
  /** Context-relative path of the Dockerfile built (absent in version 1 results: the only one). */
  dockerfile: z.string().min(1).optional(),
  /** The `--target` built, when the build files name targets of this Dockerfile. */
  target: z.string().min(1).optional(),
  variant: VariantSchema,
  platform: z.string().regex(/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/),
  /** ok; failed (a step failed: failedStep and logTail say which and why); timeout (> timeoutSeconds). */
  status: z.enum(['ok', 'failed', 'timeout']),
  /** Whole build, measured around the process; the build history's figure when buildx has one. */
  wallSeconds: seconds,
  historySeconds: seconds.optional(),
  timeoutSeconds: seconds,
  slowestSteps: z.array(StepTimingSchema).max(5),
  failedStep: z.string().optional(),
  error: z.string().optional(),
  logTail: z.array(z.string()).max(20).optional(),
});

export const TimingResultSchema = z.strictObject({
  schemaVersion: z.union([z.literal(1), z.literal(TIMING_SCHEMA_VERSION)]),
  repo: z.string().min(1),
  /** The commit both variants were built from (the after one is that commit plus the migration). */
  baseCommit: z.string().optional(),
  /** sha256 over both Dockerfiles, the context files they read, platforms, build-args and builder. */
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  builder: z.strictObject({
    kind: z.enum(['buildx', 'docker']),
    /** buildx version, or the docker client's for the plain back end. */
    version: z.string(),
    engine: z.string(),
  }),
  platforms: z.array(z.string()).min(1),
  measurements: z.array(MeasurementSchema),
  /** What was not measured and why (e.g. a platform the engine cannot run). */
  notMeasured: z.array(z.strictObject({ what: z.string(), why: z.string() })),
  measuredAt: z.iso.datetime(),
  /** The machine that measured (absent in results written before it was recorded). */
  host: z.strictObject({ os: z.string(), arch: z.string(), cpus: z.number().int().positive(), runner: z.string().optional() }).optional(),
  /** Set when this result was read from the store instead of being measured now. */
  reused: z.boolean().optional(),
});

export type StepTiming = z.output<typeof StepTimingSchema>;
export type Measurement = z.output<typeof MeasurementSchema>;
export type TimingResult = z.output<typeof TimingResultSchema>;

export class TimingResultError extends Error {}

/** Parse and validate a stored result; the message names the file and the field. */
export function parseTimingResult(json: string, source: string): TimingResult {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    throw new TimingResultError(`${source}: not JSON (${(e as Error).message}); delete it to measure again`);
  }
  const r = TimingResultSchema.safeParse(data);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new TimingResultError(`${source}: ${i.path.join('.') || '(root)'}: ${i.message}; delete it to measure again`);
  }
  return r.data;
}

/** One timed build: a Dockerfile and, when the build files name one, its target. */
export interface Section {
  dockerfile?: string;
  target?: string;
}

/** The sections of a result, in the order they were measured (a version 1 result has one). */
export function sectionsOf(result: TimingResult): Section[] {
  const out: Section[] = [];
  for (const m of result.measurements) if (!out.some((s) => sameSection(s, m))) out.push({ ...(m.dockerfile ? { dockerfile: m.dockerfile } : {}), ...(m.target ? { target: m.target } : {}) });
  return out.length ? out : [{}];
}

export const sameSection = (a: Section, b: Section) => (a.dockerfile ?? '') === (b.dockerfile ?? '') && (a.target ?? '') === (b.target ?? '');

/** "Dockerfile", "Dockerfile, target operator". */
export function sectionTitle(s: Section): string {
  return `${s.dockerfile ?? 'Dockerfile'}${s.target ? `, target ${s.target}` : ''}`;
}

/**
 * The measurement of a variant and platform; of the first section unless one is named (the
 * headline figures, the dashboard's and the PR's, are the first Dockerfile's first target's).
 */
export function measurement(result: TimingResult, variant: Variant, platform: string, section?: Section): Measurement | undefined {
  const first = section ?? sectionsOf(result)[0]!;
  return result.measurements.find((m) => m.variant === variant && m.platform === platform && sameSection(m, first));
}

/** The figures the PR text is made of: before/after of one platform, the speedup, the parity. */
export interface TimingHeadline {
  platform: string;
  beforeSeconds?: number;
  afterSeconds?: number;
  /** before / after of this platform; undefined unless both built. */
  speedup?: number;
  /** this platform's after / linux/amd64's after; undefined unless both built. */
  parity?: number;
}

const okSeconds = (m?: Measurement) => (m?.status === 'ok' ? m.wallSeconds : undefined);

export function headline(result: TimingResult, platform = 'linux/arm64'): TimingHeadline {
  const before = okSeconds(measurement(result, 'before', platform));
  const after = okSeconds(measurement(result, 'after', platform));
  const amd64After = okSeconds(measurement(result, 'after', 'linux/amd64'));
  return {
    platform,
    beforeSeconds: before,
    afterSeconds: after,
    speedup: before !== undefined && after ? before / after : undefined,
    parity: after !== undefined && amd64After ? after / amd64After : undefined,
  };
}

/** "linux/arm64: 14m02s -> 2m11s (6.4x), now within 5% of amd64" for a PR title line or summary. */
export function headlineText(result: TimingResult, platform = 'linux/arm64'): string | undefined {
  const h = headline(result, platform);
  if (h.beforeSeconds === undefined || h.afterSeconds === undefined || h.speedup === undefined) return undefined;
  let text = `${platform}: ${formatSeconds(h.beforeSeconds)} -> ${formatSeconds(h.afterSeconds)} (${formatRatio(h.speedup)})`;
  if (h.parity !== undefined && platform !== 'linux/amd64') {
    const pct = Math.round(Math.abs(h.parity - 1) * 100);
    text += pct <= 5 ? `, now within ${Math.max(pct, 1)}% of amd64` : `, ${h.parity.toFixed(2)}x amd64`;
  }
  return text;
}
