/**
 * A comment that says a stage is kept emulated must be true: a stage built FROM a builder that
 * runs on $BUILDPLATFORM inherits the build platform, so its C (or its native Go build) is built
 * for the build machine while the comment says it runs on the target (issue 7, item 6).
 */
import { lineage } from '../../dockerfile/model.ts';
import { DOCS } from '../docs.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

export const emulatedNoteOnBuildPlatform: Rule = {
  id: 'emulated-note-on-build-platform',
  severity: 'error',
  title: 'A stage marked "kept emulated" runs on the build platform',
  docs: DOCS.emulation,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
# kept emulated: the probe loader is C, built with make for the target
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS loader
RUN apk add --no-cache gcc make musl-dev
COPY loader /src/loader
RUN make -C /src/loader
FROM scratch
COPY --from=loader /src/loader/loader /usr/local/bin/loader
ENTRYPOINT ["loader"]
`,
    pass: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
# kept emulated: the probe loader is C, built with make for the target
FROM \${GO_IMAGE} AS loader
RUN apk add --no-cache gcc make musl-dev
COPY loader /src/loader
RUN make -C /src/loader
FROM scratch
COPY --from=loader /src/loader/loader /usr/local/bin/loader
ENTRYPOINT ["loader"]
`,
  },
  check(ctx: ReviewContext) {
    for (const f of ctx.analysis.facts.values()) {
      if (!f.markedEmulated || f.stage.platform !== 'build' || (f.compiles.length === 0 && f.cBuilds.length === 0)) continue;
      const site = lineage(f.stage).find((s) => s.platformFlag) ?? f.stage;
      const where = site === f.stage ? '' : ` through its base stage ${ctx.stageLabel(site)}`;
      ctx.reportStage(
        this,
        f.stage,
        `stage ${ctx.stageLabel(f.stage)} is marked as kept emulated but runs on the build platform${where}: what it builds is built for the build machine, not the target`,
        `start the stage from the builder's image for the target (FROM <image> AS ${f.stage.name ?? 'name'}, no --platform) and copy the sources from the builder, or cross-compile it and drop the comment`,
      );
    }
  },
};
