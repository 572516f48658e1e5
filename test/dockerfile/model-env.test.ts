/**
 * ENV and ARG in the model: read once at parse time, with the offsets edits need, so no recipe or
 * rule re-parses their text with a regular expression.
 */
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { envAt, settingFor } from '../../src/dockerfile/env.ts';
import { analyze } from '../../src/dockerfile/analysis.ts';

const at = (text: string, d: { start: number; end: number }) => text.slice(d.start, d.end);

describe('ENV in the model', () => {
  it('pairs with quotes, escaped blanks and continued lines (a comment line inside skipped), each with its range', () => {
    const text = 'FROM golang:1.23 AS build\nENV GOOS=linux \\\n# the old emulated build\n    GOARCH="amd 64" PATH=/a\\ b:$PATH\nRUN go build .\n';
    const m = parseDockerfile(text);
    const env = m.stages[0]!.env;
    expect(env.map((e) => [e.name, e.value, e.rawValue, at(text, e), e.legacy])).toEqual([
      ['GOOS', 'linux', 'linux', 'GOOS=linux', false],
      ['GOARCH', 'amd 64', '"amd 64"', 'GOARCH="amd 64"', false],
      ['PATH', '/a b:$PATH', '/a\\ b:$PATH', 'PATH=/a\\ b:$PATH', false],
    ]);
    expect(m.instructions[1]!.env).toEqual(env);
  });

  it('the legacy form: one variable, the rest of the instruction its value', () => {
    const text = 'FROM alpine\nENV GOARCH amd64\nenv GREETING hello  world\n';
    const env = parseDockerfile(text).stages[0]!.env;
    expect(env.map((e) => [e.name, e.value, at(text, e), e.legacy])).toEqual([
      ['GOARCH', 'amd64', 'GOARCH amd64', true],
      ['GREETING', 'hello  world', 'GREETING hello  world', true],
    ]);
  });

  it('a stage sees its parents\' ENV; the last setting before the instruction wins', () => {
    const text = 'FROM golang:1.23 AS base\nENV CGO_ENABLED=1\nFROM base AS build\nENV CGO_ENABLED=0\nRUN go build .\nENV CGO_ENABLED=1\n';
    const m = parseDockerfile(text);
    const build = m.stages[1]!;
    expect(envAt(build, 'CGO_ENABLED', build.instructions[1]!.start)?.value).toBe('0');
    expect(envAt(build, 'CGO_ENABLED', build.instructions[0]!.start)?.value).toBe('1');
    expect(build.env.map((e) => e.value)).toEqual(['0', '1']);
  });
});

describe('ARG in the model', () => {
  it('declarations with their ranges; a quoted default with a blank stays one declaration', () => {
    const text = 'ARG GO_IMAGE=golang:1.23 \\\n    TARGETARCH=amd64\nFROM ${GO_IMAGE}\nARG NOTE="two words" CGO_ENABLED\n';
    const m = parseDockerfile(text);
    expect(m.globalArgs.map((a) => [a.name, a.defaultValue, at(text, a)])).toEqual([
      ['GO_IMAGE', 'golang:1.23', 'GO_IMAGE=golang:1.23'],
      ['TARGETARCH', 'amd64', 'TARGETARCH=amd64'],
    ]);
    expect(m.stages[0]!.args.map((a) => [a.name, a.defaultValue, a.rawDefault, at(text, a)])).toEqual([
      ['NOTE', 'two words', '"two words"', 'NOTE="two words"'],
      ['CGO_ENABLED', undefined, undefined, 'CGO_ENABLED'],
    ]);
  });
});

describe('assignments in a RUN, as the shell grammar reads them', () => {
  it('an exported value with spaces is one value: export GOOS=linux GOARCH=$(go env GOHOSTARCH) builds for the build machine', () => {
    const text = 'FROM golang:1.23 AS gen\nRUN export GOOS=linux GOARCH=$(go env GOHOSTARCH) && make WHAT=cmd/kube-apiserver-lite && go build -o /out/x ./cmd/x\n';
    const m = parseDockerfile(text);
    const stage = m.stages[0]!;
    const run = stage.instructions[0]!;
    const go = run.shell!.commands.filter((c) => c.name === 'go').at(-1)!;
    expect(settingFor(stage, run, go, 'GOARCH')?.value).toBe('$(go env GOHOSTARCH)');
    expect(settingFor(stage, run, go, 'GOOS')?.value).toBe('linux');
    const f = analyze(m).facts.get(stage)!;
    expect(f.compiles).toEqual([]);
    expect(f.hostBuilds.map((c) => c.command.name)).toEqual(['make', 'go']);
  });
});
