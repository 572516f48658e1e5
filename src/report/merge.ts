/**
 * The summary stage: the plan and one result file per migrate job become one FleetReport, as if
 * one process had run the whole fleet. A planned repository without a readable result is a failed
 * row (its job died, timed out or wrote something this version refuses), never a missing one.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ExchangeError, readExchange, stamp } from './exchange.ts';
import { countOutcomes, type FleetReport, type RepoResult } from './types.ts';

/** Outcomes of a dry-run plan row that mean a migrate job is started for the repository. */
export const NEEDS_JOB: ReadonlySet<RepoResult['outcome']> = new Set(['would-change', 'changed']);
/** Delivery's decisions (`--plan`) that need a job: push and open or update the PR, or close it. */
export const ACTIONS_WITH_JOB: ReadonlySet<string> = new Set(['open', 'update', 'close']);

/** What delivery decided for a plan row, when the plan came from `--plan` (read loosely: it is delivery's). */
export function plannedAction(row: RepoResult): string | undefined {
  const d = (row as { delivery?: { action?: unknown } }).delivery;
  return typeof d?.action === 'string' ? d.action : undefined;
}

/** Does this plan row get a migrate job? */
export function needsJob(row: RepoResult): boolean {
  // A row the matrix deferred keeps delivery's planned action ("open") but gets no job: read as
  // needing one, its missing result made every held-back repository a failure of the bot.
  if (row.outcome === 'skipped') return false;
  const action = plannedAction(row);
  return action !== undefined ? ACTIONS_WITH_JOB.has(action) : NEEDS_JOB.has(row.outcome);
}

export const NO_RESULT_STEP = 'job';

export interface ResultFile {
  file: string;
  report: FleetReport;
}

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
      results.push({ file, report: await readExchange(file) });
    } catch (e) {
      if (!(e instanceof ExchangeError)) throw e;
      refused.push(e.message);
    }
  }
  return { results, refused };
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
  for (const { file, report } of read.results) {
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
  for (const [key, { row, file }] of byName) {
    if (planned.has(key)) continue;
    rows.push(row);
    if (plan) notes.push(`${row.name}: result in ${path.basename(file)} but not in the plan`);
  }
  rows.sort((a, b) => a.name.localeCompare(b.name));

  const all = read.results.map((r) => r.report);
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
 * A repository whose Dockerfile cannot be migrated, a missing repository or a network failure
 * is that repository's row and the night goes on green.
 */
export function botFaults(report: FleetReport): string[] {
  const out: string[] = [];
  for (const r of report.repos) {
    if (r.outcome !== 'failed') continue;
    if (r.step === NO_RESULT_STEP || r.step === undefined) out.push(`${r.name}: ${r.reason}`);
  }
  for (const e of report.errors) if (e.startsWith('result refused: ') || e.includes('exactly one migrate job')) out.push(e);
  return out;
}
