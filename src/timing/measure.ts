/**
 * Measure one repository: cold builds of the before and the after variant of every timed
 * Dockerfile (and target) for every platform, one at a time (parallel builds would share the
 * machine and distort each other); or reuse the stored result when the digest says nothing changed.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BuildOutcome, Builder } from './builder.ts';
import { timingDigest } from './digest.ts';
import { slowest } from './progress/step.ts';
import { TIMING_SCHEMA_VERSION, TimingResultSchema, type Measurement, type Section, type TimingResult, type Variant } from './result.ts';
import type { TimingStore } from './store.ts';

export const DEFAULT_PLATFORMS = ['linux/amd64', 'linux/arm64'];
export const DEFAULT_TIMEOUT_MS = 60 * 60 * 1000;

/** One variant of a timed Dockerfile: its text and the context it is built from. */
export interface VariantInput {
  text: string;
  contextDir: string;
}

/** One Dockerfile (and target) to time before and after. */
export interface TimingSection {
  /** Context-relative path of the Dockerfile the texts are versions of. */
  dockerfile: string;
  target?: string;
  before: VariantInput;
  after: VariantInput;
}

export interface TimingRequest {
  repo: string;
  /**
   * What to build. Without it, one section from `contextDir`, `before`, `after` and
   * `dockerfilePath` (both variants from the same context).
   */
  sections?: TimingSection[];
  contextDir?: string;
  before?: string;
  after?: string;
  /** Context-relative path of the Dockerfile the texts are versions of (default `Dockerfile`). */
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
  /** What was left out, and why (shown under the table). */
  notMeasured?: { what: string; why: string }[];
  /** One line per build started and finished. */
  onProgress?: (line: string) => void;
}

function sectionsOf(req: TimingRequest): TimingSection[] {
  if (req.sections) return req.sections;
  if (req.contextDir === undefined || req.before === undefined || req.after === undefined) throw new Error('measureTiming: give sections, or contextDir with the before and after texts');
  const contextDir = req.contextDir;
  return [{ dockerfile: req.dockerfilePath ?? 'Dockerfile', before: { text: req.before, contextDir }, after: { text: req.after, contextDir } }];
}

export async function measureTiming(req: TimingRequest): Promise<TimingResult> {
  const sections = sectionsOf(req);
  if (sections.length === 0) throw new Error('measureTiming: nothing to time (no sections)');
  const platforms = req.platforms?.length ? req.platforms : DEFAULT_PLATFORMS;
  const buildArgs = req.buildArgs ?? {};
  const timeoutMs = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { kind, version, engine } = req.builder.info;
  const digest = await timingDigest({ sections, platforms, buildArgs: { ...buildArgs, '(arch build-arg)': String(req.archBuildArg !== false) }, builder: { kind, version, engine } });
  const stored = await req.store?.get(digest);
  if (stored) {
    req.onProgress?.(`timing: reusing the result stored for ${digest.slice(0, 19)} (nothing changed)`);
    return stored;
  }

  // The texts go to files outside the context, so the context is exactly the checkout's.
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'ibm-timing-'));
  const measurements: Measurement[] = [];
  try {
    for (const [i, s] of sections.entries()) {
      const label = `${s.dockerfile}${s.target ? ` (${s.target})` : ''}`;
      const section: Section = { dockerfile: s.dockerfile, ...(s.target ? { target: s.target } : {}) };
      const files: Record<Variant, string> = { before: path.join(tmp, `${i}.before.Dockerfile`), after: path.join(tmp, `${i}.after.Dockerfile`) };
      await writeFile(files.before, s.before.text);
      await writeFile(files.after, s.after.text);
      for (const platform of platforms) {
        for (const variant of ['before', 'after'] as const) {
          req.onProgress?.(`timing: ${req.repo} ${label} ${variant} ${platform}: building (cold)`);
          const args = variant === 'before' && req.archBuildArg !== false ? { ARCH: platform.split('/')[1], ...buildArgs } : buildArgs;
          const outcome = await req.builder.build({ contextDir: s[variant].contextDir, dockerfile: files[variant], platform, buildArgs: args, ...(s.target ? { target: s.target } : {}), timeoutMs, cold: true });
          const m = toMeasurement(variant, platform, outcome, timeoutMs, section);
          req.onProgress?.(`timing: ${req.repo} ${label} ${variant} ${platform}: ${m.status} in ${m.wallSeconds.toFixed(1)}s`);
          measurements.push(m);
        }
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
    notMeasured: req.notMeasured ?? [],
    measuredAt: new Date().toISOString(),
  } satisfies TimingResult);
  await req.store?.put(result);
  return result;
}

export function toMeasurement(variant: Variant, platform: string, o: BuildOutcome, timeoutMs: number, section: Section = {}): Measurement {
  const m: Measurement = {
    ...(section.dockerfile ? { dockerfile: section.dockerfile } : {}),
    ...(section.target ? { target: section.target } : {}),
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
