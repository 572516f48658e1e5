/**
 * `npx tsx scripts/release-check.ts <tag>`: may this commit be released as <tag>? The review
 * action is used as `uses: <owner>/image-build-migrator@v<major>` (or @v<x.y.z>), and runs the
 * committed dist/ as it is, so a release tag must name the version package.json says and point at
 * a commit whose dist/ is exactly what its src/ builds. Prints the major tag the release workflow
 * then moves to this commit; exits 1 naming what does not match.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAction, DIST_FILES, ROOT } from './build-action.ts';

export interface ReleaseCheck {
  ok: boolean;
  /** `v1` for v1.4.2: the tag callers follow, moved to this commit on release. */
  major?: string;
  problems: string[];
}

/** `built`: a folder buildAction already wrote (the tests build once for several checks). */
export async function checkRelease(tag: string, root = ROOT, built?: string): Promise<ReleaseCheck> {
  const problems: string[] = [];
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const m = /^v(\d+)\.(\d+)\.(\d+)$/.exec(tag);
  if (!m) problems.push(`the tag "${tag}" is not of the form v<major>.<minor>.<patch>`);
  else if (tag !== `v${version}`) problems.push(`the tag "${tag}" does not match package.json's version ${version}: tag v${version}, or set the version first`);
  const out = built ?? mkdtempSync(path.join(os.tmpdir(), 'ibm-release-'));
  try {
    if (!built) await buildAction(out);
    for (const f of DIST_FILES) {
      const built = readFileSync(path.join(out, f));
      let committed: Buffer | undefined;
      try {
        committed = readFileSync(path.join(root, 'dist', f));
      } catch {
        committed = undefined;
      }
      if (!committed || !built.equals(committed)) problems.push(`dist/${f} is not what src/ builds: run npm run build:action, commit dist/, and tag that commit`);
    }
  } finally {
    if (!built) rmSync(out, { recursive: true, force: true });
  }
  return { ok: problems.length === 0, ...(m ? { major: `v${m[1]}` } : {}), problems };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const tag = process.argv[2];
  if (!tag) {
    process.stderr.write('usage: npx tsx scripts/release-check.ts <tag>  (e.g. v0.1.0)\n');
    process.exit(2);
  }
  const r = await checkRelease(tag);
  for (const p of r.problems) process.stderr.write(`release-check: ${p}\n`);
  if (!r.ok) process.exit(1);
  process.stdout.write(`${r.major}\n`);
}
