// The configuration reference and the rule pages under docs/ are generated from the code (the
// zod schema, the rules' metadata): a rule added or changed without regenerating them fails here.
import { describe, expect, it } from 'vitest';
import { allRules, generatedPages, pagesOnDisk } from '../../scripts/docs/generate.ts';

describe('docs/ as the generator writes it', () => {
  it('every generated page is on disk as generated, and no page on disk is left over', () => {
    const pages = generatedPages();
    const disk = pagesOnDisk();
    const stale = [...new Set([...pages.keys(), ...disk.keys()])].filter((k) => pages.get(k) !== disk.get(k));
    expect(stale, 'run npx tsx scripts/docs/generate.ts').toEqual([]);
  });

  it('one page per rule, the index naming each', () => {
    const pages = generatedPages();
    const index = pages.get('rules/README.md')!;
    for (const r of allRules()) {
      expect(pages.has(`rules/${r.id}.md`), r.id).toBe(true);
      expect(index, r.id).toContain(`(${r.id}.md)`);
    }
  });
});
