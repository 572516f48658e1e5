import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAction, ROOT } from '../../scripts/build-action.ts';
import { checkRelease } from '../../scripts/release-check.ts';

const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
let built: string;
let stale: string;

beforeAll(async () => {
  built = mkdtempSync(path.join(os.tmpdir(), 'ibm-release-test-'));
  await buildAction(built);
  // A checkout whose dist/ was not rebuilt after a change of src/: one byte differs.
  stale = mkdtempSync(path.join(os.tmpdir(), 'ibm-release-stale-'));
  cpSync(path.join(ROOT, 'package.json'), path.join(stale, 'package.json'));
  cpSync(path.join(ROOT, 'dist'), path.join(stale, 'dist'), { recursive: true });
  writeFileSync(path.join(stale, 'dist', 'action.mjs'), readFileSync(path.join(stale, 'dist', 'action.mjs'), 'utf8') + '\n');
}, 60_000);
afterAll(() => {
  for (const d of [built, stale]) rmSync(d, { recursive: true, force: true });
});

describe('release-check: the tag of a release of the review action', () => {
  it('the tag of package.json version, on a commit whose dist/ is what src/ builds: released, and the major tag is named', async () => {
    const r = await checkRelease(`v${version}`, ROOT, built);
    expect(r).toEqual({ ok: true, major: `v${version.split('.')[0]}`, problems: [] });
  });

  it('a tag that is not the version is refused, saying which version to tag', async () => {
    const r = await checkRelease('v9.9.9', ROOT, built);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([`the tag "v9.9.9" does not match package.json's version ${version}: tag v${version}, or set the version first`]);
  });

  it('a tag that is not v<major>.<minor>.<patch> is refused', async () => {
    const r = await checkRelease('latest', ROOT, built);
    expect(r.ok).toBe(false);
    expect(r.major).toBeUndefined();
    expect(r.problems[0]).toBe('the tag "latest" is not of the form v<major>.<minor>.<patch>');
  });

  it('a dist/ that src/ no longer builds is refused, naming the file', async () => {
    const r = await checkRelease(`v${version}`, stale, built);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(['dist/action.mjs is not what src/ builds: run npm run build:action, commit dist/, and tag that commit']);
  });
});
