/**
 * What a review produces and what a rule is. A Finding names its rule by id, so the codemod,
 * which refuses to write an output with an error-level finding, can say which invariant broke.
 */
import type { Analysis, StageFacts } from '../dockerfile/analysis.ts';
import type { FactsInput } from '../dockerfile/input.ts';
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

/** What the review is told about the build besides the Dockerfile: the facts input (dockerfile/input.ts), defaults for what is missing. */
export type ReviewOptions = Partial<FactsInput>;

/**
 * A rule's examples. Most rules read one Dockerfile: `fail` and `pass` are Dockerfiles. A change
 * rule compares a migration with its input: `before` is the input, `fail` and `pass` two
 * migrations of it. A repository rule reads the build files: `dockerfile` is the folder's
 * Dockerfile, `fail` and `pass` its Makefile.
 */
export interface RuleExamples {
  fail: string;
  pass: string;
  before?: string;
  dockerfile?: string;
}

export interface RuleMeta {
  /** kebab-case id, stable: it is what the codemod and CI refer to. */
  id: string;
  /** Default severity; a finding may be downgraded where the same mistake is only risky. */
  severity: Severity;
  /** One line, for SARIF rule metadata and `--list`. */
  title: string;
  docs: string;
  /** What the rule finds something in, and the same fixed as its hint says (its page in docs/rules/ shows both; a test checks they fail and pass). */
  examples?: RuleExamples;
  /**
   * Held as an error in the bot's own output though only a warning in a human's file (P5: the
   * bot must not leave a cross-compiled binary running unguarded).
   */
  errorInOwnOutput?: boolean;
}


export type { Analysis, DockerfileModel, Stage, StageFacts };
