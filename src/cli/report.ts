/**
 * `migrate report matrix PLAN` and `migrate report merge DIR`: the nightly workflow's plan and
 * summary stages, which read and write only the versioned JSON of src/report/report-files.ts.
 *
 * Exit codes: 0 done, 1 (merge) a failure that is the bot's own fault, 2 a file refused or bad usage.
 */
import { writeFileAtomically } from '../files/atomic-write.ts';
import { redact } from '../secrets/redact.ts';
import { DashboardError, updateMergedDashboard } from './report-dashboard.ts';
import { annotate, inActions, setOutput, writeStepSummary } from '../actions/actions.ts';
import { ExchangeError, readExchange } from '../report/report-files.ts';
import { writeJsonReport } from '../report/json.ts';
import { code, text } from '../markdown/untrusted.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { planMatrix } from '../report/matrix.ts';
import { botFaults, mergeReports, readResultDir } from '../report/merge.ts';
import { renderText } from '../report/text.ts';
import type { FleetReport } from '../report/types.ts';

export interface MatrixArgs {
  plan: string;
  maxNew?: number;
  /** Write the plan as the summary must read it (deferred repositories marked). */
  out?: string;
}

export async function runReportMatrix(args: MatrixArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let plan: FleetReport;
  try {
    plan = await readExchange(args.plan);
  } catch (e) {
    return refused(e, err);
  }
  const m = planMatrix(plan, args.maxNew);
  const json = JSON.stringify(m.matrix);
  out.write(`${json}\n`);
  setOutput('matrix', json);
  setOutput('count', String(m.matrix.include.length));
  if (args.out) await writeJsonReport(args.out, m.plan);
  const none = m.plan.repos.filter((r) => !m.matrix.include.some((i) => i.repo === r.name));
  err.write(`${m.matrix.include.length} repositories need a migrate job${m.deferred.length ? `, ${m.deferred.length} deferred to a later night (new-PR limit or GitHub's 256-job matrix limit)` : ''}, ${none.length} need none.\n`);
  await writeStepSummary(planMarkdown(m.matrix.include.map((i) => i.repo), none));
  return 0;
}

function planMarkdown(jobs: string[], none: FleetReport['repos']): string {
  const lines = ['## image-build-migrator plan', '', `**${jobs.length} migrate job${jobs.length === 1 ? '' : 's'}:** ${jobs.map((j) => code(j)).join(', ') || 'none'}`];
  if (none.length) {
    lines.push('', 'No job needed:', '', '| Repository | Why not |', '| --- | --- |');
    for (const r of none) lines.push(`| ${code(r.name, { inTable: true })} | ${r.step && r.outcome === 'failed' ? `failed [${text(r.step)}]: ` : ''}${text(r.reason)} |`);
  }
  return `${lines.join('\n')}\n`;
}

export interface MergeArgs {
  dir: string;
  plan?: string;
  json?: string;
  markdown?: string;
  /** Update the dashboard issue named in this repos.yaml once, from the merged rows. */
  dashboard?: { reposFile: string };
  /**
   * The workflow run was a dry-run dispatch. The plan cannot say so (it is made with read calls
   * either way), and a night whose jobs all died leaves no result that could.
   */
  dryRun?: boolean;
}

export async function runReportMerge(args: MergeArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let plan: FleetReport | undefined;
  let read;
  try {
    plan = args.plan ? await readExchange(args.plan) : undefined;
    read = await readResultDir(args.dir);
  } catch (e) {
    return refused(e, err);
  }
  for (const r of read.refused) err.write(`error: ${r}\n`);
  let merged = mergeReports(plan, read);
  if (args.dryRun) merged = { ...merged, dryRun: true };
  const faults = botFaults(merged);
  if (args.dashboard) {
    try {
      const dashboard = await updateMergedDashboard(merged, args.dashboard.reposFile, env, (line) => err.write(`${redact(line)}\n`));
      if (dashboard) {
        merged = { ...merged, dashboard };
        err.write(`Dashboard ${dashboard.action}: ${dashboard.url}\n`);
      }
    } catch (e) {
      if (!(e instanceof DashboardError)) throw e;
      faults.push(e.message);
    }
  }

  if (args.json) await writeJsonReport(args.json, merged);
  const markdown = renderMarkdown(merged) + faultsMarkdown(faults);
  if (args.markdown) await writeFileAtomically(args.markdown, markdown);
  out.write(renderText(merged, { diffs: false }));
  for (const f of faults) err.write(`error (the bot's own fault): ${f}\n`);

  if (inActions(env)) {
    await writeStepSummary(markdown);
    for (const r of merged.repos) {
      if (r.outcome !== 'failed') continue;
      const own = faults.some((f) => f.startsWith(`${r.name}: `));
      annotate({ level: own ? 'error' : 'warning', title: `${r.name} failed${r.step ? ` [${r.step}]` : ''}`, message: r.reason });
    }
  }
  return faults.length ? 1 : 0;
}

function faultsMarkdown(faults: string[]): string {
  if (!faults.length) return '';
  return ['', "### The bot's own faults (this job fails)", '', ...faults.map((f) => `- ${text(f)}`), ''].join('\n');
}

function refused(e: unknown, err: NodeJS.WritableStream): number {
  if (!(e instanceof ExchangeError)) throw e;
  err.write(`error: ${e.message}\n`);
  return 2;
}
