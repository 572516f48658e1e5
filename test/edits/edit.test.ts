/**
 * The foundation every recipe's change goes through: edits at source ranges, applied together;
 * lines inserted in the file's own line ending; commands taken out of a RUN; positions mapped back
 * to the lines a human knows.
 */
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { SourceText } from '../../src/dockerfile/source.ts';
import { applyEdits, attachedCommentStart, deleteLines, EditConflictError, insertLinesAfter, insertLinesBefore, mapBack, replace } from '../../src/edits/edit.ts';
import { removeCommand, wrapInCondition } from '../../src/edits/shell-edits.ts';
import { editWordList } from '../../src/edits/words.ts';

describe('applyEdits', () => {
  it('applies non-overlapping edits at their ranges; insertions at one offset keep their order', () => {
    const text = 'abcdef';
    expect(applyEdits(text, [replace(4, 6, 'XY', ''), replace(0, 0, '1', ''), replace(0, 0, '2', ''), replace(2, 3, '', '')])).toBe('12abdXY');
  });

  it('refuses overlapping edits instead of guessing', () => {
    expect(() => applyEdits('abcdef', [replace(1, 4, 'x', 'one'), replace(3, 5, 'y', 'two')])).toThrow(EditConflictError);
  });
});

describe('line edits', () => {
  it('insert in the file\'s own line ending, and after a last line without one', () => {
    const crlf = new SourceText('Dockerfile', 'FROM a\r\nRUN b\r\n');
    expect(applyEdits(crlf.text, [insertLinesBefore(crlf, 2, ['ARG X'], '')])).toBe('FROM a\r\nARG X\r\nRUN b\r\n');
    const noEol = new SourceText('Dockerfile', 'FROM a\nRUN b');
    expect(applyEdits(noEol.text, [insertLinesAfter(noEol, 2, ['RUN c'], '')])).toBe('FROM a\nRUN b\nRUN c');
  });

  it('delete whole lines, the last one with the line ending before it', () => {
    const src = new SourceText('Dockerfile', 'FROM a\nRUN b\nRUN c');
    expect(applyEdits(src.text, [deleteLines(src, 3, 3, '')])).toBe('FROM a\nRUN b');
    expect(applyEdits(src.text, [deleteLines(src, 2, 2, '')])).toBe('FROM a\nRUN c');
  });

  it('a comment block belongs to the line below it, parser directives never do', () => {
    const src = new SourceText('Dockerfile', '# syntax=docker/dockerfile:1\n# builder\n# (Go)\nFROM golang AS b\n');
    expect(attachedCommentStart(src, 4)).toBe(2);
  });
});

describe('shell edits', () => {
  const model = parseDockerfile('FROM alpine\nRUN apk add --no-cache \\\n      musl-dev && \\\n    go mod download\nRUN apk add zlib-dev\nRUN make\n');
  const [, first, second] = model.instructions;

  it('takes a command out of an && list with its operator, and a RUN that is all that command', () => {
    const apk = first!.shell!.commands[0]!;
    expect(applyEdits(model.source.text, [removeCommand(model.source, first!, apk, '')!])).toBe('FROM alpine\nRUN go mod download\nRUN apk add zlib-dev\nRUN make\n');
    const only = second!.shell!.commands[0]!;
    expect(applyEdits(model.source.text, [removeCommand(model.source, second!, only, '')!])).toContain('download\nRUN make\n');
  });

  it('wraps a command in a condition', () => {
    const make = model.instructions[3]!.shell!.commands[0]!;
    expect(applyEdits(model.source.text, wrapInCondition(make, '! xx-info is-cross', ''))).toContain('RUN if ! xx-info is-cross; then make; fi\n');
  });

  it('edits a package list in its own layout: one per continued line stays so', () => {
    const m = parseDockerfile('FROM alpine\nRUN apk add \\\n      git \\\n      gcc \\\n      make\n');
    const cmd = m.instructions[1]!.shell!.commands[0]!;
    const pkgs = cmd.args.filter((w) => !w.value.startsWith('-') && w.value !== 'add');
    const out = applyEdits(m.source.text, editWordList(m.source.text, cmd, pkgs, [pkgs[1]!], ['clang'], ''));
    expect(out).toBe('FROM alpine\nRUN apk add \\\n      git \\\n      make \\\n      clang\n');
  });
});

describe('mapBack', () => {
  it('maps positions after two rounds of edits to the original text, insertions to where they were made', () => {
    const original = 'FROM a\nRUN b\nRUN c\n';
    const round1 = [replace(0, 0, 'FROM x AS xx\n', '')];
    const after1 = applyEdits(original, round1);
    const round2 = [replace(after1.indexOf('RUN c'), after1.indexOf('RUN c'), 'ARG T\n', '')];
    const after2 = applyEdits(after1, round2);
    const src = new SourceText('Dockerfile', original);
    const lineOf = (text: string, needle: string) => src.lineOf(mapBack(after2.indexOf(needle), [round1, round2]));
    expect(after2).toBe('FROM x AS xx\nFROM a\nRUN b\nARG T\nRUN c\n');
    expect(lineOf(after2, 'RUN b')).toBe(2);
    expect(lineOf(after2, 'RUN c')).toBe(3);
    expect(lineOf(after2, 'ARG T')).toBe(3);
    expect(lineOf(after2, 'FROM x')).toBe(1);
  });
});
