/**
 * The deliver step of one repository: read the state (the bot's PRs with one conditional API
 * call, the branch heads with one ls-remote), plan, and in a real run carry the decision out
 * through the Platform and git. `--plan` stops after the planner: read calls only.
 */
import { createHash } from 'node:crypto';
import type { RepoName } from '../config/names.ts';
import type { CheckoutReport } from '../migrate/types.ts';
import type { Platform, PullRequest } from '../platform/types.ts';
import { PullExistsError } from '../platform/types.ts';
import type { Finding } from '../review/review.ts';
import { MAX_BODY, PR_TITLE, renderBody } from './body.ts';
import { buildInfoOf } from './build-info.ts';
import { botCommented, CLOSED_MARK, HUMAN_CLOSED_MARK, humanText, parseMarker, replaceMarker, STOPPED_MARK, withHumanText, type Applied, type DraftReason, type Marker } from './marker.ts';
import type { DeliveryResult } from '../report/types.ts';
import { markerOf, pending, planDelivery, type Decision, type Migration, type PlanInput } from './plan.ts';
import { botCommitState, commitMigration, deleteBranch, filesBothChanged, BOT_TRAILER, RESULT_TRAILER, headIsBots, leaveOut, LeaseRejected, NoPushAccess, pushBranch, PushRefused, remoteHeads, type BotAuthor, type GitRemote } from './push.ts';
import { text } from '../markdown/untrusted.ts';
import { commitThroughApi } from './api-commit.ts';
import { failedAfterBuilds, measured, type TimingInput } from '../timing/delivery-input.ts';

export interface DeliverySettings {
  botBranch: string;
  author: BotAuthor;
  labels: string[];
  reviewers: string[];
  recreateClosed: boolean;
  platforms: string[];
  /** A `Signed-off-by:` trailer with the commit's author (DCO repositories). */
  signOff: boolean;
  tool: string;
}

export interface DeliveryRun {
  platform: Platform;
  serverUrl: string;
  /** plan: decide only (read calls); execute: carry the decision out. */
  mode: 'plan' | 'execute';
  /** New PRs this run may still open (shared by all repositories of the run). */
  budget: { left: number };
}

export interface DeliveryTarget {
  repo: RepoName;
  /** Workspace with the migrated files (execute) or the untouched checkout (plan). */
  dir: string;
  cloneUrl: string;
  baseBranch: string;
  baseSha: string;
  report: CheckoutReport;
  /** From the repository lookup: false when the token may not push. */
  canPush?: boolean;
  settings: DeliverySettings;
  timing?: TimingInput;
  signal?: AbortSignal;
}

/**
 * How this run commits: through the API as a GitHub App's bot (GitHub signs it), or with git as
 * the configured author (a token, or an App whose identity could not be read: `note` says so on
 * the repository's row). `ours`: the emails a commit of the bot may carry.
 */
interface CommitRoute {
  via: 'api' | 'git';
  author: BotAuthor;
  ours: string[];
  note?: string;
}

async function commitRoute(p: Platform, settings: DeliverySettings): Promise<CommitRoute> {
  const id = await p.commitIdentity();
  const configured = settings.author;
  if (id.kind === 'app') return { via: 'api', author: id.author, ours: [id.author.email, configured.email] };
  const note = id.kind === 'unknown' ? `the GitHub App's commit identity could not be read (${id.reason}): committed with git as ${configured.name} <${configured.email}>, unsigned` : undefined;
  return { via: 'git', author: configured, ours: [configured.email], ...(note ? { note } : {}) };
}

export function migrationOf(report: CheckoutReport, baseSha: string): Migration {
  if (report.outcome === 'changed') {
    const recipes = [...new Set(report.files.flatMap((f) => f.edits.map((e) => e.recipe)))].sort();
    return { kind: 'needed', base: baseSha, result: createHash('sha256').update(report.diff).digest('hex').slice(0, 20), recipes };
  }
  if (report.outcome === 'failed') return { kind: 'failed', reason: report.summary };
  return { kind: 'not-needed', reason: report.outcome === 'unchanged' ? `already migrated (${report.summary})` : report.summary };
}

/** One repository: gather, plan, and (execute) act. Throws only for failures of this repository. */
export async function deliver(run: DeliveryRun, t: DeliveryTarget): Promise<DeliveryResult> {
  const token = await run.platform.gitToken();
  const remote: GitRemote = { dir: t.dir, url: t.cloneUrl, token, signal: t.signal };
  const migration = migrationOf(t.report, t.baseSha);
  // Asked only when needed (a commit, or a head to recognise): a current PR costs no call for it.
  let asked: Promise<CommitRoute> | undefined;
  const route = () => (asked ??= commitRoute(run.platform, t.settings));
  // Two attempts: a lost race (a lease refused, a PR another run opened first) is re-read once.
  for (let attempt = 0; ; attempt++) {
    const input = { ...(await gather(run, t, remote, migration, route)), timingUnknown: run.mode === 'plan' && !t.timing };
    const decision = planDelivery(input);
    if (decision.action === 'open') {
      if (run.budget.left <= 0) return { action: 'leave', status: 'deferred', reason: 'maxPrsPerRun reached: opens on a later run', warnings: [] };
      run.budget.left--;
    }
    if (run.mode === 'plan') return { ...decision, warnings: [] };
    try {
      return await execute(run, t, remote, migration, decision, input, route);
    } catch (err) {
      if (err instanceof LeaseRejected && attempt === 0) {
        if (decision.action === 'open') run.budget.left++;
        continue;
      }
      throw err;
    }
  }
}

async function gather(run: DeliveryRun, t: DeliveryTarget, remote: GitRemote, migration: Migration, route: () => Promise<CommitRoute>): Promise<PlanInput> {
  const branchName = t.settings.botBranch;
  const [pulls, heads] = await Promise.all([run.platform.findPulls(t.repo, branchName), remoteHeads(remote, [branchName])]);
  const sha = heads.get(branchName);
  const recovered = await recoverState(run, t, remote, pulls, sha, route);
  const ours = pulls.filter((p) => parseMarker(p.body) ?? recovered.get(p.number));
  // A head no PR of the bot records is asked whether it is the bot's own commit anyway: the
  // record is written after the push, so an interrupted run leaves the bot's commit unrecorded.
  let botAuthored: boolean | undefined;
  if (sha && !ours.some((p) => (parseMarker(p.body) ?? recovered.get(p.number))!.pushed === sha) && migration.kind !== 'failed') {
    botAuthored = await headIsBots(remote, branchName, (await route()).ours);
  }
  // The default branch moved under the bot's recorded head and the result is the same: is the
  // branch only behind, or does the default branch change a file the PR changes? Git only, in the
  // checkout of the new base (the plan stage has it too), and only then: a current PR costs nothing.
  let bothChanged: string[] | undefined;
  const open = pulls.find((p) => p.state === 'open' && (parseMarker(p.body) ?? recovered.get(p.number)));
  const m = open ? (parseMarker(open.body) ?? recovered.get(open.number))! : undefined;
  if (sha && m && m.pushed === sha && migration.kind === 'needed' && m.base !== migration.base && m.result === migration.result) {
    bothChanged = await filesBothChanged(remote, branchName, t.baseSha).catch(() => undefined);
  }
  return {
    migration,
    branch: { name: branchName, sha, botAuthored, ...(bothChanged ? { bothChanged } : {}) },
    pulls: pulls.map((p) => ({ number: p.number, url: p.url, state: p.state, merged: p.merged, body: p.body, author: p.author, draft: p.draft, nodeId: p.nodeId, labels: p.labels, requestedReviewers: p.requestedReviewers, requestedTeams: p.requestedTeams, title: p.title, ...(recovered.has(p.number) ? { recovered: recovered.get(p.number) } : {}) })),
    tool: t.settings.tool,
    timing: t.timing?.digest ?? '',
    recreateClosed: t.settings.recreateClosed,
    mayOpen: run.budget.left > 0,
    want: { labels: t.settings.labels, reviewers: t.settings.reviewers },
  };
}

async function execute(run: DeliveryRun, t: DeliveryTarget, remote: GitRemote, migration: Migration, d: Decision, input: PlanInput, routeOf: () => Promise<CommitRoute>): Promise<DeliveryResult> {
  const warnings: string[] = [];
  const p = run.platform;
  const branch = t.settings.botBranch;
  const done = (pr: PullRequest | undefined, extra: Partial<DeliveryResult> = {}): DeliveryResult => ({
    action: d.action, status: d.status, reason: d.reason, pr: pr ? { number: pr.number, url: pr.url, draft: pr.draft } : d.pr, warnings, ...extra,
  });

  switch (d.action) {
    case 'leave': {
      // The branch of a PR merged or closed by a human (the lease: the bot's last push, nothing else).
      let deleted = false;
      if (d.deleteBranch && d.lease) {
        await deleteBranch(remote, branch, d.lease).then(() => (deleted = true), (err: unknown) => warnings.push(`the branch ${branch} was not deleted: ${err instanceof Error ? err.message : String(err)}`));
      }
      if (d.acknowledge && d.pr) {
        // Once: the marker of the closed PR records it (no read on later runs); a run killed between
        // the comment and that record finds its comment (the bot's own, mark first) and does not repeat it.
        const closed = input.pulls.find((x) => x.number === d.pr!.number)!;
        const gone = deleted || !input.branch.sha;
        if (!botCommented(await p.listComments(t.repo, d.pr.number), HUMAN_CLOSED_MARK, closed.author)) {
          await p.comment(t.repo, d.pr.number, `${HUMAN_CLOSED_MARK}
Closed without merging: the bot takes that as the answer, so it leaves this PR closed and never reopens or recreates it${gone ? `, and its branch \`${branch}\` is deleted` : ''}.

To bring it back, either:
- ${gone ? 'restore the branch (the **Restore branch** button on this PR) and ' : ''}reopen this PR: the bot keeps it current again from its next run;
- or set \`recreateClosed: true\` for this repository in the bot's repos.yaml: its next run opens a new PR.`);
        }
        await p.updatePull(t.repo, d.pr.number, { body: replaceMarker(closed.body, { ...markerOf(closed)!, acknowledged: true }) });
      }
      return done(undefined);
    }

    case 'blocked': {
      if (d.pr) {
        const comments = await p.listComments(t.repo, d.pr.number);
        const author = input.pulls.find((x) => x.number === d.pr!.number)!.author;
        if (!botCommented(comments, STOPPED_MARK, author)) {
          await p.comment(t.repo, d.pr.number, `${STOPPED_MARK}\nThis branch has a commit the bot did not make, so the bot stopped updating this PR: it never overwrites a human's work.\n\nTo hand the branch back (the bot then rebuilds it from the default branch, replacing the commits pushed by hand), tick the **Rebuild this PR** box in the description.`);
        }
      }
      return done(undefined);
    }

    case 'close': {
      const pr = d.pr!;
      const open = input.pulls.find((x) => x.number === pr.number)!;
      const m = markerOf(open)!;
      // A run killed between this comment and the close left the comment: said once, not again
      // (the bot's own comment only: the author of its PR, the mark as the first line).
      const said = botCommented(await p.listComments(t.repo, pr.number), CLOSED_MARK, open.author);
      if (!said) await p.comment(t.repo, pr.number, `${CLOSED_MARK}
Closing: ${text(d.reason)}. The bot deletes its branch${d.deleteBranch ? '' : ' only when it holds nothing but its own commit, which is not the case here, so the branch stays'}.`);
      const closed = await p.updatePull(t.repo, pr.number, { state: 'closed', body: replaceMarker(open.body, { ...m, closed: d.reason }) });
      if (d.deleteBranch && d.lease) {
        await deleteBranch(remote, branch, d.lease).catch((err: unknown) => warnings.push(`the branch ${branch} was not deleted: ${err instanceof Error ? err.message : String(err)}`));
      }
      return done(closed);
    }

    case 'open':
    case 'update': {
      if (migration.kind !== 'needed') throw new Error('internal: open/update without a migration');
      // Reviewed on every write: the body lists the findings, and whether the PR may leave draft depends on them.
      const findings = reviewChanged(t);
      const previous = d.action === 'update' ? markerOf(input.pulls.find((x) => x.number === d.pr!.number)!) : undefined;
      let pushed = d.action === 'update' && !d.push ? previous!.pushed : undefined;
      // Workflow files the bot may not push (no Workflows permission): the rest is delivered, and
      // the PR shows the workflow edits for a maintainer to make.
      let handOver = d.push === false ? (previous?.handOver ?? []) : [];
      if (!pushed) {
        if (t.canPush === false) throw new NoPushAccess('GitHub reports no push permission for this token');
        const workflows = (t.report.changes ?? []).map((c) => c.path).filter((f) => f.startsWith('.github/workflows/'));
        if (workflows.length && (await p.mayChangeWorkflows()) === false) {
          handOver = workflows;
          await leaveOut(remote, workflows);
        }
        const route = await routeOf();
        const message = commitMessage(migration.recipes, t.settings.tool, migration.result, t.settings.signOff ? route.author : undefined);
        if (route.note) warnings.push(route.note);
        // A GitHub App's commit is made by GitHub through the API (signed); a token's with git.
        const commitAndPush = async (): Promise<string> => {
          if (route.via === 'api') return commitThroughApi(remote, p, t.repo, branch, d.lease ?? '', message);
          const sha = await commitMigration(remote, route.author, message);
          await pushBranch(remote, branch, d.lease ?? '');
          return sha;
        };
        try {
          pushed = await commitAndPush();
        } catch (err) {
          // A token's permissions are known only from GitHub's refusal: the same push without the
          // workflow files (the refused push changed nothing, so the lease still holds).
          if (!(err instanceof PushRefused && err.kind === 'workflows') || !workflows.length || handOver.length) throw err;
          handOver = workflows;
          // The git path committed in the checkout; the API path only staged.
          await leaveOut(remote, workflows, { committed: route.via === 'git' });
          pushed = await commitAndPush();
        }
      }
      const reasons = draftReasons(t.timing, findings);
      const build = await buildInfoOf(t.dir, t.report.changes);
      // The base the branch is built on: a body rewritten without a push (a branch left behind the
      // default branch) keeps the old one, which the next run compares with again.
      const builtOn = d.action === 'update' && !d.push ? previous!.base : migration.base;
      const stateOf = (draft: Marker['draft'], applied: Applied, title: string): Marker => ({ v: 2, tool: t.settings.tool, recipes: migration.recipes, base: builtOn, result: migration.result, pushed: pushed!, timing: t.timing?.digest ?? '', ...(draft ? { draft } : {}), applied, title, ...(handOver.length ? { handOver } : {}) });
      /** The bot's part of the body, between what a human wrote above and below it (kept). */
      const body = (draft: Marker['draft'], applied: Applied, title: string, old?: string) => {
        const marker = stateOf(draft, applied, title);
        const kept = humanText(old);
        const room = MAX_BODY - 1_000 - kept.above.length - kept.below.length - 4;
        return withHumanText(renderBody({ repo: t.repo.full, serverUrl: run.serverUrl, base: builtOn, files: t.report.files, findings, timing: t.timing, platforms: t.settings.platforms, marker, changes: t.report.changes, build, botBranch: branch }, Math.max(room, 8_000)), kept);
      };
      /** Rewrite the body of an open PR, and mark it ready when it is the bot's own draft whose reasons are gone. */
      const refresh = async (pr: { number: number; draft: boolean; nodeId: string; body: string; title?: string; recovered?: Marker } & Converged, reason: string): Promise<{ pr: PullRequest; reason: string; markedReady: boolean }> => {
        // The bot's draft only while GitHub still shows a draft: one a human marked ready is the human's.
        let hold: Marker['draft'] = parseMarker(pr.body)?.draft && pr.draft ? { reasons } : undefined;
        let markedReady = false;
        let note = '';
        if (hold && reasons.length === 0) {
          try {
            // The bot never converts a PR to a draft: a convert_to_draft event is a human's (marked
            // ready and made a draft again between two runs), and that draft is theirs.
            if (await p.convertedToDraft(t.repo, pr.number)) note = '; left a draft: someone converted it to a draft on GitHub';
            else {
              await p.markReady(t.repo, pr);
              markedReady = true;
            }
            hold = undefined;
          } catch (err) {
            // Still the bot's draft, with nothing left to wait for: the next run tries again.
            warnings.push(`the PR could not be marked ready for review (it stays a draft until the next run): ${err instanceof Error ? err.message : String(err)}`);
          }
        }
        // What repos.yaml asks for and the PR never got, added before the body that records it.
        const last = markerOf(pr);
        // Reviewers once it is ready: a draft still (the bot's or a human's) gets its labels only.
        const applied = await converge(p, t, { ...pr, draft: pr.draft && !markedReady }, last ?? {}, warnings);
        // The title is the bot's only while it is the one the bot set last: one a human edited is theirs.
        const botsTitle = last?.title ?? PR_TITLE;
        const setTitle = pr.title === undefined || pr.title === botsTitle;
        const updated = await p.updatePull(t.repo, pr.number, { ...(setTitle ? { title: PR_TITLE } : {}), body: body(hold, applied, setTitle ? PR_TITLE : botsTitle, pr.body) });
        return { pr: updated, reason: markedReady ? `${reason}; marked ready for review (the build time is measured and the review has no warning)` : `${reason}${note}`, markedReady };
      };
      if (d.action === 'update') {
        const current = input.pulls.find((x) => x.number === d.pr!.number)!;
        const r = await refresh(current, d.reason);
        return done(r.pr, { reason: r.reason, pushed: d.push ? pushed : undefined, ...(r.markedReady ? { markedReady: true } : {}) });
      }
      const draft = reasons.length > 0;
      let pr: PullRequest;
      try {
        // The record starts empty: a create whose answer is lost leaves a PR the next run gives its labels and reviewers.
        pr = await p.createPull(t.repo, { title: PR_TITLE, body: body(draft ? { reasons } : undefined, { labels: [], reviewers: [] }, PR_TITLE), head: branch, base: t.baseBranch, draft });
      } catch (err) {
        if (!(err instanceof PullExistsError)) throw err;
        // Another run opened it between our read and our create (GitHub's 422). Whoever pushed last
        // owns the branch: if that is us, the PR takes our marker; if not, its own marker is right.
        run.budget.left++;
        const existing = (await p.findPulls(t.repo, branch)).find((x) => x.state === 'open');
        if (!existing) throw err;
        const head = (await remoteHeads(remote, [branch])).get(branch);
        const ref = { number: existing.number, url: existing.url, draft: existing.draft };
        if (head !== pushed) return { action: 'leave', status: 'current', reason: 'another run opened the PR first and pushed after this one: left as it is', pr: ref, pushed, warnings };
        // Whether it is the bot's draft is what the run that opened it recorded.
        const r = await refresh(existing, 'another run opened the PR first: updated it with this push');
        return { action: 'update', status: 'updated', reason: r.reason, pr: { number: r.pr.number, url: r.pr.url, draft: r.pr.draft }, pushed, warnings, ...(r.markedReady ? { markedReady: true } : {}) };
      }
      const applied = await converge(p, t, pr, { applied: { labels: [], reviewers: [] } }, warnings, { fresh: true });
      // Recorded in the marker (one more write, on the run that opens the PR only): what was
      // added once is never added again, whatever a human does with it afterwards.
      if (applied.labels.length || applied.reviewers.length) {
        pr = await p.updatePull(t.repo, pr.number, { body: replaceMarker(pr.body, stateOf(draft ? { reasons } : undefined, applied, PR_TITLE)) });
      }
      return done(pr, { pushed });
    }
  }
}

type Converged = Pick<PullRequest, 'number'> & { draft?: boolean; labels?: string[]; requestedReviewers?: string[]; requestedTeams?: string[] };

/**
 * Add the labels and reviewers of repos.yaml the PR never got (see `pending`), and return the
 * record to keep. Seen through, and so never tried again: added, already there, a reviewer who
 * already reviewed (GitHub takes them off the requested list), or refused by GitHub with a 4xx
 * (a label that does not exist in a strict repository, a login that is no collaborator: the
 * warning says so once, instead of a failing call every night). A 5xx or a dropped connection
 * leaves them unrecorded: the next run tries again.
 */
async function converge(p: Platform, t: DeliveryTarget, pr: Converged, m: Pick<Marker, 'applied'>, warnings: string[], o: { fresh?: boolean } = {}): Promise<Applied> {
  const todo = pending({ labels: t.settings.labels, reviewers: t.settings.reviewers }, m, pr);
  const { settled } = todo;
  const refused = (err: unknown) => {
    const status = (err as { status?: unknown } | null)?.status;
    return typeof status === 'number' && status >= 400 && status < 500;
  };
  const say = (err: unknown) => (err instanceof Error ? err.message : String(err));
  if (todo.labels.length) {
    try {
      await p.addLabels(t.repo, pr.number, todo.labels);
      settled.labels.push(...todo.labels);
    } catch (err) {
      warnings.push(`labels ${todo.labels.join(', ')} could not be added: ${say(err)}`);
      if (refused(err)) settled.labels.push(...todo.labels);
    }
  }
  let ask = todo.reviewers;
  // Only when there is someone to ask (never on a converged PR): a user who already reviewed is done.
  if (!o.fresh && ask.some((r) => !r.includes('/'))) {
    const reviewed = new Set((await p.listReviews(t.repo, pr.number)).map((r) => r.author.toLowerCase()));
    settled.reviewers.push(...ask.filter((r) => reviewed.has(r.toLowerCase())));
    ask = ask.filter((r) => !reviewed.has(r.toLowerCase()));
  }
  if (ask.length) {
    try {
      await p.requestReviewers(t.repo, pr.number, ask);
      settled.reviewers.push(...ask);
    } catch (err) {
      warnings.push(`reviewers ${ask.join(', ')} could not be requested: ${say(err)}`);
      if (refused(err)) settled.reviewers.push(...ask);
    }
  }
  return settled;
}

/** Why the PR must be a draft now: the reviewer needs the build time, and warnings want a look first. */
function draftReasons(timing: TimingInput | undefined, findings: Finding[]): DraftReason[] {
  return [
    ...(measured(timing) ? [] : ['timing' as const]),
    // A table exists, but the migrated build failed in it: measured, and not mergeable.
    ...(failedAfterBuilds(timing).length ? ['after-build' as const] : []),
    ...(findings.some((f) => f.severity === 'warning') ? ['warnings' as const] : []),
  ];
}

/**
 * The commit message, the same whichever way the commit is made. The trailers are one block at
 * the end (git reads a trailer only in the last paragraph, where every line is one), so a
 * `Signed-off-by:` joins the bot's own trailers there.
 */
export function commitMessage(recipes: string[], tool: string, result: string, signOff?: BotAuthor): string {
  return `Build with cross-compilation (tonistiigi/xx) instead of QEMU emulation\n\nThe compile stages run on the build platform and cross-compile for the target\nwith the xx helpers; arm64 no longer builds under emulation.\n\nRecipes: ${recipes.join(', ')}\n\n${BOT_TRAILER}: ${tool}\n${RESULT_TRAILER}: ${result}${signOff ? `\nSigned-off-by: ${signOff.name} <${signOff.email}>` : ''}`;
}

/**
 * The state of the bot's open PR whose description lost the marker (a human rewrote it), read
 * from the bot's commit at the head of its branch. Chosen over a state comment: a comment costs
 * a write on every update and a listing to find it, and a human can delete it just the same;
 * the branch costs nothing until the marker is gone (then one fetch, and one call for the bot's
 * login), and only a push, which stops the bot anyway, changes it. Only a PR the bot's login
 * authored, with the bot's commit (identity and trailer) at its head, is read: never a human's
 * PR from that branch. What the commit cannot say is taken the cautious way: no record of a
 * draft (a draft is then a human's), no record of labels (none re-added), no timing (the body
 * says not measured until the next timed run).
 */
async function recoverState(run: DeliveryRun, t: DeliveryTarget, remote: GitRemote, pulls: PullRequest[], sha: string | undefined, route: () => Promise<CommitRoute>): Promise<Map<number, Marker>> {
  const out = new Map<number, Marker>();
  const lost = pulls.filter((p) => p.state === 'open' && p.author && !parseMarker(p.body));
  if (!sha || !lost.length) return out;
  const me = await run.platform.login();
  const mine = lost.find((p) => me && p.author.toLowerCase() === me.toLowerCase());
  if (!mine) return out;
  const state = await botCommitState(remote, t.settings.botBranch, (await route()).ours);
  if (state) out.set(mine.number, { v: 2, tool: state.tool, recipes: state.recipes, base: state.base, result: state.result, pushed: sha, timing: '' });
  return out;
}

/**
 * The review of the migrated files, as the reviewer will see them: the one the migration ran on
 * its own output, with the repository's settings (a second review with defaults would list
 * findings the migration never had, such as xx-not-copied for a configured xxImage).
 */
function reviewChanged(t: DeliveryTarget): Finding[] {
  return t.report.files.flatMap((f) => (f.status === 'changed' ? (f.findings ?? []) : []));
}
