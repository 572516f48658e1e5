/**
 * What the xx-verify recipe writes, run by a real `sh -c` as RUN runs it, against a stand-in
 * xx-verify that behaves as xx's does up to v1.9.0: with `--static` it exits 0 once one file
 * passes. The stand-in logs each file it looks at and fails on the file named in BAD, so each case
 * shows which files the written step checks and whether a bad one fails the build.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dockerfileRecipes } from '../../migrations/index.ts';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { applyRecipes } from '../../src/migrate/apply.ts';
import { DEFAULT_OPTIONS } from './options.ts';

const work = mkdtempSync(path.join(tmpdir(), 'ibm-xx-verify-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
mkdirSync(path.join(work, 'bin'));
mkdirSync(path.join(work, 'out'));
for (const f of ['out/bolt', 'out/boltctl', 'out/bolt-probe']) writeFileSync(path.join(work, f), '');
// The static check of xx's src/xx-verify (1.6.1), reduced to what matters here: `exit 0` after
// the first file that passes.
writeFileSync(
  path.join(work, 'bin', 'xx-verify'),
  [
    '#!/bin/sh',
    'static=',
    'for f in "$@"; do',
    '  case "$f" in --static) static=1; continue ;; esac',
    '  echo "$f" >> "$LOG"',
    '  if [ "$f" = "$BAD" ]; then echo "$f: wrong arch" >&2; exit 1; fi',
    '  if [ -n "$static" ]; then exit 0; fi',
    'done',
    '',
  ].join('\n'),
);
chmodSync(path.join(work, 'bin', 'xx-verify'), 0o755);
// The checks may end the compile's own RUN: its wrap and compiles must then pass for them to run.
for (const tool of ['xx-go', 'go']) {
  writeFileSync(path.join(work, 'bin', tool), '#!/bin/sh\nexit 0\n');
  chmodSync(path.join(work, 'bin', tool), 0o755);
}

/** Run a RUN's shell text as BuildKit does (`/bin/sh -c`), in `work`: exit status and the files checked. */
function runStep(script: string, bad = ''): { status: number; checked: string[] } {
  const log = path.join(work, `log-${Math.random().toString(36).slice(2)}`);
  writeFileSync(log, '');
  let status = 0;
  try {
    execFileSync('/bin/sh', ['-c', script], { cwd: work, env: { PATH: `${path.join(work, 'bin')}:/usr/bin:/bin`, LOG: log, BAD: bad }, stdio: ['ignore', 'ignore', 'ignore'] });
  } catch (err) {
    status = (err as { status: number }).status;
  }
  return { status, checked: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

const recipe = dockerfileRecipes.find((r) => r.id === 'xx-verify')!;

/** The xx-verify recipe alone on `text`; the shell text of each RUN of the output that calls xx-verify. */
function verifySteps(text: string): string[] {
  const out = applyRecipes(text, 'Dockerfile', { ...DEFAULT_OPTIONS, recipes: [recipe] }).output;
  return parseDockerfile(out, 'Dockerfile')
    .instructions.filter((i) => i.shell?.commands.some((c) => c.name === 'xx-verify'))
    .map((i) => i.args);
}

const COMPILE = 'RUN xx-go --wrap && CGO_ENABLED=0 go build -o out/bolt ./cmd/bolt && CGO_ENABLED=0 go build -o out/boltctl ./cmd/boltctl && CGO_ENABLED=0 go build -o out/bolt-probe ./cmd/bolt-probe';

const builder = (verify: string, compile = COMPILE) =>
  [
    'FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx',
    'FROM --platform=$BUILDPLATFORM golang:1.23-alpine AS build',
    'COPY --from=xx / /',
    'RUN apk add --no-cache file',
    'WORKDIR /src',
    'COPY . .',
    'ARG TARGETPLATFORM',
    compile,
    ...(verify ? [verify] : []),
    'FROM scratch',
    'COPY --from=build /src/out/ /usr/bin/',
    '',
  ].join('\n');

describe('the stand-in has the bug the recipe works around', () => {
  it('xx-verify --static a b c checks only a: a bad b passes', () => {
    expect(runStep('xx-verify --static out/bolt out/boltctl out/bolt-probe', 'out/boltctl')).toEqual({ status: 0, checked: ['out/bolt'] });
  });
});

describe('the xx-verify the recipe adds checks every binary', () => {
  // A one-line compile gets the calls at its end; a compile over several lines a RUN of its own.
  const folded = verifySteps(builder(''));
  const own = verifySteps(builder('', COMPILE.replace(' && CGO_ENABLED=0 go build -o out/boltctl', ' && \\\n    CGO_ENABLED=0 go build -o out/boltctl')));

  it('folded into the one-line compile', () => {
    expect(folded).toEqual([`${COMPILE.slice(4)} && xx-verify --static out/bolt && xx-verify --static out/boltctl && xx-verify --static out/bolt-probe`]);
    expect(own).toEqual(['xx-verify --static out/bolt &&     xx-verify --static out/boltctl &&     xx-verify --static out/bolt-probe']);
  });

  for (const [name, steps] of [['in the compile\'s RUN', folded], ['in a RUN of its own', own]] as const) {
    it(`one call per binary, and a bad binary fails the step (${name})`, () => {
      const [step] = steps;
      expect(step).toBeDefined();
      expect(runStep(step!)).toEqual({ status: 0, checked: ['out/bolt', 'out/boltctl', 'out/bolt-probe'] });
      expect(runStep(step!, 'out/bolt-probe').status).not.toBe(0);
      expect(runStep(step!, 'out/boltctl')).toEqual({ status: 1, checked: ['out/bolt', 'out/boltctl'] });
    });
  }
});

describe('an xx-verify --static batch the recipe finds is split', () => {
  it('several files: every file is checked, a bad one in the middle fails the step', () => {
    const [step] = verifySteps(builder('RUN xx-verify --static out/bolt out/boltctl out/bolt-probe'));
    expect(runStep(step!).checked).toEqual(['out/bolt', 'out/boltctl', 'out/bolt-probe']);
    expect(runStep(step!, 'out/boltctl').status).toBe(1);
  });

  it('a glob: a loop over what it matches, which fails on a bad file that is not the last one', () => {
    const [step] = verifySteps(builder('RUN xx-verify --static out/* && echo verified'));
    expect(step).toMatch(/^for f in out\/\*; do xx-verify --static "\$f" \|\| exit 1; done && echo verified$/);
    expect(runStep(step!)).toEqual({ status: 0, checked: ['out/bolt', 'out/bolt-probe', 'out/boltctl'] });
    // `out/bolt-probe` sorts second: without `|| exit 1` the loop would end with boltctl's 0.
    expect(runStep(step!, 'out/bolt-probe')).toEqual({ status: 1, checked: ['out/bolt', 'out/bolt-probe'] });
  });

  it('under a redirect the calls stay one command, so the redirect still covers all of them', () => {
    const [step] = verifySteps(builder('RUN xx-verify --static out/bolt out/boltctl > /dev/null'));
    expect(step).toBe('{ xx-verify --static out/bolt && xx-verify --static out/boltctl; } > /dev/null');
    expect(runStep(step!, 'out/boltctl').status).toBe(1);
  });
});
