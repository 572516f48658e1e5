/**
 * A default on an automatic platform ARG (`ARG TARGETARCH=amd64`) is taken as a value the user
 * set: every platform of the build then gets the default (docker/buildx#510). The recipe
 * `platform-arg-default` fixes exactly what this rule reports (src/dockerfile/shared-checks.ts).
 */
import { platformArgDefaults } from '../../dockerfile/shared-checks.ts';
import { DOCS } from '../docs.ts';
import type { ReviewContext } from '../context.ts';
import type { Rule } from '../rule.ts';

export const platformArgDefault: Rule = {
  id: 'platform-arg-default',
  severity: 'error',
  title: 'An automatic platform ARG has a default, so every platform builds with it',
  docs: DOCS.platformArgs,
  examples: {
    fail: `ARG BCI_IMAGE=registry.suse.com/bci/bci-busybox:15.6
FROM \${BCI_IMAGE}
ARG KUBECTL_VERSION=v1.30.2
ARG TARGETARCH=amd64
ADD --chmod=755 https://dl.k8s.io/release/\${KUBECTL_VERSION}/bin/linux/\${TARGETARCH}/kubectl /usr/local/bin/kubectl
USER 65534
ENTRYPOINT ["kubectl"]
`,
    pass: `ARG BCI_IMAGE=registry.suse.com/bci/bci-busybox:15.6
FROM \${BCI_IMAGE}
ARG KUBECTL_VERSION=v1.30.2
ARG TARGETARCH
ADD --chmod=755 https://dl.k8s.io/release/\${KUBECTL_VERSION}/bin/linux/\${TARGETARCH}/kubectl /usr/local/bin/kubectl
USER 65534
ENTRYPOINT ["kubectl"]
`,
  },
  check(ctx: ReviewContext) {
    for (const d of platformArgDefaults(ctx.model)) {
      ctx.report(
        this,
        { start: d.start - d.decl.name.length, end: d.end },
        `ARG ${d.decl.name}=${d.decl.defaultValue}: with a default, BuildKit uses "${d.decl.defaultValue}" for every target platform instead of setting ${d.decl.name} per platform (docker/buildx#510)`,
        `write "ARG ${d.decl.name}" without a default: BuildKit sets it for each platform`,
      );
    }
  },
};
