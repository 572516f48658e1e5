/**
 * The committed dist/ is what the runner runs (action.yml `main: dist/action.mjs`), so it must be
 * what src/ builds to today: rebuilt here into a temporary folder, compared byte for byte. The
 * build is deterministic (scripts/build-action.ts: no timestamps, no source maps, paths relative
 * to the checkout), so any difference is a stale dist/.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_FILES, buildAction } from '../../scripts/build-action.ts';
import { removeDir, tempDir } from '../helpers/repos.ts';

const root = path.resolve(import.meta.dirname, '../..');
const committed = path.join(root, 'dist');
const STALE = 'dist/ is not what src/ builds to: run `npm run build:action` and commit dist/';

describe('dist/ is in step with src/', () => {
  const fresh = tempDir('ibm-dist-');
  afterAll(() => removeDir(fresh));

  it('rebuilding gives the committed dist/, byte for byte, and nothing else', async () => {
    await buildAction(fresh);
    expect(readdirSync(fresh).sort()).toEqual([...DIST_FILES].sort());
    expect(existsSync(committed), STALE).toBe(true);
    expect(readdirSync(committed).sort(), STALE).toEqual([...DIST_FILES].sort());
    for (const f of DIST_FILES) {
      const a = readFileSync(path.join(fresh, f));
      const b = readFileSync(path.join(committed, f));
      // Buffer.equals, not toEqual: a 2 MB diff in the failure message helps nobody.
      expect(a.equals(b), `${f}: ${STALE}`).toBe(true);
    }
  }, 60_000);

  it('the bundle stays small enough to commit (minified; about 2 MB today)', () => {
    expect(statSync(path.join(committed, 'action.mjs')).size).toBeLessThan(3_000_000);
  });

  it('two builds are identical: the comparison above can only fail on a real change', async () => {
    const again = tempDir('ibm-dist-again-');
    try {
      await buildAction(again);
      for (const f of DIST_FILES) expect(readFileSync(path.join(again, f)).equals(readFileSync(path.join(fresh, f))), f).toBe(true);
    } finally {
      removeDir(again);
    }
  }, 60_000);
});
