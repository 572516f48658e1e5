import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHANGE_RULES } from '../../src/review/before-after.ts';
import { REPO_RULES } from '../../src/review/checkout.ts';
import { EXTRA_RULES } from '../../src/review/review.ts';
import { RULES } from '../../src/review/rules/index.ts';
import { allRules as sarifRules } from '../../src/review/format.ts';
import { allRules as docsRules } from '../../scripts/docs/generate.ts';

const ALL = [...RULES, ...EXTRA_RULES, ...REPO_RULES, ...CHANGE_RULES];

describe('rule registry', () => {
  it('has unique kebab-case ids, a severity, a title and a docs link', () => {
    const ids = ALL.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of ALL) {
      expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(['error', 'warning']).toContain(r.severity);
      expect(r.title.length).toBeGreaterThan(10);
      expect(r.docs).toMatch(/^https:\/\/(docs\.docker\.com\/|github\.com\/tonistiigi\/xx#)/);
    }
  });

  // rule-examples.test.ts runs each rule of these lists on its examples; the docs page of a rule
  // shows them, so a list the generator or SARIF missed would leave a rule without a page.
  it('every rule has examples, and the docs and SARIF list exactly these rules', () => {
    for (const r of ALL) expect(r.examples, `${r.id} has no examples`).toBeDefined();
    const ids = ALL.map((r) => r.id).sort();
    expect(docsRules().map((r) => r.id).sort()).toEqual(ids);
    expect(sarifRules().map((r) => r.id).sort()).toEqual(ids);
  });

  // The examples show one case each; the edge cases need a test of their own that names the rule.
  it('every rule is named by a test of its own in this folder', () => {
    const dir = new URL('.', import.meta.url);
    const tests = readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts') && f !== 'registry.test.ts' && f !== 'rule-examples.test.ts')
      .map((f) => readFileSync(new URL(f, dir), 'utf8'))
      .join('\n');
    for (const r of ALL) expect(tests, r.id).toContain(`'${r.id}'`);
  });
});
