/**
 * `review --format github` inside Actions: each finding an annotation on its file and line, and a
 * one-line count in the step summary.
 */
import type { Finding } from './types.ts';
import { annotate, writeStepSummary } from '../actions/actions.ts';

export async function annotateFindings(findings: Finding[], reviewed: number): Promise<void> {
  for (const f of findings) {
    annotate({ level: f.severity === 'error' ? 'error' : 'warning', title: f.rule, file: f.file, line: f.line, endLine: f.endLine, column: f.column, message: `${f.message}\nhint: ${f.hint}\n${f.docs}` });
  }
  const errors = findings.filter((f) => f.severity === 'error').length;
  await writeStepSummary(`**Dockerfile review:** ${reviewed} Dockerfile${reviewed === 1 ? '' : 's'} reviewed, ${errors} error${errors === 1 ? '' : 's'}, ${findings.length - errors} warning${findings.length - errors === 1 ? '' : 's'}.\n`);
}
