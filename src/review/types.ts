/**
 * What a review produces and what a rule is. A Finding names its rule by id, so the codemod,
 * which refuses to write an output with an error-level finding, can say which invariant broke.
 */
import type { Analysis, MakeVar, StageFacts } from '../dockerfile/analysis.ts';
import type { DockerfileModel, Stage } from '../dockerfile/model.ts';

export type Severity = 'error' | 'warning';

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  file: string;
  /** 1-based. */
  line: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  hint: string;
  docs: string;
}

export interface ReviewOptions {
  /** The xx image the fleet must use (default: the Rancher mirror). */
  xxImage?: string;
  /** `--target` names that the Makefile and workflows build: they are final stages too. */
  targets?: string[];
  /** Stages deliberately left emulated (P10), by name or index. */
  emulatedStages?: { stage: string; reason: string }[];
  /** Build-args the checkout's Makefile and workflows pass with a value (dockerfile/build-files.ts), as the migration reads them. */
  buildArgs?: Record<string, string>;
  /** Variables the checkout's Makefile sets. */
  makeVars?: Record<string, MakeVar>;
}

export interface RuleMeta {
  /** kebab-case id, stable: it is what the codemod and CI refer to. */
  id: string;
  /** Default severity; a finding may be downgraded where the same mistake is only risky. */
  severity: Severity;
  /** One line, for SARIF rule metadata and `--list`. */
  title: string;
  docs: string;
  /** A Dockerfile the rule finds something in, and the same one fixed (its page in docs/rules/ shows both; a test checks they fail and pass). */
  examples?: { fail: string; pass: string };
}


export type { Analysis, DockerfileModel, Stage, StageFacts };
