import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRawJsonProgress } from '../../src/timing/progress/rawjson.ts';
import { failingStep, slowest } from '../../src/timing/progress/step.ts';

const text = readFileSync(new URL('./fixtures/rawjson-build.jsonl', import.meta.url), 'utf8');

describe('rawjson progress (docker buildx build --progress=rawjson)', () => {
  const p = parseRawJsonProgress(text);
  const byId = (id: string) => p.steps.find((s) => s.id === id)!;

  it('keeps one step per vertex digest, in first-seen order', () => {
    expect(p.steps.map((s) => s.id)).toEqual(['sha256:aaa1', 'sha256:bbb2', 'sha256:ccc3', 'sha256:ddd4', 'sha256:eee5']);
  });

  it('keeps the last completed record: a later record without `completed` does not undo it', () => {
    expect(byId('sha256:ccc3')).toMatchObject({ status: 'done', seconds: 42.25, platform: 'linux/arm64', runsOn: 'linux/amd64', stage: 'builder', index: 3, total: 7 });
  });

  it('reads cached, failed and cancelled vertices', () => {
    expect(byId('sha256:bbb2')).toMatchObject({ status: 'cached', seconds: 0, platform: 'linux/amd64', stage: 'builder', index: 1 });
    expect(byId('sha256:eee5')).toMatchObject({ status: 'error', seconds: 1, platform: 'linux/arm64' });
    expect(byId('sha256:ddd4')).toMatchObject({ status: 'canceled', error: 'context canceled', stage: 'strip_binary' });
    expect(failingStep(p.steps)!.name).toBe('[linux/arm64 builder 4/7] RUN ./bin/gadget --version');
  });

  it('decodes the logs of each vertex and keeps non-JSON lines apart', () => {
    expect(p.logs.get('sha256:eee5')).toEqual(['/bin/sh: ./bin/gadget: cannot execute binary file']);
    expect(p.logs.get('sha256:ddd4')).toEqual(['strip: working']);
    expect(p.other).toEqual(['ERROR: failed to solve: process "/bin/sh -c ./bin/gadget --version" did not complete successfully: exit code: 126']);
  });

  it('ranks slow steps without internal, cached or unfinished vertices', () => {
    expect(slowest(p.steps).map((s) => s.id)).toEqual(['sha256:ddd4', 'sha256:ccc3', 'sha256:eee5']);
    expect(byId('sha256:aaa1').internal).toBe(true);
  });
});

describe('rawjson progress of buildx 0.13 (Debian trixie): objects indented over many lines', () => {
  // The same stream as buildx 0.13 prints it: each object pretty-printed, plain lines between.
  const indented = text
    .split('\n')
    .map((l) => (l.trim().startsWith('{') ? JSON.stringify(JSON.parse(l), null, 2) : l))
    .join('\n');

  it('reads the same steps, logs and plain lines as from one object per line', () => {
    expect(indented.split('\n').length).toBeGreaterThan(text.split('\n').length * 3);
    expect(parseRawJsonProgress(indented)).toEqual(parseRawJsonProgress(text));
  });

  it('counts braces outside strings only: a step named with braces and quotes stays whole', () => {
    const stream = [
      '{',
      '  "vertexes": [',
      '    {',
      '      "digest": "sha256:f1",',
      '      "name": "[2/2] RUN echo \\"}{\\" \\\\ done",',
      '      "started": "2026-12-01T16:02:11.000Z",',
      '      "completed": "2026-12-01T16:02:13.500Z"',
      '    }',
      '  ]',
      '}',
      'plain line between',
      '{"logs": [{"vertex": "sha256:f1", "data": "fXsK"}]}',
    ].join('\n');
    const p = parseRawJsonProgress(stream);
    expect(p.steps).toEqual([expect.objectContaining({ id: 'sha256:f1', name: '[2/2] RUN echo "}{" \\ done', status: 'done', seconds: 2.5 })]);
    expect(p.logs.get('sha256:f1')).toEqual(['}{']);
    expect(p.other).toEqual(['plain line between']);
  });
});
