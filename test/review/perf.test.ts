import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { reviewDockerfile } from '../../src/review/review.ts';

describe('review cost', () => {
  it('reviews a parsed model in well under the per-file budget', () => {
    const text = readFileSync(new URL('./fixtures/operator-debian-correct.Dockerfile', import.meta.url), 'utf8');
    const model = parseDockerfile(text);
    for (let i = 0; i < 50; i++) reviewDockerfile(model);
    // Best of several batches: other test files run in parallel and steal the CPU.
    let perFile = Infinity;
    for (let batch = 0; batch < 8; batch++) {
      const t0 = performance.now();
      for (let i = 0; i < 100; i++) reviewDockerfile(model);
      perFile = Math.min(perFile, (performance.now() - t0) / 100);
    }
    // The codemod's budget is ~3 ms per Dockerfile for everything; the review must be a small part.
    expect(perFile).toBeLessThan(1.5);
  });
});
