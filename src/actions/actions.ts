/**
 * The one place that talks to GitHub Actions' runner: annotations, step outputs and the step
 * summary through `@actions/core` (it knows the file commands, their escaping and the summary's
 * size limit, which hand-written `::error` lines and appends get wrong at the edges).
 * Outside Actions every function here does nothing, so the CLI behaves the same on a laptop.
 * Everything that reaches the run page passes the redaction here, whoever calls.
 */
import * as core from '@actions/core';
import { redact } from '../secrets/redact.ts';

export function inActions(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  column?: number;
}

/** Annotations on the run page (and on the PR's files when `file` is set). */
export function annotate(a: Annotation): void {
  const props: core.AnnotationProperties = { title: a.title && redact(a.title), file: a.file && redact(a.file), startLine: a.line, endLine: a.endLine, startColumn: a.column };
  const message = redact(a.message);
  if (a.level === 'error') core.error(message, props);
  else if (a.level === 'warning') core.warning(message, props);
  else core.notice(message, props);
}

/** Set a step output (`steps.<id>.outputs.<name>`); needs GITHUB_OUTPUT. */
export function setOutput(name: string, value: string): boolean {
  if (!process.env.GITHUB_OUTPUT) return false;
  core.setOutput(name, value);
  return true;
}

/** Append Markdown to the step summary; false when there is no summary file (not in Actions). */
export async function writeStepSummary(markdown: string): Promise<boolean> {
  if (!process.env.GITHUB_STEP_SUMMARY) return false;
  await core.summary.addRaw(redact(markdown)).write();
  core.summary.emptyBuffer();
  return true;
}
