/**
 * `--timing` glue between the migration and the timing room: the before and after Dockerfile of
 * a checkout, computed in a scratch copy (so a dry run writes nothing in the checkout and a real
 * run times exactly what it writes), then measured, or reused from the store by digest.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CheckoutReport, MigrateOptions } from '../migrate/types.ts';
import pLimit from 'p-limit';
import { overrideFor, type ReposConfig } from '../config/repos-config.ts';
import type { Builder } from '../timing/builder.ts';
import { probeBuilder } from '../timing/probe.ts';
import { measureTiming, DEFAULT_PLATFORMS } from '../timing/measure.ts';
import type { TimingResult } from '../timing/result.ts';
import { FileTimingStore, type TimingStore } from '../timing/store.ts';

const readOnly = (store: TimingStore): TimingStore => ({ get: (d) => store.get(d), put: async () => {} });

export interface TimingSettings {
  /** The migration (the engine with its recipes), run on the scratch copy. */
  migrate: (dir: string, options: MigrateOptions) => Promise<CheckoutReport>;
  platforms?: string[];
  buildArgs: Record<string, string>;
  storeDir: string;
  timeoutMs?: number;
  /** Probed when absent. */
  builder?: Builder;
  /** Dry run: reuse stored results, store nothing new. */
  readOnlyStore?: boolean;
}

export interface TimingOutcome {
  result?: TimingResult;
  /** Why nothing was measured (not a failure of the run). */
  skipped?: string;
}

export async function timeCheckout(repo: string, dir: string, options: MigrateOptions, settings: TimingSettings, log: (line: string) => void = () => {}): Promise<TimingOutcome> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'ibm-timing-checkout-'));
  try {
    const copy = path.join(scratch, path.basename(dir));
    await cp(dir, copy, { recursive: true, filter: (src) => path.basename(src) !== '.git' });
    const dockerfile = options.dockerfiles[0] ?? 'Dockerfile';
    const before = await readFile(path.join(copy, dockerfile), 'utf8');
    const report = await settings.migrate(copy, { ...options, dryRun: false });
    if (report.outcome !== 'changed') return { skipped: `nothing to time: the migration ${report.outcome === 'failed' ? 'failed' : `left the checkout ${report.outcome}`}` };
    const after = await readFile(path.join(copy, dockerfile), 'utf8');
    if (after === before) return { skipped: `nothing to time: ${dockerfile} is unchanged` };
    const builder = settings.builder ?? (await probeBuilder());
    const result = await measureTiming({
      repo,
      contextDir: copy,
      dockerfilePath: dockerfile,
      before,
      after,
      baseCommit: await headCommit(dir),
      platforms: settings.platforms?.length ? settings.platforms : DEFAULT_PLATFORMS,
      buildArgs: settings.buildArgs,
      timeoutMs: settings.timeoutMs,
      builder,
      store: settings.readOnlyStore ? readOnly(new FileTimingStore(settings.storeDir)) : new FileTimingStore(settings.storeDir),
      onProgress: log,
    });
    if (options.dockerfiles.length > 1) result.notMeasured.push(...options.dockerfiles.slice(1).map((f) => ({ what: f, why: `only the first Dockerfile (${dockerfile}) is timed` })));
    return { result };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The checkout's HEAD commit, read from .git without running git (absent: not a git checkout). */
async function headCommit(dir: string): Promise<string | undefined> {
  try {
    const head = (await readFile(path.join(dir, '.git', 'HEAD'), 'utf8')).trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head;
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return undefined;
    const loose = await readFile(path.join(dir, '.git', ref), 'utf8').catch(() => undefined);
    if (loose) return loose.trim();
    const packed = await readFile(path.join(dir, '.git', 'packed-refs'), 'utf8').catch(() => '');
    return packed.split('\n').find((l) => l.endsWith(` ${ref}`))?.split(' ')[0];
  } catch {
    return undefined;
  }
}

/** `--build-arg K=V` values. */
export function parseBuildArgs(values: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new Error(`--build-arg "${v}" is not NAME=VALUE`);
    out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}

/** `--platforms linux/amd64,linux/arm64`. */
export function parsePlatforms(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of list) if (!/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(p)) throw new Error(`--platforms: "${p}" is not a platform like linux/arm64`);
  return list;
}

/** Fleet: builds are timed one at a time, since parallel builds would share the machine and distort each other. */
export function fleetTiming(config: ReposConfig, settings: TimingSettings, cacheDir: string) {
  const one = pLimit(1);
  const storeDir = settings.storeDir || path.join(cacheDir, 'timing');
  return (repo: string, dir: string, options: MigrateOptions) =>
    one(() => timeCheckout(repo, dir, options, { ...settings, storeDir, platforms: settings.platforms ?? overrideFor(config, repo).platforms ?? config.defaults.platforms }));
}
