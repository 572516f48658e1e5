/**
 * The per-compile facts (src/dockerfile/compile-facts.ts) that the recipes and the review rules
 * both read: the CGO_ENABLED a compile runs with, wherever it is set — the command, ENV/ARG, a
 * build-arg the build files pass, the Makefile a `make` build runs, the build script's own default.
 */
import { describe, expect, it } from 'vitest';
import { dockerfileRecipes } from '../../migrations/index.ts';
import { analyze } from '../../src/dockerfile/analysis.ts';
import { makeVariables } from '../../src/dockerfile/build-files.ts';
import { compileFacts } from '../../src/dockerfile/compile-facts.ts';
import { explicitCgo } from '../../src/dockerfile/stage-questions.ts';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { migrateDockerfile } from '../../src/migrate/engine.ts';
import { DEFAULT_OPTIONS } from '../../src/migrate/types.ts';
import { reviewText } from '../../src/review/review.ts';

const cgo = (text: string, opts: Parameters<typeof analyze>[1] = {}) =>
  compileFacts(analyze(parseDockerfile(text), opts)).map((c) => ({ value: c.cgo.value, on: c.cgo.on, explicit: c.cgo.explicit, from: c.cgo.from }));

const head = 'FROM golang:1.23 AS build\nRUN apk add --no-cache gcc musl-dev make\nCOPY . /src\nWORKDIR /src\n';

describe('CGO_ENABLED of a compile', () => {
  it('from the command, an earlier export, or ENV before it (an ENV after the compile does not count)', () => {
    expect(cgo(`${head}RUN CGO_ENABLED=0 go build -o /out/a .\n`)).toEqual([{ value: '0', on: false, explicit: true, from: undefined }]);
    expect(cgo(`${head}RUN export CGO_ENABLED=1 && go build -o /out/a .\n`)).toEqual([{ value: '1', on: true, explicit: true, from: undefined }]);
    expect(cgo(`${head}ENV CGO_ENABLED=0\nRUN go build -o /out/a .\n`)).toEqual([{ value: '0', on: false, explicit: true, from: undefined }]);
    expect(cgo(`${head}RUN go build -o /out/a .\nENV CGO_ENABLED=0\n`)).toEqual([{ value: undefined, on: false, explicit: false, from: undefined }]);
  });

  it('an ARG without a default: the value the build files pass, else set from outside with no value known', () => {
    const text = `${head}ARG CGO_ENABLED\nRUN go build -o /out/a .\n`;
    expect(cgo(text, { buildArgs: { CGO_ENABLED: '1' } })).toEqual([{ value: '1', on: true, explicit: true, from: 'build-arg' }]);
    expect(cgo(text)).toEqual([{ value: undefined, on: false, explicit: true, from: undefined }]);
    // The recipe that would add ENV CGO_ENABLED reads the same fact: it must not override what is passed.
    const model = parseDockerfile(text);
    expect(explicitCgo(model.stages[0]!, analyze(model))).toBe('');
  });

  it('an ARG of the stage it is built FROM counts (the stage inherits it); one of a FROM <image> stage does not', () => {
    const parent = `${head}ARG CGO_ENABLED=0\n`;
    expect(cgo(`${parent}FROM build AS app\nRUN go build -o /out/a .\n`)).toEqual([{ value: '0', on: false, explicit: true, from: undefined }]);
    // A bare re-declaration keeps the parent's value.
    expect(cgo(`${parent}FROM build AS app\nARG CGO_ENABLED\nRUN go build -o /out/a .\n`)).toEqual([{ value: '0', on: false, explicit: true, from: undefined }]);
    expect(cgo(`${parent}FROM golang:1.23 AS app\nRUN go build -o /out/a .\n`)).toEqual([{ value: undefined, on: false, explicit: false, from: undefined }]);
  });

  it('a make build: the Makefile\'s own CGO_ENABLED (`=` wins over the Dockerfile\'s, `?=` only fills a gap); a go build does not read it', () => {
    const makeVars = makeVariables([{ path: 'Makefile', kind: 'makefile', text: 'CGO_ENABLED = 0\nbuild:\n\tgo build -o bin/a .\n' }]);
    const soft = makeVariables([{ path: 'Makefile', kind: 'makefile', text: 'CGO_ENABLED ?= 0\n' }]);
    expect(cgo(`${head}RUN make build\n`, { makeVars })).toEqual([{ value: '0', on: false, explicit: true, from: 'makefile' }]);
    expect(cgo(`${head}ENV CGO_ENABLED=1\nRUN make build\n`, { makeVars })).toEqual([{ value: '0', on: false, explicit: true, from: 'makefile' }]);
    expect(cgo(`${head}ENV CGO_ENABLED=1\nRUN make build\n`, { makeVars: soft })).toEqual([{ value: '1', on: true, explicit: true, from: undefined }]);
    expect(cgo(`${head}RUN make build\n`, { makeVars: soft })).toEqual([{ value: '0', on: false, explicit: true, from: 'makefile' }]);
    expect(cgo(`${head}RUN go build -o /out/a .\n`, { makeVars })).toEqual([{ value: undefined, on: false, explicit: false, from: undefined }]);
  });

  it("go-build-static.sh's own default (1) unless the Dockerfile sets it", () => {
    expect(cgo(`${head}RUN go-build-static.sh -o /out/a .\n`)).toEqual([{ value: '1', on: true, explicit: true, from: 'script' }]);
    expect(cgo(`${head}RUN CGO_ENABLED=0 go-build-static.sh -o /out/a .\n`)).toEqual([{ value: '0', on: false, explicit: true, from: undefined }]);
  });
});

describe('the migration and the review read the same cgo fact', () => {
  const text = [
    'ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1',
    'FROM ${GO_IMAGE} AS builder',
    'RUN apk --no-cache add file git make gcc musl-dev',
    'COPY . /go/src/dial',
    'WORKDIR /go/src/dial',
    'RUN make build',
    '',
    'FROM scratch',
    'COPY --from=builder /go/src/dial/bin/dial /usr/local/bin/dial',
    '',
  ].join('\n');
  const makeVars = makeVariables([{ path: 'Makefile', kind: 'makefile', text: 'CGO_ENABLED = 0\n\nbuild:\n\tgo build -o bin/dial ./cmd/dial\n' }]);

  it('a Makefile that sets CGO_ENABLED=0: no clang/lld, no ENV CGO_ENABLED over it, no "linked with cgo" reason, and the review of the output finds no cgo problem', () => {
    const m = migrateDockerfile(text, 'Dockerfile', { ...DEFAULT_OPTIONS, recipes: dockerfileRecipes, makeVars });
    expect(m.output).not.toMatch(/clang|lld|CGO_ENABLED/);
    expect(m.edits.filter((e) => /linked with cgo|CGO_ENABLED/.test(e.reason))).toEqual([]);
    expect(reviewText(m.output, 'Dockerfile', { makeVars }).filter((f) => f.rule.startsWith('cgo'))).toEqual([]);
  });

  it('without the Makefile the old build had gcc: cgo stays on, explicit, with the target libc', () => {
    const m = migrateDockerfile(text, 'Dockerfile', { ...DEFAULT_OPTIONS, recipes: dockerfileRecipes });
    expect(m.output).toMatch(/^ENV CGO_ENABLED=1$/m);
    expect(m.output).toMatch(/^RUN apk --no-cache add file git make clang lld$/m);
    expect(m.output).toMatch(/^RUN xx-apk --no-cache add musl-dev gcc$/m);
    expect(reviewText(m.output, 'Dockerfile').filter((f) => f.rule.startsWith('cgo'))).toEqual([]);
  });
});
