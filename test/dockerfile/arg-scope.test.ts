/**
 * ARG scope as BuildKit has it (both engines of this machine agree; test/timing/e2e/build.e2e.ts
 * builds the same shapes and checks what they print): a stage sees its own ARGs after their line
 * and, when it is `FROM <stage>`, every ARG in scope at the end of that stage, transitively. The
 * one place that answers it is argInScope (model.ts); envAt reads it for values.
 */
import { describe, expect, it } from 'vitest';
import { argInScope, parseDockerfile, type Stage } from '../../src/dockerfile/model.ts';
import { envAt } from '../../src/dockerfile/env.ts';

// The experiment the lead ran, with a grandchild, a global, and a FROM <image> stage added.
const TEXT = [
  'ARG G=global',
  'FROM --platform=$BUILDPLATFORM busybox:1.35 AS base',
  'ARG TARGETARCH',
  'ARG TARGETPLATFORM',
  'ARG X=from-parent',
  'ARG G=parent-g',
  'FROM base AS child',
  'RUN echo "$TARGETARCH $X $G"',
  'FROM base AS child2',
  'ARG X',
  'ARG G',
  'RUN echo "$X $G"',
  'FROM child AS grand',
  'RUN echo "$X"',
  'FROM busybox:1.35 AS image',
  'RUN echo "$X $TARGETARCH"',
  'ARG X',
  'RUN echo "$X"',
  '',
].join('\n');

const model = parseDockerfile(TEXT);
const stage = (name: string) => model.stages.find((s) => s.name === name)!;
/** The RUN on 1-based line `line` of the file. */
const run = (s: Stage, line: number) => s.instructions.find((i) => i.line === line)!;
const scope = (name: string, arg: string, line: number) => {
  const s = stage(name);
  const a = argInScope(s, arg, run(s, line).start);
  return a && { line: a.decl.instruction.line, value: a.value };
};

describe('argInScope', () => {
  it('a FROM <stage> child sees the parent\'s ARGs, with their values (child prints TARGETARCH=[arm64] X=[from-parent] on the engine)', () => {
    expect(scope('child', 'TARGETARCH', 8)).toEqual({ line: 3, value: undefined });
    expect(scope('child', 'TARGETPLATFORM', 8)).toEqual({ line: 4, value: undefined });
    expect(scope('child', 'X', 8)).toEqual({ line: 5, value: 'from-parent' });
    // Inherited as the parent set it, not the global's default.
    expect(scope('child', 'G', 8)).toEqual({ line: 6, value: 'parent-g' });
  });

  it('a re-declaration without a default keeps the parent\'s value (child2 prints X=[from-parent])', () => {
    expect(scope('child2', 'X', 12)).toEqual({ line: 10, value: 'from-parent' });
  });

  it('but a bare ARG of a global\'s name takes the global\'s value again, as the engine does (G=[global])', () => {
    // Undefined: the global's value, which a build-arg may set; the stage does not pin it.
    expect(scope('child2', 'G', 12)).toEqual({ line: 11, value: undefined });
    expect(model.stages[2]!.args.find((a) => a.name === 'G')!.global).toBe(model.globalArgs[0]);
  });

  it('a grandchild inherits transitively', () => {
    expect(scope('grand', 'X', 14)).toEqual({ line: 5, value: 'from-parent' });
    expect(scope('grand', 'TARGETARCH', 14)).toEqual({ line: 3, value: undefined });
  });

  it('a FROM <image> stage inherits nothing; its own ARG counts after its line only', () => {
    expect(scope('image', 'X', 16)).toBeUndefined();
    expect(scope('image', 'TARGETARCH', 16)).toBeUndefined();
    expect(scope('image', 'X', 18)).toEqual({ line: 17, value: undefined });
  });

  it('the end of a stage is the default point, and a global alone is not in scope in a stage', () => {
    expect(argInScope(stage('image'), 'X')?.decl.instruction.line).toBe(17);
    expect(argInScope(parseDockerfile('ARG G=1\nFROM alpine\nRUN echo $G\n').stages[0]!, 'G')).toBeUndefined();
  });
});

describe('envAt follows the same scope', () => {
  it('gives the value a child inherits, and nothing in a FROM <image> stage', () => {
    const set = envAt(stage('grand'), 'X', run(stage('grand'), 14).start);
    expect(set).toMatchObject({ kind: 'arg', value: 'from-parent' });
    expect(set!.instruction.line).toBe(5);
    expect(envAt(stage('child2'), 'X', run(stage('child2'), 12).start)).toMatchObject({ kind: 'arg', value: 'from-parent' });
    expect(envAt(stage('image'), 'X', run(stage('image'), 16).start)).toBeUndefined();
  });
});
