import { expect } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { reviewModel as reviewParsed, reviewText } from '../../src/review/review.ts';
import type { Finding, ReviewOptions } from '../../src/review/types.ts';

/** Template tag: drop the first newline and the common indentation, keep everything else. */
export function df(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const text = raw.replace(/^\n/, '');
  const indents = text.split('\n').filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const cut = Math.min(...indents);
  return text.split('\n').map((l) => l.slice(cut)).join('\n');
}

export function review(text: string, opts?: ReviewOptions): Finding[] {
  return reviewText(text, 'Dockerfile', opts);
}

export function reviewModel(text: string, opts?: ReviewOptions): Finding[] {
  return reviewParsed(parseDockerfile(text, 'Dockerfile'), opts);
}

export const errorsOf = (findings: Finding[]) => findings.filter((f) => f.severity === 'error');

export function show(findings: Finding[]): string {
  return findings.map((f) => `${f.line}:${f.column ?? 0} ${f.severity} ${f.rule}: ${f.message}`).join('\n');
}

/** The rule fires, at exactly these lines (and with this severity, when given). */
export function expectRule(text: string, rule: string, lines: number[], severity?: 'error' | 'warning', opts?: ReviewOptions): Finding[] {
  const all = review(text, opts);
  const hits = all.filter((f) => f.rule === rule);
  expect(hits.map((f) => f.line), show(all)).toEqual(lines);
  if (severity) for (const h of hits) expect(h.severity, show(hits)).toBe(severity);
  for (const h of hits) {
    expect(h.hint.length).toBeGreaterThan(10);
    expect(h.docs).toMatch(/^https:\/\/(docs\.docker\.com|github\.com\/tonistiigi\/xx)/);
  }
  return hits;
}

export function expectNoRule(text: string, rule: string, opts?: ReviewOptions): void {
  const all = review(text, opts);
  expect(all.filter((f) => f.rule === rule), show(all)).toEqual([]);
}

export function expectNoErrors(text: string, opts?: ReviewOptions): Finding[] {
  const all = review(text, opts);
  expect(errorsOf(all), show(all)).toEqual([]);
  return all;
}

/** A minimal correct Alpine cross-build: xx stage, builder on $BUILDPLATFORM, final on target. */
export const GOOD = df`
  ARG GO_IMAGE=rancher/hardened-build-base:v1.22.5b1
  FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx
  FROM --platform=$BUILDPLATFORM \${GO_IMAGE} AS builder
  COPY --from=xx / /
  RUN apk add --no-cache file git make clang lld
  ARG TARGETPLATFORM
  RUN xx-apk --no-cache add musl-dev gcc
  RUN xx-go --wrap && \\
      CGO_ENABLED=1 go build -o /out/widgetd ./cmd/widgetd
  RUN xx-verify --static /out/widgetd
  FROM scratch
  COPY --from=builder /out/widgetd /widgetd
  ENTRYPOINT ["/widgetd"]
`;
