import { describe, expect, it } from 'vitest';
import { escapeData, escapeProperty, formatFindings, formatGithub, formatSarif } from '../../src/review/format.ts';
import { RULES } from '../../src/review/rules/index.ts';
import type { Finding } from '../../src/review/types.ts';
import { GOOD, review } from './helpers.ts';

const finding: Finding = {
  rule: 'xx-go-wrap-swallows-command',
  severity: 'error',
  message: 'takes "make, all" as 100% args:\nsecond line\r',
  file: 'images/a,b:c/Dockerfile',
  line: 8,
  column: 5,
  endLine: 9,
  endColumn: 12,
  hint: 'end the line with "&& \\"',
  docs: 'https://github.com/tonistiigi/xx#go--cgo',
};
const warning: Finding = { ...finding, rule: 'cgo-implicit', severity: 'warning', message: 'plain', file: 'Dockerfile', column: undefined, endLine: undefined, endColumn: undefined };

describe('github workflow commands', () => {
  it('escapes %, CR and LF in data, and also : and , in properties', () => {
    expect(escapeData('a%b\r\nc:d,e')).toBe('a%25b%0D%0Ac:d,e');
    expect(escapeProperty('a%b\r\nc:d,e')).toBe('a%25b%0D%0Ac%3Ad%2Ce');
  });

  it('writes one ::error / ::warning line per finding', () => {
    const out = formatGithub([finding, warning]);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      '::error file=images/a%2Cb%3Ac/Dockerfile,line=8,col=5,endLine=9,title=xx-go-wrap-swallows-command::takes "make, all" as 100%25 args:%0Asecond line%0D%0Ahint: end the line with "&& \\"%0Ahttps://github.com/tonistiigi/xx#go--cgo',
    );
    expect(lines[1]).toMatch(/^::warning file=Dockerfile,line=8,title=cgo-implicit::plain%0Ahint: /);
  });
});

describe('sarif', () => {
  it('is SARIF 2.1.0 with rule metadata and line regions', () => {
    const log = JSON.parse(formatSarif([finding, warning]));
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    const run = log.runs[0];
    const ids = run.tool.driver.rules.map((r: { id: string }) => r.id);
    for (const r of RULES) expect(ids).toContain(r.id);
    expect(ids).toContain('parse');
    expect(ids).toContain('stale-build-arg');
    for (const r of run.tool.driver.rules) {
      expect(r.helpUri).toMatch(/^https:\/\//);
      expect(r.shortDescription.text.length).toBeGreaterThan(5);
      expect(['error', 'warning']).toContain(r.defaultConfiguration.level);
      expect(r.name).toMatch(/^[A-Z][A-Za-z0-9]*$/);
    }
    const [res, res2] = run.results;
    expect(res.ruleId).toBe(finding.rule);
    expect(run.tool.driver.rules[res.ruleIndex].id).toBe(finding.rule);
    expect(res.level).toBe('error');
    expect(res2.level).toBe('warning');
    expect(res.message.text).toContain('Hint: end the line');
    expect(res.locations[0].physicalLocation.artifactLocation.uri).toBe('images/a,b:c/Dockerfile');
    expect(res.locations[0].physicalLocation.region).toEqual({ startLine: 8, startColumn: 5, endLine: 9, endColumn: 12 });
    expect(res2.locations[0].physicalLocation.region).toEqual({ startLine: 8 });
  });

  it('makes absolute paths file:// URIs', () => {
    const log = JSON.parse(formatSarif([{ ...finding, file: '/repo/my dir/Dockerfile' }]));
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('file:///repo/my%20dir/Dockerfile');
  });
});

describe('text and json', () => {
  it('text: file:line:col: severity rule: message, then hint and docs, then a summary', () => {
    const out = formatFindings([finding, warning], 'text', 2);
    expect(out.split('\n')[0]).toBe('images/a,b:c/Dockerfile:8:5: error xx-go-wrap-swallows-command: takes "make, all" as 100% args:');
    expect(out).toContain('    hint: end the line with "&& \\"');
    expect(out).toContain('    docs: https://github.com/tonistiigi/xx#go--cgo');
    expect(out.trimEnd().split('\n').at(-1)).toBe('2 Dockerfiles reviewed: 1 error, 1 warning');
  });

  it('json: counts and findings', () => {
    const parsed = JSON.parse(formatFindings(review(GOOD.replace('xx-go --wrap &&', 'xx-go --wrap')), 'json', 1));
    expect(parsed.reviewed).toBe(1);
    expect(parsed.errors).toBe(1);
    expect(parsed.findings[0]).toMatchObject({ rule: 'xx-go-wrap-swallows-command', severity: 'error', line: 8, file: 'Dockerfile' });
  });
});
