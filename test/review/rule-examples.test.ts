// Every rule's examples (its docs page shows them) are checked against the rule itself: the
// failing one must make the rule report, the passing one must not. A rule without examples fails
// here, so a new rule cannot ship with an empty page or an example that no longer fires.
import { describe, expect, it } from 'vitest';
import { scanBuildFile } from '../../src/dockerfile/build-files.ts';
import { DockerfileFacts } from '../../src/dockerfile/facts.ts';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { CHANGE_RULES, reviewChange } from '../../src/review/before-after.ts';
import { REPO_RULES, reviewBuildArgs } from '../../src/review/checkout.ts';
import { EXTRA_RULES, reviewText } from '../../src/review/review.ts';
import { RULES } from '../../src/review/rules/index.ts';
import type { Finding, RuleMeta } from '../../src/review/types.ts';
import { show } from './helpers.ts';

type Kind = 'file' | 'change' | 'repo';
const REGISTRY: [Kind, readonly RuleMeta[]][] = [['file', RULES], ['file', EXTRA_RULES], ['repo', REPO_RULES], ['change', CHANGE_RULES]];

const facts = (text: string) => DockerfileFacts.of(parseDockerfile(text, 'Dockerfile'));

/** Every finding of the review the rule belongs to, on one example. */
function findings(kind: Kind, rule: RuleMeta, text: string): Finding[] {
  const ex = rule.examples!;
  if (kind === 'change') return reviewChange(facts(ex.before!), facts(text));
  if (kind === 'repo') return reviewBuildArgs([parseDockerfile(ex.dockerfile!, 'Dockerfile')], scanBuildFile({ path: 'Makefile', text, kind: 'makefile' }), (f) => f);
  return reviewText(text, 'Dockerfile');
}

const lineCount = (text: string) => text.trimEnd().split('\n').length;

describe('rule examples', () => {
  for (const [kind, rules] of REGISTRY) {
    for (const rule of rules) {
      describe(rule.id, () => {
        it('has a failing and a passing example, short, and different', () => {
          const ex = rule.examples;
          expect(ex, `${rule.id} has no examples in its metadata`).toBeDefined();
          expect(ex!.pass).not.toBe(ex!.fail);
          // A change rule needs its input, a repository rule its Dockerfile; nothing else has either.
          expect(ex!.before !== undefined, 'before').toBe(kind === 'change');
          expect(ex!.dockerfile !== undefined, 'dockerfile').toBe(kind === 'repo');
          for (const text of [ex!.fail, ex!.pass, ex!.before, ex!.dockerfile]) {
            if (text === undefined) continue;
            expect(lineCount(text), text).toBeLessThanOrEqual(15);
            expect(text.endsWith('\n'), 'ends with a newline').toBe(true);
          }
        });

        it('reports on the failing example', () => {
          const all = findings(kind, rule, rule.examples!.fail);
          const hits = all.filter((f) => f.rule === rule.id);
          expect(hits.length, show(all)).toBeGreaterThan(0);
          // On a line of the example itself (the Makefile, for a repository rule; the migration, for a change rule).
          for (const h of hits) expect(h.line, show(hits)).toBeLessThanOrEqual(lineCount(rule.examples!.fail));
        });

        // The page shows the passing example as the fix: a finding of any rule there would mislead.
        it('reports nothing on the passing example, and no other rule does either', () => {
          const ex = rule.examples!;
          expect(show(findings(kind, rule, ex.pass))).toBe('');
          if (kind !== 'file') expect(show(reviewText(ex.dockerfile ?? ex.pass, 'Dockerfile'))).toBe('');
        });
      });
    }
  }
});
