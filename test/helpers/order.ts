import { expect } from 'vitest';

/**
 * Every needle is in `haystack` (a text, or a list such as step names), each first occurrence
 * after the previous one's. `indexOf(a) < indexOf(b)` alone passes when `a` is missing.
 */
export function expectInOrder(haystack: string | readonly (string | undefined)[], needles: readonly string[], what = ''): void {
  let previous = -1;
  let previousNeedle = '';
  for (const needle of needles) {
    const at = haystack.indexOf(needle);
    expect(at, `${what}${what ? ': ' : ''}${JSON.stringify(needle)} is missing`).toBeGreaterThanOrEqual(0);
    expect(at, `${what}${what ? ': ' : ''}${JSON.stringify(needle)} comes before ${JSON.stringify(previousNeedle)}`).toBeGreaterThan(previous);
    previous = at;
    previousNeedle = needle;
  }
}
