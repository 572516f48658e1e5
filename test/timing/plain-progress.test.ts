import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePlainProgress } from '../../src/timing/progress/plain.ts';
import { failingStep, slowest } from '../../src/timing/progress/step.ts';

const sample = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('plain progress (DOCKER_BUILDKIT=1 docker build --progress=plain)', () => {
  const { steps } = parsePlainProgress(sample('plain-cached-failed.log'));
  const byId = (id: string) => steps.find((s) => s.id === id)!;

  it('reads every vertex once, in #N order, named by its first line', () => {
    expect(steps.map((s) => s.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(byId('7').name).toBe('[builder  4/7] RUN go build -o bin/gadget ./cmd/gadget');
  });

  it('marks cached steps with no time', () => {
    expect(byId('4')).toMatchObject({ status: 'cached', seconds: 0, stage: 'builder', index: 1, total: 7 });
    expect(byId('5').status).toBe('cached');
  });

  it('takes DONE of a vertex whose header repeated after another vertex, not output lines that say ERROR', () => {
    expect(byId('7')).toMatchObject({ status: 'done', seconds: 91.7, stage: 'builder', index: 4 });
    expect(byId('7').error).toBeUndefined();
  });

  it('reports the failing step with its message', () => {
    const f = failingStep(steps)!;
    expect(f.id).toBe('9');
    expect(f.name).toBe('[builder  6/7] RUN install -s bin/gadget /usr/local/bin');
    expect(f.error).toBe('executor failed running [/bin/sh -c install -s bin/gadget /usr/local/bin]: exit code: 1');
    expect(f.seconds).toBeUndefined();
  });

  it('ranks executed Dockerfile steps only: internal and cached ones are not "slow steps"', () => {
    expect(slowest(steps).map((s) => s.id)).toEqual(['7', '8', '6']);
    expect(byId('1').internal).toBe(true);
    expect(byId('3').internal).toBe(true);
  });

  it('reads multi-platform prefixes, cross (->) and emulated, and cancelled steps', () => {
    const mp = parsePlainProgress(sample('plain-multiplatform-canceled.log')).steps;
    const s = (id: string) => mp.find((x) => x.id === id)!;
    expect(s('10')).toMatchObject({ status: 'done', seconds: 14.8, platform: 'linux/arm64', runsOn: 'linux/amd64', stage: 'builder', index: 3, total: 7 });
    expect(s('11')).toMatchObject({ status: 'canceled', platform: 'linux/arm64', stage: 'strip_binary', index: 2, total: 3 });
    expect(s('11').runsOn).toBeUndefined();
    expect(s('11').seconds).toBeUndefined();
    expect(s('12')).toMatchObject({ status: 'error', platform: 'linux/arm64', error: 'process "/bin/sh -c go build -o /out/gadget ./cmd/gadget" did not complete successfully: exit code: 2' });
    expect(s('13')).toMatchObject({ platform: 'linux/arm/v7', stage: 'builder', index: 2 });
    expect(s('14')).toMatchObject({ status: 'canceled', seconds: 2.5, platform: 'linux/amd64' });
    // A canceled step is not what failed the build.
    expect(failingStep(mp)!.id).toBe('12');
  });

  it('ignores lines that are not progress (the error box, blank lines, CRLF)', () => {
    const { steps: crlf } = parsePlainProgress('#1 [a 1/1] RUN true\r\n#1 DONE 1.5s\r\n------\r\n > [a 1/1] RUN true:\r\n');
    expect(crlf).toHaveLength(1);
    expect(crlf[0]).toMatchObject({ name: '[a 1/1] RUN true', status: 'done', seconds: 1.5 });
  });
});
