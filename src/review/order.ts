import type { Finding } from './types.ts';

const SEVERITY_ORDER = { error: 0, warning: 1 } as const;

/** Findings in reading order: file, line, column, errors before warnings, then rule. */
export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0) || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || a.rule.localeCompare(b.rule));
}
