/**
 * The values that flow out of the migration of one checkout: what the CLI prints, what the
 * fleet report aggregates, what the PR body is written from.
 */

export interface EmulatedStage {
  /** Stage name (case-insensitive) or index. */
  stage: string;
  reason: string;
  /** Where it was asked for, for messages: `repos.yaml:14`, `--emulate`. */
  source?: string;
}

export interface MigrateOptions {
  /** The xx image for the cross-compilation helpers. */
  xxImage: string;
  /** Dockerfile paths relative to the checkout; default: `Dockerfile`. */
  dockerfiles: string[];
  /** Stages to leave emulated (P10), with the reason shown in the file and the report. */
  emulatedStages: EmulatedStage[];
  /** Compute everything, write nothing. */
  dryRun: boolean;
}

export const DEFAULT_XX_IMAGE = 'rancher/mirrored-tonistiigi-xx:1.6.1';

export const DEFAULT_OPTIONS: MigrateOptions = {
  xxImage: DEFAULT_XX_IMAGE,
  dockerfiles: ['Dockerfile'],
  emulatedStages: [],
  dryRun: false,
};

export interface AppliedEdit {
  recipe: string;
  reason: string;
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
  /** It already cross-compiled (dockerfile/migrated.ts): edited only to fix error-level findings. */
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
}
