/**
 * The campaign dashboard: one tracking issue, found again by its hidden marker, edited in place
 * (never duplicated), with one row per repository and, once timings exist, a Mermaid bar chart of
 * arm64 build minutes before and after. The successor of the hand-kept checklist in
 * rancher/ecm-distro-tools#375.
 *
 * A row keeps the time it last changed, so a run that changes nothing renders the same body and
 * makes no write call. `updateDashboard` takes plain JSON (the repositories of a fleet report), so
 * a nightly workflow can call it once from a report merged from several jobs.
 */
import { parseRepoName } from '../config/names.ts';
import type { Issue, Platform } from '../platform/types.ts';
import type { RepoResult } from '../report/types.ts';
import { codeBlock, commentJson, link, text } from '../markdown/untrusted.ts';
import { MAX_BODY } from './body.ts';
import { lastLineMarker } from './marker.ts';
import { failedAfterBuilds, speedup, type TimingInput } from '../timing/delivery-input.ts';

export const DASHBOARD_LABEL = 'image-build-migrator';
const MARK = '<!-- image-build-migrator:dashboard ';

export interface DashboardInput {
  /** owner/name of the repository holding the issue. */
  repo: string;
  title: string;
  /** The repositories of a fleet report (RepoResult, JSON). */
  repos: Pick<RepoResult, 'name' | 'outcome' | 'reason' | 'step' | 'delivery'>[];
  /** ISO time of this run. */
  now: string;
  timing?: (repo: string) => TimingInput | undefined;
}

export interface Row {
  status: string;
  pr?: { number: number; url: string };
  speedup?: string;
  before?: number;
  after?: number;
  /** When this row last changed. */
  at: string;
}

export async function updateDashboard(platform: Platform, input: DashboardInput): Promise<{ url: string; action: 'created' | 'updated' | 'current' }> {
  const repo = parseRepoName(input.repo);
  const me = await platform.login();
  // The marker counts only in an issue the bot opened: anyone can paste it into an issue of theirs.
  const ours = (i: Issue) => lastLineMarker(i.body, 'dashboard') !== undefined && (!me || i.author === me);
  let existing = (await platform.listIssues(repo, { label: DASHBOARD_LABEL })).find(ours);
  if (!existing) {
    // The label is only the cheap way in: a human may have removed it. Every issue of the
    // repository is read (all pages) before a second dashboard is opened, and the label put back.
    existing = (await platform.listIssues(repo, {})).find(ours);
    if (existing) await platform.addLabels(repo, existing.number, [DASHBOARD_LABEL]);
  }
  const body = renderDashboard(input, existing?.body);
  if (!existing) {
    const created = await platform.createIssue(repo, { title: input.title, body, labels: [DASHBOARD_LABEL] });
    return { url: created.url, action: 'created' };
  }
  if (existing.body === body && existing.title === input.title) return { url: existing.url, action: 'current' };
  const updated = await platform.updateIssue(repo, existing.number, { title: input.title, body });
  return { url: updated.url, action: 'updated' };
}

export function parseRows(body: string | undefined): Record<string, Row> {
  const json = lastLineMarker(body, 'dashboard');
  if (json === undefined) return {};
  try {
    return JSON.parse(json) as Record<string, Row>;
  } catch {
    return {};
  }
}

export function renderDashboard(input: DashboardInput, previousBody?: string): string {
  const previous = parseRows(previousBody);
  const rows: Record<string, Row> = { ...previous };
  for (const r of input.repos) {
    const t = input.timing?.(r.name);
    const next: Omit<Row, 'at'> = { status: statusOf(r, previous[r.name], t), pr: r.delivery?.pr ? { number: r.delivery.pr.number, url: r.delivery.pr.url } : previous[r.name]?.pr, speedup: speedup(t) ?? previous[r.name]?.speedup, before: t?.arm64SecondsBefore ?? previous[r.name]?.before, after: t?.arm64SecondsAfter ?? previous[r.name]?.after };
    const old = previous[r.name];
    const same = old && JSON.stringify({ ...old, at: undefined }) === JSON.stringify({ ...next, at: undefined });
    rows[r.name] = { ...stripUndefined(next), at: same ? old.at : input.now } as Row;
  }
  const names = Object.keys(rows).sort();
  // Everything that fits, most urgent first; what does not is named in one line, never cut off.
  const order = [...names].sort((a, b) => urgency(rows[a]!) - urgency(rows[b]!) || a.localeCompare(b));
  let body = dashboardBody(input, rows, names, names);
  if (body.length > MAX_BODY) {
    let lo = 0;
    let hi = names.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (dashboardBody(input, rows, names, order.slice(0, mid)).length <= MAX_BODY) lo = mid;
      else hi = mid - 1;
    }
    body = dashboardBody(input, rows, names, order.slice(0, lo));
  }
  return body;
}

/** 0 needs a look, then open PRs, waiting, merged, the rest: what a trimmed dashboard keeps first. */
function urgency(row: Row): number {
  if (NEEDS_A_LOOK.test(row.status)) return 0;
  if (/^PR open|^draft/.test(row.status)) return 1;
  if (/^waiting/.test(row.status)) return 2;
  if (/^merged/.test(row.status)) return 3;
  return 4;
}

const NEEDS_A_LOOK = /^failed|blocked/;

/**
 * The body listing `listed` (in name order) out of `names`. The hidden state holds the listed
 * rows only: a row left out is rebuilt from the next night's report, which has every repository.
 */
function dashboardBody(input: DashboardInput, rows: Record<string, Row>, names: string[], listed: string[]): string {
  const keep = new Set(listed);
  const inTable = names.filter((n) => keep.has(n));
  // Over the listed rows: a row left out has no state, so its time is always tonight's.
  const lastChange = inTable.map((n) => rows[n]!.at).sort().at(-1) ?? input.now;
  const count = (re: RegExp) => names.filter((n) => re.test(rows[n]!.status)).length;
  const left = names.filter((n) => !keep.has(n));
  const leftBy = new Map<string, number>();
  for (const n of left) {
    const k = rows[n]!.status.split(':')[0]!;
    leftBy.set(k, (leftBy.get(k) ?? 0) + 1);
  }
  // The day of the last run, not its time: a nightly edits the issue once a night, and a second
  // run the same day that changes nothing writes nothing.
  const lines = [
    `Tracking the move of the image-build repositories from QEMU-emulated builds to cross-compilation with \`tonistiigi/xx\` (successor of the checklist in rancher/ecm-distro-tools#375). Kept up to date by image-build-migrator; edits to this issue are overwritten.`,
    '',
    `**${names.length} repositories**: ${count(/^PR open(?!, blocked)|^draft/)} with an open PR, ${count(/^merged/)} merged, ${count(/^already migrated/)} already migrated, ${count(/^closed by a human/)} closed by a human, ${count(/^skipped/)} skipped, ${count(NEEDS_A_LOOK)} need a look. Last change: ${lastChange}. Last run: ${input.now.slice(0, 10)}.`,
    '',
    ...chart(inTable, rows),
    '| repository | status | PR | arm64 speedup | last change |',
    '|---|---|---|---|---|',
    ...inTable.map((n) => {
      const row = rows[n]!;
      return `| ${text(n)} | ${text(row.status)} | ${row.pr ? link(`#${row.pr.number}`, row.pr.url) : ''} | ${text(row.speedup ?? (/^PR open(?!, blocked)|^draft/.test(row.status) ? 'not measured yet' : ''))} | ${text(row.at)} |`;
    }),
    ...(left.length
      ? ['', `${left.length} more repositor${left.length === 1 ? 'y is' : 'ies are'} not listed (${[...leftBy].map(([k, v]) => `${v} ${k}`).join(', ')}): GitHub limits an issue to ${MAX_BODY.toLocaleString('en-US')} characters, and the ones that need a look come first. Every row is in the nightly run's summary.`]
      : []),
    '',
    `${MARK}${commentJson(Object.fromEntries(inTable.map((n) => [n, rows[n]])))} -->`,
  ];
  return lines.join('\n');
}

function statusOf(r: DashboardInput['repos'][number], old: Row | undefined, t?: TimingInput): string {
  const d = r.delivery;
  if (r.outcome === 'failed') return `failed at ${r.step ?? 'run'}: ${short(r.reason)}`;
  // The bot's migration does not build: a failure of the bot's (its PR stays a draft), named with the step.
  const broken = failedAfterBuilds(t)[0];
  if (broken) return `failed: the migrated build ${broken.status === 'timeout' ? 'times out' : 'fails'} on ${broken.platform}${broken.failedStep ? ` at ${short(broken.failedStep)}` : ''} (draft PR)`;
  if (d) {
    switch (d.status) {
      case 'opened':
      case 'updated':
        return d.pr?.draft ? 'draft PR' : 'PR open';
      case 'current':
        return old?.pr?.number === d.pr?.number && old && /PR/.test(old.status) ? old.status : 'PR open';
      case 'merged':
        return 'merged';
      case 'closed-by-human':
        return 'closed by a human';
      case 'blocked-by-human':
        return 'PR open, blocked by a human commit';
      case 'deferred':
        return 'waiting (maxPrsPerRun)';
      case 'no-longer-needed':
        return `PR closed: ${short(d.reason)}`;
      case 'failed':
        return `failed: ${short(d.reason)}`;
      default:
        break;
    }
  }
  if (r.outcome === 'already-migrated') return 'already migrated';
  if (r.outcome === 'skipped') return `skipped: ${short(r.reason.replace(/^skipped:\s*/, ''))}`;
  if (r.outcome === 'cancelled') return old?.status ?? 'not run';
  return r.outcome;
}

function chart(names: string[], rows: Record<string, Row>): string[] {
  const timed = names.filter((n) => rows[n]!.before && rows[n]!.after);
  if (!timed.length) return [];
  const min = (s: number) => Math.round((s / 60) * 10) / 10;
  return [
    codeBlock([
      'xychart-beta',
      '  title "arm64 build minutes: before (emulated) and after (cross-compiled)"',
      `  x-axis [${timed.map((n) => JSON.stringify(n.slice(n.indexOf('/') + 1).replace(/^image-build-/, ''))).join(', ')}]`,
      '  y-axis "minutes"',
      `  bar [${timed.map((n) => min(rows[n]!.before!)).join(', ')}]`,
      `  bar [${timed.map((n) => min(rows[n]!.after!)).join(', ')}]`,
    ].join('\n'), 'mermaid'),
    '',
  ];
}

const short = (s: string) => {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
};

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The dashboard update as one call from a (merged) fleet report: auth and URLs from the
 * environment (GITHUB_TOKEN or a GitHub App, GITHUB_API_URL, GITHUB_SERVER_URL). For a nightly
 * workflow whose matrix jobs each wrote a report: merge them, then call this once.
 */
export async function updateDashboardFromEnv(input: DashboardInput, env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; action: 'created' | 'updated' | 'current' }> {
  const { createPlatformClient, platformEnvFrom } = await import('../platform/octokit.ts');
  const { GitHubPlatform } = await import('../platform/github.ts');
  const penv = await platformEnvFrom(env);
  if (penv.auth.kind === 'none') throw new Error('updating the dashboard needs GITHUB_TOKEN (issues: write) or a GitHub App');
  const client = await createPlatformClient(penv);
  await client.checkAuth();
  return updateDashboard(new GitHubPlatform(client), input);
}
