/**
 * The result of a fleet run, one value that every renderer (terminal, Markdown, JSON) reads.
 */
import type { FileReport } from '../migrate/types.ts';
import type { ApiCalls } from '../platform/types.ts';
import type { TimingResult } from '../timing/result.ts';

/** What delivery did with a repository's pull request. */
export type DeliveryAction = 'open' | 'update' | 'leave' | 'close' | 'blocked';

/** Finer than the action: what the summary and the dashboard say. */
export type DeliveryStatus =
  | 'opened' | 'updated' | 'current' | 'blocked-by-human' | 'closed-by-human' | 'merged' | 'closed' | 'not-needed' | 'deferred' | 'failed' | 'no-longer-needed';

export interface DeliveryResult {
  action: DeliveryAction;
  status: DeliveryStatus;
  reason: string;
  pr?: { number: number; url: string; draft?: boolean };
  /** The commit pushed this run. */
  pushed?: string;
  /** The bot turned its own draft PR into one ready for review this run (the reasons it was a draft are gone). */
  markedReady?: boolean;
  /** Things that went wrong without failing the delivery (a label that could not be added). */
  warnings: string[];
}

/**
 * would-change: the codemod has edits (dry run); changed: edits applied to the local workspace
 * (never pushed yet); already-migrated: nothing to do; skipped: out of scope with a reason;
 * failed: this repository could not be processed; cancelled: the run was interrupted first.
 */
export type RepoOutcome = 'would-change' | 'changed' | 'already-migrated' | 'skipped' | 'failed' | 'cancelled';

export const OUTCOME_ORDER: RepoOutcome[] = ['would-change', 'changed', 'already-migrated', 'skipped', 'failed', 'cancelled'];

export const OUTCOME_TITLES: Record<RepoOutcome, string> = {
  'would-change': 'Would change',
  changed: 'Changed locally (not pushed)',
  'already-migrated': 'Already migrated',
  skipped: 'Skipped',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export interface RepoResult {
  /** owner/name (or the rejected text, escaped) */
  name: string;
  outcome: RepoOutcome;
  /** One line: why this outcome. */
  reason: string;
  /** Pipeline step that failed (lookup, remote, clone, fetch, reset, migrate). */
  step?: string;
  branch?: string;
  commit?: string;
  /** Unified diff of the change (would-change / changed). */
  diff?: string;
  files?: FileReport[];
  /** What delivery did or (with --plan) would do: open / update / leave / close / blocked. */
  delivery?: DeliveryResult;
  /** GitHub API calls made for this repository (304s counted apart). */
  apiCalls?: ApiCalls;
  /** --timing: cold before/after build times (src/timing/result.ts). */
  timing?: TimingResult;
  durationMs: number;
}

export interface FleetReport {
  /** The exchange schema (src/report/report-files.ts): bump it when a reader would misread the layout. */
  schemaVersion: 2;
  /** The bot that wrote it. */
  tool: { name: string; version: string };
  dryRun: boolean;
  startedAt: string;
  durationMs: number;
  reposFile: string;
  /** Branches pushed this run (0 in dry run and --plan). */
  pushes: number;
  /** --plan: delivery was planned with read calls only. */
  plan?: boolean;
  /** API calls of the whole run (the dashboard's included). */
  apiCalls?: ApiCalls;
  /** The campaign dashboard issue, when one is configured and was updated or found current. */
  dashboard?: { url: string; action: 'created' | 'updated' | 'current' };
  interrupted: boolean;
  counts: Record<RepoOutcome, number>;
  repos: RepoResult[];
  excluded: { name: string; reason: string }[];
  /** Run-level problems (the list could not be read). */
  errors: string[];
  notes: string[];
}

export function countOutcomes(repos: RepoResult[]): Record<RepoOutcome, number> {
  const counts = Object.fromEntries(OUTCOME_ORDER.map((o) => [o, 0])) as Record<RepoOutcome, number>;
  for (const r of repos) counts[r.outcome]++;
  return counts;
}
