/**
 * The plan stage's output for the job matrix: one entry per repository that needs a migrate job,
 * and the plan as the summary must read it (repositories held back by the new-PR limit become
 * skipped rows with that reason, so the summary does not mistake them for dead jobs).
 */
import { stamp } from './exchange.ts';
import { needsJob, plannedAction } from './merge.ts';
import { countOutcomes, type FleetReport, type RepoResult } from './types.ts';

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

/**
 * `maxNew`: at most this many jobs for repositories that would get a new pull request; a row whose
 * plan updates or closes an existing PR (delivery's `--plan`) is never held back.
 */
export function planMatrix(plan: FleetReport, maxNew = Infinity): MatrixPlan {
  const include: MatrixEntry[] = [];
  const deferred: string[] = [];
  let fresh = 0;
  const repos: RepoResult[] = plan.repos.map((r) => {
    if (!needsJob(r)) return r;
    // Delivery's plan says whether a PR exists; a dry-run plan does not know, so every change counts as new.
    const action = plannedAction(r);
    const isNew = action === undefined || action === 'open';
    if (isNew && fresh >= maxNew) {
      deferred.push(r.name);
      return { ...r, outcome: 'skipped', reason: `deferred to a later night: at most ${maxNew} new pull request${maxNew === 1 ? '' : 's'} per run (${r.reason})` };
    }
    if (isNew) fresh++;
    include.push({ repo: r.name, slug: slugOf(r.name) });
    return r;
  });
  return { matrix: { include }, plan: stamp({ ...plan, repos, counts: countOutcomes(repos) }), deferred };
}
