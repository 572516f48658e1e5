/**
 * The review: every rule over one Dockerfile model. The codemod calls `reviewDockerfile` on its
 * own output and refuses to write it when an error-level finding exists, so a human's migration
 * and the bot's are judged by the same code.
 */
import { DockerfileFacts } from '../dockerfile/facts.ts';
import { DockerfileError } from '../dockerfile/errors.ts';
import { parseDockerfile, type DockerfileModel } from '../dockerfile/model.ts';
import type { ShellCache } from '../dockerfile/shell.ts';
import { ReviewContext } from './context.ts';
import { DOCS } from './docs.ts';
import { RULES } from './rules/index.ts';
import type { Finding, ReviewOptions, RuleMeta } from './types.ts';

export type { Finding, ReviewOptions, RuleMeta, Severity } from './types.ts';

/** Not a rule over a model: the file could not be read as a Dockerfile at all. */
export const PARSE_RULE: RuleMeta = {
  id: 'parse',
  severity: 'error',
  title: 'The Dockerfile does not parse',
  docs: DOCS.dockerfileParse,
};

/** Rules outside the per-file set (parse, repository-level checks) that formatters describe too. */
export const EXTRA_RULES: RuleMeta[] = [PARSE_RULE];

/** Rules whose warnings are errors in the bot's own output (RuleMeta.errorInOwnOutput). */
export const ERROR_IN_OWN_OUTPUT: ReadonlySet<string> = new Set(RULES.filter((r) => r.errorInOwnOutput).map((r) => r.id));

const SEVERITY_ORDER = { error: 0, warning: 1 } as const;

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.rule.localeCompare(b.rule));
}

/** Review a Dockerfile through its facts: the migration hands in the very facts its recipes read. */
export function reviewDockerfile(facts: DockerfileFacts): Finding[] {
  const ctx = new ReviewContext(facts);
  for (const rule of RULES) rule.check(ctx);
  return sortFindings(ctx.findings);
}

/** Review a parsed Dockerfile on its own (the review CLI, a GitHub review): its facts under `opts`. */
export function reviewModel(model: DockerfileModel, opts: ReviewOptions = {}): Finding[] {
  return reviewDockerfile(DockerfileFacts.of(model, opts));
}

/** Parse and review Dockerfile text; a parse failure is one `parse` finding on its line. */
export function reviewText(text: string, path: string, opts: ReviewOptions = {}, shellCache?: ShellCache): Finding[] {
  let model: DockerfileModel;
  try {
    model = parseDockerfile(text, path, shellCache);
  } catch (err) {
    if (!(err instanceof DockerfileError)) throw err;
    return [parseFinding(err)];
  }
  return reviewModel(model, opts);
}

export function parseFinding(err: DockerfileError): Finding {
  return {
    rule: PARSE_RULE.id,
    severity: 'error',
    message: err.problem,
    file: err.file,
    line: err.line ?? 1,
    hint: err.hint || 'fix the Dockerfile syntax',
    docs: PARSE_RULE.docs,
  };
}

export const hasErrors = (findings: Finding[]): boolean => findings.some((f) => f.severity === 'error');
