// Issue 20, items 2 to 4: every value a repository supplies, put through every part of the PR body.
import { describe, expect, it } from 'vitest';
import { renderBody, type BodyInput } from '../../src/delivery/body.ts';
import { BEGIN_MARK, parseMarker, rebaseCheckbox, rebaseTicked, renderMarker, type Marker } from '../../src/delivery/marker.ts';
import { timingInputFrom } from '../../src/timing/delivery-input.ts';
import type { FileReport } from '../../src/migrate/types.ts';
import { TimingResultSchema } from '../../src/timing/result.ts';
import { HOSTILE, PROBE } from '../helpers/hostile.ts';
import { expectInert } from '../helpers/untrusted-checks.ts';

const marker: Marker = { v: 2, tool: '0.1.0', recipes: ['xx-stage'], base: 'a'.repeat(40), result: 'r1', pushed: 'b'.repeat(40), timing: 'd' };
const CHECKLIST = [
  '- [ ] The compile stages start with `FROM --platform=$BUILDPLATFORM` and the final images keep their platform',
  '- [ ] Every compiled binary goes through `xx-verify`; stripping happens on the target platform',
  '- [ ] Stages kept emulated have a `# kept emulated:` reason that still holds',
  '- [ ] The Makefile / workflows pass no `ARCH` the Dockerfile no longer reads',
];

/** A migration whose every repository value (paths, stages, binaries, build files, findings, timing) is `v`. */
function hostileInput(v: string, o: { measured?: boolean } = {}): BodyInput {
  const dockerfile = `${v}/Dockerfile`;
  const before = `ARG ARCH=amd64\nFROM golang:1.22 AS builder\nRUN go build -o /out/app .\nFROM scratch\nCOPY --from=builder /out/app /app\n`;
  const after = `FROM --platform=$BUILDPLATFORM golang:1.22 AS builder\nRUN xx-go build -o /out/app . && xx-verify ${v.replace(/[\n&;|\\]/g, ' ')}\nFROM scratch\nCOPY --from=builder /out/app /app\n`;
  const files: FileReport[] = [
    {
      path: dockerfile, status: 'changed', warnings: [], diff: '',
      edits: [
        { recipe: 'xx-stage', reason: `moves ${v} to the build platform`, line: 2 },
        { recipe: 'guard-binary-exec', reason: `"${v}" is built for the target`, line: 3 },
        { recipe: 'xx-toolchain', reason: `installed with xx-apk: ${v}`, line: 3 },
      ],
      skips: [{ stage: v, reason: `builds C for ${v}` }],
    },
    { path: v, status: 'changed', warnings: [], diff: '', edits: [{ recipe: 'arch-build-arg', reason: `stops passing ARCH in ${v}`, line: 1 }], skips: [] },
  ];
  const result = TimingResultSchema.parse({
    schemaVersion: 1, repo: 'rancher/image-build-x', baseCommit: marker.base, digest: `sha256:${'ab'.repeat(32)}`,
    builder: { kind: 'docker', version: '27.0', engine: '27.0' }, platforms: ['linux/amd64', 'linux/arm64'], measuredAt: '2026-12-01T12:00:00.000Z',
    measurements: [
      { variant: 'before', platform: 'linux/arm64', status: 'ok', wallSeconds: 600, timeoutSeconds: 3600, slowestSteps: [{ name: v, seconds: 500 }] },
      { variant: 'after', platform: 'linux/arm64', status: 'failed', wallSeconds: 60, timeoutSeconds: 3600, slowestSteps: [], failedStep: v, error: v, logTail: [v, '```', v] },
    ],
    notMeasured: [{ what: v, why: v }],
  });
  const timing = o.measured === false ? undefined : { ...timingInputFrom({ result })!, builds: [{ variant: 'after' as const, platform: 'linux/arm64', section: v, status: 'failed' as const }] };
  return {
    repo: 'rancher/image-build-x', serverUrl: 'https://github.com', base: marker.base, platforms: ['linux/amd64', 'linux/arm64'], marker,
    files, timing,
    changes: [{ path: dockerfile, before, after }, { path: v, before: 'ARCH ?= amd64\n', after: '\n' }],
    findings: [{ rule: 'strip-on-target', severity: 'warning', message: `strip ${v} on the target`, file: v, line: 3, hint: v, docs: 'https://example.com' }],
    build: { targets: [v], argsBefore: { [v]: v }, argsAfter: { TAG: v }, archPassed: [{ file: v, line: 4, value: v }] },
    botBranch: 'cross-compile/xx',
  };
}

describe('the PR body with hostile repository values', () => {
  for (const [name, v] of Object.entries(HOSTILE) as [keyof typeof HOSTILE, string][]) {
    for (const measured of [true, false]) {
      it(`${name} (${measured ? 'measured' : 'not measured'}): no comment, box, mention or tag of the value's own`, () => {
        const body = renderBody(hostileInput(v, { measured }));
        // The value did reach the body: a test that renders nothing would pass too.
        expect(body.split(PROBE[name]).length).toBeGreaterThan(5);
        expectInert(body, { comments: [BEGIN_MARK, rebaseCheckbox(false), renderMarker(marker)], boxes: [...CHECKLIST, rebaseCheckbox(false)] }, name);
        expect(rebaseTicked(body)).toBe(false);
        expect(parseMarker(body)).toEqual(marker);
      });
    }
  }
});
