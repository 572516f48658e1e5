/**
 * Measure one repository: cold builds of the before and the after Dockerfile for every platform,
 * one at a time (parallel builds would share the machine and distort each other), from the same
 * context; or reuse the stored result when the digest says nothing changed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BuildOutcome, Builder } from './builder.ts';
import { timingDigest } from './digest.ts';
import { slowest } from './progress/step.ts';
import { TIMING_SCHEMA_VERSION, TimingResultSchema, type Measurement, type TimingResult, type Variant } from './result.ts';
import type { TimingStore } from './store.ts';

export const DEFAULT_PLATFORMS = ['linux/amd64', 'linux/arm64'];
export const DEFAULT_TIMEOUT_MS = 60 * 60 * 1000;

export interface TimingRequest {
  repo: string;
  contextDir: string;
  before: string;
  after: string;
  /** Context-relative path of the Dockerfile the texts are versions of. */
  dockerfilePath?: string;
  baseCommit?: string;
  platforms?: string[];
  buildArgs?: Record<string, string>;
  /**
   * Pass `--build-arg ARCH=<arch of the platform>` to the before build, as the repositories'
   * Makefiles do (the migration removes ARCH, so the after build gets none). Default true.
   */
  archBuildArg?: boolean;
  timeoutMs?: number;
  builder: Builder;
  store?: TimingStore;
  /** One line per build started and finished. */
  onProgress?: (line: string) => void;
}

export async function measureTiming(req: TimingRequest): Promise<TimingResult> {
  const platforms = req.platforms?.length ? req.platforms : DEFAULT_PLATFORMS;
  const buildArgs = req.buildArgs ?? {};
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { kind, version, engine } = req.builder.info;
  const digest = await timingDigest({ before: req.before, after: req.after, contextDir: req.contextDir, dockerfilePath: req.dockerfilePath ?? 'Dockerfile', platforms, buildArgs: { ...buildArgs, '(arch build-arg)': String(req.archBuildArg !== false) }, builder: { kind, version, engine } });
  const stored = await req.store?.get(digest);
  if (stored) {
    req.onProgress?.(`timing: reusing the result stored for ${digest.slice(0, 19)} (nothing changed)`);
    return stored;
  }

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'ibm-timing-'));
  const measurements: Measurement[] = [];
  try {
    const files: Record<Variant, string> = { before: path.join(tmp, 'before.Dockerfile'), after: path.join(tmp, 'after.Dockerfile') };
    await writeFile(files.before, req.before);
    await writeFile(files.after, req.after);
    for (const platform of platforms) {
      for (const variant of ['before', 'after'] as const) {
        req.onProgress?.(`timing: ${req.repo} ${variant} ${platform}: building (cold)`);
        const args = variant === 'before' && req.archBuildArg !== false ? { ARCH: platform.split('/')[1], ...buildArgs } : buildArgs;
        const outcome = await req.builder.build({ contextDir: req.contextDir, dockerfile: files[variant], platform, buildArgs: args, timeoutMs, cold: true });
        const m = toMeasurement(variant, platform, outcome, timeoutMs);
        req.onProgress?.(`timing: ${req.repo} ${variant} ${platform}: ${m.status} in ${m.wallSeconds.toFixed(1)}s`);
        measurements.push(m);
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const result = TimingResultSchema.parse({
    schemaVersion: TIMING_SCHEMA_VERSION,
    repo: req.repo,
    baseCommit: req.baseCommit,
    digest,
    builder: { kind, version, engine },
    platforms,
    measurements,
    notMeasured: [],
    measuredAt: new Date().toISOString(),
  } satisfies TimingResult);
  await req.store?.put(result);
  return result;
}

export function toMeasurement(variant: Variant, platform: string, o: BuildOutcome, timeoutMs: number): Measurement {
  const m: Measurement = {
    variant,
    platform,
    status: o.status,
    wallSeconds: round(o.wallSeconds),
    timeoutSeconds: timeoutMs / 1000,
    slowestSteps: slowest(o.steps).map((s) => ({ name: s.name, seconds: round(s.seconds!), ...(s.platform ? { platform: s.platform } : {}) })),
  };
  if (o.historySeconds !== undefined) m.historySeconds = round(o.historySeconds);
  if (o.status === 'failed') {
    if (o.failedStep) m.failedStep = o.failedStep;
    if (o.error) m.error = o.error;
    m.logTail = o.logTail.slice(-20);
  }
  return m;
}

const round = (s: number) => Math.round(s * 100) / 100;
