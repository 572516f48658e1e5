/**
 * The same summary as Markdown, for `GITHUB_STEP_SUMMARY` (and later PR comments / dashboards).
 * Diffs go in collapsed blocks so a 21-repository run stays readable.
 */
import { appendFileSafely } from '../files/atomic-write.ts';
import { displayName } from '../config/names.ts';
import { code, codeBlock, html, text } from '../markdown/untrusted.ts';
import { OUTCOME_ORDER, OUTCOME_TITLES, type FleetReport } from './types.ts';

const MAX_DIFF_CHARS = 20_000;

export function renderMarkdown(report: FleetReport): string {
  const out: string[] = [];
  out.push(`## image-build-migrator ${report.dryRun ? 'dry run' : 'run'}`, '');
  // What this run wrote, from the report itself: a run without a GitHub target pushes nothing.
  const prs = report.repos.filter((r) => r.delivery?.pr && (r.delivery.action === 'open' || r.delivery.action === 'update' || r.delivery.action === 'close') && r.delivery.status !== 'failed').length;
  out.push(report.dryRun ? '_Dry run: nothing was pushed and no pull request was opened._' : report.plan ? '_Plan: read calls only; nothing was pushed and no pull request was touched._' : `_${report.pushes} branch${report.pushes === 1 ? '' : 'es'} pushed, ${prs} pull request${prs === 1 ? '' : 's'} opened, updated or closed._`);
  if (report.interrupted) out.push('', '**Interrupted: partial results.**');
  for (const e of report.errors) out.push('', `> **Error:** ${text(e)}`);
  out.push('', '| Outcome | Count |', '| --- | ---: |');
  for (const o of OUTCOME_ORDER) if (report.counts[o]) out.push(`| ${OUTCOME_TITLES[o]} | ${report.counts[o]} |`);
  for (const o of OUTCOME_ORDER) {
    const group = report.repos.filter((r) => r.outcome === o);
    if (!group.length) continue;
    out.push('', `### ${OUTCOME_TITLES[o]} (${group.length})`, '', '| Repository | Reason |', '| --- | --- |');
    for (const r of group) out.push(`| ${code(r.name, { inTable: true })} | ${r.step && o === 'failed' ? `[${text(r.step)}] ` : ''}${text(r.reason)} |`);
    for (const r of group) {
      if (!r.diff) continue;
      const diff = r.diff.length > MAX_DIFF_CHARS ? `${r.diff.slice(0, MAX_DIFF_CHARS)}\n… (diff truncated)` : r.diff;
      out.push('', `<details><summary>${html(r.name)} diff</summary>`, '', codeBlock(diff.trimEnd(), 'diff'), '', '</details>');
    }
  }
  if (report.excluded.length) out.push('', `Not in scope: ${report.excluded.map((e) => `${code(displayName(e.name))} (${text(e.reason)})`).join(', ')}`);
  out.push('', `${report.repos.length} repositories in ${(report.durationMs / 1000).toFixed(1)} s. Pushes: ${report.pushes}.`, '');
  return out.join('\n');
}

/** Append to the file GitHub Actions shows on the run page, when we run there (never through a symlink; all or nothing). */
export async function appendStepSummary(report: FleetReport, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return undefined;
  await appendFileSafely(file, renderMarkdown(report));
  return file;
}
