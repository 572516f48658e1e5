/**
 * Findings as text for a terminal, JSON for tools, SARIF 2.1.0 for code scanning, and GitHub
 * workflow commands for annotations on a pull request.
 */
import type { Finding, RuleMeta } from './types.ts';
import { RULES } from './rules/index.ts';
import { EXTRA_RULES } from './review.ts';
import { CHANGE_RULES } from './before-after.ts';
import { REPO_RULES } from './checkout.ts';

export type Format = 'text' | 'json' | 'sarif' | 'github';
export const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'github'];

export function allRules(): RuleMeta[] {
  return [...RULES, ...EXTRA_RULES, ...REPO_RULES, ...CHANGE_RULES].map(({ id, severity, title, docs }) => ({ id, severity, title, docs }));
}

function count(findings: Finding[]) {
  const errors = findings.filter((f) => f.severity === 'error').length;
  return { errors, warnings: findings.length - errors, files: new Set(findings.map((f) => f.file)).size };
}

export function formatText(findings: Finding[], reviewed: number): string {
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${f.file}:${f.line}${f.column ? `:${f.column}` : ''}: ${f.severity} ${f.rule}: ${f.message}`);
    lines.push(`    hint: ${f.hint}`);
    lines.push(`    docs: ${f.docs}`);
  }
  const c = count(findings);
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  lines.push(`${plural(reviewed, 'Dockerfile')} reviewed: ${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')}`);
  return `${lines.join('\n')}\n`;
}

export function formatJson(findings: Finding[], reviewed: number): string {
  const c = count(findings);
  return `${JSON.stringify({ reviewed, errors: c.errors, warnings: c.warnings, findings }, null, 2)}\n`;
}

/** PascalCase name for SARIF `rules[].name` (`xx-not-copied` → `XxNotCopied`). */
function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

function artifactUri(file: string): string {
  const posix = file.replace(/\\/g, '/');
  if (posix.startsWith('/')) return `file://${encodeURI(posix)}`;
  return encodeURI(posix.replace(/^\.\//, ''));
}

export function formatSarif(findings: Finding[], toolVersion = '0.1.0'): string {
  const rules = allRules();
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const level = (s: Finding['severity']) => (s === 'error' ? 'error' : 'warning');
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'image-build-migrator review',
            version: toolVersion,
            informationUri: 'https://github.com/tonistiigi/xx',
            rules: rules.map((r) => ({
              id: r.id,
              name: pascal(r.id),
              shortDescription: { text: r.title },
              fullDescription: { text: r.title },
              helpUri: r.docs,
              help: { text: `${r.title}. See ${r.docs}` },
              defaultConfiguration: { level: level(r.severity) },
              properties: { tags: ['dockerfile', 'multi-platform'] },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ...(index.has(f.rule) ? { ruleIndex: index.get(f.rule) } : {}),
          level: level(f.severity),
          message: { text: `${f.message}. Hint: ${f.hint}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(f.file) },
                region: {
                  startLine: f.line,
                  ...(f.column ? { startColumn: f.column } : {}),
                  ...(f.endLine ? { endLine: f.endLine } : {}),
                  ...(f.endColumn && f.endLine ? { endColumn: f.endColumn } : {}),
                },
              },
            },
          ],
          partialFingerprints: { primaryLocationLineHash: `${f.rule}:${f.line}` },
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** GitHub workflow-command escaping: message data, and property values (which also escape `:` and `,`). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(findings: Finding[]): string {
  return findings
    .map((f) => {
      const props = [`file=${escapeProperty(f.file)}`, `line=${f.line}`];
      if (f.column) props.push(`col=${f.column}`);
      if (f.endLine) props.push(`endLine=${f.endLine}`);
      props.push(`title=${escapeProperty(f.rule)}`);
      return `::${f.severity} ${props.join(',')}::${escapeData(`${f.message}\nhint: ${f.hint}\n${f.docs}`)}\n`;
    })
    .join('');
}

export function formatFindings(findings: Finding[], format: Format, reviewed: number): string {
  switch (format) {
    case 'text':
      return formatText(findings, reviewed);
    case 'json':
      return formatJson(findings, reviewed);
    case 'sarif':
      return formatSarif(findings);
    case 'github':
      return formatGithub(findings);
  }
}
