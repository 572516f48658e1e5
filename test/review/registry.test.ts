import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHANGE_RULES } from '../../src/review/change.ts';
import { REPO_RULES } from '../../src/review/repo.ts';
import { EXTRA_RULES } from '../../src/review/review.ts';
import { RULES } from '../../src/review/rules/index.ts';

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

  it('every rule is exercised by a test in this folder', () => {
    const dir = new URL('.', import.meta.url);
    const tests = readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts') && f !== 'registry.test.ts')
      .map((f) => readFileSync(new URL(f, dir), 'utf8'))
      .join('\n');
    for (const r of ALL) expect(tests, r.id).toContain(`'${r.id}'`);
  });
});
