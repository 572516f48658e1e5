/**
 * The fleet-like corpus: Dockerfiles written by us in the shape of the rancher image-build-*
 * repositories RKE2 ships (calico, cni-plugins, containerd, coredns, crictl, dns-nodecache, etcd,
 * flannel, metrics-server, kubernetes, multus, runc, sriov-*, whereabouts, rke2-cloud-provider,
 * cluster-proportional-autoscaler, the build base itself...), in their pre-migration forms:
 * hardened-build-base, `ARG ARCH="amd64"`, go-build-static.sh / go-assert-static.sh /
 * go-assert-boring.sh guarded by ARCH, `install -s`, bci/scratch finals, make/script builds.
 *
 * For each file: the expected outcome (migrated / unchanged / skipped / refused with a clear
 * error naming a line), the generic properties of corpus-properties.ts on success, and a few
 * spec-level expectations on what the output must show.
 */
import { recipes } from '../../migrations/index.ts';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { migrateDockerfile } from '../../src/migrate/engine.ts';
import { migrateCheckout } from '../../src/migrate/checkout.ts';
import { checkOutcome, openCorpus, opts, stageText, xxVerifyArgs, type Outcome } from './corpus-properties.ts';
import { expectInOrder } from '../helpers/order.ts';

const { dir, files, read, result, out } = openCorpus('test/fixtures/fleet-like');

const EXPECTED: Record<string, Outcome> = {
  'r01-coredns.Dockerfile': 'migrated',
  'r02-etcd.Dockerfile': 'migrated',
  'r03-kubernetes.Dockerfile': 'migrated',
  'r04-cni-plugins.Dockerfile': 'migrated',
  // COPY --from=builder /usr/local/bin/ copies the builder's whole bin folder (go-build-static.sh
  // and friends included): the strip stage strips exactly the installed binaries.
  'r05-containerd.Dockerfile': 'migrated',
  'r06-runc.Dockerfile': 'migrated',
  'r07-calico.Dockerfile': 'migrated',
  'r08-crictl.Dockerfile': 'migrated',
  'r09-dns-nodecache.Dockerfile': 'migrated',
  'r10-flannel.Dockerfile': 'migrated',
  'r11-metrics-server.Dockerfile': 'migrated',
  'r12-multus.Dockerfile': 'migrated',
  'r13-sriov-cni.Dockerfile': 'migrated',
  'r14-sriov-network-operator.Dockerfile': 'migrated',
  'r15-whereabouts.Dockerfile': 'migrated',
  'r16-rke2-cloud-provider.Dockerfile': 'migrated',
  'r17-cluster-proportional-autoscaler.Dockerfile': 'migrated',
  'r18-hardened-build-base.Dockerfile': 'skipped',
  'r19-coredns-migrated.Dockerfile': 'unchanged',
  'r20-metrics-server-partial.Dockerfile': 'migrated',
  'r21-sriov-device-plugin.Dockerfile': 'migrated',
  'r22-dns-mirror.Dockerfile': 'skipped',
  'r23-sriov-ib-cni.Dockerfile': 'migrated',
  'r24-ip-masq-agent.Dockerfile': 'migrated',
  'r25-network-resources-injector.Dockerfile': 'migrated',
  'r26-calicoctl.Dockerfile': 'migrated',
};


describe('fleet-like corpus: outcome and generic properties', () => {
  it('every file has an expected outcome, and every expectation a file', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(EXPECTED).sort()).toEqual(files);
  });

  for (const file of files) {
    it(file, () => {
      const input = read(file);
      const r = result(file);
      checkOutcome(file, input, r, EXPECTED[file]);
      if (r.outcome === 'refused') {
        // A refusal names the line and says what to do.
        expect(r.error.message.length).toBeGreaterThan(20);
        expect((r.error as { line?: number }).line, r.error.message).toBeGreaterThan(0);
      }
    });
  }
});

describe('fleet-like corpus: what the spec demands of particular files', () => {
  // --- r01 coredns: the seed's own example, pre-migration form -------------------------------
  it('r01 coredns: wrap on the compile RUN, clone and go mod download before ARG TARGETPLATFORM', () => {
    const t = out('r01-coredns.Dockerfile');
    expect(t).toContain('\nRUN xx-go --wrap && GO_LDFLAGS="-linkmode=external -X ${PKG}/coremain.GitCommit=$(git rev-parse --short HEAD)" \\\n    go-build-static.sh -gcflags=-trimpath=${GOPATH}/src -o bin/coredns .\n');
    expectInOrder(t, ['go mod download', 'ARG TARGETPLATFORM']);
    expectInOrder(t, ['git clone', 'ARG TARGETPLATFORM']);
    expect(t).toMatch(/^FROM --platform=\$BUILDPLATFORM rancher\/mirrored-tonistiigi-xx:[\w.]+ AS xx$/m);
    expect(t).toMatch(/^FROM --platform=\$BUILDPLATFORM \$\{GO_IMAGE\} AS builder\nCOPY --from=xx \/ \/$/m);
  });

  it('r01 coredns: boring check on TARGETARCH, smoke test guarded, xx-verify --static, strip on the target', () => {
    const t = out('r01-coredns.Dockerfile');
    const builder = stageText(t, 'builder');
    expect(builder).toMatch(/^ARG TARGETARCH\n(.*\n)*RUN if \[ "\$\{TARGETARCH\}" = "amd64" \]; then/m);
    expect(builder).toContain('if ! xx-info is-cross; then coredns --version; fi');
    expect(builder).toMatch(/^RUN xx-verify --static bin\/coredns$/m);
    expect(builder).not.toMatch(/install -s|\bstrip\b/);
    // strip_binary: target platform (no --platform), from the Go image that has strip, copy + strip.
    const strip = parseDockerfile(t).stages.find((s) => s.name === 'strip_binary')!;
    expect(strip.platform).toBe('target');
    expect(stageText(t, 'strip_binary')).toMatch(/COPY --from=builder \S*coredns \S+\nRUN strip \S*coredns/);
    expect(t).toMatch(/^COPY --from=strip_binary \S*coredns \/coredns$/m);
  });

  // --- r02 etcd: three modules, built with cd into each --------------------------------------
  it('r02 etcd: the final stage declares TARGETARCH for ETCD_UNSUPPORTED_ARCH (P2 in a target stage)', () => {
    const t = out('r02-etcd.Dockerfile');
    const last = parseDockerfile(t).stages.at(-1)!;
    const final = t.slice(last.from.start, last.end);
    expect(final).toMatch(/^ARG TARGETARCH\nENV ETCD_UNSUPPORTED_ARCH=\$\{TARGETARCH\}$/m);
  });

  // Regression (was a bug): xx-verify takes the -o paths of a compile that ran after `cd server`, `cd etcdctl`...
  // ("../bin/etcd") and runs them from the WORKDIR, where they point outside the checkout:
  // `RUN xx-verify --static ../bin/etcd ../bin/etcdctl ../bin/etcdutl` fails the build (spec 6).
  it('r02 etcd: xx-verify names the binaries where they are (bin/etcd..., not ../bin/etcd from the WORKDIR)', () => {
    const t = out('r02-etcd.Dockerfile');
    const v = xxVerifyArgs(t);
    expect(v.length).toBeGreaterThan(0);
    for (const x of v) for (const p of x.paths) expect(p, `xx-verify ${x.paths.join(' ')}`).not.toMatch(/^\.\.\//);
    expect(v.flatMap((x) => x.paths).map((p) => p.replace(/^.*\/bin\//, 'bin/'))).toEqual(expect.arrayContaining(['bin/etcd', 'bin/etcdctl', 'bin/etcdutl']));
  });

  it('r02 etcd: both smoke tests are guarded', () => {
    const t = out('r02-etcd.Dockerfile');
    expect(t).not.toMatch(/^RUN etcd --version/m);
    expect(t).toMatch(/if ! xx-info is-cross; then etcd --version; fi/);
    expect(t).toMatch(/if ! xx-info is-cross; then etcdctl version; fi/);
  });

  // --- r03 kubernetes: make WHAT, _output/local/bin/linux/<arch>, k3s-root tarball -----------
  it('r03 kubernetes: target tarball and _output paths on TARGETARCH, wrap before make WHAT', () => {
    const t = out('r03-kubernetes.Dockerfile');
    expect(t).toContain('k3s-root-xtables-${TARGETARCH}.tar');
    expect(t).toContain('_output/local/bin/linux/${TARGETARCH}/*');
    expect(t).toMatch(/^RUN xx-go --wrap && KUBE_GIT_VERSION=\$\{TAG\} \\$/m);
    expect(t).toContain('if ! xx-info is-cross; then kubectl version --client; fi');
  });

  // Regression (was a bug): the old build asserted static binaries (go-assert-static.sh), but xx-verify is added
  // without --static: spec 6 drops --static only where the old build was not static.
  // Same for r08, r13, r23, r25 below.
  it('r03 kubernetes: xx-verify keeps --static (the old build ran go-assert-static.sh)', () => {
    const v = xxVerifyArgs(out('r03-kubernetes.Dockerfile'));
    expect(v.length).toBeGreaterThan(0);
    for (const x of v) expect(x.static, x.paths.join(' ')).toBe(true);
  });

  // --- r04 cni-plugins: sh -ex ./build_linux.sh plus the flannel plugin ----------------------
  it('r04 cni-plugins: build_linux.sh is wrapped; no host strip left in the builder; both strips move to the target', () => {
    const t = out('r04-cni-plugins.Dockerfile');
    expect(t).toMatch(/^RUN xx-go --wrap && sh -ex \.\/build_linux\.sh -v \\$/m);
    const builder = stageText(t, 'builder');
    expect(builder).not.toMatch(/install -D -s|\bstrip\b/);
    const strip = stageText(t, 'strip_binary');
    expect(strip).toMatch(/strip [^\n]*\/opt\/cni\/bin\//);
    expect(t).toMatch(/^FROM scratch\nCOPY --from=strip_binary \/opt\/cni\/bin\/ \/opt\/cni\/bin\/$/m);
  });

  // Regression (was a bug): only the flannel compile got an xx-verify; the plugins from build_linux.sh (bin/*,
  // asserted static and boring by name in the same file) are never verified (spec 6).
  it('r04 cni-plugins: the build_linux.sh plugins are verified too (xx-verify bin/* or by name)', () => {
    const paths = xxVerifyArgs(out('r04-cni-plugins.Dockerfile')).flatMap((x) => x.paths);
    expect(paths.some((p) => /(^|\/)bin\/(\*|bridge|bandwidth|host-local|loopback|portmap)$/.test(p)), paths.join(' ')).toBe(true);
  });

  // --- r05 containerd: btrfs/seccomp static make, whole-folder copy --------------------------
  it('r05 containerd: migrated with the seccomp/btrfs libs from xx-apk and no strip of the scripts', () => {
    const r = result('r05-containerd.Dockerfile');
    if (r.outcome !== 'migrated') throw new Error(`r05: expected migrated, got ${r.outcome}`);
    const t = r.m.output;
    expect(t).toMatch(/xx-apk --no-cache add [^\n]*btrfs-progs-dev[^\n]*/);
    expect(t).toMatch(/xx-apk --no-cache add [^\n]*libseccomp-static/);
    // /usr/local/bin of the Go image also holds go-build-static.sh & co: `strip /usr/local/bin/*` fails on them.
    expect(t).not.toMatch(/strip [^\n]*\/usr\/local\/bin\/\*/);
  });

  // --- r06 runc: make static with libseccomp-static ------------------------------------------
  it('r06 runc: libseccomp from xx-apk after ARG TARGETPLATFORM, make static wrapped, runc verified static', () => {
    const t = out('r06-runc.Dockerfile');
    const builder = stageText(t, 'builder');
    expect(builder).toMatch(/^ARG TARGETPLATFORM\nRUN xx-apk --no-cache add [^\n]*libseccomp-dev libseccomp-static/m);
    expect(builder.slice(0, builder.indexOf('ARG TARGETPLATFORM'))).not.toContain('libseccomp');
    expect(builder).toMatch(/^RUN xx-go --wrap && BUILDTAGS='seccomp selinux apparmor' make static$/m);
    expect(xxVerifyArgs(builder)).toEqual([{ static: true, paths: [expect.stringMatching(/(^|\/)runc$/)] }]);
  });

  // --- r07 calico: many components, a C/BPF stage, bpftool per arch --------------------------
  it('r07 calico: bpftool image picked by TARGETARCH; the Go builders run on the build platform; the final stays on the target', () => {
    const t = out('r07-calico.Dockerfile');
    expect(t).toContain('FROM ${BPFTOOL_IMAGE}-${TARGETARCH} AS bpftool');
    const m = parseDockerfile(t);
    for (const name of ['calico-node', 'calico-cni', 'calico-kube-controllers']) expect(m.stages.find((s) => s.name === name)!.platform, name).toBe('build');
    expect(m.stages.find((s) => s.name === 'calico')!.platform).toBe('target');
    for (const name of ['calico-node', 'calico-cni', 'calico-kube-controllers']) expect(stageText(t, name), name).toMatch(/xx-go --wrap && GO_LDFLAGS=/);
  });

  // Regression (was a bug): calico-bpf never runs go: it builds libbpf and the BPF programs with make + clang/gcc
  // (C for the target). The tool treats `make` in a Go-image stage as a Go compile, moves the
  // stage to $BUILDPLATFORM with xx-go --wrap (which does nothing for make/gcc), so the arm64
  // image gets an amd64 libbpf.a, and then adds `xx-verify .../libbpf.a` (an ar archive, not an
  // executable). Spec P10: such a stage stays emulated with a "# kept emulated: ..." note.
  it('r07 calico: the C/BPF stage stays emulated, with the P10 note above its FROM', () => {
    const r = result('r07-calico.Dockerfile');
    const t = out('r07-calico.Dockerfile');
    expect(t).toMatch(/^# [^\n]*emulated[^\n]*\nFROM \$\{GO_IMAGE\} AS calico-bpf$/im);
    expect(r.outcome !== 'refused' && r.m.emulated.map((e) => e.stage)).toContain('calico-bpf');
  });

  // Regression (was a bug, same root cause): xx-verify of a static library fails the build.
  it('r07 calico: no xx-verify of libbpf.a (not an executable)', () => {
    expect(out('r07-calico.Dockerfile')).not.toMatch(/xx-verify[^\n]*libbpf\.a/);
  });

  // --- r08 crictl: output dir computed from GOARCH by the Makefile (P6) ----------------------
  it('r08 crictl: build/bin/linux/${TARGETARCH} (the Makefile writes to the GOARCH folder, now the target arch)', () => {
    const t = out('r08-crictl.Dockerfile');
    expect(t).toContain('build/bin/linux/${TARGETARCH}/crictl');
    expect(t).toMatch(/^RUN xx-go --wrap && ARCH=\$\{TARGETARCH\} make VERSION=\$\{TAG\} crictl$/m);
  });

  // Regression (was a bug): see r03 (go-assert-static.sh, but xx-verify without --static).
  it('r08 crictl: xx-verify --static (the old build ran go-assert-static.sh)', () => {
    const v = xxVerifyArgs(out('r08-crictl.Dockerfile'));
    expect(v.length).toBeGreaterThan(0);
    for (const x of v) expect(x.static, x.paths.join(' ')).toBe(true);
  });

  // --- r09 dns-nodecache: bci final with zypper (P16) ----------------------------------------
  it('r09 dns-nodecache: the zypper steps of the final image are untouched; node-cache is verified static and stripped on the target', () => {
    const input = read('r09-dns-nodecache.Dockerfile');
    const t = out('r09-dns-nodecache.Dockerfile');
    const zypper = input.slice(input.indexOf('RUN zypper'), input.indexOf('COPY --from=builder /usr/local/bin/node-cache'));
    expect(t).toContain(zypper);
    expect(xxVerifyArgs(t)).toEqual([{ static: true, paths: ['node-cache'] }]);
    expect(t).toMatch(/^COPY --from=strip_binary \S*node-cache \/node-cache$/m);
  });

  // --- r10 flannel: ENV GOOS/GOARCH left from the emulated build (P15) -----------------------
  it('r10 flannel: the stale ENV GOARCH=${ARCH} is gone, nothing else forces GOARCH', () => {
    const t = out('r10-flannel.Dockerfile');
    expect(t).not.toMatch(/GOARCH/);
    expect(t).toMatch(/^RUN xx-verify --static dist\/flanneld$/m);
  });

  // --- r11 metrics-server: `[ ... ] ||` form of the boring check, certs from the builder ------
  it('r11 metrics-server: `[ "${TARGETARCH}" != "amd64" ] ||` and the CA bundle still comes from the builder', () => {
    const t = out('r11-metrics-server.Dockerfile');
    expect(t).toMatch(/^ARG TARGETARCH\nRUN \[ "\$\{TARGETARCH\}" != "amd64" \] \|\| go-assert-boring\.sh bin\/metrics-server$/m);
    expect(t).toContain('COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/');
  });

  // --- r12 multus / r13 sriov-cni / r14 operator / r15 whereabouts / r21 / r23 / r25: --------
  // xx-verify must name only the compiled binaries.
  // Regression (was a bug): the tool builds the xx-verify list from every path other stages COPY out of the
  // builder, so it verifies LICENSE files, shell scripts, YAML and whole directories:
  // `xx-verify` on a non-ELF file fails, so every one of these migrated Dockerfiles fails to build.
  const NOT_BINARIES: [string, RegExp][] = [
    ['r12-multus.Dockerfile', /LICENSE$/],
    ['r13-sriov-cni.Dockerfile', /entrypoint\.sh$/],
    ['r14-sriov-network-operator.Dockerfile', /\/bindata$/],
    ['r15-whereabouts.Dockerfile', /install-cni\.sh$/],
    ['r21-sriov-device-plugin.Dockerfile', /entrypoint\.sh$/],
    ['r23-sriov-ib-cni.Dockerfile', /entrypoint\.sh$/],
    ['r25-network-resources-injector.Dockerfile', /server\.yaml$/],
  ];
  for (const [file, notBinary] of NOT_BINARIES) {
    it(`${file.replace(/\.Dockerfile$/, '')}: xx-verify names only binaries, not ${notBinary.source}`, () => {
      const paths = xxVerifyArgs(out(file)).flatMap((x) => x.paths);
      expect(paths.length).toBeGreaterThan(0);
      for (const p of paths) expect(p).not.toMatch(notBinary);
    });
  }

  it('r12 multus: hack/build-go.sh wrapped; both leaves stay on the target with their entrypoints', () => {
    const t = out('r12-multus.Dockerfile');
    expect(t).toMatch(/^RUN xx-go --wrap && \.\/hack\/build-go\.sh$/m);
    const m = parseDockerfile(t);
    for (const name of ['multus-thin', 'multus-thick']) expect(m.stages.find((s) => s.name === name)!.platform).toBe('target');
    expect(stageText(t, 'multus-thin')).toContain('ENTRYPOINT ["/thin_entrypoint"]');
  });

  it('r13 sriov-cni: patches applied before ARG TARGETPLATFORM; wrap covers make build', () => {
    const t = out('r13-sriov-cni.Dockerfile');
    expectInOrder(t, ['patch -p1', 'ARG TARGETPLATFORM']);
    expect(t).toMatch(/^RUN xx-go --wrap && ARCH=\$\{TARGETARCH\} make clean && ARCH=\$\{TARGETARCH\} make build$/m);
  });

  // Regression (was a bug): see r03 (go-assert-static.sh build/*, but xx-verify without --static).
  it('r13 sriov-cni: xx-verify --static (the old build ran go-assert-static.sh)', () => {
    const v = xxVerifyArgs(out('r13-sriov-cni.Dockerfile'));
    expect(v.length).toBeGreaterThan(0);
    for (const x of v) expect(x.static).toBe(true);
  });

  it('r14 sriov-network-operator: three leaves on the target; one wrap before the three make calls', () => {
    const t = out('r14-sriov-network-operator.Dockerfile');
    const m = parseDockerfile(t);
    for (const name of ['operator', 'config-daemon', 'webhook']) expect(m.stages.find((s) => s.name === name)!.platform).toBe('target');
    expect(t.match(/xx-go --wrap/g)).toHaveLength(1);
    expect(t).toMatch(/^RUN xx-go --wrap && ARCH=\$\{TARGETARCH\} make _build-manager BIN_PATH=build\/_output\/cmd && \\$/m);
  });

  it('r15 whereabouts: cache mounts kept byte for byte, the wrap goes after the flags inside the same RUN', () => {
    const t = out('r15-whereabouts.Dockerfile');
    expect(t.startsWith('# syntax=docker/dockerfile:1.7\n')).toBe(true);
    expect(t).toContain('RUN --mount=type=cache,target=/go/pkg/mod \\\n    --mount=type=cache,target=/root/.cache/go-build \\\n    xx-go --wrap && GIT_SHA=$(git rev-parse --short HEAD) \\\n');
    expect(t).toContain('RUN --mount=type=cache,target=/go/pkg/mod \\\n    go mod download\n');
    expectInOrder(t, ['go mod download', 'ARG TARGETPLATFORM']);
  });

  // --- r16 rke2-cloud-provider: local sources, CRLF, $ARCH unbraced (P8) ---------------------
  it('r16 rke2-cloud-provider: COPY . . and go mod download before the target ARG; $TARGETARCH; CRLF', () => {
    const t = out('r16-rke2-cloud-provider.Dockerfile');
    expectInOrder(t, ['COPY . .', 'ARG TARGETPLATFORM']);
    expect(t).toContain('RUN if [ "$TARGETARCH" = "amd64" ]; then go-assert-boring.sh bin/rke2-cloud-provider; fi\r\n');
    expect(t).toMatch(/^RUN xx-verify --static bin\/rke2-cloud-provider\r$/m);
  });

  // --- r17 cluster-proportional-autoscaler: pure Go, no file, mixed as/AS (P12) --------------
  it('r17 cpa: `file` installed for xx-verify, CGO_ENABLED=0 kept, one AS casing, no strip stage (nothing stripped before)', () => {
    const t = out('r17-cluster-proportional-autoscaler.Dockerfile');
    expect(t).toMatch(/^RUN apk --no-cache add [^\n]*\bfile\b/m);
    expect(t).toMatch(/xx-go --wrap && CGO_ENABLED=0 GO111MODULE=on go build/);
    expect(t).not.toMatch(/^FROM .* as /m);
    expect(t).not.toContain('strip');
    expect(xxVerifyArgs(t)).toEqual([{ static: true, paths: ['/cluster-proportional-autoscaler'] }]);
  });

  // --- r20: partially migrated (P13) -------------------------------------------------------
  it('r20 partial: finished without duplicating the xx stage, the xx copy, the target ARG or the xx-apk', () => {
    const t = out('r20-metrics-server-partial.Dockerfile');
    expect(t.match(/mirrored-tonistiigi-xx/g)).toHaveLength(1);
    expect(t.match(/COPY --from=xx \/ \//g)).toHaveLength(1);
    expect(t.match(/^ARG TARGETPLATFORM$/gm)).toHaveLength(1);
    expect(t.match(/xx-apk/g)).toHaveLength(1);
    expect(t).toMatch(/^FROM --platform=\$BUILDPLATFORM \$\{GO_IMAGE\} AS builder$/m);
    expect(t).toMatch(/^RUN xx-go --wrap && GO_LDFLAGS=/m);
  });

  it('r21 sriov-device-plugin: the --virtual name is not mistaken for a package', () => {
    const t = out('r21-sriov-device-plugin.Dockerfile');
    expect(t).toMatch(/apk add --no-cache --virtual build-dependencies /);
    expect(t).not.toMatch(/xx-apk[^\n]*build-dependencies/);
  });

  it('r23 sriov-ib-cni: the heredoc script is untouched; the wrap comes before the script runs', () => {
    const input = read('r23-sriov-ib-cni.Dockerfile');
    const t = out('r23-sriov-ib-cni.Dockerfile');
    const heredoc = input.slice(input.indexOf('COPY <<EOF'), input.indexOf('EOF\nRUN chmod') + 4);
    expect(t).toContain(heredoc);
    expect(t).toMatch(/^RUN xx-go --wrap && chmod \+x \/usr\/local\/bin\/build-ib-sriov\.sh && \\\n\s+\/usr\/local\/bin\/build-ib-sriov\.sh$/m);
  });

  // Regression (was a bug): see r03. The build script runs go-build-static.sh and the file runs go-assert-static.sh.
  it('r23 sriov-ib-cni: xx-verify --static', () => {
    const v = xxVerifyArgs(out('r23-sriov-ib-cni.Dockerfile'));
    expect(v.length).toBeGreaterThan(0);
    for (const x of v) expect(x.static).toBe(true);
  });

  // --- r24 ip-masq-agent: controller-gen (P7) and GOARCH=${ARCH} on the compile --------------
  it('r24 ip-masq-agent: controller-gen stays native before the wrap; GOARCH=${ARCH} is dropped', () => {
    const t = out('r24-ip-masq-agent.Dockerfile');
    expectInOrder(t, ['go install sigs.k8s.io/controller-tools', 'ARG TARGETPLATFORM']);
    expectInOrder(t, ['controller-gen object', 'xx-go --wrap']);
    expect(t).not.toMatch(/GOARCH/);
    expect(t).toMatch(/^RUN xx-go --wrap && CGO_ENABLED=0 go build \\$/m);
    expect(xxVerifyArgs(t)).toEqual([{ static: true, paths: ['bin/ip-masq-agent'] }]);
  });

  // --- r25: a tool downloaded for the arch and run during the build (P3) ---------------------
  it('r25 network-resources-injector: yq is downloaded for BUILDARCH (it runs in the build), the boring check uses TARGETARCH', () => {
    const t = out('r25-network-resources-injector.Dockerfile');
    expect(t).toContain('yq_linux_${BUILDARCH}');
    expect(t).toMatch(/^ARG BUILDARCH$/m);
    expect(t).toContain('if [ "${TARGETARCH}" = "amd64" ]; then go-assert-boring.sh');
    expectInOrder(t, ['yq -i', 'ARG TARGETPLATFORM']);
  });

  // Regression (was a bug): see r03.
  it('r25 network-resources-injector: xx-verify --static (the old build ran go-assert-static.sh)', () => {
    const v = xxVerifyArgs(out('r25-network-resources-injector.Dockerfile'));
    expect(v.length).toBeGreaterThan(0);
    for (const x of v) expect(x.static).toBe(true);
  });

  // --- r26 calicoctl: ARCH handed to make as a variable, output file named after it ----------
  it('r26 calicoctl: make ARCH=${TARGETARCH} and the arch-named output follow the target; smoke test guarded', () => {
    const t = out('r26-calicoctl.Dockerfile');
    expect(t).toMatch(/^RUN xx-go --wrap && make -C calicoctl build ARCH=\$\{TARGETARCH\}$/m);
    expect(t).toMatch(/^RUN install calicoctl\/bin\/calicoctl-linux-\$\{TARGETARCH\} \/usr\/local\/bin\/calicoctl$/m);
    expect(t).toContain('if ! xx-info is-cross; then calicoctl version --client; fi');
    expect(t).toMatch(/^COPY --from=strip_binary \/usr\/local\/bin\/calicoctl \/calicoctl$/m);
  });

  it('r18/r22: skipped with a reason (the build base itself; a pure mirror)', () => {
    for (const f of ['r18-hardened-build-base.Dockerfile', 'r22-dns-mirror.Dockerfile']) {
      const r = result(f);
      expect(r.outcome === 'skipped' && r.m.skipped, f).toMatch(/nothing to cross-compile/);
    }
  });

  it('r19: the seed-shaped migrated coredns is left exactly as it is, with no warning', () => {
    const input = read('r19-coredns-migrated.Dockerfile');
    const m = migrateDockerfile(input, 'r19', opts);
    expect(m.output).toBe(input);
    expect(m.edits).toEqual([]);
  });
});

describe('fleet-like checkout: several --target leaves, ARCH build-args in Makefile and a workflow run step', () => {
  const temps: string[] = [];
  afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

  async function migrated() {
    const src = path.join(dir, 'checkouts', 'k02-operator-targets');
    const work = mkdtempSync(path.join(tmpdir(), 'ibm-fleet-like-'));
    temps.push(work);
    cpSync(src, work, { recursive: true });
    const report = await migrateCheckout(work, { ...opts, dryRun: false }, recipes);
    expect(report.outcome, report.summary).toBe('changed');
    const get = (f: string) => readFileSync(path.join(work, f), 'utf8');
    return { docker: get('Dockerfile'), make: get('Makefile'), wf: get('.github/workflows/release.yml') };
  }

  it('k02: --build-arg ARCH=... goes from the Makefile and the workflow run step; the rest of each command (and its continuations) stays', async () => {
    const { docker, make, wf } = await migrated();
    // No ARCH build-arg is read any more; make gets the target's as the environment ARG ARCH gave it.
    expect(docker.replace(/\bARCH=\$\{TARGETARCH\} make\b/g, '')).not.toMatch(/\bARCH\b(?<!TARGETARCH)(?<!BUILDARCH)/);
    expect(make, 'unquoted --build-arg ARCH').not.toMatch(/--build-arg[ =]ARCH=[^"]/);
    expect(wf).not.toMatch(/--build-arg[ =]ARCH/);
    // The other build-args, targets, tags and the ARCH detection of the Makefile stay.
    expect(make.match(/--build-arg TAG=\$\(TAG:\$\(BUILD_META\)=\)/g)).toHaveLength(2);
    expect(make).toContain('--target operator --tag $(ORG)/hardened-sriov-network-operator:$(TAG)-$(ARCH) --load .');
    expect(make).toContain('\tARCH=arm64\n');
    expect(wf).toContain('--build-arg TAG=${{ github.ref_name }} \\\n');
    expect(wf).toContain('--target webhook \\\n');
    // Every continued line of the config-daemon recipe still continues into the next one.
    const recipe = make.slice(make.indexOf('image-build-config-daemon:'), make.indexOf('.PHONY: image-scan'));
    const lines = recipe.trimEnd().split('\n').slice(1);
    expect(lines.slice(0, -1).every((l) => l.endsWith('\\'))).toBe(true);
    expect(lines.at(-1)!.trim()).toBe('.');
  });

  // Regression (was a bug): migrations/build-args-arch only matches an unquoted value or a fully quoted flag value
  // ("ARCH=x"); `--build-arg ARCH="$(ARCH)"` (value quoted after the =) is left in the Makefile
  // although the Dockerfile no longer declares ARG ARCH (P2: Makefile/workflow build-args
  // consistent with the Dockerfile).
  it('k02: --build-arg ARCH="$(ARCH)" (quoted value) goes too', async () => {
    const { make } = await migrated();
    expect(make).not.toMatch(/--build-arg[ =]"?ARCH/);
    expect(make).toContain('--build-arg TAG=$(TAG:$(BUILD_META)=) \\\n\t\t--target operator');
  });
});
