/**
 * Checks a recipe fixes and a rule reports share one implementation (src/dockerfile/shared-checks.ts):
 * the recipe edits exactly where the rule reports, for every casing, including the `From` one
 * on which the two used to disagree.
 */
import { describe, expect, it } from 'vitest';
import { archBuildArg } from '../../migrations/arch-build-arg/index.ts';
import { fromAsCasing } from '../../migrations/from-as-casing/index.ts';
import { platformArgDefault } from '../../migrations/platform-arg-default/index.ts';
import { applyRecipes } from '../../src/migrate/apply.ts';
import { DEFAULT_OPTIONS } from '../../src/migrate/types.ts';
import { reviewText } from '../../src/review/review.ts';

const build = 'RUN CGO_ENABLED=0 go build -o /out/x .\n';
const only = (recipe: typeof fromAsCasing, text: string) => applyRecipes(text, 'Dockerfile', { ...DEFAULT_OPTIONS, recipes: [recipe] });
const lines = (rule: string, text: string) => reviewText(text, 'Dockerfile').filter((f) => f.rule === rule).map((f) => f.line);

describe('from-as-casing: the recipe edits exactly where the rule reports', () => {
  const cases: [string, number[]][] = [
    ['FROM golang:1.23 as build\n', [1]],
    ['from golang:1.23 AS build\n', [1]],
    ['From golang:1.23 as build\n', []],
    ['From golang:1.23 AS build\n', []],
    ['FROM golang:1.23 AS build\n', []],
  ];
  for (const [from, expected] of cases) {
    it(JSON.stringify(from.trim()), () => {
      const text = from + build;
      expect(lines('from-as-casing', text)).toEqual(expected);
      const r = only(fromAsCasing, text);
      expect(r.edits.map((e) => e.line)).toEqual(expected);
      expect(lines('from-as-casing', r.output)).toEqual([]);
    });
  }
});

describe('platform-arg-default: the recipe removes exactly what the rule reports', () => {
  it('every reported default goes, and nothing else changes', () => {
    const text = 'ARG TARGETARCH=amd64 VERSION=1\nFROM --platform=$BUILDPLATFORM golang:1.23 AS build\nARG TARGETOS="linux" TARGETARCH\nRUN GOOS=$TARGETOS GOARCH=$TARGETARCH CGO_ENABLED=0 go build -o /out/x .\n';
    expect(lines('platform-arg-default', text)).toEqual([1, 3]);
    const r = only(platformArgDefault, text);
    expect(r.output).toBe(text.replace('TARGETARCH=amd64', 'TARGETARCH').replace('TARGETOS="linux"', 'TARGETOS'));
    expect(lines('platform-arg-default', r.output)).toEqual([]);
  });
});

describe('arch-build-arg: the recipe removes every declaration the rule reports', () => {
  const text = [
    'ARG ARCH=amd64 VERSION=1.0',
    'FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx',
    'FROM --platform=$BUILDPLATFORM golang:1.23 AS build',
    'COPY --from=xx / /',
    'ARG TARGETPLATFORM',
    'RUN CGO_ENABLED=0 xx-go build -o /out/x .',
    'FROM alpine:3.20',
    'ARG VERSION ARCH',
    'LABEL arch=${ARCH} version=${VERSION}',
    'COPY --from=build /out/x /x',
    '',
  ].join('\n');

  it('also where ARCH shares its ARG with other names, which stay', () => {
    expect(lines('arch-build-arg', text)).toEqual([1, 8]);
    const r = only(archBuildArg, text);
    for (const l of lines('arch-build-arg', text)) expect(r.edits.map((e) => e.line)).toContain(l);
    expect(lines('arch-build-arg', r.output)).toEqual([]);
    const out = r.output.split('\n');
    expect([out[0], out[7], out[8]]).toEqual(['ARG VERSION=1.0', 'ARG VERSION TARGETARCH', 'LABEL arch=${TARGETARCH} version=${VERSION}']);
    expect(r.warnings).toEqual([]);
  });
});
