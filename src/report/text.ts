/**
 * The end-of-run summary for a terminal: the diffs first (what a reviewer reads), then every
 * repository grouped by outcome with its reason, then the totals.
 */
import { displayName } from '../config/names.ts';
import { reasonLines } from './reasons.ts';
import { OUTCOME_ORDER, OUTCOME_TITLES, type FleetReport, type RepoResult } from './types.ts';

export interface TextOptions {
  /** Include each changed repository's diff. */
  diffs?: boolean;
  color?: boolean;
}

export function renderText(report: FleetReport, opts: TextOptions = {}): string {
  const c = colors(opts.color ?? false);
  const lines: string[] = [];
  if (opts.diffs ?? true) {
    for (const r of report.repos) {
      if (!r.diff || (r.outcome !== 'would-change' && r.outcome !== 'changed')) continue;
      lines.push(c.bold(`── ${r.name} (${r.branch ?? '?'}@${(r.commit ?? '').slice(0, 12)}) ──`), r.diff.trimEnd());
      const why = reasonLines(r.files ?? []);
      if (why.length) lines.push('Why:', ...why);
      lines.push('');
    }
  }
  lines.push(c.bold(report.dryRun ? 'Dry run summary' : 'Run summary'));
  lines.push(report.plan
    ? 'Plan only: nothing was pushed and nothing was written on GitHub (read calls only).'
    : report.dryRun
      ? 'Nothing was pushed and no pull request was opened; the example and GitHub repositories were only read.'
      : report.repos.some((r) => r.delivery)
        ? 'Branches pushed and pull requests kept current where the plan said so.'
        : 'Workspaces were migrated locally; local sources are never pushed, so nothing was pushed.');
  if (report.interrupted) lines.push(c.yellow('Interrupted: this summary is partial.'));
  for (const e of report.errors) lines.push(c.red(`error: ${e}`));
  const width = Math.min(60, Math.max(0, ...report.repos.map((r) => r.name.length)));
  for (const outcome of OUTCOME_ORDER) {
    const group = report.repos.filter((r) => r.outcome === outcome);
    if (group.length === 0) continue;
    const title = outcome === 'changed' && group.some((r) => r.delivery) ? 'Changed (delivery below each)' : OUTCOME_TITLES[outcome];
    lines.push('', c.heading(outcome, `${title} (${group.length})`));
    for (const r of group) lines.push(`  ${r.name.padEnd(width)}  ${reasonOf(r)}`);
  }
  if (report.excluded.length) {
    lines.push('', `Not in scope (${report.excluded.length}): ${report.excluded.map((e) => `${displayName(e.name)} (${e.reason})`).join(', ')}`);
  }
  for (const n of report.notes) lines.push(`note: ${n}`);
  if (report.dashboard) lines.push(`Dashboard (${report.dashboard.action}): ${report.dashboard.url}`);
  if (report.apiCalls) lines.push(`GitHub API calls: ${report.apiCalls.calls} (plus ${report.apiCalls.notModified} answered 304 Not Modified)`);
  const parts = OUTCOME_ORDER.filter((o) => report.counts[o] > 0).map((o) => `${report.counts[o]} ${OUTCOME_TITLES[o].toLowerCase()}`);
  lines.push('', `${report.repos.length} repositories in ${(report.durationMs / 1000).toFixed(1)} s: ${parts.join(', ') || 'none'}. Pushes: ${report.pushes}.`);
  return `${lines.join('\n')}\n`;
}

function reasonOf(r: RepoResult): string {
  const base = r.step && r.outcome === 'failed' ? `[${r.step}] ${r.reason}` : r.reason;
  const d = r.delivery;
  if (!d) return base;
  const pr = d.pr ? ` #${d.pr.number}${d.pr.draft ? ' (draft)' : ''} ${d.pr.url}` : '';
  const calls = r.apiCalls ? ` [API calls: ${r.apiCalls.calls}, 304: ${r.apiCalls.notModified}]` : '';
  return `${base}\n    PR: ${d.action} (${d.status})${pr}: ${d.reason}${d.warnings.map((w) => `\n    warning: ${w}`).join('')}${calls}`;
}

function colors(on: boolean) {
  const wrap = (code: string) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  const bold = wrap('1');
  const red = wrap('31');
  const green = wrap('32');
  const yellow = wrap('33');
  return {
    bold,
    red,
    yellow,
    heading: (outcome: string, s: string) => (outcome === 'failed' ? red : outcome === 'would-change' || outcome === 'changed' ? green : outcome === 'cancelled' ? yellow : bold)(s),
  };
}
