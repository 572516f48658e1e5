/**
 * The shell view of a RUN gives offsets into the Dockerfile text itself: every edit a recipe
 * makes is placed by them, through line continuations, CRLF, heredocs and embedded comments.
 */
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/model.ts';

const at = (text: string, start: number, end: number) => text.slice(start, end);

describe('shell offsets', () => {
  it('commands, words and assignments sit at their own text, across continuations and CRLF', () => {
    for (const eol of ['\n', '\r\n']) {
      const text = ['FROM golang:1.23', 'RUN set -ex && \\', '    CGO_ENABLED=0 go build \\', '      -o /out/app ./cmd/app && \\', '    install /out/app /usr/local/bin/', ''].join(eol);
      const m = parseDockerfile(text);
      const sh = m.instructions[1]!.shell!;
      const [set, go, install] = sh.commands;
      expect(at(text, set!.start, set!.end)).toBe('set -ex');
      expect(at(text, go!.nameWord!.start, go!.nameWord!.end)).toBe('go');
      expect(at(text, go!.assigns[0]!.start, go!.assigns[0]!.end)).toBe('CGO_ENABLED=0');
      const o = go!.args.find((a) => a.value === '/out/app')!;
      expect(at(text, o.start, o.end)).toBe('/out/app');
      expect(m.source.lineOf(o.start)).toBe(4);
      expect(at(text, install!.start, install!.end)).toBe('install /out/app /usr/local/bin/');
      expect(sh.statements).toHaveLength(1);
      expect(sh.statements[0]!.elements.map((e) => e.op)).toEqual([null, '&&', '&&']);
    }
  });

  it('a comment line inside a continuation is not part of the script, and offsets after it still hold', () => {
    const text = 'FROM alpine\nRUN apk add git \\\n# the compiler\n    gcc && \\\n    make\n';
    const m = parseDockerfile(text);
    const [apk, make] = m.instructions[1]!.shell!.commands;
    expect(apk!.args.map((a) => a.value)).toEqual(['add', 'git', 'gcc']);
    const gcc = apk!.args[2]!;
    expect(at(text, gcc.start, gcc.end)).toBe('gcc');
    expect(at(text, make!.start, make!.end)).toBe('make');
  });

  it('a heredoc RUN: commands of the body at their lines of the file', () => {
    const text = 'FROM alpine\nRUN <<EOF\nset -e\ngo build -o /out/x .\nEOF\n';
    const m = parseDockerfile(text);
    const go = m.instructions[1]!.shell!.commands.find((c) => c.name === 'go')!;
    expect(at(text, go.start, go.end)).toBe('go build -o /out/x .');
    expect(m.source.lineOf(go.start)).toBe(4);
  });

  it('variable references point at the name, in RUN and in Dockerfile substitution', () => {
    const text = 'FROM alpine\nARG TARGETARCH\nADD https://example.com/tool-${TARGETARCH}.tar /opt/\nRUN echo "$TARGETARCH"\n';
    const m = parseDockerfile(text);
    const add = m.instructions[2]!.vars[0]!;
    expect(at(text, add.start, add.end)).toBe('TARGETARCH');
    const ref = m.instructions[3]!.shell!.varRefs[0]!;
    expect(at(text, ref.start, ref.end)).toBe('TARGETARCH');
  });
});
