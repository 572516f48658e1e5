/**
 * `report merge --dashboard`: the summary job edits the campaign dashboard once per night, from
 * the merged rows, so parallel migrate jobs (run with --no-dashboard) never race on the issue.
 */
import { loadReposConfig } from '../config/repos-config.ts';
import { updateDashboardFromEnv } from '../delivery/dashboard.ts';
import { timingInputFrom } from '../timing/delivery-input.ts';
import { redactError } from '../secrets/redact.ts';
import type { FleetReport } from '../report/types.ts';

export class DashboardError extends Error {}

export async function updateMergedDashboard(report: FleetReport, reposFile: string, env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<NonNullable<FleetReport['dashboard']> | undefined> {
  if (report.dryRun) {
    say('Dry run: the dashboard issue is left alone.');
    return undefined;
  }
  const config = await loadReposConfig(reposFile);
  const dashboard = config.delivery.dashboard;
  if (!dashboard) {
    // The workflow always asks; a fleet without a dashboard is a choice, not a fault.
    say(`note: ${config.file} configures no dashboard (delivery.dashboard.repo): none updated`);
    return undefined;
  }
  const byName = new Map(report.repos.map((r) => [r.name, r]));
  try {
    return await updateDashboardFromEnv(
      {
        repo: dashboard.repo,
        title: dashboard.title,
        repos: report.repos,
        now: report.startedAt,
        timing: (repo) => {
          const t = byName.get(repo)?.timing;
          return t ? timingInputFrom({ result: t }) : undefined;
        },
      },
      env,
    );
  } catch (e) {
    throw new DashboardError(`the dashboard issue in ${dashboard.repo} was not updated: ${redactError(e)}`);
  }
}
