/**
 * The values that flow out of the migration of one checkout: what the CLI prints, what the
 * fleet report aggregates, what the PR body is written from.
 */
import type { DockerfileModel } from '../dockerfile/model.ts';

import { DEFAULT_OPTIONS, DEFAULT_XX_IMAGE, type EmulatedStage, type MigrateOptions } from '../dockerfile/input.ts';
import type { Finding } from '../review/types.ts';

export { DEFAULT_OPTIONS, DEFAULT_XX_IMAGE, type EmulatedStage, type MigrateOptions };

/** The review finding an edit fixes, as data: its rule and its line in the file as read. */
export interface FixedFinding {
  rule: string;
  line: number;
}

export interface AppliedEdit {
  recipe: string;
  reason: string;
  /** In a file that already cross-compiles: the error-level finding this edit fixes. */
  fixes?: FixedFinding;
  /** 1-based lines in the original file where the edit starts and ends. */
  line: number;
  endLine?: number;
}

export interface Warning {
  message: string;
  line?: number;
}

export interface FileReport {
  /** Path relative to the checkout. */
  path: string;
  status: 'changed' | 'unchanged' | 'skipped' | 'error';
  edits: AppliedEdit[];
  /** Why the file was skipped or left alone (P14), or stages kept emulated (P10). */
  skips: { reason: string; stage?: string; line?: number }[];
  warnings: Warning[];
  /** It already cross-compiled (dockerfile/cross-compiling-stages.ts): edited only to fix error-level findings. */
  alreadyMigrated?: boolean;
  /** Set when status is 'error': what went wrong and where. */
  error?: {
    /** input: the file cannot be read or parsed (exit 2); unsafe: it cannot be migrated safely (exit 1). */
    kind: 'input' | 'unsafe';
    message: string;
    line?: number;
    /** The invariant (review rule id) the output would have broken. */
    invariant?: string;
    /** What to do about it. */
    hint?: string;
  };
  /** Unified diff of the change (empty when unchanged). */
  diff: string;
  /**
   * The review the migration ran on the file it wrote (changed files only), with the
   * repository's settings: what the PR body lists, so delivery never reviews again with others.
   */
  findings?: Finding[];
}

export type CheckoutOutcome = 'changed' | 'unchanged' | 'skipped' | 'failed';

export interface CheckoutReport {
  /** changed: edits made (or would be, in dry run); unchanged: already migrated (every Dockerfile already cross-compiles); skipped: nothing to do (P14, or every compile kept emulated); failed: not safe to migrate. */
  outcome: CheckoutOutcome;
  files: FileReport[];
  /** The whole unified diff of the checkout. */
  diff: string;
  /** One line a human reads first. */
  summary: string;
  /**
   * Every changed file's text as read and as written (in dry run: as it would be written), so
   * later steps (timing) work from exactly what is delivered instead of migrating again. Kept out
   * of printed and JSON reports, which carry the diff.
   */
  changes?: FileChange[];
}

export interface FileChange {
  /** Path relative to the checkout. */
  path: string;
  before: string;
  after: string;
  /** A Dockerfile's texts as the migration parsed them: what the PR body and timing read, instead of parsing again (in memory only). */
  models?: { before: DockerfileModel; after: DockerfileModel };
}
