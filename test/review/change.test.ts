import { DockerfileFacts } from '../../src/dockerfile/facts.ts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { reviewChange } from '../../src/review/change.ts';
import { df, review, show } from './helpers.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const before = fixture('widget-before.Dockerfile');
const after = fixture('widget-correct.Dockerfile');
const change = (b: string, a: string, targets?: string[]) => reviewChange(DockerfileFacts.of(parseDockerfile(b, 'Dockerfile'), { targets }), DockerfileFacts.of(parseDockerfile(a, 'Dockerfile'), { targets }));

describe('reviewChange', () => {
  it('accepts the seed-style migration of the un-migrated file', () => {
    expect(show(change(before, after))).toBe('');
    // and the un-migrated file itself is what the review flags
    expect(review(before).filter((f) => f.severity === 'error').map((f) => f.rule)).toContain('compile-left-emulated');
  });

  it('final-stage-changed: platform, COPY destination, ENTRYPOINT', () => {
    const moved = after.replace('FROM ${BCI_IMAGE}', 'FROM --platform=$BUILDPLATFORM ${BCI_IMAGE}');
    expect(change(before, moved).map((f) => [f.rule, f.line])).toEqual([['final-stage-changed', 39]]);
    const dest = after.replace('COPY --from=strip_binary /widgetd /usr/local/bin/widgetd', 'COPY --from=strip_binary /widgetd /usr/bin/widgetd');
    const [d] = change(before, dest);
    expect(d!.message).toContain('lost: /usr/local/bin/widgetd');
    const entry = after.replace('ENTRYPOINT ["widgetd"]', 'ENTRYPOINT ["/usr/local/bin/widgetd"]');
    expect(change(before, entry).map((f) => [f.rule, f.line])).toEqual([['final-stage-changed', 42]]);
  });

  it('final-stage-changed: a named leaf or --target renamed or gone', () => {
    const b = df`
      FROM golang:1.22 AS build
      RUN go build -o /x .
      FROM alpine AS operator
      COPY --from=build /x /x
      LABEL org.opencontainers.image.title=operator
    `;
    expect(change(b, b.replace('AS operator', 'AS Operator')).map((f) => f.rule)).toEqual(['final-stage-changed']);
    expect(change(b, b.replace('AS operator', 'AS op'))[0]!.message).toContain('gone');
    expect(change(b, b.replace('title=operator', 'title=op'))[0]!.message).toContain('LABEL');
    // --target build is final too: moving it to $BUILDPLATFORM breaks the invariant
    expect(change(b, b.replace('FROM golang:1.22 AS build', 'FROM --platform=$BUILDPLATFORM golang:1.22 AS build'), ['build']).map((f) => [f.rule, f.line])).toEqual([['final-stage-changed', 1]]);
  });

  it('global-arg-removed: other global ARGs stay, ARCH may go', () => {
    expect(change(before, after.replace('ARG BCI_IMAGE=registry.suse.com/bci/bci-base\n', '')).map((f) => f.rule)).toContain('global-arg-removed');
    expect(change(before, after.replace('v1.22.5b1', 'v1.23.0b1')).map((f) => [f.rule, f.line])).toEqual([['global-arg-removed', 3]]);
  });
});
