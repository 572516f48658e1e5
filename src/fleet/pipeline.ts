/**
 * One repository, start to finish: look it up, get a workspace, run the codemod (which reviews
 * its own output), time what it produced, deliver it, turn what happened into a RepoResult. Every failure is caught here and becomes this repository's outcome.
 */
import type { ReposConfig } from '../config/repos-config.ts';
import { migrateOptionsFor } from '../config/repos-config.ts';
import type { RepoTarget } from '../discovery/discover.ts';
import type { Platform } from '../platform/types.ts';
import { credentialRefusal, gitHostFromEnv } from '../secrets/git-host.ts';
import { redact, redactError } from '../secrets/redact.ts';
import { deliver, type DeliveryRun } from '../delivery/deliver.ts';
import { deliverySettingsFor } from '../delivery/settings.ts';
import { timingInputFrom, type TimingInput } from '../timing/delivery-input.ts';
import type { CheckoutReport, MigrateOptions } from '../migrate/types.ts';
import type { TimingOutcome } from '../timing/migration-timing.ts';
import type { RepoResult } from '../report/types.ts';
import type { Cache } from '../workspace/cache.ts';
import { syncLocalRemote } from '../workspace/local-remote.ts';
import { exists, prepareWorkspace, WorkspaceError } from '../workspace/workspace.ts';

export type MigrateFn = (dir: string, options: MigrateOptions) => Promise<CheckoutReport>;

export interface PipelineContext {
  config: ReposConfig;
  cache: Cache;
  dryRun: boolean;
  /** Looks the repository up on GitHub (a GitHub source): the run's one platform client. */
  platform?: Platform;
  token?: string;
  /** The token for git, asked before each clone (a GitHub App's installation token expires; wins over `token`). */
  gitToken?: () => Promise<string | undefined>;
  /** The git host the token may be sent to (src/secrets/git-host.ts); default from the environment. */
  gitHost?: string;
  migrate: MigrateFn;
  onStep?: (name: string, what: string) => void;
  /** Deliver (push and PR) after the migration, or plan it (--plan); GitHub sources only. */
  delivery?: DeliveryRun;
  /** Build timings per repository (`owner/name`), from src/timing/ when it ran. */
  timing?: (repo: string) => TimingInput | undefined;
  /** --timing: time before/after builds of what the migration produced (its report's before and after texts; it never migrates again). */
  time?: (repo: string, dir: string, report: CheckoutReport, options: MigrateOptions) => Promise<TimingOutcome>;
}

class StepFailure extends Error {
  constructor(readonly step: string, message: string) {
    super(message);
  }
}

/** The migration worked, delivering it did not: the report keeps the diff. */
class DeliveryFailure extends StepFailure {
  constructor(step: string, message: string, readonly base: Pick<RepoResult, 'branch' | 'commit' | 'files' | 'diff'>) {
    super(step, message);
  }
}

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StepFailure) throw err;
    if (err instanceof WorkspaceError) throw new StepFailure(err.step, err.message);
    throw new StepFailure(name, redactError(err));
  }
}

export async function runPipeline(ctx: PipelineContext, target: RepoTarget, signal: AbortSignal): Promise<RepoResult> {
  const started = performance.now();
  const name = target.repo.full;
  const result = (r: Omit<RepoResult, 'name' | 'durationMs'>): RepoResult => ({ name, ...r, reason: redact(r.reason), ...(ctx.delivery ? { apiCalls: ctx.delivery.platform.calls(name) } : {}), durationMs: Math.round(performance.now() - started) });

  // A skipped repository still goes to delivery, which closes a PR the bot opened before the skip.
  const skip = target.override.skip ? `repos.yaml: ${target.override.skip}` : undefined;
  if (skip && !(ctx.delivery && target.source === 'github')) return result({ outcome: 'skipped', reason: skip });

  try {
    ctx.onStep?.(name, 'looking up');
    const remote = await step('lookup', async () => {
      if (target.source === 'local') {
        if (!target.folder || !(await exists(target.folder))) {
          throw new StepFailure('lookup', 'repository not found: no folder of that name in the local source');
        }
        const r = await syncLocalRemote(ctx.cache, target.repo, target.folder, signal);
        return { url: r.path, branch: target.override.branch ?? r.branch, archived: false, knownCommit: target.override.branch ? undefined : r.commit, shallow: false, canPush: undefined as boolean | undefined };
      }
      if (!ctx.platform) throw new Error('no GitHub client');
      const info = await ctx.platform.repository(target.repo);
      if (info.status === 'missing') throw new StepFailure('lookup', info.reason);
      if (info.status === 'archived') return { url: '', branch: info.defaultBranch, archived: true, knownCommit: undefined, shallow: true, canPush: undefined };
      // The token goes only to the configured git host, over https (loopback excepted).
      const refusal = ctx.token || ctx.gitToken ? credentialRefusal(info.cloneUrl, ctx.gitHost ?? gitHostFromEnv()) : undefined;
      if (refusal) throw new StepFailure('clone', refusal);
      return { url: info.cloneUrl, branch: target.override.branch ?? info.defaultBranch, archived: false, knownCommit: undefined, shallow: true, canPush: info.canPush };
    });
    if (remote.archived) return result({ outcome: 'skipped', reason: 'archived on GitHub (read-only): nothing to migrate', branch: remote.branch });

    signal.throwIfAborted();
    ctx.onStep?.(name, 'cloning');
    const ws = await step('clone', async () => {
      const token = target.source === 'github' ? (ctx.gitToken ? await ctx.gitToken() : ctx.token) : undefined;
      return prepareWorkspace(ctx.cache, {
        repo: target.repo,
        url: remote.url,
        branch: remote.branch,
        auth: token ? { token, host: ctx.gitHost ?? gitHostFromEnv() } : undefined,
        signal,
        knownCommit: remote.knownCommit,
        shallow: remote.shallow,
      });
    });

    signal.throwIfAborted();
    ctx.onStep?.(name, ctx.dryRun ? 'computing the migration' : 'migrating');
    const report: CheckoutReport = skip
      ? { outcome: 'skipped', files: [], diff: '', summary: skip }
      : await step('migrate', () => ctx.migrate(ws.dir, { ...migrateOptionsFor(ctx.config, name), dryRun: ctx.dryRun }));
    // Review ran inside the migration (it refuses an output with an error). Time what it produced.
    const time = ctx.time;
    const timing = time && report.outcome === 'changed' ? await step('timing', () => { ctx.onStep?.(name, 'timing builds'); return time(name, ws.dir, report, migrateOptionsFor(ctx.config, name)); }) : undefined;
    const base = { branch: ws.branch, commit: ws.commit, files: report.files, ...(timing?.result ? { timing: timing.result } : {}) };
    let delivery: RepoResult['delivery'];
    if (ctx.delivery && target.source === 'github') {
      signal.throwIfAborted();
      ctx.onStep?.(name, ctx.delivery.mode === 'plan' ? 'planning delivery' : 'delivering');
      const run = ctx.delivery;
      const timingInput = ctx.timing?.(name) ?? timingInputFrom(timing);
      delivery = await step('deliver', () =>
        deliver(run, { repo: target.repo, dir: ws.dir, cloneUrl: remote.url, baseBranch: ws.branch, baseSha: ws.commit, report, canPush: remote.canPush, settings: deliverySettingsFor(ctx.config, name), timing: timingInput, signal }),
      ).catch((err: unknown) => {
        if (err instanceof StepFailure) throw new DeliveryFailure(err.step, err.message, { ...base, diff: report.diff });
        throw err;
      });
    }
    const finish = (r: Omit<RepoResult, 'name' | 'durationMs'>): RepoResult => result({ ...r, ...(delivery ? { delivery: { ...delivery, reason: redact(delivery.reason), warnings: delivery.warnings.map(redact) } } : {}) });
    switch (report.outcome) {
      case 'changed':
        return finish({ ...base, outcome: ctx.dryRun ? 'would-change' : 'changed', reason: report.summary, diff: report.diff });
      case 'unchanged':
        return finish({ ...base, outcome: 'already-migrated', reason: report.summary });
      case 'skipped':
        return finish({ ...base, outcome: 'skipped', reason: report.summary });
      default:
        return finish({ ...base, outcome: 'failed', step: 'migrate', reason: failureReason(report) });
    }
  } catch (err) {
    if (signal.aborted) return result({ outcome: 'cancelled', reason: 'interrupted' });
    if (err instanceof DeliveryFailure) return result({ ...err.base, outcome: 'failed', step: err.step, reason: err.message });
    if (err instanceof StepFailure) return result({ outcome: 'failed', step: err.step, reason: err.message });
    return result({ outcome: 'failed', reason: redactError(err) });
  }
}

function failureReason(report: CheckoutReport): string {
  const errors = report.files.filter((f) => f.status === 'error' && f.error).map((f) => f.error!.message);
  return errors.length ? errors.join('; ') : report.summary;
}
