import { describe, expect, it } from 'vitest';
import { MAX_BODY, renderBody, type BodyInput } from '../../src/delivery/body.ts';
import { parseMarker, rebaseTicked } from '../../src/delivery/marker.ts';
import type { FileReport } from '../../src/migrate/types.ts';

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

describe('PR body', () => {
  it('groups reasons per recipe with links to the original lines, says timing is not measured, carries checklist, rebase box and marker', () => {
    const body = renderBody(input());
    expect(body).toContain('**`xx-go-wrap`** (2 edits)');
    expect(body).toContain(`- [Dockerfile:2](https://github.com/rancher/image-build-widget/blob/${marker.base}/Dockerfile#L2): reason number 1 for this edit`);
    expect(body).toContain('stage `bpf` stays emulated: builds C with clang for the target');
    expect(body).toMatch(/Not measured: /);
    expect(body).not.toMatch(/draft/);
    expect(body).toContain('docker buildx build --platform linux/amd64,linux/arm64 .');
    expect(body).toContain('### Review checklist');
    expect(rebaseTicked(body)).toBe(false);
    expect(parseMarker(body)).toEqual(marker);
  });

  it('shows the timing table when measured, and the review findings as a table', () => {
    const table = '| platform | before | after |\n|---|---|---|\n| linux/arm64 | 14m 2s | 2m 10s |';
    const body = renderBody(input({
      timing: { markdownTable: table, digest: 'd1', arm64SecondsBefore: 842, arm64SecondsAfter: 130 },
      findings: [{ rule: 'strip-on-target', severity: 'warning', message: 'strip | on build', file: 'Dockerfile', line: 9, hint: '', docs: '' }],
    }));
    expect(body).toContain(table);
    expect(body).not.toContain('Not measured');
    expect(body).toContain('| warning | `strip-on-target` | Dockerfile:9 | strip \\| on build |');
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
    expect(ready).toContain('| warning | `stage-name-casing` | Dockerfile:2 | lower case |');
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
    expect(huge).toContain('**`xx-stage`** (1200 edits)');
    expect(huge).not.toContain('reason number');
    expect(huge).toContain(table);
    expect(parseMarker(huge)).toEqual(marker);
    const monster = renderBody(input({ files: Array.from({ length: 3000 }, (_, i) => file(`images/${i}/Dockerfile`, 1)) }));
    expect(monster.length).toBeLessThan(MAX_BODY);
    expect(monster).toContain('3000 files changed: too many to list here');
    expect(parseMarker(monster)).toEqual(marker);
  });
});
