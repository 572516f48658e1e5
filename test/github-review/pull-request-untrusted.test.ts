// Issue 20, item 4 in `review --pr`: file names and the commands the findings quote, in the inline
// comments and the review body.
import { describe, expect, it } from 'vitest';
import { parseRepoName } from '../../src/config/names.ts';
import type { NewReview, Platform } from '../../src/platform/types.ts';
import { reviewPullRequest } from '../../src/github-review/pull-request.ts';
import { HOSTILE, PROBE } from '../helpers/hostile.ts';
import { expectInert } from '../helpers/untrusted-checks.ts';

const REPO = parseRepoName('rancher/image-build-thing');

/** A Dockerfile whose findings quote `binary` (unguarded-cross-binary-run quotes the command). */
const dockerfile = (binary: string) => `FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM golang:1.22 AS builder
COPY --from=xx / /
ARG TARGETPLATFORM
RUN xx-go --wrap && go build -o '${binary}' ./cmd && install -s '${binary}' /usr/bin/x
RUN '${binary}' --version
FROM scratch
COPY --from=builder '${binary}' /x
`;

/** Just what `reviewPullRequest` asks of GitHub: one PR, the given files, nothing posted yet. */
function platformWith(files: Record<string, { text: string; patch: string }>): { platform: Platform; posted: NewReview[] } {
  const posted: NewReview[] = [];
  const platform = {
    login: async () => 'image-build-migrator[bot]',
    getPull: async () => ({ number: 1, headSha: 'c'.repeat(40) }),
    listPullFiles: async () => Object.entries(files).map(([filename, f]) => ({ filename, status: 'modified', patch: f.patch })),
    getFile: async (_r: unknown, p: string) => files[p]?.text,
    listFolder: async () => [],
    listReviewComments: async () => [],
    listReviews: async () => [],
    createReview: async (_r: unknown, _n: number, review: NewReview) => void posted.push(review),
  } as unknown as Platform;
  return { platform, posted };
}

describe('review --pr with hostile file names and commands', () => {
  for (const [name, v] of Object.entries(HOSTILE) as [keyof typeof HOSTILE, string][]) {
    it(`${name}: no comment, box, mention or tag of the value's own in the comments or the review body`, async () => {
      // Line 6 (the quoted command) is in the diff: an inline comment; the others go in the body.
      const binary = v.replace(/[\n']/g, ' ');
      const { platform, posted } = platformWith({ [`${v}/Dockerfile`]: { text: dockerfile(binary), patch: '@@ -6,1 +6,1 @@\n-RUN old\n+RUN new' } });
      const r = await reviewPullRequest(platform, { repo: REPO, number: 1 });
      expect(r.inline).toBeGreaterThan(0);
      expect(r.inBody).toBeGreaterThan(0);
      const [review] = posted;
      const all = [review!.body, ...review!.comments.map((c) => c.body)].join('\n');
      expect(all.split(PROBE[name]).length).toBeGreaterThan(r.inline + r.inBody);
      expectInert(review!.body, { comments: Array(r.inBody).fill(/^- <!-- image-build-migrator:finding [0-9a-f]{16} --> /) }, `${name}, review body`);
      for (const c of review!.comments) expectInert(c.body, { comments: [/^<!-- image-build-migrator:finding [0-9a-f]{16} -->$/] }, `${name}, inline comment`);
    });
  }
});
