// `review --pr` through the real CLI against the local GitHub: inline comments on the diff,
// suggestions for mechanical fixes, the rest in the review body, nothing posted twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { clearSecrets } from '../../src/secrets/redact.ts';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { Capture } from '../helpers/streams.ts';

const TOKEN = ['ghp', 'reviewTestToken0123456789abcdefABCDEFG'].join('_');
const REPO = 'rancher/image-build-thing';

const base = `FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM rancher/hardened-build-base:v1.23.4b1 as builder
COPY --from=xx / /
RUN apk add --no-cache git make file
ENV CGO_ENABLED=0
# The source comes from upstream at a pinned tag.
# (Comment lines keep the casing finding above
# outside the three lines of context
# that the diff shows around the change.)
WORKDIR /src
ARG TARGETPLATFORM
RUN xx-go build -o bin/thing .
RUN install bin/thing /usr/local/bin/thing && xx-verify /usr/local/bin/thing
FROM scratch
COPY --from=builder /usr/local/bin/thing /thing
`;
const head = base
  .replace('RUN xx-go build -o bin/thing .', 'RUN xx-go --wrap \\\n    go build -o bin/thing .')
  .replace('RUN install bin/thing', 'RUN install -s bin/thing');

describe('review --pr OWNER/REPO#N', () => {
  let gh: LocalGitHub;
  beforeAll(async () => {
    gh = await LocalGitHub.start({ tokens: { [TOKEN]: 'image-build-migrator[bot]' } });
    gh.addRepo(REPO, { Dockerfile: base, 'README.md': 'x\n' });
    gh.commit(REPO, 'contributor/patch', { Dockerfile: head, 'README.md': 'y\n' });
    gh.openPull(REPO, 'contributor/patch', 'Speed up the build');
  });
  afterAll(() => gh.close());

  const review = async (ref = `${REPO}#1`) => {
    const out = new Capture();
    const err = new Capture();
    const code = await main(['review', '--pr', ref], out, err, { PATH: process.env.PATH, GITHUB_API_URL: gh.url, GITHUB_TOKEN: TOKEN, GITHUB_WRITE_SPACING_MS: '0' });
    clearSecrets();
    return { code, out: out.text, err: err.text };
  };

  it('posts one review: inline comments on diff lines with one-click suggestions, the others in the body', async () => {
    const r = await review();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/posted 2 inline and 1 in the review body, 0 already posted/);
    const pr = gh.pull(REPO, 1);
    expect(pr.reviews).toHaveLength(1);
    expect(pr.reviews[0]!.state).toBe('COMMENTED');
    expect(pr.reviews[0]!.body).toMatch(/On lines outside this diff:[\s\S]*`Dockerfile:2` \*\*warning\*\* `from-as-casing`/);
    const byRule = Object.fromEntries(pr.reviewComments.map((c) => [c.body.match(/`([a-z-]+)`/)![1], c]));
    expect(Object.keys(byRule).sort()).toEqual(['host-strip-cross-output', 'xx-go-wrap-swallows-command']);
    expect(byRule['xx-go-wrap-swallows-command']).toMatchObject({ path: 'Dockerfile', line: 12 });
    expect(byRule['xx-go-wrap-swallows-command']!.body).toContain('```suggestion\nRUN xx-go --wrap && \\\n```');
    expect(byRule['host-strip-cross-output']).toMatchObject({ line: 14 });
    expect(byRule['host-strip-cross-output']!.body).toContain('```suggestion\nRUN install bin/thing /usr/local/bin/thing && xx-verify /usr/local/bin/thing\n```');
    gh.assertClean();
  });

  it('a re-run posts nothing already posted, and touches nothing a human wrote', async () => {
    gh.pull(REPO, 1).reviewComments.push({ id: 9999, review_id: 1, path: 'Dockerfile', line: 12, body: 'a human note', user: 'a-maintainer', commit_id: 'x' });
    const writes = gh.writeCalls().length;
    const r = await review();
    expect(r.out).toMatch(/posted 0 inline and 0 in the review body, 3 already posted earlier/);
    expect(gh.writeCalls().length).toBe(writes);
    expect(gh.pull(REPO, 1).reviewComments.find((c) => c.id === 9999)!.body).toBe('a human note');
  });

  it('a malformed reference is a usage error', async () => {
    const r = await review('rancher/image-build-thing/1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/write OWNER\/REPO#NUMBER/);
  });
});
