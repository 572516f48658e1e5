/**
 * BuildKit's own Dockerfile checks (`docker buildx build --check`) that a migration could add or
 * that a hand migration often trips: the output must not add any.
 */
import { asCasingFix } from '../../dockerfile/shared-checks.ts';
import { scanVarRefs } from '../../dockerfile/vars.ts';
import { DOCS } from '../docs.ts';
import { PLATFORM_ARGS, type ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';
import { CLEAN_CROSS_BUILD } from '../examples.ts';

export const fromAsCasing: Rule = {
  id: 'from-as-casing',
  severity: 'warning',
  title: "FROM and AS keywords' casing do not match (FromAsCasing)",
  docs: DOCS.check('from-as-casing'),
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} as builder
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
    for (const stage of ctx.model.stages) {
      const fix = asCasingFix(stage);
      if (!fix) continue;
      const from = stage.from.keywordRaw;
      ctx.report(this, fix.as, `'${fix.as.text}' and '${from}' keywords' casing do not match`, `write "${fix.want}" to match "${from}"`);
    }
  },
};

export const fromPlatformFlagConst: Rule = {
  id: 'from-platform-flag-const-disallowed',
  severity: 'warning',
  title: 'FROM --platform uses a constant value (FromPlatformFlagConstDisallowed)',
  docs: DOCS.check('from-platform-flag-const-disallowed'),
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=linux/amd64 \${GO_IMAGE} AS builder
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
    for (const stage of ctx.model.stages) {
      const flag = stage.platformFlag;
      if (!flag || flag.value.includes('$')) continue;
      // BuildKit accepts a constant when the stage name says which platform it is for.
      const arch = flag.value.split('/')[1];
      if (arch && stage.name?.toLowerCase().includes(arch.toLowerCase())) continue;
      ctx.report(
        this,
        flag,
        `FROM --platform flag should not use a constant value ("${flag.value}"): stage ${ctx.stageLabel(stage)} runs on that platform whatever the build targets`,
        'use --platform=$BUILDPLATFORM (and cross-compile) for build stages; leave final stages without --platform',
      );
    }
  },
};

export const redundantTargetPlatform: Rule = {
  id: 'redundant-target-platform',
  severity: 'warning',
  title: 'Setting --platform to $TARGETPLATFORM is redundant (RedundantTargetPlatform)',
  docs: DOCS.check('redundant-target-platform'),
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
RUN xx-verify --static /out/widgetd
FROM --platform=$TARGETPLATFORM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
    pass: CLEAN_CROSS_BUILD,
  },
  check(ctx: ReviewContext) {
    for (const stage of ctx.model.stages) {
      const flag = stage.platformFlag;
      if (!flag || !/^\$\{?TARGETPLATFORM\}?$/.test(flag.value)) continue;
      ctx.report(this, flag, `Setting platform to predefined ${flag.value} in FROM is redundant as this is the default behavior`, 'remove the --platform flag');
    }
  },
};

export const duplicateStageName: Rule = {
  id: 'duplicate-stage-name',
  severity: 'error',
  title: 'Stage names must be unique (DuplicateStageName)',
  docs: DOCS.check('duplicate-stage-name'),
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
COPY . /src
ARG TARGETPLATFORM
RUN cd /src && xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM \${GO_IMAGE} AS builder
COPY --from=builder /out/widgetd /widgetd
RUN strip /widgetd
FROM scratch
COPY --from=builder /widgetd /usr/local/bin/widgetd
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
COPY --from=builder /out/widgetd /widgetd
RUN strip /widgetd
FROM scratch
COPY --from=strip_binary /widgetd /usr/local/bin/widgetd
`,
  },
  check(ctx: ReviewContext) {
    const seen = new Map<string, number>();
    for (const stage of ctx.model.stages) {
      if (!stage.name || !stage.nameRange) continue;
      const key = stage.name.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.report(this, stage.nameRange, `duplicate stage name "${stage.name}" (first defined at line ${first}): COPY --from and FROM cannot tell them apart`, 'rename one of the stages');
      } else seen.set(key, stage.from.line);
    }
  },
};

export const stageNameCasing: Rule = {
  id: 'stage-name-casing',
  severity: 'warning',
  title: 'Stage names should be lowercase (StageNameCasing)',
  docs: DOCS.check('stage-name-casing'),
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS Builder
COPY --from=xx / /
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
ARG TARGETPLATFORM
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM scratch
COPY --from=Builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
    pass: CLEAN_CROSS_BUILD,
  },
  check(ctx: ReviewContext) {
    for (const stage of ctx.model.stages) {
      if (!stage.name || !stage.nameRange || stage.name === stage.name.toLowerCase()) continue;
      ctx.report(this, stage.nameRange, `Stage name '${stage.name}' should be lowercase`, `rename it to "${stage.name.toLowerCase()}" (and its references)`);
    }
  },
};

export const undefinedArgInFrom: Rule = {
  id: 'undefined-arg-in-from',
  severity: 'warning',
  title: 'FROM uses an ARG that is not declared before the first FROM (UndefinedArgInFrom)',
  docs: DOCS.check('undefined-arg-in-from'),
  examples: {
    fail: `FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
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
    const globals = new Set(ctx.model.globalArgs.map((a) => a.name));
    const text = ctx.model.source.text;
    for (const stage of ctx.model.stages) {
      const refs = [...stage.from.vars];
      if (stage.platformFlag) refs.push(...scanVarRefs(text, stage.platformFlag.start, stage.platformFlag.end, ctx.model.escapeChar));
      for (const r of refs) {
        if (globals.has(r.name) || PLATFORM_ARGS.includes(r.name)) continue;
        ctx.report(this, r, `FROM argument '${r.name}' is not declared`, `declare "ARG ${r.name}" (with a default) before the first FROM`);
      }
    }
  },
};
