/**
 * GOARCH/GOOS forced to a value that is not the target's: `GOARCH=${ARCH}`, a literal
 * `ENV GOARCH amd64` left from the emulated build (P15). An environment GOARCH also overrides
 * what `xx-go --wrap` wrote into the go env, so the wrap no longer cross-compiles.
 */
import type { Stage } from '../../dockerfile/model.ts';
import { DOCS } from '../docs.ts';
import { envAt, followsPlatform } from '../../dockerfile/env.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';
import { CLEAN_CROSS_BUILD } from '../examples.ts';

const GO_ASSIGN = /(?<![\w$\-])(GOARCH|GOOS)=("[^"]*"|'[^']*'|[^\s;&|)]*)/g;

type Verdict = { severity: 'error' | 'warning'; why: string } | undefined;

function judge(name: string, raw: string, platform: Stage['platform'], kind: 'run' | 'env', archDeclared: boolean): Verdict {
  const value = raw.replace(/^["']|["']$/g, '');
  const native = platform === 'build';
  if (value === '' || followsPlatform(value)) return undefined;
  if (/\$\{?ARCH\b/.test(value)) {
    // Never declared: ARCH is empty, Go takes what xx-go --wrap wrote. Dead code, not a wrong target.
    if (!archDeclared && /^\$\{?ARCH\}?$/.test(value)) {
      return { severity: 'warning', why: 'names ARCH, which no ARG or ENV declares in this stage: it is empty, so Go uses the go env (what xx-go --wrap wrote); drop it' };
    }
    return { severity: native ? 'error' : 'warning', why: 'comes from the ARCH build-arg, which is one value (amd64 by default) for every target' };
  }
  if (/[$`]/.test(value)) return undefined;
  if (name === 'GOOS' && value === 'linux') return undefined;
  // A stage pinned to a fixed platform may well mean that constant.
  if (platform === 'other') return undefined;
  if (native) return { severity: 'error', why: `is the constant "${value}" in a stage that runs on the build platform, so every target gets a ${value} binary` };
  if (kind === 'env') return { severity: 'warning', why: `is the constant "${value}" left from the emulated build: the ${value === 'amd64' ? 'arm64' : 'other'} image gets a ${value} binary` };
  return undefined;
}

export const staleGoarch: Rule = {
  id: 'stale-goarch',
  severity: 'error',
  title: 'GOARCH/GOOS is forced to a value that is not the target platform',
  docs: DOCS.crossCompile,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
ENV GOOS=linux GOARCH=amd64
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
    pass: CLEAN_CROSS_BUILD,
  },
  check(ctx: ReviewContext) {
    for (const stage of ctx.model.stages) check(ctx, stage, this);
  },
};

function check(ctx: ReviewContext, stage: Stage, rule: Rule): void {
  const native = stage.platform === 'build';
  const hint = native
    ? 'drop it: "xx-go --wrap" sets GOOS/GOARCH from TARGETPLATFORM; or use GOARCH=$TARGETARCH (with ARG TARGETARCH)'
    : 'use GOARCH=$TARGETARCH (with ARG TARGETARCH) or drop it';
  for (const instr of stage.instructions) {
    if (instr.shell) {
      const s = instr.shell;
      GO_ASSIGN.lastIndex = 0;
      for (let m = GO_ASSIGN.exec(s.text); m; m = GO_ASSIGN.exec(s.text)) {
        const archDeclared = !!envAt(stage, 'ARCH', instr.start) || s.assigned.has('ARCH');
        const v = judge(m[1]!, m[2]!, stage.platform, 'run', archDeclared);
        if (!v) continue;
        const start = s.offset + m.index;
        ctx.report(rule, { start, end: start + m[0].length }, `${m[1]}=${m[2]} ${v.why}`, hint, v.severity);
      }
    } else if (instr.keyword === 'ENV' || instr.keyword === 'ARG') {
      const pairs = instr.env ?? stage.args.filter((a) => a.instruction === instr).map((a) => ({ name: a.name, value: a.defaultValue ?? '', start: a.start }));
      for (const p of pairs) {
        if (p.name !== 'GOARCH' && p.name !== 'GOOS') continue;
        const v = judge(p.name, p.value, stage.platform, 'env', !!envAt(stage, 'ARCH', instr.start));
        if (!v) continue;
        ctx.report(rule, { start: p.start, end: p.start + p.name.length }, `${instr.keyword} ${p.name}=${p.value} ${v.why}`, hint, v.severity);
      }
    }
  }
}
