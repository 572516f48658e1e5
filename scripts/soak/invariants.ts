/**
 * What must hold after every night of the soak, read from GitHub's state (the local GitHub), the
 * run's jobs and the summary artifact — never from what the bot says about itself alone.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RecordedRequest } from '../local-github/api-server.ts';
import type { PushRecord } from '../local-github/github.ts';
import type { RunResult } from './actions-runner.ts';
import { BOT, BOT_BRANCH, DASHBOARD_REPO, FLEET_REPOS, LABELS, MAX_NEW, REVIEWERS, type Night, type World } from './scenario.ts';
import { renderDashboard } from '../../src/delivery/dashboard.ts';
import { lastLineMarker } from '../../src/delivery/marker.ts';
import type { FleetReport, RepoResult } from '../../src/report/types.ts';

export const BODY_LIMIT = 65_536;
export const MAX_CALLS_PER_UNCHANGED_REPO = 4;

export interface NightCheck {
  n: number;
  title: string;
  conclusion: string;
  attempts: number;
  seconds: number;
  notes: string[];
  figures: string;
  held: string[];
  violations: string[];
}

interface Input {
  n: number;
  night: Night;
  world: World;
  attempts: RunResult[];
  runDir: string;
  calls: RecordedRequest[];
  writes: (RecordedRequest | PushRecord)[];
  notes: string[];
  seconds: number;
}

function repoOfCall(c: RecordedRequest): string | undefined {
  const m = /^\/repos\/([^/]+)\/([^/?]+)/.exec(c.url);
  return m ? `${m[1]}/${m[2]}`.toLowerCase() : undefined;
}

function summaryOf(run: RunResult): FleetReport | undefined {
  const job = run.jobs.find((j) => j.jobId === 'summary');
  if (!job || job.conclusion === 'skipped') return undefined;
  const f = path.join(run.artifactsDir, 'summary', 'summary.json');
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as FleetReport) : undefined;
}

function isAncestor(bare: string, sha: string, branch: string): boolean {
  try {
    execFileSync('git', ['-C', bare, 'merge-base', '--is-ancestor', sha, `refs/heads/${branch}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function checkNight(i: Input): Promise<NightCheck> {
  const { world: w, night } = i;
  const gh = w.gh;
  const run = i.attempts.at(-1)!;
  const held: string[] = [];
  const violations: string[] = [];
  const check = (ok: boolean, what: string, why: string) => (ok ? held.push(what) : violations.push(`${what}: ${why}`));

  // The workflow's conclusion: green unless the bot itself failed (the night says when it does).
  const wantConclusion = night.conclusion ?? 'success';
  const failedJobs = run.jobs.filter((j) => j.conclusion === 'failure');
  const why = [...run.errors, ...failedJobs.map((j) => `${j.key}: ${j.steps.filter((s) => s.conclusion !== 'success' && s.conclusion !== 'skipped').map((s) => `${s.name} (exit ${s.exitCode ?? '-'}): ${s.log.trim().split('\n').slice(-3).join(' / ')}`).join('; ')}`)].join(' | ');
  check(run.conclusion === wantConclusion, `the workflow's conclusion is ${wantConclusion}`, `it is ${run.conclusion}${why ? `: ${why}` : ''}`);

  const summary = summaryOf(run);
  if (!summary) violations.push('the summary job left no summary.json');

  // Dry run: nothing written anywhere.
  if (night.dryRun) check(i.writes.length === 0, 'a dry-run night makes 0 write calls', `${i.writes.length}: ${i.writes.slice(0, 5).map((c) => ('method' in c ? `${c.method} ${c.url}` : `push ${c.repo}`)).join(', ')}`);

  // One dashboard, found by its marker, within GitHub's body limit.
  const dashboards = gh.issuesOf(DASHBOARD_REPO).filter((x) => x.user === BOT && lastLineMarker(x.body, 'dashboard') !== undefined);
  check(dashboards.length === 1, 'exactly one dashboard issue', `${dashboards.length}`);
  for (const d of dashboards) check(d.body.length <= BODY_LIMIT, `the dashboard's body is ≤ ${BODY_LIMIT.toLocaleString('en')} characters (${d.body.length.toLocaleString('en')})`, 'over the limit');

  let openPrs = 0;
  let drafts = 0;
  for (const repoName of FLEET_REPOS) {
    const name = w.moved?.get(repoName) ?? repoName;
    if (!gh.repos.has(name.toLowerCase())) continue;
    const pulls = gh.pullsOf(name).filter((p) => p.user === BOT);
    const open = pulls.filter((p) => p.state === 'open');
    openPrs += open.length;
    if (open.length > 1) violations.push(`${name}: ${open.length} open bot PRs (#${open.map((p) => p.number).join(', #')})`);
    if ((w.closedByHuman.has(repoName) || w.mergedByHuman.has(repoName)) && open.length) violations.push(`${name}: a PR opened again after a person ${w.mergedByHuman.has(repoName) ? 'merged' : 'closed'} the bot's`);
    for (const p of pulls) {
      // The same comment of the bot twice (a "stopped" note, a closing note) is a repeat.
      const said = p.comments.filter((c) => c.user === BOT).map((c) => c.body);
      const twice = said.filter((b, k) => said.indexOf(b) !== k);
      if (twice.length) violations.push(`${name}#${p.number}: the bot said twice: ${twice[0]!.split('\n')[0]!.slice(0, 100)}`);
    }
    for (const p of open) {
      if (p.draft) drafts++;
      // Converged: the labels and reviewers the fleet asks for, less what a person took off.
      const removed = w.removedLabels.get(repoName) ?? new Set();
      // A PR the bot never heard it created (the answer was lost) converges on the next run.
      if (night.converging?.includes(repoName)) continue;
      const missing = LABELS.filter((l) => !removed.has(l) && !p.labels.includes(l));
      if (missing.length) violations.push(`${name}#${p.number}: labels ${missing.join(', ')} missing`);
      for (const l of removed) if (p.labels.includes(l)) violations.push(`${name}#${p.number}: label ${l} put back after a person removed it`);
      const reviewed = new Set(p.reviews.map((r) => r.user));
      // Reviewers are asked once the PR is ready (issue 19): a draft may have none yet.
      const noReviewer = p.draft ? [] : REVIEWERS.filter((r) => !p.requested_reviewers.includes(r) && !reviewed.has(r));
      if (noReviewer.length) violations.push(`${name}#${p.number}: reviewers ${noReviewer.join(', ')} not requested`);
      // A draft only where the night says why (a failing migrated build, a person's commit).
      const allowed = night.drafts?.[repoName];
      const blockedByHuman = w.humanCommits.some((h) => h.repo === repoName);
      if (p.draft && !allowed && !blockedByHuman && !night.dryRun) violations.push(`${name}#${p.number} is still a draft (measured and clean PRs become ready)`);
    }
  }
  // Aggregates: the ok line when none of their kind was found (each violation is listed on its own).
  const none = (re: RegExp, what: string) => !violations.some((v) => re.test(v)) && held.push(what);
  none(/open bot PRs|opened again/, 'no duplicate PR, none reopened after a person closed or merged it');
  none(/missing|not requested|put back/, 'every open PR has its labels and reviewers (and none a person removed)');
  none(/still a draft/, 'every measured, clean PR is ready for review');
  none(/said twice/, 'the bot says each thing once on a PR (no comment posted twice)');

  // No person's commit is lost, and no PR is blocked by the bot's own commit.
  for (const h of w.humanCommits) {
    const bare = gh.repos.get(h.repo.toLowerCase())?.bare;
    if (bare && !isAncestor(bare, h.sha, h.branch)) violations.push(`${h.repo}: a person's commit ${h.sha.slice(0, 8)} is no longer on ${h.branch}`);
  }
  if (w.humanCommits.length) none(/a person's commit/, `every person's commit is still on its branch (${w.humanCommits.length})`);
  if (summary) {
    const rows = summary.repos;
    for (const r of rows) {
      const d = r.delivery;
      if (d?.status === 'blocked-by-human') {
        let authors: string[] = [];
        try {
          authors = gh.branchAuthors(r.name, BOT_BRANCH);
        } catch {
          authors = ['(no branch)'];
        }
        if (!w.humanCommits.some((h) => h.repo === r.name)) violations.push(`${r.name}: blocked (${d.reason}) though no person pushed to its branch (authors: ${authors.join(', ')})`);
      }
    }
    none(/though no person pushed/, "no PR blocked by the bot's own commit");
    // Held back repositories are skipped rows, never failures.
    const heldBack = rows.filter((r: RepoResult) => r.delivery?.status === 'deferred' || /later night/i.test(r.reason));
    const heldFailed = heldBack.filter((r) => r.outcome === 'failed');
    check(heldFailed.length === 0, `held-back repositories are skipped rows (${heldBack.length} held back)`, heldFailed.map((r) => `${r.name}: ${r.reason}`).join('; '));
    // What this night's faults and people must have led to, row by row (the fault was seen, and told apart).
    for (const [repo, want] of Object.entries(night.rows ?? {})) {
      const r = rows.find((x) => x.name === repo);
      const said = r ? `${r.outcome} ${r.step ?? ''} ${r.reason} | ${r.delivery?.status ?? ''} ${r.delivery?.reason ?? ''}` : '(no row)';
      check(want.test(said), `${repo}: ${want.source}`, said.slice(0, 300));
    }
    for (const [repo, want] of Object.entries(night.bodies ?? {})) {
      const pr = gh.pullsOf(repo).find((p) => p.user === BOT && p.state === 'open');
      check(Boolean(pr && want.test(pr.body)), `${repo}#${pr?.number ?? '?'}: its body has ${want.source}`, pr ? 'it does not' : 'no open PR');
    }
    const opened = rows.filter((r) => r.delivery?.action === 'open' && r.delivery.status !== 'failed' && r.delivery.pr).length;
    check(opened <= MAX_NEW, `at most ${MAX_NEW} new PRs (${opened})`, 'more');
  }

  // Unchanged repositories cost at most 4 API calls each, and write nothing.
  const perRepo = new Map<string, number>();
  for (const c of i.calls) {
    const r = repoOfCall(c);
    if (r) perRepo.set(r, (perRepo.get(r) ?? 0) + 1);
  }
  const fleetCalls = FLEET_REPOS.map((r) => perRepo.get((w.moved?.get(r) ?? r).toLowerCase()) ?? 0);
  const maxCalls = Math.max(0, ...fleetCalls);
  if (night.quiet) {
    check(maxCalls <= MAX_CALLS_PER_UNCHANGED_REPO, `at most ${MAX_CALLS_PER_UNCHANGED_REPO} API calls per unchanged repository (max ${maxCalls})`, FLEET_REPOS.map((r, k) => [r, fleetCalls[k]!] as const).filter(([, c]) => c > MAX_CALLS_PER_UNCHANGED_REPO).map(([r, c]) => `${r}: ${c}`).join(', '));
    const fleetWrites = i.writes.filter((c) => !('method' in c) || !c.url.includes(DASHBOARD_REPO));
    check(fleetWrites.length === 0, 'an unchanged fleet gets 0 write calls', fleetWrites.slice(0, 5).map((c) => ('method' in c ? `${c.method} ${c.url}` : `push ${c.repo}`)).join(', '));
  }

  const jobs = run.jobs.filter((j) => j.jobId === 'migrate' && j.conclusion !== 'skipped').length;
  const figures = `${jobs} migrate job(s), ${i.calls.length} API calls (max ${maxCalls} for one repository), ${i.writes.length} writes, ${openPrs} open bot PRs (${drafts} drafts)`;
  return { n: i.n, title: night.title, conclusion: run.conclusion, attempts: i.attempts.length, seconds: i.seconds, notes: i.notes, figures, held, violations };
}

/** The dashboard's body for fleets of 25, 500 and 2,000 repositories, every row as long as a row gets. */
export function dashboardFigures(): { repos: number; chars: number }[] {
  return [25, 500, 2000].map((n) => ({ repos: n, chars: renderDashboard({ repo: DASHBOARD_REPO, title: 'Cross-compilation campaign', now: new Date(0).toISOString(), repos: syntheticReport(n).repos }).length }));
}

function syntheticReport(n: number): FleetReport {
  const repos: RepoResult[] = Array.from({ length: n }, (_, k) => ({
    name: `rancher/image-build-a-rather-long-repository-name-${String(k).padStart(4, '0')}`,
    outcome: k % 5 === 0 ? 'failed' : 'changed',
    reason: k % 5 === 0 ? 'the migrated Dockerfile fails to build on linux/arm64: step [builder 7/9] RUN xx-go build ./cmd/... exited 1' : 'cross-compiles the Go build on the build platform',
    step: k % 5 === 0 ? 'deliver' : undefined,
    delivery: { action: 'update', status: k % 7 === 0 ? 'blocked-by-human' : 'updated', reason: 'the timing changed', pr: { number: 1000 + k, url: `https://github.com/rancher/image-build-a-rather-long-repository-name-${k}/pull/${1000 + k}`, draft: true }, warnings: [] },
    durationMs: 1000,
  }));
  return { schemaVersion: 2, tool: { name: 'image-build-migrator', version: '0.1.0' }, dryRun: false, startedAt: new Date(0).toISOString(), durationMs: 0, reposFile: 'repos.yaml', pushes: 0, interrupted: false, counts: { 'would-change': 0, changed: n, 'already-migrated': 0, skipped: 0, failed: 0, cancelled: 0 }, repos, excluded: [], errors: [], notes: [] };
}
