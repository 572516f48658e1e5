// `review --pr` through the real CLI against the local GitHub: inline comments on the diff,
// suggestions for mechanical fixes, the rest in the review body, nothing posted twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { reviewText } from '../../src/review/review.ts';
import { clearSecrets } from '../../src/secrets/redact.ts';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { Capture } from '../helpers/streams.ts';
import { NO_PACING } from '../helpers/pacing.ts';

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
    const code = await main(['review', '--pr', ref], out, err, { PATH: process.env.PATH, GITHUB_API_URL: gh.url, GITHUB_TOKEN: TOKEN, ...NO_PACING });
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
    // Dropping -s alone would ship unstripped binaries (the strip stage is no one-line fix): explained, no suggestion.
    expect(byRule['host-strip-cross-output']!.body).not.toContain('```suggestion');
    expect(byRule['host-strip-cross-output']!.body).toMatch(/\*\*error\*\* `host-strip-cross-output`: .+\n\n.+\(\[docs\]/);
    gh.assertClean();
  });

  it('one suggestion per line: two fixable findings on one line share one suggestion that fixes both', async () => {
    const both = head.replace('ARG TARGETPLATFORM\n', '');
    gh.commit(REPO, 'contributor/both', { Dockerfile: both, 'README.md': 'z\n' });
    const pr = gh.openPull(REPO, 'contributor/both', 'No target ARG');
    const r = await review(`${REPO}#${pr.number}`);
    expect(r.code).toBe(1);
    const onLine = gh.pull(REPO, pr.number).reviewComments.filter((c) => c.line === 11);
    const rules = onLine.map((c) => c.body.match(/`([a-z-]+)`/)![1]);
    expect(rules).toEqual(['xx-go-wrap-swallows-command', 'xx-without-target-arg']);
    const blocks = onLine.flatMap((c) => c.body.match(/```suggestion\n[\s\S]*?\n```/g) ?? []);
    // The ARG above, and the continuation fixed: applying it alone leaves neither finding.
    expect(blocks).toEqual(['```suggestion\nARG TARGETPLATFORM\nRUN xx-go --wrap && \\\n```']);
    expect(onLine[0]!.body).toContain('This suggestion also fixes `xx-without-target-arg` on this line.');
    expect(onLine[1]!.body).toContain('The suggestion in the `xx-go-wrap-swallows-command` comment on this line fixes this too.');
    // Applied as GitHub applies it (line 11 replaced by the block), it leaves neither finding.
    const lines = both.split('\n');
    lines.splice(10, 1, ...blocks[0]!.split('\n').slice(1, -1));
    const after = reviewText(lines.join('\n'), 'Dockerfile').map((f) => f.rule);
    expect(after).not.toContain('xx-go-wrap-swallows-command');
    expect(after).not.toContain('xx-without-target-arg');
    expect(reviewText(both, 'Dockerfile').map((f) => f.rule)).toContain('xx-without-target-arg');
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

  it('a contributor\'s comments carrying the bot\'s finding markers suppress nothing: markers count only in what the bot posted', async () => {
    // The same change in a second PR; a contributor copies the bot's comments and review from #1 onto it.
    gh.commit(REPO, 'contributor/copy', { Dockerfile: head, 'README.md': 'y\n' });
    const copy = gh.openPull(REPO, 'contributor/copy', 'The same change');
    const first = gh.pull(REPO, 1);
    const bot = first.reviews[0]!;
    expect(bot.user).toBe('image-build-migrator[bot]');
    copy.reviews.push({ ...bot, id: 7001, user: 'a-contributor' });
    for (const [i, c] of first.reviewComments.filter((x) => x.user === bot.user).entries()) copy.reviewComments.push({ ...c, id: 7100 + i, review_id: 7001, user: 'a-contributor' });
    expect(copy.reviewComments.length).toBe(2);
    const r = await review(`${REPO}#${copy.number}`);
    expect(r.out).toMatch(/posted 2 inline and 1 in the review body, 0 already posted/);
    expect(gh.pull(REPO, copy.number).reviews.map((x) => x.user)).toEqual(['a-contributor', 'image-build-migrator[bot]']);
    // And the bot's own markers still count: a re-run posts nothing new.
    expect((await review(`${REPO}#${copy.number}`)).out).toMatch(/posted 0 inline and 0 in the review body, 3 already posted earlier/);
    gh.assertClean();
  });

  it('many findings: at most 50 inline, the body within 65,536 characters, and both say what was left out', async () => {
    const stages = (from: number, n: number) => Array.from({ length: n }, (_, i) => `FROM scratch as stage${from + i}\n`).join('');
    gh.addRepo('rancher/image-build-many', { Dockerfile: stages(0, 2000) });
    gh.commit('rancher/image-build-many', 'contributor/more', { Dockerfile: stages(0, 2000) + stages(2000, 120) });
    gh.openPull('rancher/image-build-many', 'contributor/more', 'More stages');
    const r = await review('rancher/image-build-many#1');
    const summary = r.out.trim().split('\n').at(-1)!;
    // 3 lines of context above the 120 added ones are diff lines too: 123 on the diff, 1997 outside.
    expect(summary).toMatch(/1 Dockerfile\(s\) reviewed, 2120 finding\(s\); posted 50 inline and \d+ in the review body/);
    const inBody = Number(/and (\d+) in the review body/.exec(summary)![1]);
    expect(inBody).toBeGreaterThan(100);
    expect(inBody).toBeLessThan(1997);
    const pr = gh.pull('rancher/image-build-many', 1);
    expect(pr.reviews).toHaveLength(1);
    expect(pr.reviewComments).toHaveLength(50);
    const body = pr.reviews[0]!.body;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain('73 more findings on lines of this diff are not posted as comments (at most 50 per review)');
    expect(body).toContain(`… and ${1997 - inBody} more findings outside this diff, left out: GitHub limits a review body to 65,536 characters.`);
    gh.assertClean();
  });

  it('a Dockerfile over the size limit is named in the review, not reviewed', async () => {
    gh.addRepo('rancher/image-build-huge', { Dockerfile: 'FROM scratch\n' });
    gh.commit('rancher/image-build-huge', 'contributor/huge', { Dockerfile: `FROM scratch as big\n${'# padding\n'.repeat(110_000)}` });
    gh.openPull('rancher/image-build-huge', 'contributor/huge', 'A huge file');
    const r = await review('rancher/image-build-huge#1');
    expect(r.out).toMatch(/0 Dockerfile\(s\) reviewed, 0 finding\(s\)/);
    expect(r.err).toContain('warning: not reviewed, over the size limit: Dockerfile (1,100,020 characters)');
    expect(gh.pull('rancher/image-build-huge', 1).reviews[0]!.body).toContain('Not reviewed, over the 1,000,000-character limit: `Dockerfile (1,100,020 characters)`.');
  });

  it('a token that may not post (a fork\'s pull request): exit 3 with an annotation, not a green step', async () => {
    gh.addRepo('rancher/image-build-fork', { Dockerfile: base });
    gh.commit('rancher/image-build-fork', 'contributor/patch', { Dockerfile: head });
    gh.openPull('rancher/image-build-fork', 'contributor/patch', 'From a fork');
    gh.api.fail({ operationId: 'pulls/create-review', response: { status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' } } });
    const r = await review('rancher/image-build-fork#1');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/error: could not post the review on rancher\/image-build-fork#1: GitHub answered 403 \(a pull request from a fork gets a read-only token/);
    expect(gh.pull('rancher/image-build-fork', 1).reviews).toEqual([]);
  });

  it('a malformed reference is a usage error', async () => {
    const r = await review('rancher/image-build-thing/1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/write OWNER\/REPO#NUMBER/);
  });
});

describe('review --pr reads the head\'s build files as migrate and a folder review do', () => {
  // cgo is on only through the build-arg the build files pass; the Dockerfile alone has it off.
  const dockerfile = (tag: string) => `FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
FROM --platform=$BUILDPLATFORM golang:1.23-alpine AS builder
COPY --from=xx / /
RUN apk add --no-cache clang lld file
ARG CGO_ENABLED
COPY . /src
WORKDIR /src
ARG TARGETPLATFORM
RUN xx-go --wrap && go build -ldflags "-X main.version=${tag}" -o /out/lever ./cmd/lever
RUN xx-verify /out/lever
FROM scratch
COPY --from=builder /out/lever /lever
`;
  const makefile = 'image:\n\tdocker buildx build --platform linux/amd64,linux/arm64 --build-arg CGO_ENABLED=1 -t example/lever .\n';
  const workflow = ['jobs:', '  image:', '    runs-on: ubuntu-latest', '    steps:', '      - uses: docker/build-push-action@v6', '        with:', '          build-args: |', '            CGO_ENABLED=1', ''].join('\n');
  let gh: LocalGitHub;
  beforeAll(async () => {
    gh = await LocalGitHub.start({ tokens: { [TOKEN]: 'image-build-migrator[bot]' } });
    gh.addRepo('rancher/image-build-lever', { Dockerfile: dockerfile('v1'), Makefile: makefile });
    gh.commit('rancher/image-build-lever', 'bump', { Dockerfile: dockerfile('v2'), Makefile: makefile });
    gh.openPull('rancher/image-build-lever', 'bump', 'Bump lever');
    gh.addRepo('rancher/image-build-lever-ci', { Dockerfile: dockerfile('v1'), '.github/workflows/image.yml': workflow, '.github/workflows/notes.txt': 'not a workflow\n' });
    gh.commit('rancher/image-build-lever-ci', 'bump', { Dockerfile: dockerfile('v2'), '.github/workflows/image.yml': workflow, '.github/workflows/notes.txt': 'not a workflow\n' });
    gh.openPull('rancher/image-build-lever-ci', 'bump', 'Bump lever');
    gh.addRepo('rancher/image-build-lever-plain', { Dockerfile: dockerfile('v1') });
    gh.commit('rancher/image-build-lever-plain', 'bump', { Dockerfile: dockerfile('v2') });
    gh.openPull('rancher/image-build-lever-plain', 'bump', 'Bump lever');
  });
  afterAll(() => gh.close());

  const review = async (repo: string) => {
    const out = new Capture();
    const code = await main(['review', '--pr', `${repo}#1`], out, new Capture(), { PATH: process.env.PATH, GITHUB_API_URL: gh.url, GITHUB_TOKEN: TOKEN, ...NO_PACING });
    clearSecrets();
    return { code, errors: out.text.split('\n').filter((l) => / error /.test(l)) };
  };

  it('a Makefile --build-arg CGO_ENABLED=1 makes the cgo finding, as in a folder review', async () => {
    const r = await review('rancher/image-build-lever');
    expect(r.errors).toEqual([expect.stringMatching(/^Dockerfile:9: error cgo-without-target-libs: /)]);
    expect(r.code).toBe(1);
    gh.assertClean();
  });

  it('so does a workflow\'s build-args (the folder is listed through the contents API)', async () => {
    const r = await review('rancher/image-build-lever-ci');
    expect(r.errors).toEqual([expect.stringMatching(/^Dockerfile:9: error cgo-without-target-libs: /)]);
    gh.assertClean();
  });

  it('without build files the same Dockerfile has cgo off: no error', async () => {
    const r = await review('rancher/image-build-lever-plain');
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
  });
});
