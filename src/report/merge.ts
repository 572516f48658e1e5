/**
 * The summary stage: the plan and one result file per migrate job become one FleetReport, as if
 * one process had run the whole fleet. A planned repository without a readable result is a failed
 * row (its job died, timed out or wrote something this version refuses), never a missing one.
 *
 * A job runs code of the repository it migrates (its build files, its Dockerfile's builds), so
 * what its result file says is believed only for that repository: a row naming any other, or a
 * file of no planned job, is ignored, and the merge says so and fails.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ExchangeError, readExchange, stamp } from './report-files.ts';
import { needsJob, slugOf } from './matrix.ts';
import { countOutcomes, type FleetReport, type RepoResult } from './types.ts';

export const NO_RESULT_STEP = 'job';

export interface ResultFile {
  file: string;
  report: FleetReport;
  /**
   * The slug of the job that wrote it: the artifact folder `result-<slug>` the workflow names
   * after the job's matrix entry (the nearest one above the file), else the file name `<slug>.json`.
   */
  job: string;
}

/** The job a result file belongs to, from its path (the result folder's own name included). */
export function jobOf(dir: string, file: string): string {
  const parts = path.relative(path.dirname(path.resolve(dir)), path.resolve(file)).split(path.sep);
  const folder = parts.slice(0, -1).reverse().find((p) => p.startsWith('result-'));
  return folder ? folder.slice('result-'.length) : path.basename(file, '.json');
}

/** Errors of a result that was ignored: every one names the file and why. */
export const IGNORED = 'result ignored: ';

export interface ReadResults {
  results: ResultFile[];
  /** Files that were refused, with why (already naming the file). */
  refused: string[];
}

/** Every `*.json` under `dir` (download-artifact puts each artifact in a folder of its own). */
export async function readResultDir(dir: string): Promise<ReadResults> {
  let names: string[];
  try {
    names = (await readdir(dir, { recursive: true })) as string[];
  } catch (e) {
    throw new ExchangeError(dir, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder (were the result artifacts downloaded?)' : `cannot read: ${(e as Error).message}`);
  }
  const results: ResultFile[] = [];
  const refused: string[] = [];
  for (const rel of names.filter((n) => n.endsWith('.json')).sort()) {
    const file = path.join(dir, rel);
    try {
      results.push({ file, report: await readExchange(file), job: jobOf(dir, file) });
    } catch (e) {
      if (!(e instanceof ExchangeError)) throw e;
      refused.push(e.message);
    }
  }
  return { results, refused };
}

/** A name as the file wrote it, quoted when it is not a plain repository name (a line break would forge a line of the log). */
const shown = (name: string) => (/^[\w.-]+\/[\w.-]+$/.test(name) ? name : JSON.stringify(name));

/**
 * The results a plan lets count: each file only if it is the result of a job the plan started,
 * each row of it only if it is that job's repository. Without a plan every result counts (a
 * hand-run summary of some jobs: there is no job to hold a file to).
 */
function accepted(plan: FleetReport | undefined, read: ReadResults, errors: string[]): ResultFile[] {
  if (!plan) return read.results;
  const jobs = new Map(plan.repos.filter(needsJob).map((p) => [slugOf(p.name), p.name]));
  const out: ResultFile[] = [];
  for (const r of read.results) {
    const repo = jobs.get(r.job);
    if (repo === undefined) {
      errors.push(`${IGNORED}${r.file}: no migrate job of the plan wrote it (its job "${r.job}" is not one the plan started), so none of its ${r.report.repos.length} row${r.report.repos.length === 1 ? '' : 's'} counts`);
      continue;
    }
    const own = r.report.repos.filter((row) => row.name.toLowerCase() === repo.toLowerCase());
    for (const row of r.report.repos) {
      if (!own.includes(row)) errors.push(`${IGNORED}${r.file}: its row for ${shown(row.name)} does not count: the job that wrote it was planned for ${repo}${jobs.has(slugOf(row.name)) ? '' : `, and ${shown(row.name)} is not a repository of the plan`}`);
    }
    out.push({ ...r, report: { ...r.report, repos: own } });
  }
  return out;
}

/**
 * One report from the plan and the jobs' results. Without a plan the results alone are merged
 * (a hand-run summary of some jobs).
 */
export function mergeReports(plan: FleetReport | undefined, read: ReadResults): FleetReport {
  const byName = new Map<string, { row: RepoResult; file: string }>();
  const errors: string[] = [...(plan?.errors ?? [])];
  const notes: string[] = [...(plan?.notes ?? [])];
  for (const r of read.refused) errors.push(`result refused: ${r}`);
  const results = accepted(plan, read, errors);
  for (const { file, report } of results) {
    for (const e of report.errors) errors.push(`${path.basename(file)}: ${e}`);
    for (const row of report.repos) {
      const key = row.name.toLowerCase();
      const seen = byName.get(key);
      if (seen) {
        errors.push(`${row.name} has results in both ${seen.file} and ${file}: each repository must have exactly one migrate job (the first one is kept)`);
        continue;
      }
      byName.set(key, { row, file });
    }
  }

  const rows: RepoResult[] = [];
  const planned = new Set<string>();
  for (const p of plan?.repos ?? []) {
    const key = p.name.toLowerCase();
    planned.add(key);
    const got = byName.get(key);
    if (got) rows.push(got.row);
    else if (needsJob(p)) {
      rows.push({
        name: p.name,
        outcome: 'failed',
        step: NO_RESULT_STEP,
        reason: 'its migrate job left no readable result: it failed, timed out or was cancelled before writing one (see that job\'s log)',
        branch: p.branch,
        commit: p.commit,
        durationMs: 0,
      });
    } else rows.push(p);
  }
  // Only without a plan: with one, a row outside it was never accepted.
  for (const [key, { row }] of byName) if (!planned.has(key)) rows.push(row);
  rows.sort((a, b) => a.name.localeCompare(b.name));

  const all = results.map((r) => r.report);
  const starts = [plan?.startedAt, ...all.map((r) => r.startedAt)].filter((s): s is string => Boolean(s)).sort();
  const ends = [plan, ...all].filter((r): r is FleetReport => Boolean(r)).map((r) => Date.parse(r.startedAt) + r.durationMs);
  const startedAt = starts[0] ?? new Date().toISOString();
  return stamp({
    // The jobs say what the night was: one dry-run result makes it dry, whatever the plan says
    // (a `--plan` plan reads "live" on a dry-run dispatch too; a `--dry-run` plan drives live jobs).
    // A night with no result at all is what the plan, or `report merge --dry-run`, says.
    dryRun: all.length ? all.some((r) => r.dryRun) : Boolean(plan?.dryRun),
    startedAt,
    durationMs: ends.length ? Math.max(0, Math.max(...ends) - Date.parse(startedAt)) : 0,
    reposFile: plan?.reposFile ?? all[0]?.reposFile ?? '',
    pushes: all.reduce<number>((n, r) => n + r.pushes, 0) as FleetReport['pushes'],
    interrupted: all.some((r) => r.interrupted),
    counts: countOutcomes(rows),
    repos: rows,
    excluded: plan?.excluded ?? dedupeExcluded(all.flatMap((r) => r.excluded)),
    errors,
    notes: [...new Set(notes)],
  });
}

function dedupeExcluded(list: FleetReport['excluded']): FleetReport['excluded'] {
  const seen = new Map(list.map((e) => [e.name, e]));
  return [...seen.values()];
}

/**
 * Failures that are the bot's own fault, which fail the summary job: a job that left no result,
 * an error outside every pipeline step (an uncaught exception), a result this version refuses.
 * So is a migration the bot made that does not build where the original does: the bot broke it
 * (its PR stays a draft saying so). A repository whose Dockerfile cannot be migrated, a missing
 * repository or a network failure is that repository's row and the night goes on green.
 */
export function botFaults(report: FleetReport): string[] {
  const out: string[] = [];
  for (const r of report.repos) {
    for (const m of r.timing?.measurements ?? []) {
      if (m.variant !== 'after' || m.status === 'ok') continue;
      const before = r.timing!.measurements.find((b) => b.variant === 'before' && b.platform === m.platform && b.dockerfile === m.dockerfile && b.target === m.target);
      if (before?.status === 'ok') out.push(`${r.name}: the migrated ${m.dockerfile ?? 'Dockerfile'} ${m.status === 'timeout' ? 'timed out' : 'failed'} on ${m.platform}${m.failedStep ? ` at ${m.failedStep}` : ''}, where the original builds`);
    }
    if (r.outcome !== 'failed') continue;
    if (r.step === NO_RESULT_STEP || r.step === undefined) out.push(`${r.name}: ${r.reason}`);
  }
  for (const e of report.errors) if (e.startsWith('result refused: ') || e.startsWith(IGNORED) || e.includes('exactly one migrate job')) out.push(e);
  return out;
}
