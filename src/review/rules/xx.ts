/**
 * The xx toolbox itself: copied into the stages that use it, from the configured (mirrored,
 * pinned) image; and its `xx-verify` run after each cross-compile, with `file` available.
 */
import { isXxImage } from '../../dockerfile/analysis.ts';
import { isGlob, staticVerifyBatches, verifyCalls } from '../../dockerfile/shared-checks.ts';
import { packageName } from '../../dockerfile/commands.ts';
import { baseName } from '../../dockerfile/shell.ts';
import { downstream, type Stage } from '../../dockerfile/model.ts';
import { DOCS } from '../docs.ts';
import type { ReviewContext, Span } from '../context.ts';
import type { Rule } from '../rule.ts';
import { CLEAN_CROSS_BUILD } from '../examples.ts';

export const xxNotCopied: Rule = {
  id: 'xx-not-copied',
  severity: 'error',
  title: 'xx helpers are used without COPY --from=<xx stage> / / in the stage lineage',
  docs: DOCS.xxPrimer,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
RUN apk add --no-cache file git
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
    for (const stage of ctx.model.stages) {
      const use = ctx.commands(stage).find((c) => baseName(c.command.name).startsWith('xx-'));
      if (!use || ctx.xxCopiedBefore(stage, use.instruction.start)) continue;
      const dangling = ctx.lineage(stage).flatMap((s) => s.refs).find((r) => !r.stage && r.ref.toLowerCase() === 'xx');
      const extra = dangling ? ` (COPY --from=${dangling.ref} at line ${dangling.instruction.line} names no stage: define FROM --platform=$BUILDPLATFORM ${ctx.xxImage} AS xx)` : '';
      ctx.report(
        this,
        use.command,
        `${baseName(use.command.name)} is used in stage ${ctx.stageLabel(stage)} but the xx helpers were not copied into it or its base stages${extra}`,
        `add "COPY --from=xx / /" to this stage (or its base) before this RUN, with a stage "FROM --platform=$BUILDPLATFORM ${ctx.xxImage} AS xx"`,
      );
    }
  },
};

function splitImage(image: string): { repo: string; tag?: string; digest?: string } {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const colon = rest.lastIndexOf(':');
  const tag = colon > rest.lastIndexOf('/') ? rest.slice(colon + 1) : undefined;
  const repo = (tag !== undefined ? rest.slice(0, colon) : rest).replace(/^(docker\.io\/|index\.docker\.io\/)/, '').replace(/^library\//, '');
  return { repo, tag, digest };
}

function xxImageRefs(ctx: ReviewContext): { image: string; span: Span }[] {
  const out: { image: string; span: Span }[] = [];
  for (const stage of ctx.model.stages) {
    if (!stage.base && ctx.stageFacts(stage).isXx) out.push({ image: stage.resolvedImage, span: { start: stage.imageStart, end: stage.imageEnd } });
    for (const r of stage.refs) {
      if (r.stage || !isXxImage(r.ref, ctx.xxImage)) continue;
      const flag = r.instruction.flags.find((f) => f.value === r.ref);
      out.push({ image: r.ref, span: flag ?? r.instruction });
    }
  }
  return out;
}

export const xxImageNotMirror: Rule = {
  id: 'xx-image-not-mirror',
  severity: 'warning',
  title: 'The xx image is not the configured mirror',
  docs: DOCS.xxPrimer,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM tonistiigi/xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
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
    const want = splitImage(ctx.xxImage).repo;
    for (const { image, span } of xxImageRefs(ctx)) {
      if (image.includes('$') || splitImage(image).repo === want) continue;
      ctx.report(this, span, `the xx image is "${image}", not the configured ${want}`, `use ${ctx.xxImage}`);
    }
  },
};

export const xxImageUnpinned: Rule = {
  id: 'xx-image-unpinned',
  severity: 'warning',
  title: 'The xx image is not pinned to a version or digest',
  docs: DOCS.xxPrimer,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:latest AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
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
    for (const { image, span } of xxImageRefs(ctx)) {
      if (image.includes('$')) continue;
      const { tag, digest } = splitImage(image);
      if (digest || (tag && tag !== 'latest')) continue;
      ctx.report(this, span, `the xx image "${image}" is not pinned: builds change when the image moves`, `pin it, e.g. ${ctx.xxImage}`);
    }
  },
};

function verifiesAfter(ctx: ReviewContext, stage: Stage, offset: number): boolean {
  const isVerify = (name: string) => baseName(name) === 'xx-verify';
  if (ctx.commands(stage).some((c) => c.command.start > offset && isVerify(c.command.name))) return true;
  return [...downstream(stage)].some((s) => ctx.commands(s).some((c) => isVerify(c.command.name)));
}

export const xxVerifyMissing: Rule = {
  id: 'xx-verify-missing',
  severity: 'warning',
  title: 'No xx-verify after a cross-compile',
  docs: DOCS.xxVerify,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
    pass: CLEAN_CROSS_BUILD,
  },
  check(ctx: ReviewContext) {
    const done = new Set<Stage>();
    for (const c of ctx.compiles()) {
      if (!c.cross || done.has(c.stage)) continue;
      done.add(c.stage);
      if (verifiesAfter(ctx, c.stage, c.command.end)) continue;
      ctx.report(
        this,
        c.command,
        `nothing checks that the binaries of stage ${ctx.stageLabel(c.stage)} were built for the target arch`,
        `add "RUN xx-verify${c.cgo.on ? ' --static' : ''} <binaries>" after the compile (drop --static only if the build is not static)`,
      );
    }
  },
};

export const xxVerifyWithoutFile: Rule = {
  id: 'xx-verify-without-file',
  severity: 'warning',
  title: 'xx-verify runs where the file utility is not installed',
  docs: DOCS.xxVerify,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache git
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
    for (const stage of ctx.model.stages) {
      const verify = ctx.commands(stage).find((c) => baseName(c.command.name) === 'xx-verify');
      if (!verify) continue;
      const hasFile = ctx.lineage(stage).some((s) =>
        ctx.stageFacts(s).packageInstalls.some((p) => !p.manager.startsWith('xx-') && p.packages.some((w) => packageName(w.value) === 'file') && (s !== stage || p.command.start < verify.command.start)),
      );
      if (hasFile) continue;
      ctx.report(
        this,
        verify.command,
        `xx-verify needs the "file" utility, and stage ${ctx.stageLabel(stage)} does not install it (unless its base image ships it)`,
        ctx.stageFacts(stage).distro === 'debian' ? 'apt-get install -y file in the builder stage' : 'apk add file in the builder stage (with the other native tools)',
      );
    }
  },
};

export const xxVerifyStaticSeveralFiles: Rule = {
  id: 'xx-verify-static-several-files',
  severity: 'error',
  title: 'xx-verify --static with several files (or a glob) checks only the first one',
  docs: DOCS.xxVerify,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/ ./cmd/widgetd ./cmd/widgetctl
RUN xx-verify --static /out/widgetd /out/widgetctl
FROM scratch
COPY --from=builder /out/ /usr/local/bin/
ENTRYPOINT ["widgetd"]
`,
    pass: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/ ./cmd/widgetd ./cmd/widgetctl
RUN xx-verify --static /out/widgetd && xx-verify --static /out/widgetctl
FROM scratch
COPY --from=builder /out/ /usr/local/bin/
ENTRYPOINT ["widgetd"]
`,
  },
  check(ctx: ReviewContext) {
    for (const b of staticVerifyBatches(ctx.model)) {
      const [first, ...rest] = b.files;
      const unchecked = isGlob(first!.raw) ? [`every file ${first!.raw} matches after the first`, ...rest.map((w) => w.raw)] : rest.map((w) => w.raw);
      ctx.report(
        this,
        b.command,
        `xx-verify --static stops after the first file that passes (xx up to v1.9.0; the fleet mirrors 1.6.1): ${unchecked.join(', ')} ${unchecked.length > 1 ? 'are' : 'is'} never checked, a check that silently never runs`,
        `verify one file per call: ${verifyCalls(b.command.nameWord?.raw ?? 'xx-verify', b.flags.map((w) => w.raw), b.files.map((w) => w.raw)).join(' && ')}`,
      );
    }
  },
};
