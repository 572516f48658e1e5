/**
 * The bot's hidden marker: an HTML comment in the PR body carrying JSON, how the bot recognises its
 * own PR on the next run and knows what it last did (Renovate keeps the same kind of note). Also
 * the rebase checkbox a human ticks to hand the branch back to the bot.
 */
import { commentJson } from '../markdown/untrusted.ts';

export const MARKER_PREFIX = '<!-- image-build-migrator:state ';
const MARKER_RE = /<!-- image-build-migrator:state (\{.*?\}) -->/s;

/** Why the bot holds its PR as a draft: the build time was not measured, the review of its output has warnings. */
export type DraftReason = 'timing' | 'warnings';

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
  /**
   * Present while the PR is a draft because the bot opened it as one: why, as of this body
   * (empty once the reasons are gone but marking it ready has not gone through yet). Absent when
   * the bot opened it ready, marked it ready, or saw a human mark it ready: a draft then is a
   * human's, and the bot leaves it.
   */
  draft?: { reasons: DraftReason[] };
}

export const MARKER_VERSION = 2;

export function renderMarker(m: Marker): string {
  // The marker carries free text (why the bot closed the PR): written so it cannot end the comment.
  return `${MARKER_PREFIX}${commentJson({ ...m, v: MARKER_VERSION })} -->`;
}

export function parseMarker(body: string | null | undefined): Marker | undefined {
  const m = MARKER_RE.exec(body ?? '');
  if (!m) return undefined;
  try {
    const parsed = JSON.parse(m[1]!) as Marker;
    if (!parsed || (parsed.v !== 1 && parsed.v !== 2) || typeof parsed.pushed !== 'string') return undefined;
    // A draft record that is not the bot's own shape is no record: leave the PR to humans.
    if (parsed.v === 1 || !isDraftRecord(parsed.draft)) delete parsed.draft;
    return parsed;
  } catch {
    return undefined;
  }
}

function isDraftRecord(d: unknown): d is Marker['draft'] {
  return Boolean(d && typeof d === 'object' && Array.isArray((d as { reasons?: unknown }).reasons) && (d as { reasons: unknown[] }).reasons.every((r) => r === 'timing' || r === 'warnings'));
}

export const REBASE_MARK = '<!-- image-build-migrator:rebase -->';
const REBASE_RE = /^- \[( |x|X)\] <!-- image-build-migrator:rebase -->/m;

export function rebaseCheckbox(ticked = false): string {
  return `- [${ticked ? 'x' : ' '}] ${REBASE_MARK} **Rebuild this PR** from the default branch on the next run (tick it to hand the branch back to the bot: commits pushed here by hand are then replaced)`;
}

export function rebaseTicked(body: string | null | undefined): boolean {
  const m = REBASE_RE.exec(body ?? '');
  return Boolean(m && m[1] !== ' ');
}

/** The comment posted once when a human commit stops the bot's updates. */
export const STOPPED_MARK = '<!-- image-build-migrator:stopped -->';
/** The comment posted when the bot closes its PR. */
export const CLOSED_MARK = '<!-- image-build-migrator:closed -->';
