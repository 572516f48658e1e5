/**
 * Checks a recipe fixes and a rule reports share one implementation (src/dockerfile/checks.ts):
 * the recipe edits exactly where the rule reports, for every casing, including the `From` one
 * on which the two used to disagree.
 */
import { describe, expect, it } from 'vitest';
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
