/**
 * P13 on real-world styles: Dockerfiles that people migrated by hand correctly (the review's
 * "correct" fixtures: seed style with a base-builder, `ARG TARGETOS TARGETARCH`, `xx-go build`,
 * Docker's guide style with GOARCH=$TARGETARCH, lowercase `as`, CRLF...) are left exactly as
 * they are.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrateDockerfile } from '../../src/migrate/engine.ts';
import { DEFAULT_OPTIONS } from './options.ts';

const dirs = ['test/fixtures/hand-migrations', 'test/review/fixtures'];
const files = dirs.flatMap((d) => readdirSync(d).filter((f) => /^c\d+-.*\.Dockerfile$|-correct\.Dockerfile$/.test(f)).map((f) => path.join(d, f)));

describe('already migrated by hand: no change at all', () => {
  it('has a varied set of correct files', () => expect(files.length).toBeGreaterThanOrEqual(10));
  for (const file of files) {
    it(path.basename(file), () => {
      const text = readFileSync(file, 'utf8');
      const m = migrateDockerfile(text, file, DEFAULT_OPTIONS);
      expect(m.edits).toEqual([]);
      expect(m.output).toBe(text);
    });
  }
});
