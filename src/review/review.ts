/**
 * The review: every rule over one Dockerfile model. The codemod calls `reviewDockerfile` on its
 * own output and refuses to write it when an error-level finding exists, so a human's migration
 * and the bot's are judged by the same code.
 */
import { DockerfileFacts } from '../dockerfile/facts.ts';
import { DockerfileError } from '../dockerfile/errors.ts';
import { parseDockerfile, type DockerfileModel } from '../dockerfile/model.ts';
import type { ShellCache } from '../dockerfile/shell.ts';
import { ignoreComments, isIgnored } from '../dockerfile/ignore-comments.ts';
import { ReviewContext } from './context.ts';
import { CHANGE_RULES } from './before-after.ts';
import { sortFindings } from './order.ts';
import { DOCS } from './docs.ts';
import { RULES } from './rules/index.ts';
import type { Finding, ReviewOptions, RuleMeta } from './types.ts';

export type { Finding, ReviewOptions, RuleMeta, Severity } from './types.ts';

/** Not a rule over a model: the file could not be read as a Dockerfile at all. */
export const PARSE_RULE: RuleMeta = {
  id: 'parse',
  severity: 'error',
  title: 'The Dockerfile does not parse',
  docs: DOCS.dockerfileParse,
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
RUNN go mod download
ARG TARGETPLATFORM
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
    pass: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
COPY --from=xx / /
RUN apk add --no-cache file git
WORKDIR /src
COPY . .
RUN go mod download
ARG TARGETPLATFORM
RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/widgetd ./cmd/widgetd
RUN xx-verify --static /out/widgetd
FROM scratch
COPY --from=builder /out/widgetd /usr/local/bin/widgetd
ENTRYPOINT ["widgetd"]
`,
  },
};

/** An ignore comment (dockerfile/ignore-comments.ts) that names no rule, or gives no reason. */
export const IGNORE_COMMENT_RULE: RuleMeta = {
  id: 'ignore-comment',
  severity: 'warning',
  title: 'An ignore comment names no rule of the review, or says no reason',
  docs: 'https://docs.docker.com/reference/dockerfile/#format',
  examples: {
    fail: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
# image-build-migrator ignore=xx-image-not-mirror
FROM --platform=$BUILDPLATFORM registry.example.internal/tonistiigi/xx:1.6.1 AS xx
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
    pass: `ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1
# image-build-migrator ignore=xx-image-not-mirror the build farm pulls only from its own registry, which mirrors xx under this name
FROM --platform=$BUILDPLATFORM registry.example.internal/tonistiigi/xx:1.6.1 AS xx
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
  },
};

/** Rules outside the per-file set (parse, repository-level checks) that formatters describe too. */
export const EXTRA_RULES: RuleMeta[] = [PARSE_RULE, IGNORE_COMMENT_RULE];

/** Every rule id a finding can carry: what an ignore comment may name. */
const KNOWN_RULES: ReadonlySet<string> = new Set([...RULES, ...CHANGE_RULES, PARSE_RULE].map((r) => r.id));

/** Rules whose warnings are errors in the bot's own output (RuleMeta.errorInOwnOutput). */
export const ERROR_IN_OWN_OUTPUT: ReadonlySet<string> = new Set(RULES.filter((r) => r.errorInOwnOutput).map((r) => r.id));

export { sortFindings } from './order.ts';

/** Review a Dockerfile through its facts: the migration hands in the very facts its recipes read. */
export function reviewDockerfile(facts: DockerfileFacts): Finding[] {
  const ctx = new ReviewContext(facts);
  for (const rule of RULES) rule.check(ctx);
  return sortFindings([...withoutIgnored(facts.model, ctx.findings), ...ignoreCommentFindings(facts.model)]);
}

/** The findings an ignore comment of the file does not silence. */
export function withoutIgnored(model: DockerfileModel, findings: Finding[]): Finding[] {
  return findings.filter((f) => !isIgnored(model, f.rule, f.line));
}

function ignoreCommentFindings(model: DockerfileModel): Finding[] {
  const out: Finding[] = [];
  for (const c of ignoreComments(model)) {
    const unknown = c.rules.filter((r) => !KNOWN_RULES.has(r));
    const problem = c.rules.length === 0
      ? 'names no rule (ignore= is empty): it silences nothing'
      : unknown.length
        ? `names ${unknown.map((r) => `"${r}"`).join(', ')}, which ${unknown.length === 1 ? 'is no rule' : 'are no rules'} of the review: ${unknown.length === c.rules.length ? 'it silences nothing' : 'only the others are silenced'}`
        : !c.reason
          ? 'says no reason: the next reader cannot tell why the finding does not apply here'
          : undefined;
    if (!problem) continue;
    out.push({ rule: IGNORE_COMMENT_RULE.id, severity: 'warning', message: `the ignore comment ${problem}`, file: model.source.path, line: c.line, hint: 'write `# image-build-migrator ignore=<rule id> <why it does not apply here>` right above the instruction (the rule ids, and how the comment works: docs/rules/README.md, "Silencing a finding")', docs: IGNORE_COMMENT_RULE.docs });
  }
  return out;
}

/** Review a parsed Dockerfile on its own (the review CLI, a GitHub review): its facts under `opts`. */
export function reviewModel(model: DockerfileModel, opts: ReviewOptions = {}): Finding[] {
  return reviewDockerfile(DockerfileFacts.of(model, opts));
}

/** Parse and review Dockerfile text; a parse failure is one `parse` finding on its line. */
export function reviewText(text: string, path: string, opts: ReviewOptions = {}, shellCache?: ShellCache): Finding[] {
  let model: DockerfileModel;
  try {
    model = parseDockerfile(text, path, shellCache);
  } catch (err) {
    if (!(err instanceof DockerfileError)) throw err;
    return [parseFinding(err)];
  }
  return reviewModel(model, opts);
}

export function parseFinding(err: DockerfileError): Finding {
  return {
    rule: PARSE_RULE.id,
    severity: 'error',
    message: err.problem,
    file: err.file,
    line: err.line ?? 1,
    hint: err.hint || 'fix the Dockerfile syntax',
    docs: PARSE_RULE.docs,
  };
}

export const hasErrors = (findings: Finding[]): boolean => findings.some((f) => f.severity === 'error');
