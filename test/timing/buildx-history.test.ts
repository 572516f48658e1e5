import { describe, expect, it } from 'vitest';
import { buildRefOf, hasHistory, historyDurationSeconds } from '../../src/timing/buildx.ts';
import { majorOf, parseBuildxVersion } from '../../src/timing/builder.ts';

describe('buildx version and history reading', () => {
  it('reads versions as `docker buildx version` and `docker version` print them', () => {
    expect(parseBuildxVersion('github.com/docker/buildx v0.21.1 7c2359c')).toBe('0.21.1');
    expect(parseBuildxVersion('github.com/docker/buildx 0.12.1+ds1-1 0.12.1+ds1-1')).toBe('0.12.1+ds1-1');
    expect(majorOf('20.10.24+dfsg1')).toBe(20);
    expect(majorOf('28.2.2')).toBe(28);
  });

  it('uses build history from buildx 0.20 on', () => {
    expect(hasHistory('0.19.3')).toBe(false);
    expect(hasHistory('0.20.0')).toBe(true);
    expect(hasHistory('1.0.0')).toBe(true);
  });

  it('takes the build ref from the metadata file and the duration in nanoseconds from history inspect', () => {
    expect(buildRefOf(JSON.stringify({ 'buildx.build.ref': 'default/default/ykx2hxmnl8r9f1rzt6t1y0bdo' }))).toBe('ykx2hxmnl8r9f1rzt6t1y0bdo');
    expect(buildRefOf('{}')).toBeUndefined();
    expect(historyDurationSeconds(JSON.stringify({ Name: 'x', Duration: 12_345_000_000 }))).toBe(12.345);
    expect(historyDurationSeconds('not json')).toBeUndefined();
  });
});
