/**
 * The bot's hidden marker: an HTML comment in the PR body carrying JSON, how the bot recognises its
 * own PR on the next run and knows what it last did (Renovate keeps the same kind of note). Also
 * the rebase checkbox a human ticks to hand the branch back to the bot.
 *
 * This is the one place that reads the bot's markers back, and it reads each only where the bot
 * writes it: the state marker (and the dashboard's) as the last line that is the marker alone, the
 * rebase box in the bot's own closing section above it, a comment's mark as the first line of a
 * comment the bot authored.
 * Anything a repository value could put elsewhere in a body is never read (a body written by an
 * older version listed values raw), however much it looks like a marker.
 */
import { commentJson } from '../markdown/untrusted.ts';

export const MARKER_PREFIX = '<!-- image-build-migrator:state ';

/** Why the bot holds its PR as a draft: the build time was not measured, the review of its output has warnings. */
/** `after-build`: a build of the migrated files failed or timed out; the PR is not for review. */
export type DraftReason = 'timing' | 'warnings' | 'after-build';

/**
 * Version 2 added `draft`. Version 1 markers (no record of why a PR is a draft) are still read:
 * the bot then does not know it made the PR a draft itself, so it never marks such a PR ready.
 */
export interface Marker {
  v: 1 | 2;
  /** Tool version that wrote the PR. */
  tool: string;
  /** Recipe ids that made edits, sorted. */
  recipes: string[];
  /** Default-branch commit the branch was built on. */
  base: string;
  /** Hash of the migration result (the diff the bot computed). */
  result: string;
  /** The commit the bot last pushed to its branch. */
  pushed: string;
  /** Digest of the timing shown in the body ('' when not measured). */
  timing: string;
  /** Set when the bot closed the PR itself, with why. */
  closed?: string;
  /** Set on a PR a human closed once the bot said, in one comment, how to bring it back. */
  acknowledged?: boolean;
  /**
   * Present while the PR is a draft because the bot opened it as one: why, as of this body
   * (empty once the reasons are gone but marking it ready has not gone through yet). Absent when
   * the bot opened it ready, marked it ready, or saw a human mark it ready: a draft then is a
   * human's, and the bot leaves it.
   */
  draft?: { reasons: DraftReason[] };
  /**
   * The labels and reviewers of repos.yaml the bot saw through once on this PR: it added them,
   * found them there, saw the reviewer review, or GitHub refused them (a label that does not
   * exist). Each run adds the configured ones not in here (lost with a create whose answer never
   * came, or configured since) and never one in here again: a label or reviewer a human removed
   * stays removed. Absent in a marker written before the bot kept it: every configured one then
   * counts as seen through (that version added them when it opened the PR).
   */
  applied?: Applied;
  /**
   * The title the bot last set. A run sets the title only while the PR still has this one: a
   * title a human edited is theirs. Absent (older markers): the bot's own title stands for it.
   */
  title?: string;
  /**
   * Workflow files the migration changes but the bot could not push (it lacks the Workflows
   * permission): the PR shows their edits for a maintainer. Absent when everything was pushed.
   */
  handOver?: string[];
}

export interface Applied {
  labels: string[];
  reviewers: string[];
}

export const MARKER_VERSION = 2;

export function renderMarker(m: Marker): string {
  // The marker carries free text (why the bot closed the PR): written so it cannot end the comment.
  return `${MARKER_PREFIX}${commentJson({ ...m, v: MARKER_VERSION })} -->`;
}

export function parseMarker(body: string | null | undefined): Marker | undefined {
  const json = lastLineMarker(body, 'state');
  if (json === undefined) return undefined;
  try {
    const parsed = JSON.parse(json) as Marker;
    if (!parsed || (parsed.v !== 1 && parsed.v !== 2) || typeof parsed.pushed !== 'string') return undefined;
    // A draft record that is not the bot's own shape is no record: leave the PR to humans.
    if (parsed.v === 1 || !isDraftRecord(parsed.draft)) delete parsed.draft;
    if (!isApplied(parsed.applied)) delete parsed.applied;
    if (!Array.isArray(parsed.handOver) || !parsed.handOver.every((f) => typeof f === 'string' && f.startsWith('.github/workflows/'))) delete parsed.handOver;
    return parsed;
  } catch {
    return undefined;
  }
}

/** The body with the bot's state marker replaced where it is; a body without one gets it appended. */
export function replaceMarker(body: string, m: Marker): string {
  const lines = linesOf(body);
  const at = markerLine(lines, 'state');
  if (at >= 0) lines[at] = renderMarker(m);
  else lines.push(renderMarker(m));
  return lines.join('\n');
}

// GitHub hands a body edited in its web UI back with \r\n line ends.
const linesOf = (body: string | null | undefined) => (body ?? '').split(/\r?\n/);

/** Index of the last line at or above `from` that satisfies `test`; -1 when none does. */
function lastIndex(lines: string[], test: (line: string) => boolean, from = lines.length - 1): number {
  for (let i = from; i >= 0; i--) if (test(lines[i]!)) return i;
  return -1;
}

const markerPrefix = (name: string) => `<!-- image-build-migrator:${name} `;

/**
 * The bot's `NAME` marker line: the last line that is the marker and nothing else. The bot writes
 * it last; a repository value never makes a line of its own, and whatever a human adds below it
 * does not hide it.
 */
function markerLine(lines: string[], name: 'state' | 'dashboard'): number {
  const prefix = `${markerPrefix(name)}{`;
  return lastIndex(lines, (l) => {
    const t = l.trim();
    return t.startsWith(prefix) && t.endsWith('} -->');
  });
}

/** The JSON of the bot's `<!-- image-build-migrator:NAME {...} -->` marker, read from its line; undefined without one. */
export function lastLineMarker(body: string | null | undefined, name: 'state' | 'dashboard'): string | undefined {
  const lines = linesOf(body);
  const at = markerLine(lines, name);
  return at < 0 ? undefined : lines[at]!.trim().slice(markerPrefix(name).length, -' -->'.length);
}

const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
function isApplied(a: unknown): a is Applied {
  return Boolean(a && typeof a === 'object' && strings((a as Applied).labels) && strings((a as Applied).reviewers));
}

function isDraftRecord(d: unknown): d is Marker['draft'] {
  return Boolean(d && typeof d === 'object' && Array.isArray((d as { reasons?: unknown }).reasons) && (d as { reasons: unknown[] }).reasons.every((r) => r === 'timing' || r === 'warnings' || r === 'after-build'));
}

/**
 * The first line of the bot's part of a PR body; its state marker is the last. Between the two
 * is what the bot rewrites; a human's text above or below is kept by every rewrite.
 */
export const BEGIN_MARK = '<!-- image-build-migrator:begin -->';
const FOOTER = '<sub>Opened by image-build-migrator ';

/**
 * The text of a PR body outside the bot's part: above its begin line, below its state marker.
 * A body written before the begin line existed starts with the bot's part. Without a state marker
 * (a human rewrote the description and dropped it) the bot's part ends at its footer line, and
 * when not even the footer is left, all below the begin line is the bot's (or, with no begin line
 * either, the whole body is the human's).
 */
export function humanText(body: string | null | undefined): { above: string; below: string } {
  const lines = linesOf(body);
  const first = lines.findIndex((l) => l.trim() === BEGIN_MARK);
  let end = markerLine(lines, 'state');
  if (end < 0 || end < first) end = lastIndex(lines, (l) => l.trim().startsWith(FOOTER));
  if (end < 0 || end < first) return first < 0 ? { above: (body ?? '').trim(), below: '' } : { above: lines.slice(0, first).join('\n').trim(), below: '' };
  const start = first < 0 ? 0 : first;
  return { above: lines.slice(0, start).join('\n').trim(), below: lines.slice(end + 1).join('\n').trim() };
}

/** The bot's part between what a human wrote above and below it. */
export function withHumanText(bots: string, kept: { above: string; below: string }): string {
  return [...(kept.above ? [kept.above, ''] : []), bots, ...(kept.below ? ['', kept.below] : [])].join('\n');
}

export const REBASE_MARK = '<!-- image-build-migrator:rebase -->';
const REBASE_LINE = /^- \[( |x|X)\] <!-- image-build-migrator:rebase -->(?: |$)/;

export function rebaseCheckbox(ticked = false): string {
  return `- [${ticked ? 'x' : ' '}] ${REBASE_MARK} **Rebuild this PR** from the default branch on the next run (tick it to hand the branch back to the bot: commits pushed here by hand are then replaced)`;
}

/**
 * Whether the bot's own box is ticked: the box line of the bot's closing section (below the last
 * `---` above its state marker, where no repository value is written), nowhere else.
 */
export function rebaseTicked(body: string | null | undefined): boolean {
  const lines = linesOf(body);
  const end = markerLine(lines, 'state');
  if (end < 0) return false;
  const start = lastIndex(lines, (l) => l.trim() === '---', end - 1);
  if (start < 0) return false;
  for (const line of lines.slice(start + 1, end)) {
    const m = REBASE_LINE.exec(line);
    if (m) return m[1] !== ' ';
  }
  return false;
}

/** The comment posted once when a human commit stops the bot's updates. */
export const STOPPED_MARK = '<!-- image-build-migrator:stopped -->';
/** The comment posted when the bot closes its PR. */
export const CLOSED_MARK = '<!-- image-build-migrator:closed -->';
/** The comment posted once on the bot's PR a human closed unmerged: how to bring it back. */
export const HUMAN_CLOSED_MARK = '<!-- image-build-migrator:human-closed -->';

/**
 * Whether `bot` (the author of the bot's PR) posted a comment carrying `mark`: the mark is the
 * comment's first line, as the bot writes it. A mark anyone else wrote, or quoted, counts for nothing.
 */
export function botCommented(comments: { body: string; author: string }[], mark: string, bot: string): boolean {
  return comments.some((c) => c.author.toLowerCase() === bot.toLowerCase() && linesOf(c.body)[0]?.trim() === mark);
}

/** The mark on each finding the review posts, so a re-run posts only what is new. */
export const findingMark = (key: string) => `<!-- image-build-migrator:finding ${key} -->`;
const FINDING_LINE = /^(?:- )?<!-- image-build-migrator:finding ([0-9a-f]{16}) -->(?: |$)/;

/**
 * The findings a comment or review of the bot's already carries: an inline comment's mark is its
 * first line, a review body's marks start its list items. Only for what `bot` authored: anyone can
 * copy a mark into a comment of their own to suppress a finding.
 */
export function postedFindings(posts: { body: string; author: string }[], bot: string | undefined): Set<string> {
  const keys = new Set<string>();
  if (!bot) return keys;
  for (const p of posts) {
    if (p.author.toLowerCase() !== bot.toLowerCase()) continue;
    const lines = linesOf(p.body);
    // The inline comment's first line; the review body's list items.
    for (const line of lines) {
      const m = FINDING_LINE.exec(line);
      if (m && (line === lines[0] || line.startsWith('- '))) keys.add(m[1]!);
    }
  }
  return keys;
}
