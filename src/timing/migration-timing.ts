/**
 * `--timing` glue between the migration and the timing room. It times exactly what the migration
 * produced (and what delivery delivers): the checkout's files with the migration's before texts,
 * and with its after texts, each materialised in a scratch copy that is removed afterwards. It
 * never runs the codemod itself, and never writes in the checkout. Every changed Dockerfile is
 * timed, once per `--target` the build files build from it (or once, when they name none).
 */
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CheckoutReport, FileChange, MigrateOptions } from '../migrate/types.ts';
import pLimit from 'p-limit';
import { overrideFor, type ReposConfig } from '../config/repos-config.ts';
import { buildTargets, readBuildFiles } from '../dockerfile/build-files.ts';
import { timedBuildArgs } from './build-args.ts';
import { parseDockerfile } from '../dockerfile/model.ts';
import type { Builder } from './builder.ts';
import { probeBuilder } from './probe.ts';
import { measureTiming, DEFAULT_PLATFORMS, type TimingSection } from './measure.ts';
import type { TimingResult } from './result.ts';
import { FileTimingStore, type TimingStore } from './store.ts';

const readOnly = (store: TimingStore): TimingStore => ({ get: (d) => store.get(d), put: async () => {} });

export interface TimingSettings {
  platforms?: string[];
  buildArgs: Record<string, string>;
  storeDir: string;
  timeoutMs?: number;
  /** When (epoch ms) every build of the run must be done by (`--timing-budget`). */
  deadline?: number;
  /** Probed when absent. */
  builder?: Builder;
  /** Dry run: reuse stored results, store nothing new (nothing at all is written but temp files, removed after). */
  readOnlyStore?: boolean;
}

export interface TimingOutcome {
  result?: TimingResult;
  /** Why nothing was measured (not a failure of the run). */
  skipped?: string;
}

/**
 * Time the migration of one checkout from its report: `dir` is the checkout (as it was, in dry
 * run, or as migrated); `report.changes` holds every changed file's before and after text.
 */
export async function timeMigration(repo: string, dir: string, report: CheckoutReport, options: MigrateOptions, settings: TimingSettings, log: (line: string) => void = () => {}): Promise<TimingOutcome> {
  if (report.outcome !== 'changed') return { skipped: `nothing to time: the migration ${report.outcome === 'failed' ? 'failed' : `left the checkout ${report.outcome}`}` };
  if (!report.changes) return { skipped: 'nothing to time: the migration handed over no before and after texts' };
  const changes = report.changes;
  const listed = options.dockerfiles.length ? options.dockerfiles : ['Dockerfile'];
  const dockerfiles = listed.filter((f) => changes.some((c) => c.path === f && c.before !== c.after));
  if (dockerfiles.length === 0) return { skipped: `nothing to time: ${listed.join(', ')} unchanged` };
  const notMeasured = listed.filter((f) => !dockerfiles.includes(f)).map((f) => ({ what: f, why: 'unchanged by the migration' }));

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'ibm-timing-checkout-'));
  try {
    const trees = { before: path.join(scratch, 'before', path.basename(dir)), after: path.join(scratch, 'after', path.basename(dir)) };
    for (const variant of ['before', 'after'] as const) await materialise(dir, trees[variant], changes, variant);
    const buildFiles = { before: await readBuildFiles(trees.before), after: await readBuildFiles(trees.after) };
    const targets = [...new Set(buildFiles.after.flatMap(buildTargets))];
    const fileArgs = { before: timedBuildArgs(buildFiles.before), after: timedBuildArgs(buildFiles.after) };
    const sections: TimingSection[] = [];
    for (const rel of dockerfiles) {
      const change = changes.find((c) => c.path === rel)!;
      const variant = (v: 'before' | 'after') => ({ text: change[v], contextDir: trees[v], ...(change.models ? { model: change.models[v] } : {}), ...(Object.keys(fileArgs[v]).length ? { buildArgs: fileArgs[v] } : {}) });
      const variants = { before: variant('before'), after: variant('after') };
      const built = targetsOf(change, targets);
      if (built.length === 0) sections.push({ dockerfile: rel, ...variants });
      for (const target of built) sections.push({ dockerfile: rel, target, ...variants });
    }
    const builder = settings.builder ?? (await probeBuilder());
    const store = new FileTimingStore(settings.storeDir);
    const result = await measureTiming({
      repo,
      sections,
      baseCommit: await headCommit(dir),
      platforms: settings.platforms?.length ? settings.platforms : DEFAULT_PLATFORMS,
      buildArgs: settings.buildArgs,
      timeoutMs: settings.timeoutMs,
      deadline: settings.deadline,
      builder,
      store: settings.readOnlyStore ? readOnly(store) : store,
      notMeasured,
      onProgress: log,
    });
    return { result };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * A copy of the checkout (its .git aside) holding one variant's texts of the changed files. Links
 * are copied as links, as written; a changed file replaces whatever the copy has at its path, so
 * nothing is ever written through a link into the checkout.
 */
async function materialise(dir: string, to: string, changes: FileChange[], variant: 'before' | 'after'): Promise<void> {
  await cp(dir, to, { recursive: true, verbatimSymlinks: true, filter: (src) => path.basename(src) !== '.git' });
  for (const c of changes) {
    const file = path.join(to, c.path);
    if (path.relative(to, file).startsWith('..')) throw new Error(`${c.path}: outside the checkout`);
    await rm(file, { force: true });
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, c[variant], { flag: 'wx' });
  }
}

/** The build files' targets that are stages of this Dockerfile before and after (their order kept). */
function targetsOf(change: FileChange, targets: string[]): string[] {
  const stages = (variant: 'before' | 'after') => {
    try {
      return new Set((change.models?.[variant] ?? parseDockerfile(change[variant])).stages.flatMap((s) => (s.name ? [s.name.toLowerCase()] : [])));
    } catch {
      return new Set<string>();
    }
  };
  const before = stages('before');
  const after = stages('after');
  return targets.filter((t) => before.has(t.toLowerCase()) && after.has(t.toLowerCase()));
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
  return (repo: string, dir: string, report: CheckoutReport, options: MigrateOptions) =>
    one(() => timeMigration(repo, dir, report, options, { ...settings, storeDir, platforms: settings.platforms ?? overrideFor(config, repo).platforms ?? config.defaults.platforms }));
}

/**
 * `--timing-from`: the measurements an earlier step of the same job made (`migrate --measure-only
 * --report FILE`), used for a repository only when they are of this very migration: the same base
 * commit and the same diff. The nightly's migrate job measures with a read-only token, then
 * delivers with a write token minted after the builds (an installation token lives an hour, the
 * builds up to four): the delivering step builds nothing and holds no key.
 */
/** The rows of an earlier run's report that timingFrom reads (the report's own shape, not its type: the timing room sits below the report's). */
export interface MeasuredRows {
  repos: { name: string; outcome: string; reason?: string; commit?: string; diff?: string; timing?: TimingResult }[];
}

export function timingFrom(measured: MeasuredRows, file: string) {
  return async (repo: string, dir: string, report: CheckoutReport): Promise<TimingOutcome> => {
    const row = measured.repos.find((r) => r.name.toLowerCase() === repo.toLowerCase());
    if (!row?.timing) return { skipped: `${path.basename(file)} holds no measurement of ${repo}${row?.reason ? ` (${row.outcome}: ${row.reason})` : ''}: measured on a later night` };
    const commit = await headCommit(dir);
    if (row.commit && commit && row.commit !== commit) return { skipped: `measured at ${row.commit.slice(0, 12)}, and the base branch has moved to ${commit.slice(0, 12)} since: measured on a later night` };
    if (row.diff !== undefined && row.diff !== report.diff) return { skipped: 'the measured migration differs from the one delivered: measured on a later night' };
    return { result: row.timing };
  };
}
