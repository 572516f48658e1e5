/**
 * Measure one repository: cold builds of the before and the after variant of every timed
 * Dockerfile (and target) for every platform, one at a time (parallel builds would share the
 * machine and distort each other); a pair whose digest says nothing changed is reused from the
 * store instead of rebuilt.
 */
import type { DockerfileModel } from '../dockerfile/model.ts';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BuildOutcome, Builder } from './builder.ts';
import { ignoreFileOf } from './context-files.ts';
import { timingDigest } from './digest.ts';
import { slowest } from './progress/step.ts';
import { TIMING_SCHEMA_VERSION, TimingResultSchema, type Measurement, type Section, type TimingResult, type Variant } from './result.ts';
import type { TimingStore } from './store.ts';
import { timingHost } from './host.ts';

export const DEFAULT_PLATFORMS = ['linux/amd64', 'linux/arm64'];
export const DEFAULT_TIMEOUT_MS = 60 * 60 * 1000;
/** No build starts with less time than this left before the deadline. */
export const MIN_BUILD_MS = 60 * 1000;
/** The reason of a build the budget left out (delivery reads it: the PR waits for the rest). */
export const OUT_OF_BUDGET = 'the timing budget of this run (--timing-budget) ran out first: measured on a later night';

/** One variant of a timed Dockerfile: its text and the context it is built from. */
export interface VariantInput {
  text: string;
  contextDir: string;
  /**
   * Build-args the variant's build files pass with a known value (`--build-arg TAG=$(TAG)` with
   * `TAG ?= v1.3.0`), as a real build of it gets them. `--build-arg` values of the run win.
   */
  buildArgs?: Record<string, string>;
  /** The text as the migration parsed it, when the caller has it (the digest reads its context from it). */
  model?: DockerfileModel;
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
  /**
   * When (epoch ms) the builds must be done by: a build gets at most the time left, and none
   * starts with less than a minute left (named under the table as left for a later night). The
   * job then ends in time and writes its report; the sections it measured whole are stored, so the
   * next night starts where this one stopped.
   */
  deadline?: number;
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
  const builder = { kind, version, engine };
  const keyArgs = { ...buildArgs, '(arch build-arg)': String(req.archBuildArg !== false) };
  // Each section (a before/after pair) is its own key: an unchanged pair is reused even when
  // another Dockerfile of the repository changed. One section: the result's digest is its digest.
  const digests = await Promise.all(sections.map((s) => timingDigest({ sections: [s], platforms, buildArgs: keyArgs, builder })));
  const digest = digests.length === 1 ? digests[0]! : `sha256:${createHash('sha256').update(digests.join('\n')).digest('hex')}`;

  // The texts go to files outside the context, so the context is exactly the checkout's.
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'ibm-timing-'));
  const measurements: Measurement[] = [];
  const budgetLeftOut: { what: string; why: string }[] = [];
  const reusedAt: string[] = [];
  let reusedHost: TimingResult['host'];
  try {
    for (const [i, s] of sections.entries()) {
      const label = `${s.dockerfile}${s.target ? ` (${s.target})` : ''}`;
      const stored = await req.store?.get(digests[i]!);
      if (stored) {
        req.onProgress?.(`timing: reusing the result stored for ${digests[i]!.slice(0, 19)} (nothing changed)${sections.length > 1 ? `: ${label}` : ''}`);
        measurements.push(...stored.measurements);
        reusedAt.push(stored.measuredAt);
        reusedHost = stored.host;
        continue;
      }
      const section: Section = { dockerfile: s.dockerfile, ...(s.target ? { target: s.target } : {}) };
      const files: Record<Variant, string> = { before: path.join(tmp, `${i}.before.Dockerfile`), after: path.join(tmp, `${i}.after.Dockerfile`) };
      for (const variant of ['before', 'after'] as const) {
        await writeFile(files[variant], s[variant].text);
        // The client takes `<Dockerfile>.dockerignore` from beside the Dockerfile it is given: the
        // text's file gets the checkout's own, so the context sent is the real build's.
        const ignore = await ignoreFileOf(s[variant].contextDir, s.dockerfile);
        if (ignore && ignore.path !== '.dockerignore') await writeFile(`${files[variant]}.dockerignore`, ignore.text);
      }
      const own: Measurement[] = [];
      let cut = false;
      for (const platform of platforms) {
        for (const variant of ['before', 'after'] as const) {
          const left = req.deadline === undefined ? Infinity : req.deadline - Date.now();
          if (left < MIN_BUILD_MS) {
            cut = true;
            budgetLeftOut.push({ what: `${sections.length > 1 ? `${label} ` : ''}${variant} ${platform}`, why: OUT_OF_BUDGET });
            continue;
          }
          req.onProgress?.(`timing: ${req.repo} ${label} ${variant} ${platform}: building (cold)`);
          const arch: Record<string, string> = variant === 'before' && req.archBuildArg !== false ? { ARCH: platform.split('/')[1]! } : {};
          const args = { ...s[variant].buildArgs, ...arch, ...buildArgs };
          const limit = Math.min(timeoutMs, left);
          const outcome = await req.builder.build({ contextDir: s[variant].contextDir, dockerfile: files[variant], platform, buildArgs: args, ...(s.target ? { target: s.target } : {}), timeoutMs: limit, cold: true });
          // Stopped by the budget rather than by the build's own limit: left out, not a timeout.
          if (outcome.status === 'timeout' && limit < timeoutMs) {
            cut = true;
            budgetLeftOut.push({ what: `${sections.length > 1 ? `${label} ` : ''}${variant} ${platform}`, why: OUT_OF_BUDGET });
            continue;
          }
          const m = toMeasurement(variant, platform, outcome, timeoutMs, section);
          req.onProgress?.(`timing: ${req.repo} ${label} ${variant} ${platform}: ${m.status} in ${m.wallSeconds.toFixed(1)}s`);
          own.push(m);
        }
      }
      measurements.push(...own);
      // Only a section measured whole is kept for reuse.
      if (!cut) await req.store?.put(resultOf(req, digests[i]!, builder, platforms, own, [], new Date().toISOString(), timingHost()));
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  const allReused = reusedAt.length === sections.length;
  const result = resultOf(req, digest, builder, platforms, measurements, [...(req.notMeasured ?? []), ...budgetLeftOut], allReused ? reusedAt.sort().at(-1)! : new Date().toISOString(), allReused ? reusedHost : timingHost());
  return allReused ? { ...result, reused: true } : result;
}

function resultOf(req: TimingRequest, digest: string, builder: TimingResult['builder'], platforms: string[], measurements: Measurement[], notMeasured: TimingResult['notMeasured'], measuredAt: string, host: TimingResult['host']): TimingResult {
  return TimingResultSchema.parse({
    schemaVersion: TIMING_SCHEMA_VERSION,
    repo: req.repo,
    baseCommit: req.baseCommit,
    digest,
    builder,
    platforms,
    measurements,
    notMeasured,
    measuredAt,
    ...(host ? { host } : {}),
  } satisfies TimingResult);
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
