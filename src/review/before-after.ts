/**
 * The invariants that need the file before and after a migration: the images the repository
 * ships keep their platform, name, COPY destinations and runtime settings (P9, P16), what was
 * stripped stays stripped (target shape 7), and global ARGs other than ARCH stay (P2 removes only
 * ARCH).
 */
import type { DockerfileFacts } from '../dockerfile/facts.ts';
import type { Instruction, Stage } from '../dockerfile/model.ts';
import { samePath, stageFiles, type StageFile } from '../dockerfile/shipped.ts';
import { DOCS } from './docs.ts';
import { sortFindings } from './order.ts';
import type { Finding, RuleMeta } from './types.ts';
import { CLEAN_CROSS_BUILD } from './examples.ts';

export const FINAL_STAGE_CHANGED: RuleMeta = {
  id: 'final-stage-changed',
  severity: 'error',
  title: 'A final image stage lost its platform, name, COPY destinations or runtime settings',
  docs: DOCS.crossCompile,
  examples: {
    before: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM \${GO_IMAGE} AS builder
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
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
ENTRYPOINT ["/usr/local/bin/widgetd"]
`,
    pass: CLEAN_CROSS_BUILD,
  },
};

export const GLOBAL_ARG_REMOVED: RuleMeta = {
  id: 'global-arg-removed',
  severity: 'error',
  title: 'A global ARG other than ARCH was removed or its default changed',
  docs: DOCS.buildArgs,
  examples: {
    before: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM \${GO_IMAGE} AS builder
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.6b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
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
};

export const STRIP_DROPPED: RuleMeta = {
  id: 'strip-dropped',
  severity: 'error',
  title: 'A final image ships unstripped a binary that install -s or strip stripped before',
  docs: DOCS.crossCompile,
  examples: {
    before: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM \${GO_IMAGE} AS builder
RUN apk add --no-cache file git
COPY . /src
RUN cd /src && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN install -s /out/widgetd /usr/local/bin/widgetd
FROM scratch
COPY --from=builder /usr/local/bin/widgetd /usr/local/bin/widgetd
`,
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
COPY . /src
ARG TARGETPLATFORM
RUN cd /src && xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
RUN install /out/widgetd /usr/local/bin/widgetd
FROM scratch
COPY --from=builder /usr/local/bin/widgetd /usr/local/bin/widgetd
`,
    pass: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
COPY . /src
ARG TARGETPLATFORM
RUN cd /src && xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
RUN install /out/widgetd /usr/local/bin/widgetd
FROM \${GO_IMAGE} AS strip_binary
COPY --from=builder /usr/local/bin/widgetd /widgetd
RUN strip /widgetd
FROM scratch
COPY --from=strip_binary /widgetd /usr/local/bin/widgetd
`,
  },
};

export const SHIPPED_PATH_LOST: RuleMeta = {
  id: 'shipped-path-lost',
  severity: 'error',
  title: 'A final image no longer ships a file or link it shipped before, or ships a link as a file',
  docs: DOCS.crossCompile,
  examples: {
    before: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM \${GO_IMAGE} AS builder
RUN apk add --no-cache file git
COPY . /src
RUN cd /src && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN install -s /out/widgetd /usr/local/bin/widgetd && ln -s /usr/local/bin/widgetd /usr/local/bin/widget
FROM scratch
COPY --from=builder /usr/local/bin/ /usr/local/bin/
`,
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
COPY . /src
ARG TARGETPLATFORM
RUN cd /src && xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM \${GO_IMAGE} AS strip_binary
COPY --from=builder /out/widgetd /out/widgetd
RUN strip /out/widgetd
FROM scratch
COPY --from=strip_binary /out/ /usr/local/bin/
`,
    pass: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
COPY . /src
ARG TARGETPLATFORM
RUN cd /src && xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM \${GO_IMAGE} AS strip_binary
COPY --from=builder /out/widgetd /out/widgetd
RUN strip /out/widgetd && ln -s /usr/local/bin/widgetd /out/widget
FROM scratch
COPY --from=strip_binary /out/ /usr/local/bin/
`,
  },
};

export const CHANGE_RULES: RuleMeta[] = [FINAL_STAGE_CHANGED, SHIPPED_PATH_LOST, STRIP_DROPPED, GLOBAL_ARG_REMOVED];

/**
 * Paths a final stage shipped before (from its own steps: installs, links, copies) that it ships
 * no more, or no more as the link it was. A glob on one side stands for the names on the other.
 */
function lostPaths(before: Map<string, StageFile>, after: Map<string, StageFile>): { was: StageFile; now?: StageFile }[] {
  const out: { was: StageFile; now?: StageFile }[] = [];
  for (const was of before.values()) {
    const same = [...after.values()].filter((f) => samePath(unArch(was.path), unArch(f.path)));
    if (same.length === 0) out.push({ was });
    else if (was.kind === 'link' && same.every((f) => f.kind !== 'link')) out.push({ was, now: same[0] });
  }
  return out;
}

/**
 * Files a final stage shipped stripped before and ships unstripped after: the same path, or a
 * glob on one side that the other's path matches. A file the after image no longer ships at all
 * is not a strip dropped.
 */
function droppedStrips(before: Map<string, StageFile>, after: Map<string, StageFile>): { was: StageFile; now: StageFile }[] {
  const out: { was: StageFile; now: StageFile }[] = [];
  for (const was of before.values()) {
    if (!was.stripped) continue;
    const now = [...after.values()].find((f) => !f.stripped && samePath(unArch(was.path), unArch(f.path)));
    if (now) out.push({ was, now });
  }
  return out;
}

/** Instructions whose arguments make up what the image is at run time. */
const RUNTIME = ['ENTRYPOINT', 'CMD', 'LABEL', 'EXPOSE', 'USER'];

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
/** P2 renames ARCH to TARGETARCH everywhere: that is not a change of meaning in a target stage. */
const unArch = (s: string) => s.replace(/\$\{ARCH\}/g, '${TARGETARCH}').replace(/\$ARCH\b/g, '$TARGETARCH');

function destinations(stage: Stage): string[] {
  const out: string[] = [];
  for (const i of stage.instructions) {
    if (i.keyword !== 'COPY' && i.keyword !== 'ADD') continue;
    const args = i.args.trim();
    let dest: string | undefined;
    if (args.startsWith('[')) {
      try {
        dest = (JSON.parse(args) as string[]).at(-1);
      } catch {
        dest = undefined;
      }
    }
    // Heredoc sources (`COPY <<EOF /dest`) keep their destination on the first line.
    dest ??= args.split('\n')[0]!.trim().split(/\s+/).at(-1);
    if (dest) out.push(unArch(dest));
  }
  return out.sort();
}

function runtime(stage: Stage): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const k of RUNTIME) out.set(k, []);
  for (const i of stage.instructions) if (RUNTIME.includes(i.keyword)) out.get(i.keyword)!.push(unArch(norm(i.args)));
  return out;
}

export function reviewChange(beforeFacts: DockerfileFacts, afterFacts: DockerfileFacts): Finding[] {
  const before = beforeFacts.model;
  const after = afterFacts.model;
  const file = after.source.path;
  const findings: Finding[] = [];
  const add = (rule: RuleMeta, at: Instruction | undefined, message: string, hint: string) =>
    findings.push({ rule: rule.id, severity: rule.severity, message, file, line: at?.line ?? 1, ...(at ? { endLine: at.endLine } : {}), hint, docs: rule.docs });

  const finalsBefore = [...beforeFacts.finalStages];
  const finalsAfter = afterFacts.finalStages;
  // Counterparts, found through indexes (a file of thousands of stages must stay linear): a named
  // final is the first stage of that name after; the n-th unnamed final before is the n-th
  // unnamed final after.
  const afterByName = new Map<string, Stage>();
  for (const s of after.stages) if (s.name && !afterByName.has(s.name.toLowerCase())) afterByName.set(s.name.toLowerCase(), s);
  const unnamedAfter = after.stages.filter((s) => !s.name && finalsAfter.has(s));
  let unnamedSeen = 0;
  const beforeFiles = new Map<Stage, Map<string, StageFile>>();
  const afterFiles = new Map<Stage, Map<string, StageFile>>();
  for (const b of finalsBefore) {
    const label = b.name ? `"${b.name}"` : `#${b.index} (FROM ${b.image})`;
    const a = b.name ? afterByName.get(b.name.toLowerCase()) : unnamedAfter[unnamedSeen++];
    if (!a) {
      add(FINAL_STAGE_CHANGED, undefined, `final stage ${label} (line ${b.from.line} before) is gone or no longer final`, 'keep every image stage the repository ships, under the same name');
      continue;
    }
    if (b.name && a.name !== b.name) add(FINAL_STAGE_CHANGED, a.from, `final stage "${b.name}" was renamed "${a.name}"`, 'keep the stage name: --target and workflows refer to it');
    // Off the build platform back onto the target is the fix of final-stage-on-build-platform, not a change.
    if (a.platform !== b.platform && !(b.platform === 'build' && a.platform === 'target')) add(FINAL_STAGE_CHANGED, a.from, `final stage ${label} moved from the ${b.platform} platform to the ${a.platform} platform`, 'leave the final stage FROM without --platform=$BUILDPLATFORM');
    if (norm(unArch(a.image)) !== norm(unArch(b.image))) add(FINAL_STAGE_CHANGED, a.from, `final stage ${label} changed its base image from ${b.image} to ${a.image}`, 'keep the final base image as it was (P16)');
    const db = destinations(b).join('\n');
    const da = destinations(a).join('\n');
    if (db !== da) {
      const lost = destinations(b).filter((d) => !destinations(a).includes(d));
      const gained = destinations(a).filter((d) => !destinations(b).includes(d));
      add(FINAL_STAGE_CHANGED, a.from, `final stage ${label} changed its COPY/ADD destinations${lost.length ? ` (lost: ${lost.join(', ')})` : ''}${gained.length ? ` (new: ${gained.join(', ')})` : ''}`, 'copy the same files to the same places; only the --from stage may change');
    }
    for (const { was, now } of lostPaths(stageFiles(b, beforeFiles), stageFiles(a, afterFiles))) {
      const what = was.kind === 'link' ? `the link ${was.path}${was.target ? ` (to ${was.target})` : ''}` : was.path;
      const made = `made at line ${was.made.line} before`;
      if (now) add(SHIPPED_PATH_LOST, now.at, `final stage ${label} ships ${what} as a copy of a file, not as the link it was (${made})`, 'make the link where the final image copies from (ln -s in the strip stage), not a COPY of it');
      else add(SHIPPED_PATH_LOST, a.from, `final stage ${label} no longer ships ${what} (${made})`, 'ship every path the image shipped before: create the link (or copy the file) in the stage the final image now copies from');
    }
    for (const { was, now } of droppedStrips(stageFiles(b, beforeFiles), stageFiles(a, afterFiles))) {
      const how = was.strippedAt ? `line ${was.strippedAt.line} before (${norm(was.strippedAt.args).slice(0, 60)})` : 'the old build';
      add(STRIP_DROPPED, now.at, `final stage ${label} ships ${now.path} unstripped: ${how} stripped it, and nothing strips it now`, 'strip it in a stage on the target platform (FROM the builder image, COPY --from the builder, RUN strip) and copy it from there, or keep install -s where the stage stays emulated');
    }
    const rb = runtime(b);
    const ra = runtime(a);
    for (const k of RUNTIME) {
      if (rb.get(k)!.join('\n') === ra.get(k)!.join('\n')) continue;
      const at = a.instructions.find((i) => i.keyword === k) ?? a.from;
      add(FINAL_STAGE_CHANGED, at, `final stage ${label} changed its ${k} (${rb.get(k)!.join('; ') || 'none'} → ${ra.get(k)!.join('; ') || 'none'})`, `restore the original ${k}`);
    }
  }

  for (const g of before.globalArgs) {
    if (g.name === 'ARCH') continue;
    const now = after.globalArgs.filter((a) => a.name === g.name);
    if (now.length === 0) {
      add(GLOBAL_ARG_REMOVED, undefined, `global ARG ${g.name} (line ${g.instruction.line} before) was removed`, `keep ARG ${g.name}: Makefiles and workflows may pass it`);
    } else if (!now.some((a) => a.defaultValue === g.defaultValue)) {
      add(GLOBAL_ARG_REMOVED, now[0]!.instruction, `global ARG ${g.name} default changed from ${g.defaultValue ?? '(none)'} to ${now[0]!.defaultValue ?? '(none)'}`, 'keep the original default');
    }
  }
  return sortFindings(findings);
}
