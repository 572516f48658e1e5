/**
 * Diffs of large files: the anchored path must produce a patch that turns the old text into the
 * new one (checked with jsdiff's own applyPatch and with `git apply`), and for a file where both
 * paths apply, the same patch Myers produces.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyPatch, createTwoFilesPatch } from 'diff';
import { afterAll, describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/migrate/diff.ts';
import { removeDir, tempDir } from '../helpers/repos.ts';

const dir = tempDir();
afterAll(() => removeDir(dir));

function stages(n: number, migrated: boolean, eol = '\n', finalEol = true): string {
  const out = ['ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1', migrated ? '' : 'ARG ARCH="amd64"'];
  if (migrated) out.push('FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx');
  for (let i = 0; i < n; i++) {
    if (migrated) out.push(`FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS b${i}`, 'COPY --from=xx / /', 'ARG TARGETPLATFORM', `RUN xx-go --wrap && go build -o /out/a${i} ./cmd/a${i}`, `RUN xx-verify /out/a${i}`);
    else out.push(`FROM \${GO_IMAGE} AS b${i}`, 'ARG ARCH', `RUN GOARCH=\${ARCH} go build -o /out/a${i} ./cmd/a${i}`);
    if (i % 7 === 0) out.push('', '# a comment that repeats', '');
  }
  out.push('FROM scratch', 'COPY --from=b0 /out/a0 /bin/');
  return out.join(eol) + (finalEol ? eol : '');
}

describe('unifiedDiff on large files', () => {
  it('a 10,000-stage rewrite: a valid patch (Myers would take minutes; bench:codemod prints the time)', () => {
    const before = stages(10_000, false);
    const after = stages(10_000, true);
    const patch = unifiedDiff('Dockerfile', before, after);
    expect(applyPatch(before, patch)).toBe(after);
  });

  it('git apply accepts it, CRLF and a missing final newline included', () => {
    const before = stages(1500, false, '\r\n', false);
    const after = stages(1500, true, '\r\n', false);
    const patch = unifiedDiff('Dockerfile', before, after);
    expect(applyPatch(before, patch)).toBe(after);
    const repo = path.join(dir, 'g');
    mkdirSync(repo, { recursive: true });
    writeFileSync(path.join(repo, 'Dockerfile'), before);
    writeFileSync(path.join(repo, 'p.diff'), patch);
    execFileSync('git', ['apply', '--unsafe-paths', '-p1', 'p.diff'], { cwd: repo });
    expect(readFileSync(path.join(repo, 'Dockerfile'), 'utf8')).toBe(after);
  });

  it('small files keep the Myers patch byte for byte', () => {
    const before = stages(20, false);
    const after = stages(20, true);
    expect(unifiedDiff('Dockerfile', before, after)).toBe(createTwoFilesPatch('a/Dockerfile', 'b/Dockerfile', before, after, undefined, undefined, { context: 3 }).replace(/^=+\n/, ''));
  });
});
