// What a build reads from its context, from the model: COPY/ADD sources, bind mounts.
import { describe, expect, it } from 'vitest';
import { contextReads } from '../../src/dockerfile/context-reads.ts';
import { parseDockerfile } from '../../src/dockerfile/model.ts';

const reads = (text: string) => contextReads(parseDockerfile(text));

describe('contextReads', () => {
  it('COPY and ADD sources in plain and JSON form, not the destination, not --from copies, URLs or heredocs', () => {
    expect(
      reads(
        [
          'FROM golang AS b',
          'COPY go.mod go.sum ./',
          'COPY ["cmd/app", "/src/cmd/app"]',
          'ADD --chown=1:1 vendor.tar.gz /src/',
          'ADD https://example.invalid/x.tgz /x.tgz',
          'ADD git@example.invalid:org/repo.git /repo',
          'COPY <<EOF /etc/x.conf',
          'a=1',
          'EOF',
          'FROM scratch',
          'COPY --from=b /out /out',
          '',
        ].join('\n'),
      ),
    ).toEqual({ sources: ['go.mod', 'go.sum', 'cmd/app', 'vendor.tar.gz'], whole: false });
  });

  it('bind mounts of the context (bind is the default type; no source is the whole context), not cache, secret or stage mounts', () => {
    expect(
      reads(
        [
          'FROM golang AS b',
          'RUN --mount=type=bind,source=go.sum,target=/src/go.sum --mount=type=cache,target=/root/.cache go mod download',
          'RUN --mount=target=/src go build ./...',
          'RUN --mount=type=secret,id=token --mount=from=b,source=/out,target=/in true',
          '',
        ].join('\n'),
      ),
    ).toEqual({ sources: ['go.sum', '.'], whole: false });
  });

  it('a computed source stands for the whole context', () => {
    expect(reads('FROM golang\nARG SRC=cmd\nCOPY ${SRC} /src\n')).toEqual({ sources: [], whole: true });
  });
});

describe('contextReads for a target', () => {
  const text = [
    'ARG GO_IMAGE=golang:1.22',
    'FROM ${GO_IMAGE} AS builder',
    'COPY go.mod ./',
    'FROM builder AS build-one',
    'COPY one/ one/',
    'FROM builder AS build-two',
    'COPY two/ two/',
    'FROM scratch AS one',
    'COPY --from=build-one /out /out',
    'COPY LICENSE /',
    'FROM scratch AS two',
    'COPY --from=build-two /out /out',
    '',
  ].join('\n');

  it('reads only the stages the target needs: itself, its bases, what it copies from; the default target is the last stage', () => {
    const model = parseDockerfile(text);
    expect(contextReads(model, 'one')).toEqual({ sources: ['go.mod', 'one/', 'LICENSE'], whole: false });
    expect(contextReads(model, 'two')).toEqual({ sources: ['go.mod', 'two/'], whole: false });
    expect(contextReads(model)).toEqual(contextReads(model, 'two'));
  });

  it('a base or --from the model cannot resolve could be any stage: every stage is read', () => {
    const all = ['go.mod', 'one/', 'two/', 'LICENSE'];
    expect(contextReads(parseDockerfile(text.replace('COPY --from=build-two', 'COPY --from=${STAGE}')), 'two').sources).toEqual(all);
    expect(contextReads(parseDockerfile(text.replace('FROM scratch AS two', 'ARG BASE\nFROM ${BASE} AS two')), 'two').sources).toEqual(all);
  });
});
