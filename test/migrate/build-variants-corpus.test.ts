/**
 * The build-variants corpus: pre-migration Dockerfiles written by us in the ways real
 * image-build-* files differ from shapes/ and fleet-like/: global `ARG TAG`/`PKG`/`SRC` redeclared
 * in stages, `FROM rancher/hardened-*-${ARCH}` images, an `ARCH` download in a build-tools stage,
 * a k3s-root stage, `git apply` + `go mod vendor`, plain `go build` with boringcrypto, netgo,
 * -trimpath, -buildvcs=false and a static external link, multi-line ENV blocks, `set -ex;`
 * command lists, `make -j$(nproc)` between WORKDIR changes, several builders for one final,
 * scratch with the CA bundle, a `FROM builder AS test` that the Makefile targets, a `for` loop of
 * compiles, an output folder computed with `uname -m`, and a file with trailing blanks, blank lines
 * inside continuations and no final newline.
 *
 * For each file: the expected outcome, the generic properties of corpus-properties.ts on success,
 * the review verdict on input and output, and a few spec-level expectations on the output.
 */
import { recipes } from '../../migrations/index.ts';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { migrateCheckout } from '../../src/migrate/checkout.ts';
import { reviewModel } from '../../src/review/review.ts';
import { checkOutcome, openCorpus, opts, stageText, xxVerifyArgs, type Outcome } from './corpus-properties.ts';
import { expectInOrder } from '../helpers/order.ts';

const { dir, files, read, result, out } = openCorpus('test/fixtures/build-variants');

const EXPECTED: Record<string, Outcome> = {
  's01-arch-suffixed-images.Dockerfile': 'migrated',
  's02-tools-stage-arch.Dockerfile': 'migrated',
  's03-k3s-root-stage.Dockerfile': 'migrated',
  's04-git-apply-vendor.Dockerfile': 'migrated',
  's05-plain-go-build-flags.Dockerfile': 'migrated',
  's06-env-block.Dockerfile': 'migrated',
  's07-set-ex-semicolons.Dockerfile': 'migrated',
  's08-make-nproc-workdirs.Dockerfile': 'migrated',
  's09-two-builders-one-final.Dockerfile': 'migrated',
  // The builder is also the base of the `test` leaf (a --target of the Makefile): keeping it
  // emulated with the P10 note (as corpus c09) is the conservative answer.
  's10-scratch-certs-test-target.Dockerfile': 'migrated',
  's11-whitespace-no-eol.Dockerfile': 'migrated',
  's12-cgo-target-libs.Dockerfile': 'migrated',
  's13-linker-stripped-target-arg.Dockerfile': 'migrated',
  's14-for-loop-commands.Dockerfile': 'migrated',
  's15-uname-output-dir.Dockerfile': 'migrated',
};


const rules = (text: string, file: string) => reviewModel(parseDockerfile(text, file), {});

describe('build-variants corpus: outcome, generic properties and review verdicts', () => {
  it('every file has an expected outcome, and every expectation a file', () => {
    expect(files.length).toBe(15);
    expect(Object.keys(EXPECTED).sort()).toEqual(files);
  });

  for (const file of files) {
    it(file, () => {
      const input = read(file);
      const r = result(file);
      checkOutcome(file, input, r, EXPECTED[file]);
    });

    it(`${file}: review flags the emulated input, and finds no error in the output`, () => {
      const before = rules(read(file), file);
      const kept = result(file).outcome !== 'refused' && (result(file) as { m: { emulated: { stage: string }[] } }).m.emulated.length > 0;
      // An input whose compile the migration itself keeps emulated (P10) may only get the
      // "unmarked" warning; every other un-migrated input must get the error.
      if (kept) expect(before.map((f) => f.rule)).toEqual(expect.arrayContaining([expect.stringMatching(/^(compile-left-emulated|emulated-stage-unmarked)$/)]));
      else expect(before.filter((f) => f.severity === 'error').map((f) => f.rule)).toContain('compile-left-emulated');
      const after = rules(out(file), file);
      expect(after.filter((f) => f.severity === 'error').map((f) => `${f.line} ${f.rule}: ${f.message}`)).toEqual([]);
    });

    // Spec 6: xx-verify must run on files that exist when it runs: no directory, no shell
    // variable that only lived in the compile RUN (a loop variable, a local assignment).
    it(`${file}: xx-verify paths are files known at that RUN`, () => {
      const t = out(file);
      const declared = new Set([...t.matchAll(/^(?:ARG|ENV)\s+(\w+)/gm)].map((m) => m[1]!).concat(['GOPATH', 'HOME']));
      for (const v of xxVerifyArgs(t)) {
        for (const p of v.paths) {
          expect(p, `xx-verify ${v.paths.join(' ')}`).not.toMatch(/\/$/);
          for (const m of p.matchAll(/\$\{?(\w+)/g)) expect(declared.has(m[1]!), `xx-verify ${p}: $${m[1]} is not set in the xx-verify RUN`).toBe(true);
        }
      }
    });
  }
});

describe('build-variants corpus: what the spec demands of particular files', () => {
  // --- s01: global TAG/PKG/SRC redeclared; arch-suffixed base images ----------------------------
  it('s01: the global ARGs and their redeclarations stay; the runtime image and the strip stage follow TARGETARCH', () => {
    const t = out('s01-arch-suffixed-images.Dockerfile');
    expect(t.startsWith('ARG TAG="v0.9.4"\nARG PKG="github.com/example/lanternd"\nARG SRC="github.com/example/lanternd"\n')).toBe(true);
    expect(stageText(t, 'builder')).toMatch(/^ARG TAG\nARG PKG\nARG SRC\n/m);
    expect(t).toMatch(/^FROM rancher\/hardened-runtime-\$\{TARGETARCH\}:v1$/m);
    expect(t).toMatch(/^RUN xx-go --wrap && GO_LDFLAGS="-linkmode=external -X \$\{PKG\}\/version\.Tag=\$\{TAG\}" \\$/m);
  });

  // A stage that runs on $BUILDPLATFORM runs the tools of its base image: a per-arch base image
  // must be the *build* arch there (P2: "ARCH left in a build-platform stage silently means amd64";
  // P3: what runs during the build is BUILDARCH). With ${TARGETARCH} the arm64 build pulls the
  // arm64 Go image onto the amd64 build platform: the whole compile runs under QEMU again (or
  // fails with "exec format error" where no binfmt handler is installed).
  it('s01: the build-platform builder does not pull the target-arch Go image', () => {
    const t = out('s01-arch-suffixed-images.Dockerfile');
    const from = t.split('\n').find((l) => /^FROM .*hardened-gobase-.* AS builder$/.test(l))!;
    expect(from).toMatch(/^FROM --platform=\$BUILDPLATFORM /);
    expect(from).not.toMatch(/TARGETARCH/);
    expect(from).toContain('hardened-gobase-${BUILDARCH}:v1.22.7b2');
  });

  // --- s02: ARCH in a tools download and in go-assert-boring ------------------------------------
  it('s02: the boring check of the builder uses TARGETARCH', () => {
    const builder = stageText(out('s02-tools-stage-arch.Dockerfile'), 'builder');
    expect(builder).toMatch(/^ARG TARGETARCH\nRUN if \[ "\$\{TARGETARCH\}" = "amd64" \]; then \\$/m);
  });

  // P3: helm is downloaded in build-tools and *run* (`helm template`) in the builder, which now
  // runs on $BUILDPLATFORM. build-tools stays on the target platform with TARGETARCH, so the
  // arm64 build copies an arm64 helm into an amd64 stage and executes it.
  it('s02: the helm that runs in the build-platform builder is the build arch (BUILDARCH), not the target arch', () => {
    const t = out('s02-tools-stage-arch.Dockerfile');
    expect(parseDockerfile(t).stages.find((s) => s.name === 'builder')!.platform).toBe('build');
    expect(t).not.toContain('helm-${HELM_VERSION}-linux-${TARGETARCH}');
    expect(t).toContain('helm-${HELM_VERSION}-linux-${BUILDARCH}.tar.gz');
    expect(parseDockerfile(t).stages.find((s) => s.name === 'build-tools')!.platform).toBe('build');
  });

  // --- s03: k3s-root tarball for the final image (P4) -------------------------------------------
  it('s03: the k3s-root tarball is the target arch and still reaches the final image', () => {
    const t = out('s03-k3s-root-stage.Dockerfile');
    expect(stageText(t, 'k3s-root')).toMatch(/^ARG TARGETARCH$/m);
    expect(t).toContain('/k3s-root-${TARGETARCH}.tar | \\');
    expect(t).toContain('COPY --from=k3s-root /opt/k3s-root/bin/ /usr/sbin/');
    expect(t).toMatch(/^RUN xx-go --wrap && go-build-static\.sh -o bin\/netpold \. && xx-verify --static bin\/netpold$/m);
  });

  // --- s04: git apply + go mod vendor before the target ARG (spec 4) ----------------------------
  it('s04: git apply, go mod vendor and GOFLAGS=-mod=vendor run once, before ARG TARGETPLATFORM', () => {
    const t = out('s04-git-apply-vendor.Dockerfile');
    for (const s of ['git apply --verbose', 'go mod tidy && go mod vendor', 'ENV GOFLAGS=-mod=vendor']) expectInOrder(t, [s, 'ARG TARGETPLATFORM']);
    expect(t).toMatch(/^RUN apk --no-cache add [^\n]*\bpatch\b[^\n]*\bclang lld$/m);
    expect(xxVerifyArgs(t)).toEqual([{ static: true, paths: ['bin/snapshotter'] }]);
  });

  // --- s05: plain go build, boringcrypto, netgo/osusergo, -trimpath, static external link ------
  it('s05: the go build flags are byte-identical behind the wrap; musl-dev moves to xx-apk; no strip stage (-s -w)', () => {
    const input = read('s05-plain-go-build-flags.Dockerfile');
    const t = out('s05-plain-go-build-flags.Dockerfile');
    const compile = input.slice(input.indexOf('CGO_ENABLED=1 GOEXPERIMENT'), input.indexOf('RUN go-assert-static.sh'));
    expect(t).toContain(`RUN xx-go --wrap && ${compile}`);
    expect(t).toMatch(/^ARG TARGETPLATFORM\nRUN xx-apk --no-cache add musl-dev gcc$/m);
    expect(t).toMatch(/^RUN apk --no-cache add file git clang lld$/m);
    expect(t).not.toMatch(/strip_binary|\bstrip\b/);
    expect(xxVerifyArgs(t)).toEqual([{ static: true, paths: ['/out/kvproxy'] }]);
  });

  // --- s06: multi-line ENV with the stale GOOS/GOARCH last (P15) --------------------------------
  it('s06: GOOS/GOARCH leave the ENV block, the rest of it stays and no continuation dangles', () => {
    const t = out('s06-env-block.Dockerfile');
    expect(t).toContain('ENV GOPATH=/go \\\n    GO111MODULE=on \\\n    GOFLAGS="-trimpath -buildvcs=false" \\\n    GOEXPERIMENT=boringcrypto\nRUN apk');
    expect(t).not.toMatch(/GOARCH|GOOS/);
  });

  // --- s07: `set -ex;` lists ----------------------------------------------------------------------
  it('s07: the wrap goes right before the compile inside the ; list; install -s and the smoke test are handled', () => {
    const t = out('s07-set-ex-semicolons.Dockerfile');
    expect(t).toMatch(/^RUN set -ex; xx-go --wrap && GO_LDFLAGS="-linkmode=external" go-build-static\.sh -o bin\/ringd \.\/cmd\/ringd; \\$/m);
    expect(t).toContain('    install bin/ringd /usr/local/bin/ringd; \\\n');
    expect(t).toContain('if ! xx-info is-cross; then ringd --version; fi');
    expect(t).toMatch(/^COPY --from=strip_binary \/usr\/local\/bin\/ringd \/usr\/local\/bin\/ringd$/m);
    expect(t).toMatch(/^RUN set -ex; \\\n {4}apk --no-cache add file git make clang lld; \\$/m);
  });

  // Spec 4: `go mod download` does not depend on the target. The input runs it in the same
  // `set -ex;` RUN as the compile: it moves to a RUN of its own, above ARG TARGETPLATFORM, so it
  // runs once for all platforms (the migration's own review has nothing to warn about).
  it('s07: go mod download runs once, before ARG TARGETPLATFORM', () => {
    const t = out('s07-set-ex-semicolons.Dockerfile');
    expect(t).toMatch(/^RUN set -ex; \\\n {4}go mod download\nARG TARGETPLATFORM$/m);
    expectInOrder(t, ['go mod download', 'ARG TARGETPLATFORM']);
    expect(rules(t, 's07').map((f) => f.rule)).not.toContain('work-after-target-arg');
  });

  // --- s08: make -j$(nproc) in a sub-directory, WORKDIR changes ---------------------------------
  it('s08: make -j$(nproc) is wrapped in its WORKDIR; xx-verify names a path that exists where it runs', () => {
    const t = out('s08-make-nproc-workdirs.Dockerfile');
    expect(t).toMatch(/^RUN xx-go --wrap && ARCH=\$\{TARGETARCH\} make -j\$\(nproc\) BIN_DIR=\.\.\/\.\.\/bin$/m);
    const m = parseDockerfile(t);
    const builder = m.stages.find((s) => s.name === 'builder')!;
    const verify = builder.instructions.find((i) => i.keyword === 'RUN' && i.args.includes('xx-verify'))!;
    const workdir = builder.instructions.filter((i) => i.keyword === 'WORKDIR' && i.index < verify.index).at(-1)!.args.trim();
    const [p] = xxVerifyArgs(t)[0]!.paths;
    expect(path.posix.resolve(workdir, p!)).toMatch(/^\/(usr\/local\/bin\/meshctl|go\/src\/github\.com\/example\/meshctl\/bin\/meshctl)$/);
  });

  // --- s09: two builders, one final (P9) ----------------------------------------------------------
  it('s09: both builders cross-compile and are verified; the final copies both stripped binaries', () => {
    const t = out('s09-two-builders-one-final.Dockerfile');
    const m = parseDockerfile(t);
    for (const name of ['agent-builder', 'probe-builder']) {
      expect(m.stages.find((s) => s.name === name)!.platform, name).toBe('build');
      expect(stageText(t, name), name).toMatch(/xx-go --wrap && /);
      expect(xxVerifyArgs(stageText(t, name)), name).toHaveLength(1);
    }
    const final = m.stages.at(-1)!;
    expect(final.platform).toBe('target');
    const copies = final.instructions.filter((i) => i.keyword === 'COPY').map((i) => t.slice(i.start, i.end));
    expect(copies).toHaveLength(2);
    for (const c of copies) {
      const from = /--from=(\S+)/.exec(c)![1]!;
      const src = m.stages.find((s) => s.name === from)!;
      expect(src.platform, c).toBe('target');
      expect(t.slice(src.from.start, src.end), c).toMatch(/^RUN strip /m);
    }
  });

  // --- s10: scratch + CA bundle; FROM builder AS test ---------------------------------------------
  it('s10: the test leaf stays on the target platform; the builder is kept emulated with the note (or truly migrated)', () => {
    const r = result('s10-scratch-certs-test-target.Dockerfile');
    const t = out('s10-scratch-certs-test-target.Dockerfile');
    const m = parseDockerfile(t);
    expect(m.stages.find((s) => s.name === 'test')!.platform).toBe('target');
    expect(t).toContain('COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt\n');
    if (m.stages.find((s) => s.name === 'builder')!.platform !== 'build') {
      expect(t).toMatch(/^# kept emulated: [^\n]+\nFROM \$\{GO_IMAGE\} AS builder$/m);
      expect(r.outcome !== 'refused' && r.m.emulated.map((e) => e.stage)).toEqual(['builder']);
      expect(t).toContain('RUN if [ "${TARGETARCH}" = "amd64" ]; then go-assert-boring.sh bin/quotad; fi');
    }
  });

  // --- s11: trailing blanks, blank lines in continuations, no final newline (P11) ----------------
  it('s11: untouched lines keep their trailing blanks, the blank continuation lines stay, still no final newline', () => {
    const input = read('s11-whitespace-no-eol.Dockerfile');
    const t = out('s11-whitespace-no-eol.Dockerfile');
    expect(t.endsWith('ENTRYPOINT ["/portmapd"]')).toBe(true);
    for (const l of ['ARG GO_IMAGE=rancher/hardened-build-base:v1.22.8b1   \n\t\n', 'FROM --platform=$BUILDPLATFORM ${GO_IMAGE} AS builder  \n', 'RUN go mod download  \n', '    fi   \n', 'FROM scratch \n'])
      expect(t, JSON.stringify(l)).toContain(l);
    expect(t).toContain('RUN xx-go --wrap && GO_LDFLAGS="-linkmode=external" \\\n\n    go-build-static.sh -o bin/portmapd . \n');
    expect(t).toContain('\tfile \\\n\n');
    expect(t).toContain('# make is needed by the version script\n');
    expect(input.endsWith('\n')).toBe(false);
  });

  // --- s12: cgo with target C libraries ---------------------------------------------------------
  it('s12: the -dev/-static C libraries come from xx-apk after ARG TARGETPLATFORM, not from the native apk', () => {
    const builder = stageText(out('s12-cgo-target-libs.Dockerfile'), 'builder');
    const [native, target] = builder.split('ARG TARGETPLATFORM');
    expect(target).toMatch(/^RUN xx-apk --no-cache add musl-dev gcc [^\n]*libcap-dev libcap-static zlib-static/m);
    expect(native).not.toMatch(/libcap|zlib/);
    expect(builder).toMatch(/xx-go --wrap && CGO_ENABLED=1 go build -tags netgo,osusergo \\$/m);
  });

  // The cgo code is compiled by xx-clang against the target sysroot: the kernel headers the old
  // stage installed (linux-headers, arch-specific asm/ headers) must be there too, or an arm64
  // `#include <linux/...>` fails. The output installs them natively only (spec 3: target
  // libraries with xx-apk, "they must match the target arch").
  it('s12: linux-headers is installed for the target too (xx-apk)', () => {
    const builder = stageText(out('s12-cgo-target-libs.Dockerfile'), 'builder');
    expect(builder).toMatch(/^RUN xx-apk --no-cache add [^\n]*\blinux-headers\b/m);
  });

  // --- s13: linker-stripped pure Go, final already declares TARGETARCH ---------------------------
  it('s13: no strip stage, no C toolchain, CGO_ENABLED=0 kept; the final ARG TARGETARCH/LABEL untouched', () => {
    const t = out('s13-linker-stripped-target-arg.Dockerfile');
    expect(t).not.toMatch(/strip_binary|\bstrip\b|xx-apk/);
    expect(t).toMatch(/^RUN xx-go --wrap && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o \/usr\/local\/bin\/nodelabeler \.\/cmd\/nodelabeler && xx-verify --static \/usr\/local\/bin\/nodelabeler$/m);
    expect(t).toContain('FROM ${BCI_IMAGE}\nARG TARGETARCH\nLABEL io.example.arch="${TARGETARCH}"\n');
    expect(t.match(/^ARG TARGETARCH$/gm)).toHaveLength(1);
    expect(xxVerifyArgs(t)).toEqual([{ static: true, paths: ['/usr/local/bin/nodelabeler'] }]);
  });

  // --- s14: a for loop of compiles ---------------------------------------------------------------
  it('s14: the wrap goes before the loop', () => {
    const t = out('s14-for-loop-commands.Dockerfile');
    expect(t).toMatch(/^RUN xx-go --wrap && for cmd in volkit-attach volkit-detach volkit-resize; do \\$/m);
  });

  // Spec 6: `-o bin/${cmd}` is taken literally into `RUN xx-verify --static bin/${cmd}`: in that
  // new RUN $cmd is unset, so it runs `xx-verify --static bin/` on a directory and fails the build.
  it('s14: xx-verify names the three binaries (or bin/*), not the loop variable', () => {
    const paths = xxVerifyArgs(out('s14-for-loop-commands.Dockerfile')).flatMap((x) => x.paths);
    expect(paths.join(' ')).not.toContain('${cmd}');
    const names = ['volkit-attach', 'volkit-detach', 'volkit-resize'];
    const covered = (n: string) => paths.some((p) => p === `bin/${n}` || p === `/usr/local/bin/${n}` || p === 'bin/*');
    for (const n of names) expect(covered(n), `${n} in xx-verify ${paths.join(' ')}`).toBe(true);
  });

  // --- s15: output folder computed with uname -m (P6) ----------------------------------------------
  it('s15: uname -m no longer picks the output folder on the build platform', () => {
    const t = out('s15-uname-output-dir.Dockerfile');
    expect(t).not.toContain('uname -m');
    expect(t).toContain("RUN GOARCH_DIR=$(xx-info march | sed -e 's/x86_64/amd64/' -e 's/aarch64/arm64/') && \\\n");
    expect(t).toMatch(/^RUN xx-go --wrap && make build$/m);
    expect(xxVerifyArgs(t)).toEqual([{ static: true, paths: ['/usr/local/bin/tether'] }]);
  });
});

describe('build-variants checkout: the Makefile builds --target test and passes --build-arg ARCH', () => {
  const temps: string[] = [];
  afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

  it('k03: ARCH build-args leave the Makefile, --target test stays, the test stage stays on the target platform', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'ibm-build-variants-'));
    temps.push(work);
    cpSync(path.join(dir, 'checkouts', 'k03-test-target'), work, { recursive: true });
    const report = await migrateCheckout(work, { ...opts, dryRun: false }, recipes);
    expect(report.outcome, report.summary).toBe('changed');
    const make = readFileSync(path.join(work, 'Makefile'), 'utf8');
    const docker = readFileSync(path.join(work, 'Dockerfile'), 'utf8');
    expect(make).not.toMatch(/--build-arg[ =]"?ARCH/);
    expect(make).toContain('--build-arg TAG=$(TAG) \\\n');
    expect(make).toContain('--target test .');
    expect(docker).not.toMatch(/^ARG ARCH/m);
    expect(parseDockerfile(docker).stages.find((s) => s.name === 'test')!.platform).toBe('target');
  });
});
