/**
 * Review, second round: hand-migrated Dockerfiles in the style of the rancher image-build-*
 * repositories (written for these tests, under test/fixtures/hand-migrations/).
 *
 * - c*.Dockerfile are correct migrations in varied real-world styles (the seed's base-builder,
 *   `ARG TARGETOS TARGETARCH` on one line, `--platform=${BUILDPLATFORM}`, `xx-go build`, a lone
 *   `RUN xx-go --wrap`, `;` after the wrap, `&&` at the start of the next line, a comment line
 *   inside the continuation, heredoc RUN, Debian xx-apt-get, several leaves, a test stage, a P10
 *   stage kept emulated with its note, CRLF): no error-level finding.
 * - b*.Dockerfile each carry exactly one of the known hand-migration bugs (wrap + backslash,
 *   GOARCH=${ARCH} with ARCH gone, ARCH defaulting to amd64 in a build-platform stage, a final
 *   image on $BUILDPLATFORM, a builder pinned to $TARGETPLATFORM, a host strip / install -s of
 *   the cross-compiled binary, `xx-verify --static` given several files): exactly the expected
 *   error(s), on the expected line(s).
 *
 * Each file is reviewed as written and with its line endings flipped (LF <-> CRLF): same result.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reviewText, type Finding } from '../../src/review/review.ts';

const dir = path.resolve('test/fixtures/hand-migrations');
const files = readdirSync(dir).filter((f) => f.endsWith('.Dockerfile')).sort();
const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
const flipEol = (t: string) => (t.includes('\r\n') ? t.replace(/\r\n/g, '\n') : t.replace(/\n/g, '\r\n'));
const review = (t: string, f: string) => reviewText(t, f);
const show = (fs: Finding[]) => fs.map((f) => `${f.line} ${f.severity} ${f.rule}: ${f.message}`).join('\n');
/** Error findings as sorted unique "rule@line" (a rule reporting the same line twice counts once). */
const errorKeys = (fs: Finding[]) => [...new Set(fs.filter((f) => f.severity === 'error').map((f) => `${f.rule}@${f.line}`))].sort();

const CORRECT = files.filter((f) => f.startsWith('c'));

/** The error(s) each buggy file must produce, and nothing else at error level. */
const BUGGY: Record<string, [rule: string, line: number][]> = {
  // xx-go --wrap \ + newline: the compile becomes xx-go's argument (spec item 5).
  'b01-coredns-wrap-backslash.Dockerfile': [['xx-go-wrap-swallows-command', 30]],
  'b02-runc-wrap-backslash-crlf.Dockerfile': [['xx-go-wrap-swallows-command', 16]],
  'b03-sriov-wrap-nospace.Dockerfile': [['xx-go-wrap-swallows-command', 14]],
  'b20-flannel-wrap-mid-chain.Dockerfile': [['xx-go-wrap-swallows-command', 16]],
  // ARCH defaulting to amd64 inside a build-platform stage: the declaration and each use.
  'b06-coredns-arch-default.Dockerfile': [
    ['arch-in-build-platform-stage', 35],
    ['arch-in-build-platform-stage', 36],
  ],
  'b07-kubernetes-global-arch.Dockerfile': [
    ['arch-build-arg', 1],
    ['arch-in-build-platform-stage', 21],
    ['arch-in-build-platform-stage', 24],
  ],
  'b18-whereabouts-arch-in-heredoc.Dockerfile': [
    ['arch-in-build-platform-stage', 16],
    ['arch-in-build-platform-stage', 26],
  ],
  // The final image moved to $BUILDPLATFORM.
  'b08-coredns-final-buildplatform.Dockerfile': [['final-stage-on-build-platform', 46]],
  'b09-multus-leaf-buildplatform.Dockerfile': [['final-stage-on-build-platform', 28]],
  'b17-runc-scratch-buildplatform-crlf.Dockerfile': [['final-stage-on-build-platform', 24]],
  // A builder explicitly pinned to $TARGETPLATFORM (directly, or its base stage).
  'b10-flannel-builder-targetplatform.Dockerfile': [['compile-left-emulated', 6]],
  'b11-calico-base-targetplatform.Dockerfile': [['compile-left-emulated', 17]],
  // Host strip / install -s on the cross-compiled binary.
  'b12-coredns-host-strip.Dockerfile': [['host-strip-cross-output', 39]],
  'b13-etcd-install-s.Dockerfile': [['host-strip-cross-output', 29]],
  'b14-flannel-install-strip-child.Dockerfile': [['host-strip-cross-output', 23]],
  'b15-debian-strip-unneeded-crlf.Dockerfile': [['host-strip-cross-output', 32]],
  'b19-calico-find-exec-strip.Dockerfile': [['host-strip-cross-output', 45]],
  'b21-etcd-xargs-strip.Dockerfile': [['host-strip-cross-output', 29]],
  // `xx-verify --static a b c`: xx up to v1.9.0 checks a, then exits 0 (issue 17, item 8).
  'b22-etcd-verify-static-batch.Dockerfile': [['xx-verify-static-several-files', 27]],
};

/**
 * GOARCH=${ARCH} where nothing declares ARCH: empty, so Go uses what xx-go --wrap wrote. Dead code
 * the owner should drop, a warning on its line, not an error (issue 17).
 */
const DEAD_ARCH: Record<string, number> = {
  'b04-etcd-goarch-arch.Dockerfile': 24,
  'b05-debian-env-goarch-arch.Dockerfile': 12,
  'b16-debian-export-goarch-quoted.Dockerfile': 29,
};

/**
 * BUG: the host strip reached through `find ... -exec strip {} +` and `... | xargs strip` is not
 * seen (the strip rule only looks at commands named strip/install): the arm64 build fails or,
 * worse, the binaries are left as they were while the file passes review.
 */
describe('hand-migration fixtures', () => {
  it('every fixture is either correct (c*) or has its expected errors (b*)', () => {
    expect(CORRECT.length).toBeGreaterThanOrEqual(8);
    expect([...Object.keys(BUGGY), ...Object.keys(DEAD_ARCH)].sort()).toEqual(files.filter((f) => f.startsWith('b')));
  });
});

describe('correct hand migrations: no error-level finding', () => {
  for (const file of CORRECT) {
    it(file, () => {
      const text = read(file);
      const findings = review(text, file);
      expect(findings.filter((f) => f.severity === 'error'), show(findings)).toEqual([]);
      // Same findings whatever the line endings.
      expect(show(review(flipEol(text), file))).toBe(show(findings));
    });
  }

  // The clone and download of the stage built FROM base-builder run once per platform: it
  // inherits base-builder's ARG TARGETPLATFORM (and its xx-apk layer).
  it('the seed-style file only gets the FromAsCasing warnings of its lowercase `as` and the per-platform clone warnings', () => {
    const fs = review(read('c01-coredns-seed.Dockerfile'), 'c01');
    expect([...new Set(fs.map((f) => f.rule))]).toEqual(['from-as-casing', 'work-after-target-arg']);
    // One finding for the one cause (the inherited ARG), listing the four steps.
    const w = fs.filter((f) => f.rule === 'work-after-target-arg');
    expect(w.map((f) => f.line)).toEqual([23]);
    expect(w[0]!.message).toMatch(/\(line 23\), .*\(line 25\), .*\(line 26\), .*\(line 27\) run after ARG/);
  });

  // base declares TARGETPLATFORM/TARGETARCH once; builder, built FROM it, inherits them (as the
  // engine does: test/timing/e2e). Its only finding is true: base's go mod download forks.
  it('c12: a child that inherits its target ARGs from base has no finding; base\'s download after the ARG is a warning', () => {
    const fs = review(read('c12-base-declares-target-args.Dockerfile'), 'c12');
    expect(fs.map((f) => `${f.severity} ${f.rule}@${f.line}`)).toEqual(['warning work-after-target-arg@11']);
  });

  it('a native `test` leaf on the build platform is a warning, not an error', () => {
    const fs = review(read('c04-debian-operator-test-stage.Dockerfile'), 'c04');
    expect(fs.map((f) => `${f.severity} ${f.rule}@${f.line}`)).toEqual(['warning final-stage-on-build-platform@18']);
  });
});

describe('GOARCH=${ARCH} with ARCH never declared: a stale-goarch warning on its line, no error', () => {
  for (const [file, line] of Object.entries(DEAD_ARCH)) {
    it(file, () => {
      const findings = review(read(file), file);
      expect(errorKeys(findings), show(findings)).toEqual([]);
      expect(findings.filter((f) => f.rule === 'stale-goarch').map((f) => `${f.severity}@${f.line}`)).toEqual([`warning@${line}`]);
    });
  }
});

describe('buggy hand migrations: the bug, on its line, and no other error', () => {
  for (const [file, expected] of Object.entries(BUGGY)) {
    const want = [...new Set(expected.map(([r, l]) => `${r}@${l}`))].sort();
    it(file, () => {
      const text = read(file);
      for (const variant of [text, flipEol(text)]) {
        const findings = review(variant, file);
        expect(errorKeys(findings), show(findings)).toEqual(want);
        for (const f of findings.filter((x) => x.severity === 'error')) {
          expect(f.hint.length, f.rule).toBeGreaterThan(10);
          expect(f.docs, f.rule).toMatch(/^https:\/\//);
        }
      }
    });
  }

  it('each buggy file differs from a correct sibling only by its bug (the fixtures are what they claim)', () => {
    // b* files were derived from c* files; the correct sibling has no error, so every error of
    // the buggy file comes from the edit. Spot-check the derivations that change line numbers.
    const c02 = read('c02-etcd-oneline-args.Dockerfile').split('\n');
    const b04 = read('b04-etcd-goarch-arch.Dockerfile').split('\n');
    expect(b04.length).toBe(c02.length);
    expect(b04.filter((l, i) => l !== c02[i])).toEqual([expect.stringContaining('GOARCH=${ARCH} go-build-static.sh')]);
    const b22 = read('b22-etcd-verify-static-batch.Dockerfile').split('\n');
    expect(b22.length).toBe(c02.length);
    expect(b22.filter((l, i) => l !== c02[i])).toEqual(['RUN xx-verify --static bin/etcd bin/etcdctl bin/etcdutl']);
  });

  // Regression (was a bug): the message named the RUN's first line (18), not the use inside the
  // heredoc at line 26.
  it('b18: the declaration finding names the line where ARCH is used inside the heredoc', () => {
    const f = review(read('b18-whereabouts-arch-in-heredoc.Dockerfile'), 'b18').find((x) => x.rule === 'arch-in-build-platform-stage' && x.line === 16)!;
    expect(f.message).toMatch(/line 26 uses it/);
  });

  it('b11: the base pinned to ${TARGETPLATFORM} is reported once per compile stage, both at the pinning FROM', () => {
    const fs = review(read('b11-calico-base-targetplatform.Dockerfile'), 'b11').filter((f) => f.rule === 'compile-left-emulated');
    expect(fs.map((f) => f.line)).toEqual([17, 17]);
    expect(fs.map((f) => f.message).join('\n')).toMatch(/calico-node[\s\S]*calico-cni/);
  });
});
