/**
 * `migrate` over the whole fleet: read repos.yaml, discover the repositories, run one pipeline per
 * repository (each failing alone: clone, migrate, time, deliver), print the diffs and a summary
 * grouped by outcome. In dry run nothing is written anywhere; delivery (pushes, pull requests,
 * the dashboard) happens only in a real run against GitHub.
 *
 * Exit codes: 0 every repository done (changed, unchanged or skipped), 1 a repository or the list
 * failed, 2 bad usage or config, 130 interrupted.
 */
import { ConfigError, loadReposConfig, type ReposConfig } from '../config/repos-config.ts';
import { displayName } from '../config/names.ts';
import { discoverRepos, type Discovery, type RepoTarget } from '../discovery/discover.ts';
import { gitHostFor } from '../secrets/git-host.ts';
import { redact, redactDeep, redactError } from '../secrets/redact.ts';
import { appendStepSummary } from '../report/markdown.ts';
import { renderJson, writeJsonReport } from '../report/json.ts';
import { stamp } from '../report/report-files.ts';
import { renderText } from '../report/text.ts';
import { requireFolder } from '../files/atomic-write.ts';
import { FileError } from '../files/fs-errors.ts';
import { countOutcomes, type FleetReport, type RepoResult } from '../report/types.ts';
import { onInterrupt } from '../scheduler/interrupt.ts';
import { runPool } from '../scheduler/pool.ts';
import { CacheBusyError, DEFAULT_CACHE_DIR, openCache } from '../workspace/cache.ts';
import { AuthError, createPlatformClient, platformEnvFrom, type GitHubPacing, type PlatformClient, type PlatformEnv } from '../platform/octokit.ts';
import { GitHubPlatform } from '../platform/github.ts';
import type { DeliveryRun } from '../delivery/deliver.ts';
import { updateDashboard } from '../delivery/dashboard.ts';
import { timingInputFrom, type TimingInput } from '../timing/delivery-input.ts';
import path from 'node:path';
import { createProgress } from './progress.ts';
import { runPipeline, type MigrateFn } from './pipeline.ts';
import { fleetTiming, timingFrom, type TimingSettings } from '../timing/migration-timing.ts';
import { renderTimingTable } from '../timing/table.ts';
import { NoBuilderError } from '../timing/builder.ts';
import { probeBuilder } from '../timing/probe.ts';
import type { MigrateOptions } from '../migrate/types.ts';

export interface RunFleetOptions {
  reposFile: string;
  dryRun: boolean;
  only?: string[];
  concurrency?: number;
  reportFile?: string;
  cacheDir?: string;
  /** Print the JSON report on `out` instead of the text summary. */
  json?: boolean;
  /** Stop the run (tests, embedding). Without it, SIGINT/SIGTERM stop the run. */
  signal?: AbortSignal;
  /** Diffs and summary (default stdout). */
  out?: NodeJS.WritableStream;
  /** Progress and diagnostics (default stderr). */
  err?: NodeJS.WritableStream;
  /** Force the live task list on or off (default: on when `err` is a TTY and CI is unset). */
  live?: boolean;
  /** Environment for GITHUB_TOKEN, GITHUB_API_URL, GITHUB_STEP_SUMMARY (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The codemod; default the real one from src/migrate/checkout.ts. */
  migrate?: MigrateFn;
  /** Receives the report object (benchmarks, embedding). */
  onReport?: (report: FleetReport) => void;
  /** Plan delivery with read calls only: print open / update / leave / close / blocked per repository. */
  plan?: boolean;
  /** false: leave the dashboard issue alone (a nightly matrix job; the summary job updates it once). */
  dashboard?: boolean;
  /** The GitHub client's spacing and retry waits, over what the environment says (default DEFAULT_PACING). */
  pacing?: Partial<GitHubPacing>;
  /** Build timings per repository for delivery, when they come from elsewhere (default: --timing's results). */
  timingInput?: (repo: string) => TimingInput | undefined;
  /** --timing: time cold before/after builds of every changed repository, one at a time. */
  timing?: TimingSettings;
  /** With `timing`: migrate and time, deliver nothing, no GitHub write (the nightly's read-only measuring step); results are stored unless `dryRun`. */
  measureOnly?: boolean;
  /** Timings measured by an earlier `measureOnly` run (its report, and the file it came from): used instead of building. */
  timingFrom?: { report: FleetReport; file: string };
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** A step found the run cannot go on: it said why; the run ends with this exit code, nothing cloned. */
class StopRun extends Error {
  constructor(readonly exitCode: number, message: string) {
    super(message);
  }
}

/** One run over the fleet, in the order a repository's way reads: settings, GitHub, the list, the pipelines, the report. */
export async function runFleet(opts: RunFleetOptions): Promise<number> {
  const err = opts.err ?? process.stderr;
  const env = opts.env ?? process.env;
  const say = (line: string) => err.write(`${redact(line)}\n`);
  const startedAt = new Date();
  const t0 = performance.now();
  try {
    const settings = await readSettings(opts, env);
    const github = await connect(settings.config, opts, env, say);
    const chosen = await choose(settings.config, github, opts, say);
    const results = await migrateAll(settings, github, chosen, opts, env, say);
    return await finish({ settings, github, chosen, results, startedAt, t0 }, opts, env, say);
  } catch (e) {
    if (!(e instanceof StopRun)) throw e;
    say(e.message);
    return e.exitCode;
  }
}

interface Settings {
  config: ReposConfig;
  concurrency: number;
  timing?: TimingSettings;
}

/** repos.yaml, the concurrency, the report folder and (with --timing) a builder: all before anything is cloned. */
async function readSettings(opts: RunFleetOptions, env: NodeJS.ProcessEnv): Promise<Settings> {
  let config;
  try {
    config = await loadReposConfig(opts.reposFile);
  } catch (e) {
    if (e instanceof ConfigError) throw new StopRun(EXIT_USAGE, `${e.message}\n(repos.yaml is invalid: nothing was run)`);
    throw e;
  }
  const concurrency = opts.concurrency ?? config.defaults.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new StopRun(EXIT_USAGE, 'error: --concurrency takes a whole number >= 1');

  // A report path whose folder is missing is a typo: say so before the run, create nothing.
  if (opts.reportFile) {
    try {
      await requireFolder(opts.reportFile);
    } catch (e) {
      if (!(e instanceof FileError)) throw e;
      throw new StopRun(EXIT_USAGE, `error: --report: ${e.message}`);
    }
  }

  // --timing without a builder would fail every repository at its timing step, after cloning and
  // migrating them all: probe once, before anything is cloned, and say what to set up.
  let timing = opts.timing;
  if (timing && !timing.builder) {
    try {
      timing = { ...timing, builder: await probeBuilder({ env }) };
    } catch (e) {
      if (!(e instanceof NoBuilderError)) throw e;
      throw new StopRun(EXIT_USAGE, `error: --timing: ${e.message}; nothing was cloned. Run without --timing to migrate without measuring.`);
    }
  }
  return { config, concurrency, ...(timing ? { timing } : {}) };
}

interface GitHubSide {
  /** A real run or --plan against GitHub: delivery runs (a dry run and --measure-only only read). */
  delivering: boolean;
  platformClient?: PlatformClient;
  /** Everything the run asks GitHub goes through it: the list, the lookups, delivery. */
  platform?: GitHubPlatform;
  platformEnv?: PlatformEnv;
}

/** One platform client for discovery and delivery, its credentials checked once for the whole fleet. */
async function connect(config: ReposConfig, opts: RunFleetOptions, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<GitHubSide> {
  const delivering = config.source.type === 'github' && (opts.plan || !opts.dryRun) && !opts.measureOnly;
  if (config.source.type !== 'github') return { delivering };
  let platformEnv;
  try {
    platformEnv = await platformEnvFrom(env);
  } catch (e) {
    throw new StopRun(EXIT_USAGE, `error: ${redactError(e)}`);
  }
  if (delivering && !opts.plan && platformEnv.auth.kind === 'none') {
    throw new StopRun(EXIT_USAGE, 'error: pushing branches and opening pull requests needs GITHUB_TOKEN (or a GitHub App: GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_INSTALLATION_ID); nothing was cloned. Use --dry-run to preview without a token, or --plan to see what delivery would do.');
  }
  const platformClient = await createPlatformClient({
    ...platformEnv,
    pacing: { ...platformEnv.pacing, ...opts.pacing },
    log: say,
    // A dry run keeps its conditional-read cache in memory: it writes nothing it does not have to.
    etagFile: delivering ? path.join(path.resolve(opts.cacheDir ?? DEFAULT_CACHE_DIR), '_github', 'etags.json') : undefined,
  });
  // A GitHub App whose key or installation is wrong would fail every repository the same way.
  try {
    await platformClient.checkAuth();
  } catch (e) {
    if (!(e instanceof AuthError)) throw e;
    throw new StopRun(EXIT_USAGE, `error: ${e.message}; nothing was cloned.`);
  }
  return { delivering, platformClient, platform: new GitHubPlatform(platformClient), platformEnv };
}

interface Chosen {
  discovery: Discovery;
  targets: RepoTarget[];
  rejected: Discovery['rejected'];
}

/** The repositories of this run: the list merged with repos.yaml, narrowed by --only. */
async function choose(config: ReposConfig, github: GitHubSide, opts: RunFleetOptions, say: (line: string) => void): Promise<Chosen> {
  const discovery = await discoverRepos(config, { platform: github.platform });
  for (const e of discovery.errors) say(`error: ${e}`);
  if (!opts.only?.length) return { discovery, targets: discovery.targets, rejected: discovery.rejected };
  const picked = pickOnly(discovery, opts.only);
  if (picked.unknown.length) throw new StopRun(EXIT_USAGE, `error: --only names no repository of this fleet: ${picked.unknown.map(displayName).join(', ')}`);
  return { discovery, targets: picked.targets, rejected: picked.rejected };
}

/** What this run will do, in one line, before the first repository starts. */
function announce(s: Settings, github: GitHubSide, total: number, opts: RunFleetOptions): string {
  const { concurrency, config } = s;
  if (opts.plan) return `Plan over ${total} repositories (concurrency ${concurrency}): computing changes and what delivery would do, with read calls only.`;
  if (opts.measureOnly) return `Measuring ${total} repositories (concurrency ${concurrency}): migrating and timing only, nothing will be pushed${opts.dryRun ? ' or stored' : ''}; a later run delivers with these timings (--timing-from).`;
  if (opts.dryRun) return `Dry run over ${total} repositories (concurrency ${concurrency}): computing changes only, nothing will be pushed.`;
  if (github.delivering) return `Run over ${total} repositories (concurrency ${concurrency}): pushing ${config.delivery.branch} and keeping one pull request per repository current (at most ${config.delivery.maxPrsPerRun} new).`;
  return `Run over ${total} repositories (concurrency ${concurrency}): workspaces are migrated locally; local sources are never pushed.`;
}

/** One pipeline per repository in the pool, each failing alone; the results sorted by name. */
async function migrateAll(s: Settings, github: GitHubSide, chosen: Chosen, opts: RunFleetOptions, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<Migrated> {
  const { config, concurrency, timing } = s;
  const { platformClient, platformEnv } = github;
  let cache;
  try {
    cache = await openCache(opts.cacheDir ?? DEFAULT_CACHE_DIR);
  } catch (e) {
    if (e instanceof CacheBusyError) throw new StopRun(EXIT_USAGE, `error: ${e.message}`);
    throw e;
  }
  const total = chosen.targets.length + chosen.rejected.length;
  say(announce(s, github, total, opts));
  // A dry run reads through the same client for discovery but never reaches delivery.
  const platform = github.delivering ? github.platform : undefined;
  const delivery: DeliveryRun | undefined = platform && platformEnv
    ? { platform, serverUrl: platformEnv.serverUrl, mode: opts.plan ? 'plan' : 'execute', budget: { left: config.delivery.maxPrsPerRun } }
    : undefined;

  const progress = createProgress({ stream: opts.err ?? process.stderr, total, concurrency, live: opts.live });
  const interrupt = opts.signal ? undefined : onInterrupt((m) => progress.message(m));
  const signal = opts.signal ?? interrupt!.signal;

  const results: RepoResult[] = chosen.rejected.map((r) => ({ name: displayName(r.name), outcome: 'failed', step: 'name', reason: r.reason, durationMs: 0 }));
  for (const r of results) progress.finish(r.name, r.outcome, r.reason);

  try {
    // The engine is handed its recipes: src/migrate/ never imports migrations/.
    const { migrateCheckout } = await import('../migrate/checkout.ts');
    const { recipes } = await import('../../migrations/index.ts');
    const migrate = opts.migrate ?? ((dir: string, o: MigrateOptions) => migrateCheckout(dir, o, recipes));
    const readOnly = opts.dryRun || Boolean(opts.plan) || Boolean(opts.measureOnly);
    const time = opts.timingFrom
      ? timingFrom(opts.timingFrom.report, opts.timingFrom.file)
      : timing ? fleetTiming(config, { ...timing, readOnlyStore: opts.dryRun || Boolean(opts.plan) }, opts.cacheDir ?? DEFAULT_CACHE_DIR) : undefined;
    const gitToken = platformClient && platformEnv?.auth.kind !== 'none' ? () => platformClient.gitToken() : undefined;
    const ctx = { config, cache, dryRun: readOnly, platform: github.platform, gitToken, gitHost: platformEnv ? gitHostFor(platformEnv.apiUrl, env.GITHUB_SERVER_URL) : undefined, migrate, onStep: (n: string, w: string) => progress.step(n, w), delivery, timing: opts.timingInput, time };
    const pooled = await runPool(
      chosen.targets,
      async (target: RepoTarget, sig) => {
        progress.start(target.repo.full);
        const r = await runPipeline(ctx, target, sig);
        progress.finish(r.name, r.outcome, r.reason);
        return r;
      },
      { concurrency, signal },
    );
    for (const p of pooled) {
      if (p.status === 'done') results.push(p.value);
      else if (p.status === 'cancelled') results.push({ name: p.item.repo.full, outcome: 'cancelled', reason: 'not started: the run was interrupted', durationMs: 0 });
      else results.push({ name: p.item.repo.full, outcome: 'failed', reason: redactError(p.error), durationMs: 0 });
    }
  } finally {
    await progress.close();
    interrupt?.dispose();
    await cache.release();
  }
  results.sort((a, b) => a.name.localeCompare(b.name));
  return { results, ...(delivery ? { delivery } : {}), signal };
}

interface Migrated {
  results: RepoResult[];
  delivery?: DeliveryRun;
  /** Read where the report is made: a stop during the dashboard update still counts. */
  signal: AbortSignal;
}

interface Done {
  settings: Settings;
  github: GitHubSide;
  chosen: Chosen;
  results: Migrated;
  startedAt: Date;
  t0: number;
}

/** The dashboard, the report (text or JSON, the --report file, the step summary) and the exit code. */
async function finish(d: Done, opts: RunFleetOptions, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<number> {
  const out = opts.out ?? process.stdout;
  const { config } = d.settings;
  const { platformClient } = d.github;
  const { results, delivery, signal } = d.results;
  let dashboard: FleetReport['dashboard'];
  if (delivery?.mode === 'execute' && config.delivery.dashboard && opts.dashboard !== false && !signal.aborted) {
    try {
      dashboard = await updateDashboard(delivery.platform, { repo: config.delivery.dashboard.repo, title: config.delivery.dashboard.title, repos: results, now: d.startedAt.toISOString(), timing: (n) => opts.timingInput?.(n) ?? timingInputFrom(timingOf(results, n)) });
    } catch (e) {
      say(`warning: the dashboard issue in ${config.delivery.dashboard.repo} was not updated: ${redactError(e)}`);
    }
  }
  await platformClient?.save().catch(() => undefined);
  const report: FleetReport = redactDeep(stamp({
    dryRun: opts.dryRun || Boolean(opts.measureOnly),
    ...(opts.plan ? { plan: true } : {}),
    ...(platformClient ? { apiCalls: platformClient.calls() } : {}),
    ...(dashboard ? { dashboard } : {}),
    startedAt: d.startedAt.toISOString(),
    durationMs: Math.round(performance.now() - d.t0),
    reposFile: config.file,
    pushes: results.filter((r) => r.delivery?.pushed).length,
    interrupted: signal.aborted,
    counts: countOutcomes(results),
    repos: results,
    excluded: d.chosen.discovery.excluded,
    errors: d.chosen.discovery.errors,
    notes: d.chosen.discovery.notes,
  }));
  opts.onReport?.(report);

  if (opts.json) out.write(renderJson(report));
  else {
    out.write(renderText(report, { color: Boolean((out as NodeJS.WriteStream).isTTY) && !env.NO_COLOR }));
    for (const r of report.repos) if (r.timing) out.write(`\n── ${r.name}: build times\n\n${renderTimingTable(r.timing)}`);
  }
  if (opts.reportFile) {
    await writeJsonReport(opts.reportFile, report);
    say(`Report written to ${opts.reportFile}`);
  }
  const summaryFile = await appendStepSummary(report, env).catch((e) => {
    say(`warning: cannot append to GITHUB_STEP_SUMMARY: ${redactError(e)}`);
    return undefined;
  });
  if (summaryFile) say('Summary appended to GITHUB_STEP_SUMMARY');

  if (report.interrupted) return EXIT_INTERRUPTED;
  return report.counts.failed > 0 || report.errors.length > 0 ? EXIT_FAILED : EXIT_OK;
}

function pickOnly(d: Discovery, only: string[]): { targets: RepoTarget[]; rejected: Discovery['rejected']; unknown: string[] } {
  const wanted = only.map((s) => s.trim().toLowerCase()).filter(Boolean);
  const hit = new Set<string>();
  const match = (full: string) => {
    const f = full.toLowerCase();
    const bare = f.slice(f.indexOf('/') + 1);
    const w = wanted.find((x) => x === f || x === bare);
    if (w) hit.add(w);
    return Boolean(w);
  };
  const targets = d.targets.filter((t) => match(t.repo.full));
  const rejected = d.rejected.filter((r) => match(r.name));
  // Excluded repositories count as known: asking for one is not a typo, it just does nothing.
  for (const e of d.excluded) match(e.name);
  return { targets, rejected, unknown: wanted.filter((w) => !hit.has(w)) };
}

function timingOf(results: RepoResult[], name: string) {
  const t = results.find((r) => r.name === name)?.timing;
  return t ? { result: t } : undefined;
}
