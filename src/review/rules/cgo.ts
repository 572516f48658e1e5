/**
 * Cgo when cross-compiling: the target's libc and libraries must come from xx-apk/xx-apt-get
 * (they must match the target arch), and CGO_ENABLED must be explicit because it defaults to on
 * natively and off when cross-compiling, so an unset value builds differently per platform.
 */
import { packageName } from '../../dockerfile/commands.ts';
import type { Stage } from '../../dockerfile/model.ts';
import { DOCS } from '../docs.ts';
import type { CompileInfo, ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';
import { CLEAN_CROSS_BUILD } from '../examples.ts';

const TARGET_LIBC = { apk: /^(musl-dev|build-base)$/, apt: /^(libc6?-dev|gcc|g\+\+|build-essential|crossbuild-essential-.*)$/ };
/** -dev packages that are headers/data or the build machine's own toolchain, fine natively. */
const NATIVE_OK = /^(musl-dev|libc6?-dev|linux-headers|linux-libc-dev|protobuf-dev|go-dev|python3-dev|gettext-dev|build-base)$/;

interface Installed {
  manager: string;
  name: string;
  stage: Stage;
  start: number;
  end: number;
  line: number;
}

function installsBefore(ctx: ReviewContext, stage: Stage, offset: number): Installed[] {
  const out: Installed[] = [];
  for (const s of ctx.lineage(stage)) {
    for (const p of ctx.stageFacts(s).packageInstalls) {
      if (s === stage && p.command.start >= offset) continue;
      for (const w of p.packages) out.push({ manager: p.manager, name: packageName(w.value), stage: s, start: w.start, end: w.end, line: p.instruction.line });
    }
  }
  return out;
}

const ARCH_IS_AMD64 = String.raw`\[\[?\s*(?:"?\$\{?TARGETARCH\}?"?\s*==?\s*"?amd64"?|"?amd64"?\s*==?\s*"?\$\{?TARGETARCH\}?"?)\s*\]\]?`;
const IF_AMD64 = new RegExp(String.raw`\bif\s+${ARCH_IS_AMD64}[\s\\]*;?[\s\\]*then\b`, 'g');
const AND_AMD64 = new RegExp(String.raw`(^|&&)[\s\\]*${ARCH_IS_AMD64}[\s\\]*&&`);

/**
 * The compile runs only when TARGETARCH is amd64 (`if [ "$TARGETARCH" = amd64 ]; then ...; fi`,
 * `[ "$TARGETARCH" = amd64 ] && ...`): the fleet's runners are amd64, so it never cross-compiles.
 */
function onlyForAmd64(c: CompileInfo): boolean {
  const script = c.instruction.shell;
  if (!script) return false;
  const st = c.command.statement;
  const before = script.text.slice(st.start - script.offset, c.command.start - script.offset);
  const allAnd = st.elements.slice(1, c.command.element + 1).every((e) => e.op === '&&');
  if (allAnd && AND_AMD64.test(before)) return true;
  for (const m of before.matchAll(IF_AMD64)) {
    if (!/\b(else|elif|fi)\b/.test(before.slice(m.index + m[0].length))) return true;
  }
  return false;
}

export const cgoWithoutTargetLibs: Rule = {
  id: 'cgo-without-target-libs',
  severity: 'error',
  title: 'Cgo cross-compile without the target libc from xx-apk/xx-apt-get',
  docs: DOCS.xxPackages,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git clang lld
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-go --wrap && CGO_ENABLED=1 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
`,
    pass: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git clang lld
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-apk --no-cache add musl-dev gcc
RUN xx-go --wrap && CGO_ENABLED=1 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
`,
  },
  check(ctx: ReviewContext) {
    for (const c of ctx.compiles()) {
      if (!c.cross || !c.cgo.on) continue;
      const xx = installsBefore(ctx, c.stage, c.command.start).filter((p) => p.manager.startsWith('xx-'));
      const ok = xx.some((p) => (p.manager === 'xx-apk' ? TARGET_LIBC.apk : TARGET_LIBC.apt).test(p.name));
      if (ok) continue;
      const debian = ctx.stageFacts(c.stage).distro === 'debian';
      const why =
        c.cgo.from === 'makefile'
          ? `CGO_ENABLED=${c.cgo.value} in the Makefile that ${c.command.name} runs`
          : c.cgo.setting
            ? `CGO_ENABLED=${c.cgo.setting.value ?? '(build-arg)'} (line ${ctx.model.source.lineOf(c.cgo.setting.offset)}${c.cgo.from === 'build-arg' ? ', the value the build files pass' : ''})`
            : `${c.command.name} enables cgo by default`;
      const amd64 = onlyForAmd64(c);
      ctx.report(
        this,
        c.command,
        `cross-compile with cgo (${why}) but no target libc was installed with ${debian ? 'xx-apt-get (libc6-dev)' : 'xx-apk (musl-dev)'} before it: the link fails or uses the build machine's libraries` +
          (amd64 ? '; it runs only when TARGETARCH is amd64, native on amd64 build machines, so it breaks only where the build machine is not amd64' : ''),
        debian
          ? 'after ARG TARGETPLATFORM: RUN xx-apt-get install -y libc6-dev gcc (plus every target -dev library)'
          : 'after ARG TARGETPLATFORM: RUN xx-apk --no-cache add musl-dev gcc (plus every target -dev/-static library)',
        amd64 ? 'warning' : 'error',
      );
    }
  },
};

export const cgoImplicit: Rule = {
  id: 'cgo-implicit',
  severity: 'warning',
  title: 'CGO_ENABLED is not set for a cross-compile',
  docs: DOCS.xxGo,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-go --wrap && go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
    pass: CLEAN_CROSS_BUILD,
  },
  check(ctx: ReviewContext) {
    for (const c of ctx.compiles()) {
      if (!c.cross || c.cgo.explicit || c.kind !== 'go-build') continue;
      ctx.report(
        this,
        c.command,
        'CGO_ENABLED is not set for this cross-compile: cgo is on for a native build and off for a cross build, so the platforms get differently linked binaries',
        'set CGO_ENABLED=0 (pure Go) or CGO_ENABLED=1 (with xx-apk/xx-apt-get target libraries) explicitly',
      );
    }
  },
};

export const targetLibNativeInstall: Rule = {
  id: 'target-lib-native-install',
  severity: 'error',
  title: 'A target library is installed with the native package manager in a cross-compile stage',
  docs: DOCS.xxPackages,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git clang lld libseccomp-dev libseccomp-static
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-apk --no-cache add musl-dev gcc
RUN xx-go --wrap && CGO_ENABLED=1 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
`,
    pass: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git clang lld
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-apk --no-cache add musl-dev gcc libseccomp-dev libseccomp-static
RUN xx-go --wrap && CGO_ENABLED=1 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
`,
  },
  check(ctx: ReviewContext) {
    const cross = ctx.compiles().filter((c) => c.cross);
    if (cross.length === 0) return;
    for (const stage of ctx.model.stages) {
      if (!ctx.native(stage)) continue;
      const fed: CompileInfo[] = cross.filter((c) => ctx.lineage(c.stage).includes(stage));
      if (fed.length === 0) continue;
      const cgo = fed.some((c) => c.cgo.on);
      const xxNames = new Set(fed.flatMap((c) => installsBefore(ctx, c.stage, c.command.start)).filter((p) => p.manager.startsWith('xx-')).map((p) => p.name));
      for (const p of ctx.stageFacts(stage).packageInstalls) {
        if (p.manager.startsWith('xx-')) continue;
        for (const w of p.packages) {
          const name = packageName(w.value);
          if (!/-(dev|static)(:.*)?$/.test(name) || NATIVE_OK.test(name) || xxNames.has(name)) continue;
          const xxTool = p.manager === 'apk' ? 'xx-apk --no-cache add' : 'xx-apt-get install -y';
          ctx.report(
            this,
            w,
            `${name} is installed with ${p.manager} in build-platform stage ${ctx.stageLabel(stage)}: that is the build machine's arch, ${cgo ? 'and the cgo cross-compile links against it' : 'not the target\'s'}`,
            `install it with "${xxTool} ${name}" after ARG TARGETPLATFORM (keep the native install only if a build tool needs it)`,
            cgo ? 'error' : 'warning',
          );
        }
      }
    }
  },
};
