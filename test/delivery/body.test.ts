import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recipes } from '../../migrations/index.ts';
import { MAX_BODY, renderBody, type BodyInput } from '../../src/delivery/body.ts';
import { buildInfoOf } from '../../src/delivery/build-info.ts';
import { diffFileAnchor } from '../../src/delivery/diff-anchors.ts';
import { parseMarker, rebaseTicked } from '../../src/delivery/marker.ts';
import { migrateCheckout } from '../../src/migrate/checkout.ts';
import { DEFAULT_OPTIONS, type CheckoutReport, type FileReport } from '../../src/migrate/types.ts';
import { expectInOrder } from '../helpers/order.ts';

const marker = { v: 2 as const, tool: '0.1.0', recipes: ['xx-go-wrap', 'xx-stage'], base: 'a'.repeat(40), result: 'r1', pushed: 'b'.repeat(40), timing: '' };

function file(path: string, edits: number): FileReport {
  return {
    path, status: 'changed', warnings: [], diff: '', skips: [{ stage: 'bpf', reason: 'builds C with clang for the target' }],
    edits: Array.from({ length: edits }, (_, i) => ({ recipe: i % 2 ? 'xx-go-wrap' : 'xx-stage', reason: `reason number ${i} for this edit`, line: i + 1 })),
  };
}

const input = (o: Partial<BodyInput> = {}): BodyInput => ({
  repo: 'rancher/image-build-widget', serverUrl: 'https://github.com', base: marker.base, files: [file('Dockerfile', 4)], findings: [], platforms: ['linux/amd64', 'linux/arm64'], marker, ...o,
});

// The beacon example migrated for real: the body is written from its true before and after texts.
let beacon: { report: CheckoutReport; input: BodyInput };
let work: string;
beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'ibm-body-'));
  cpSync(path.resolve(import.meta.dirname, '../../examples/repos/image-build-beacon'), work, { recursive: true });
  const report = await migrateCheckout(work, { ...DEFAULT_OPTIONS, dryRun: true }, recipes);
  beacon = { report, input: input({ repo: 'example/image-build-beacon', files: report.files, changes: report.changes, build: await buildInfoOf(work, report.changes), botBranch: 'cross-compile/xx' }) };
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const link = (file: string, anchor: string) => `https://github.com/example/image-build-beacon/commit/${marker.pushed}#${diffFileAnchor(file)}${anchor}`;

/** The body from heading `from` up to heading `to`; fails when either heading is missing or out of order. */
function section(body: string, from: string, to: string): string {
  expectInOrder(body, [from, to], 'PR body headings');
  return body.slice(body.indexOf(from), body.indexOf(to));
}

describe('PR body', () => {
  it('groups the reasons by file and stage in file order, once each, linking the PR\'s own diff lines', () => {
    const body = renderBody(beacon.input);
    const changed = section(body, '### What changed, and why', '### Behaviour changes');
    // File order: Dockerfile, then Makefile; stages in the order of the migrated file.
    const order = ['**`Dockerfile`**', '*Before the first `FROM` (global ARGs)*', '*Stage `xx`*', '*Stage `builder`*', '*Stage `strip_binary`*', '*Stage 4 (`FROM runtime`)*', '**`Makefile`**'];
    const at = order.map((h) => changed.indexOf(h));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    // The removed ARCH default links the removed line; the guarded --version links its new line.
    expect(changed).toContain(`[line 3 (removed)](${link('Dockerfile', 'L3')}): the ARCH build-arg goes`);
    expect(changed).toContain(`[line 32](${link('Dockerfile', 'R32')}): "beacon" is built for the target`);
    expect(beacon.report.changes!.find((c) => c.path === 'Dockerfile')!.after.split('\n')[31]).toBe('RUN if ! xx-info is-cross; then beacon --version; fi');
    expect(changed).toContain(`[line 20 (removed)](${link('Makefile', 'L20')})`);
    expect(changed).not.toContain('/blob/');
    // Once each: no reason text twice.
    const reasons = changed.split('\n').filter((l) => l.startsWith('- ')).map((l) => l.replace(/^- (\[[^\]]+\]\([^)]+\),? ?)+: /, ''));
    expect(new Set(reasons).size).toBe(reasons.length);
  });

  it('names each behaviour change with its line, and what ARCH was before', () => {
    const body = renderBody(beacon.input);
    const changes = section(body, '### Behaviour changes', '### Verified');
    expect(changes).toContain('**A smoke test is skipped on foreign platforms.**');
    expect(changes).toContain('`RUN if ! xx-info is-cross; then beacon --version; fi`');
    expect(changes).toContain('**A step that tested `ARCH` now tests `TARGETARCH`.**');
    expect(changes).toContain('`amd64` by the Dockerfile\'s default; `$(ARCH)` as `Makefile` line 20 passes it');
    expect(changes).toContain('stage `strip_binary` is built `FROM` `${GO_IMAGE}` (`rancher/hardened-build-base:v1.19.8b1` by default)');
    expect(changes).toContain('`RUN xx-verify --static bin/beacon`');
  });

  it('lists what was verified with each result, and that no build ran when none did', () => {
    const body = renderBody(beacon.input);
    const verified = section(body, '### Verified', '### Build time');
    expect(verified).toContain('**Review of the migrated files** (the rule set below, the one `review` runs on any Dockerfile): 0 errors, 0 warnings.');
    expect(verified).toContain('the final image: stage 4, `FROM runtime`): passed');
    expect(verified).toContain('**Idempotence** (`Dockerfile`): passed');
    expect(verified).toContain('**Builds**: none ran for this PR');
    const built = renderBody({ ...beacon.input, timing: { markdownTable: '| platform |\n|---|\n| linux/arm64 |', digest: 'd', where: 'GitHub Actions 2 (ubuntu24), Linux 6.8 x64, 4 CPUs, docker buildx 0.13.1, engine 27.0', measuredAt: '2026-12-01T03:04:05.000Z', samples: 1, builds: [{ variant: 'before', platform: 'linux/arm64', status: 'ok' }, { variant: 'after', platform: 'linux/arm64', status: 'ok' }, { variant: 'after', platform: 'linux/amd64', status: 'failed' }] } });
    expect(built).toContain('2 of 3 succeeded; after linux/amd64: failed.');
    expect(built).toContain('`xx-verify` passed for `bin/beacon` in the after builds for linux/arm64');
  });

  it('names the files a verify loop checks, not its loop variable', () => {
    const loop = 'RUN for f in bin/*; do xx-verify --static "$f" || exit 1; done';
    const changes = beacon.input.changes!.map((c) => (c.path === 'Dockerfile' ? { ...c, after: c.after.replace('RUN xx-verify --static bin/beacon', loop) } : c));
    expect(changes.find((c) => c.path === 'Dockerfile')!.after).toContain(loop);
    const verified = section(renderBody({ ...beacon.input, changes }), '### Verified', '### Build time');
    expect(verified).toContain('runs `xx-verify` on `bin/*` in every build');
    expect(verified).not.toContain('$f');
  });

  it('gives check commands per platform that a stock docker driver runs, with the build-args the Makefile passes, and a before/after comparison', () => {
    const body = renderBody(beacon.input);
    expect(body).toContain(`git worktree add ../image-build-beacon-before ${marker.base}`);
    expect(body).toContain(`git worktree add ../image-build-beacon-after ${marker.pushed}`);
    expect(body).toContain('docker buildx build --load --platform linux/$arch --build-arg ARCH=$arch --build-arg TAG=v1.3.0 -t image-build-beacon-check:before-$arch ../image-build-beacon-before');
    expect(body).toContain('docker buildx build --load --platform linux/$arch --build-arg TAG=v1.3.0 -t image-build-beacon-check:after-$arch ../image-build-beacon-after');
    expect(body).toContain('diff fs/before-arm64.files fs/after-arm64.files && diff fs/before-arm64.elf fs/after-arm64.elf');
    expect(body).not.toContain('--platform linux/amd64,linux/arm64');
  });

  it('builds each --target the build files name', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ibm-body-'));
    try {
      cpSync(path.resolve(import.meta.dirname, '../../examples/repos/image-build-gizmo-operator'), dir, { recursive: true });
      const report = await migrateCheckout(dir, { ...DEFAULT_OPTIONS, dryRun: true }, recipes);
      const build = await buildInfoOf(dir, report.changes);
      const body = renderBody(input({ repo: 'example/image-build-gizmo-operator', files: report.files, changes: report.changes, build }));
      for (const t of build.targets) expect(body).toContain(`--target ${t}`);
      expect(build.targets.length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('promises no speed before measuring; says where, when and how often it was measured, and what parity is', () => {
    const unmeasured = renderBody(beacon.input);
    expect(unmeasured).not.toMatch(/costs about what amd64 costs|faster than/);
    expect(unmeasured).toContain('How much faster it builds here is not measured yet');
    expect(unmeasured).toContain('Not measured: this run did not time the builds (`--timing` was not given; the nightly run gives it).');
    expect(unmeasured).not.toContain('not wired');
    const table = '| platform | before | after |\n|---|---|---|\n| linux/arm64 | 14m02s | 2m10s |';
    const body = renderBody(input({ timing: { markdownTable: table, digest: 'd1', arm64SecondsBefore: 842, arm64SecondsAfter: 130, measuredAt: '2026-12-01T03:04:05.000Z', where: 'GitHub Actions 2 (ubuntu24 20261130.1), Linux 6.8 x64, 4 CPUs, docker buildx 0.13.1, engine 27.0', samples: 1 } }));
    expect(body).toContain(table);
    expect(body).toContain('Measured 2026-12-01 03:04 UTC on GitHub Actions 2 (ubuntu24 20261130.1), Linux 6.8 x64, 4 CPUs, docker buildx 0.13.1, engine 27.0; one sample');
    expect(body).toContain('*Parity* is a platform\'s time after divided by linux/amd64\'s time after');
    expect(body).toContain('the linux/arm64 build took 14m02s before and 2m10s after (6.5x)');
    expect(renderBody(input({ timing: { markdownTable: table, digest: 'd1', samples: 3 } }))).toContain('the median of 3 samples per cell');
  });

  it('says how to pause the bot, ask for a rebuild and what closing does; carries checklist, rebase box and marker', () => {
    const body = renderBody(input());
    expect(body).toContain('### The bot on this repository');
    expect(body).toContain('**Pause it**: add `skip: <reason>` under `rancher/image-build-widget`');
    expect(body).toContain('**Ask for a rebuild**: tick **Rebuild this PR** below');
    expect(body).toContain('To bring it back, restore the branch and reopen the PR, or set `recreateClosed: true`');
    // The branch deletion after a merge or a close (issue 19) is said where closing is explained.
    expect(body).toMatch(/After a merge or a close the bot deletes `cross-compile\/xx` when it holds only the bot's commit\./);
    expect(body).toContain('stage `bpf` stays emulated: builds C with clang for the target');
    expect(body).not.toMatch(/draft/);
    expect(body).toContain('### Review checklist');
    expect(rebaseTicked(body)).toBe(false);
    expect(parseMarker(body)).toEqual(marker);
  });

  it('shows the review findings as a table', () => {
    const body = renderBody(input({ findings: [{ rule: 'strip-on-target', severity: 'warning', message: 'strip | on build', file: 'Dockerfile', line: 9, hint: '', docs: '' }] }));
    expect(body).toContain('| warning | `strip-on-target` | `Dockerfile:9` | strip \\| on build |');
    expect(body).toContain('0 errors, 1 warning.');
  });

  it('says the PR stays a draft, and why, only while the bot holds it as a draft for that reason', () => {
    const warning = { rule: 'stage-name-casing', severity: 'warning' as const, message: 'lower case', file: 'Dockerfile', line: 2, hint: '', docs: '' };
    const both = renderBody(input({ findings: [warning], marker: { ...marker, draft: { reasons: ['timing', 'warnings'] } } }));
    expect(both).toContain('This PR stays a draft until it is.');
    expect(both).toContain('This PR stays a draft while the rule set has warnings about the migrated files.');
    expect(parseMarker(both)!.draft).toEqual({ reasons: ['timing', 'warnings'] });
    const warningsOnly = renderBody(input({ findings: [warning], marker: { ...marker, draft: { reasons: ['warnings'] } } }));
    expect(warningsOnly).toMatch(/Not measured: [^\n]*\.\n/);
    expect(warningsOnly).not.toContain('stays a draft until it is');
    expect(warningsOnly).toContain('stays a draft while the rule set has warnings');
    // Ready, or a human's draft: the same findings and the same missing timing, no promise.
    const ready = renderBody(input({ findings: [warning] }));
    expect(ready).not.toMatch(/draft/);
    expect(ready).toContain('| warning | `stage-name-casing` | `Dockerfile:2` | lower case |');
  });

  it('reads a version 1 marker (before the draft record) as a marker without one', () => {
    const v1 = `body\n<!-- image-build-migrator:state ${JSON.stringify({ ...marker, v: 1, draft: { reasons: ['timing'] } })} -->`;
    expect(parseMarker(v1)).toEqual({ ...marker, v: 1 });
    expect(parseMarker(renderBody(input({ marker: { ...marker, draft: { reasons: ['bogus' as 'timing'] } } })))!.draft).toBeUndefined();
    expect(parseMarker('<!-- image-build-migrator:state {"v":3,"pushed":"x"} -->')).toBeUndefined();
  });

  it('stays under 65,536 characters: a huge change is summarised whole, tables are never cut', () => {
    const table = `| platform | before | after |\n|---|---|---|\n${Array.from({ length: 40 }, (_, i) => `| p${i} | 1 | 2 |`).join('\n')}`;
    const huge = renderBody(input({ files: Array.from({ length: 60 }, (_, i) => file(`images/${i}/Dockerfile`, 40)), timing: { markdownTable: table, digest: 'd' } }));
    expect(huge.length).toBeLessThan(MAX_BODY);
    expect(huge).toContain('- `images/0/Dockerfile`: 40 edits');
    expect(huge).not.toContain('reason number');
    expect(huge).toContain(table);
    expect(parseMarker(huge)).toEqual(marker);
    const monster = renderBody(input({ files: Array.from({ length: 3000 }, (_, i) => file(`images/${i}/Dockerfile`, 1)) }));
    expect(monster.length).toBeLessThan(MAX_BODY);
    expect(monster).toContain('3000 files changed: too many to list here');
    expect(parseMarker(monster)).toEqual(marker);
  });
});
