/**
 * The delivery planner: from what the migration produced, the bot branch on GitHub and the PRs
 * with that head, one decision. Pure and JSON in / JSON out, so `--plan --json` prints exactly what
 * a run would do, and the state machine is tested without a server.
 *
 * The rules (a human always wins):
 * - a human closed the bot's PR unmerged -> never reopen or recreate it (unless recreateClosed);
 * - the branch holds a commit the bot did not push -> never push again (blocked), unless the
 *   rebase box is ticked, which hands the branch back;
 * - the result changed, or the default branch changed a file the bot's commit changes (a conflict,
 *   file by file) -> rebuild from the default branch (a PR is never merged into, so a conflict is
 *   resolved by the rebuild); a branch only behind the default branch is left as it is: a rebuild
 *   re-runs CI and dismisses approvals for nothing (the box rebuilds it on demand);
 * - the bot opened its PR as a draft (timing not measured, review warnings) -> it marks it ready
 *   once those reasons are gone; a draft the bot did not make (the marker has no record of one),
 *   or a PR a human marked ready, is the human's: never turned back or over;
 * - nothing changed -> leave it: zero writes.
 */
import { parseMarker, rebaseTicked, type Applied, type Marker } from './marker.ts';
import type { DeliveryAction as Action, DeliveryStatus } from '../report/types.ts';

export type Migration =
  | { kind: 'needed'; base: string; result: string; recipes: string[] }
  | { kind: 'not-needed'; reason: string }
  | { kind: 'failed'; reason: string };

export interface PullState {
  number: number;
  url: string;
  state: 'open' | 'closed';
  merged: boolean;
  body: string;
  author: string;
  /** A draft on GitHub now (whoever made it one). */
  draft: boolean;
  /** GitHub's node id (the GraphQL mutation that marks a draft ready names the PR by it). */
  nodeId: string;
  /** Labels on the PR now, and whose review it requests now (users; teams by slug). */
  labels?: string[];
  requestedReviewers?: string[];
  requestedTeams?: string[];
  /** The PR's title now. */
  title?: string;
  /**
   * The bot's state read from its commit at the head of the branch, for its own open PR (authored
   * by the bot's login) whose description no longer has the marker: a human rewrote it.
   */
  recovered?: Marker;
}

export interface PlanInput {
  migration: Migration;
  /** The bot branch on GitHub: its head, or undefined when it does not exist. */
  branch: {
    name: string;
    sha?: string;
    /** Set when the branch exists and no PR of the bot records its head: is the head a commit of the bot (its identity and trailer)? */
    botAuthored?: boolean;
    /**
     * Set when the default branch moved under the bot's recorded head and the migration result is
     * the same: the files the bot's commit changes that the default branch changed too since the
     * commit the branch is built on (empty: the branch is only behind). Unset when not asked or
     * git could not say: the move then rebuilds, as a conflict would.
     */
    bothChanged?: string[];
  };
  /** PRs with the bot branch as head, newest first. */
  pulls: PullState[];
  tool: string;
  /** Digest of the timing the body would show ('' when not measured). */
  timing: string;
  /**
   * The nightly's plan stage: nothing is timed there (the migrate jobs time), so the timing is
   * unknown, not absent. Compared with '', every timed PR "changed" every night, and a draft
   * waiting for its build time was left, so never got the job that would measure it.
   */
  timingUnknown?: boolean;
  recreateClosed: boolean;
  /** False when this run already opened maxPrsPerRun new PRs. */
  mayOpen: boolean;
  /** The labels and reviewers repos.yaml asks for on the PR. */
  want?: Applied;
}

export interface Decision {
  action: Action;
  status: DeliveryStatus;
  reason: string;
  /** The PR acted on or left (open PR, or the closed/merged one that decided). */
  pr?: { number: number; url: string };
  /** Push the rebuilt branch (open / update). */
  push?: boolean;
  /** The sha the branch must still have for the push to go through ('' = must not exist). */
  lease?: string;
  /**
   * Delete the bot branch, only when it still holds only what the bot pushed (`lease`): on close,
   * and on the first run after its PR was merged or closed by a human (a leave).
   */
  deleteBranch?: boolean;
  /** A human closed the bot's PR: say once (a comment, recorded in its marker) how to bring it back. */
  acknowledge?: boolean;
}

/** The bot's state of a PR: its marker, or (the marker edited away) what its commit says. */
export const markerOf = (p: Pick<PullState, 'body' | 'recovered'>): Marker | undefined => parseMarker(p.body) ?? p.recovered;
const isBot = (p: PullState) => markerOf(p) !== undefined;

export function planDelivery(input: PlanInput): Decision {
  const d = decide(input);
  // Every run that updates or leaves the bot's open PR brings it to what repos.yaml asks for.
  const open = input.pulls.find((p) => p.state === 'open' && isBot(p));
  if (!open || d.pr?.number !== open.number || !(d.action === 'update' || (d.action === 'leave' && d.status === 'current'))) return d;
  const missing = pending(input.want, markerOf(open)!, open);
  if (!missing.labels.length && !missing.reviewers.length) return d;
  const what = [...(missing.labels.length ? [`label${missing.labels.length > 1 ? 's' : ''} ${missing.labels.join(', ')}`] : []), ...(missing.reviewers.length ? [`reviewer${missing.reviewers.length > 1 ? 's' : ''} ${missing.reviewers.join(', ')}`] : [])];
  const note = `the PR never got ${what.join(' and ')} of repos.yaml: to be added`;
  if (d.action === 'update') return { ...d, reason: `${d.reason}; ${note}` };
  return { action: 'update', status: 'updated', reason: note, pr: d.pr, push: false };
}

/** Leaves after the bot's PR was merged or closed by a human that take its branch too, once. */
const LEFT_OVER: DeliveryStatus[] = ['merged', 'closed-by-human', 'not-needed', 'failed'];

function decide(input: PlanInput): Decision {
  const d = decideState(input);
  // The branch of a PR that was merged, or closed by a human, is deleted by the first run that sees
  // it: only while it holds the bot's last recorded push (the lease), never a human's commit. The
  // planner keys on the PR, not the branch, so a deleted branch reads as nothing new: a human's
  // close still keeps the bot from opening, a merge still lets it open when needed again.
  const latest = input.pulls.filter(isBot)[0];
  if (d.action !== 'leave' || !LEFT_OVER.includes(d.status) || !latest || latest.state !== 'closed') return d;
  const m = markerOf(latest)!;
  if (!(latest.merged || !m.closed) || !input.branch.sha || input.branch.sha !== m.pushed) return d;
  return { ...d, pr: d.pr ?? { number: latest.number, url: latest.url }, reason: `${d.reason}; the branch ${input.branch.name} goes (${latest.merged ? 'merged' : 'closed by a human'}, it holds only the bot's commit)`, deleteBranch: true, lease: m.pushed };
}

function decideState(input: PlanInput): Decision {
  const { migration: mig, branch } = input;
  const ours = input.pulls.filter(isBot);
  const open = ours.find((p) => p.state === 'open');
  const ref = (p: PullState) => ({ number: p.number, url: p.url });

  if (open) {
    const m = markerOf(open)!;
    if (mig.kind === 'failed') return { action: 'leave', status: 'failed', reason: `the migration failed this run (${mig.reason}); the PR is left as it is`, pr: ref(open) };
    const ticked = rebaseTicked(open.body);
    // Not the head the PR records, and not a commit of the bot either (delivery asks the commit).
    const human = branch.sha !== m.pushed && branch.botAuthored !== true;
    if (mig.kind === 'not-needed') {
      return { action: 'close', status: 'no-longer-needed', reason: `no longer needed: ${mig.reason}`, pr: ref(open), deleteBranch: Boolean(branch.sha) && !human, lease: branch.sha };
    }
    if (ticked) return { action: 'update', status: 'updated', reason: 'the rebase box was ticked: rebuilt from the default branch', pr: ref(open), push: true, lease: branch.sha ?? '' };
    if (human) {
      return { action: 'blocked', status: 'blocked-by-human', reason: branch.sha ? `the branch ${branch.name} has a commit the bot did not make: updates stopped (tick the rebase box to hand it back)` : `the branch ${branch.name} was deleted by hand: updates stopped`, pr: ref(open) };
    }
    // The bot's own push whose record was lost (the PR update failed, or the run was killed in
    // between): rebuilt over it, as the record would have let the next run do anyway.
    if (branch.sha !== m.pushed) return { action: 'update', status: 'updated', reason: "the bot's last push was not recorded in the PR (that run was interrupted): rebuilt from the default branch", pr: ref(open), push: true, lease: branch.sha ?? '' };
    const rebuild = changes(m, mig, branch.bothChanged);
    if (rebuild.length) return { action: 'update', status: 'updated', reason: `${rebuild.join(' and ')}: rebuilt from the default branch`, pr: ref(open), push: true, lease: m.pushed };
    if (!parseMarker(open.body)) return { action: 'update', status: 'updated', reason: "the description lost the bot's state marker (edited by hand): its part is written back from the bot's commit, the rest kept", pr: ref(open), push: false };
    if (input.timingUnknown) {
      if (m.draft?.reasons.includes('timing')) return { action: 'update', status: 'updated', reason: 'the PR waits for its build time: measured by its migrate job', pr: ref(open), push: false };
      // A failed build is never reused from the timing store: the job builds again, and the night
      // stays red (the bot's migration does not build) until it builds or the PR is rebuilt.
      if (m.draft?.reasons.includes('after-build')) return { action: 'update', status: 'updated', reason: 'the migrated build failed last time: built again by its migrate job', pr: ref(open), push: false };
    } else if (m.timing !== input.timing) return { action: 'update', status: 'updated', reason: 'the timing changed: body updated', pr: ref(open), push: false };
    // The draft record follows what happened on GitHub, once: a human marked the bot's draft
    // ready (the body stops saying it stays a draft, and the record goes), or the bot's own
    // attempt to mark it ready did not go through last time (tried again).
    if (m.draft && !open.draft) return { action: 'update', status: 'updated', reason: 'a human marked the PR ready for review: body updated', pr: ref(open), push: false };
    if (m.draft && m.draft.reasons.length === 0) return { action: 'update', status: 'updated', reason: 'the PR was still to be marked ready for review', pr: ref(open), push: false };
    // Compared with what the branch holds (the marker keeps the base it was built on), so a branch
    // left behind is asked again each run, and rebuilt only once the default branch conflicts.
    const behind = m.base !== mig.base;
    return { action: 'leave', status: 'current', reason: behind ? 'behind the default branch, no conflict: left as it is (tick the box to rebuild)' : 'the PR is current', pr: ref(open) };
  }

  if (mig.kind === 'failed') return { action: 'leave', status: 'failed', reason: mig.reason };
  const latest = ours[0];
  if (mig.kind === 'not-needed') {
    if (latest?.merged) return { action: 'leave', status: 'merged', reason: `merged (${mig.reason})`, pr: ref(latest) };
    return { action: 'leave', status: 'not-needed', reason: mig.reason };
  }
  if (latest && !latest.merged && !markerOf(latest)!.closed && !input.recreateClosed) {
    return { action: 'leave', status: 'closed-by-human', reason: 'closed by a human: the bot does not reopen or recreate it (set recreateClosed: true in repos.yaml to change that)', pr: ref(latest), ...(markerOf(latest)!.acknowledged ? {} : { acknowledge: true }) };
  }
  // The branch may be left over from an interrupted run (pushed, no PR yet) or from the bot's last
  // PR; anything else on it belongs to a human.
  let lease = '';
  if (branch.sha) {
    const explained = ours.some((p) => markerOf(p)!.pushed === branch.sha) || branch.botAuthored === true;
    if (!explained) return { action: 'blocked', status: 'blocked-by-human', reason: `the branch ${branch.name} exists with commits the bot did not make and no PR of the bot: delete the branch or name another in repos.yaml (botBranch)` };
    lease = branch.sha;
  }
  if (!input.mayOpen) return { action: 'leave', status: 'deferred', reason: 'maxPrsPerRun reached: opens on a later run' };
  return { action: 'open', status: 'opened', reason: latest?.merged ? 'needed again after the last PR was merged' : 'the repository needs the migration', push: true, lease };
}

function changes(m: Marker, mig: { base: string; result: string; recipes: string[] }, bothChanged: string[] | undefined): string[] {
  const out: string[] = [];
  if (m.base !== mig.base && bothChanged?.length !== 0) out.push(bothChanged?.length ? `the default branch moved and changed ${bothChanged.map((f) => JSON.stringify(f)).join(', ')}, which the PR changes too` : 'the default branch moved');
  if (m.result !== mig.result || m.recipes.join(',') !== mig.recipes.join(',')) out.push('the migration result changed');
  return out;
}

const has = (list: readonly string[] | undefined, x: string) => (list ?? []).some((y) => y.toLowerCase() === x.toLowerCase());
/** A configured reviewer (`login` or `org/team`) whose review the PR requests now. */
const requested = (pr: Pick<PullState, 'requestedReviewers' | 'requestedTeams'>, r: string) => (r.includes('/') ? has(pr.requestedTeams, r.slice(r.indexOf('/') + 1)) : has(pr.requestedReviewers, r));

/**
 * What of repos.yaml's labels and reviewers the PR still has to get: configured, never seen
 * through (the marker's `applied`), and not on the PR now. `settled` is the record to keep: the
 * old one with what the PR already has. A marker without a record (an older version, which added
 * them when it opened the PR) settles every configured one: nothing is re-added over a human.
 * While the PR is a draft no reviewer is pending: they are asked when it becomes ready.
 */
export function pending(want: Applied | undefined, m: Pick<Marker, 'applied'>, pr: Pick<PullState, 'labels' | 'requestedReviewers' | 'requestedTeams'> & { draft?: boolean }): Applied & { settled: Applied } {
  const w = want ?? { labels: [], reviewers: [] };
  const record = m.applied ?? w;
  const settled: Applied = { labels: [...record.labels], reviewers: [...record.reviewers] };
  const labels: string[] = [];
  const reviewers: string[] = [];
  for (const l of w.labels) {
    if (has(settled.labels, l)) continue;
    if (has(pr.labels, l)) settled.labels.push(l);
    else labels.push(l);
  }
  // Reviewers are asked once the PR is ready (opened ready, marked ready by the bot or a human):
  // a draft is not for review yet, and a request would only notify them early.
  for (const r of pr.draft ? [] : w.reviewers) {
    if (has(settled.reviewers, r)) continue;
    if (requested(pr, r)) settled.reviewers.push(r);
    else reviewers.push(r);
  }
  return { labels, reviewers, settled };
}
