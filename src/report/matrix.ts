/**
 * The plan stage's output for the job matrix: one entry per repository that needs a migrate job,
 * and the plan as the summary must read it (repositories held back by the new-PR limit become
 * skipped rows with that reason, so the summary does not mistake them for dead jobs).
 */
import { stamp } from './report-files.ts';
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

export interface MatrixEntry {
  /** owner/name, for `--only`. */
  repo: string;
  /** Safe in an artifact name and a file name. */
  slug: string;
}

export interface Matrix {
  include: MatrixEntry[];
}

export interface MatrixPlan {
  matrix: Matrix;
  /** The plan with deferred repositories turned into skipped rows. */
  plan: FleetReport;
  deferred: string[];
}

export function slugOf(repo: string): string {
  return repo.toLowerCase().replace(/[^a-z0-9._-]+/g, '--');
}

/** GitHub refuses a matrix of more than 256 jobs: the workflow run fails before any job starts. */
export const MAX_MATRIX_JOBS = 256;

/**
 * `maxNew`: at most this many jobs for repositories that would get a new pull request; a row whose
 * plan updates or closes an existing PR (delivery's `--plan`) is not held back by it. Beyond
 * `maxJobs` (GitHub's matrix limit) every further repository waits for a later night, existing
 * PRs first: an open PR that goes stale is worse than a new one that waits.
 */
export function planMatrix(plan: FleetReport, maxNew = Infinity, maxJobs = MAX_MATRIX_JOBS): MatrixPlan {
  // Delivery's plan says whether a PR exists; a dry-run plan does not know, so every change counts as new.
  const isNew = (r: RepoResult) => {
    const action = plannedAction(r);
    return action === undefined || action === 'open';
  };
  const wanting = plan.repos.filter(needsJob);
  const fresh = wanting.filter(isNew);
  const chosen = new Set<RepoResult>(wanting.filter((r) => !isNew(r)).slice(0, maxJobs));
  for (const r of fresh.slice(0, Math.max(0, Math.min(maxNew, maxJobs - chosen.size)))) chosen.add(r);

  const include: MatrixEntry[] = [];
  const deferred: string[] = [];
  const repos: RepoResult[] = plan.repos.map((r) => {
    if (!needsJob(r)) return r;
    if (chosen.has(r)) {
      include.push({ repo: r.name, slug: slugOf(r.name) });
      return r;
    }
    deferred.push(r.name);
    const why =
      isNew(r) && fresh.indexOf(r) >= maxNew
        ? `at most ${maxNew} new pull request${maxNew === 1 ? '' : 's'} per run`
        : `at most ${maxJobs} migrate jobs per run (GitHub's limit for one matrix)`;
    return { ...r, outcome: 'skipped', reason: `deferred to a later night: ${why} (${r.reason})` };
  });
  return { matrix: { include }, plan: stamp({ ...plan, repos, counts: countOutcomes(repos) }), deferred };
}
