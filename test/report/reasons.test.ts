import { describe, expect, it } from 'vitest';
import { reasonLines } from '../../src/report/reasons.ts';
import type { FileReport } from '../../src/migrate/types.ts';

const file = (edits: FileReport['edits']): FileReport => ({ path: 'Dockerfile', status: 'changed', edits, skips: [], warnings: [], diff: '' });

describe('reasonLines', () => {
  it('says a reason once, at its first line: a move deletes and inserts with the same reason', () => {
    const why = 'git clone does not depend on the target: moved above line 25, it runs once for all platforms instead of once per platform';
    const lines = reasonLines([file([
      { recipe: 'target-independent-first', reason: why, line: 25 },
      { recipe: 'target-independent-first', reason: why, line: 30 },
      { recipe: 'xx-go-wrap', reason: 'xx-go --wrap makes "go build" compile for the target platform', line: 35 },
    ])]);
    expect(lines).toEqual([
      `  Dockerfile:25 [target-independent-first] ${why}`,
      '  Dockerfile:35 [xx-go-wrap] xx-go --wrap makes "go build" compile for the target platform',
    ]);
  });

  it('keeps the same words of two recipes apart', () => {
    const lines = reasonLines([file([
      { recipe: 'a-recipe', reason: 'same words', line: 3 },
      { recipe: 'b-recipe', reason: 'same words', line: 3 },
    ])]);
    expect(lines).toHaveLength(2);
  });
});
