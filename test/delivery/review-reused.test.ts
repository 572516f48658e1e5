/**
 * The review in the PR body is the review the migration ran on its own output, with the
 * repository's settings: a configured xxImage must not turn into an `xx-not-copied` finding that
 * a second review with default options would invent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, repoOf, startFleet, WIDGET, type Fleet } from './fleet.ts';

const XX = 'registry.example.com/tools/xx:1.6.1';

describe('delivery: the PR body lists the migration’s own review', () => {
  let f: Fleet;
  beforeAll(async () => {
    f = await startFleet({ 'rancher/image-build-widget': WIDGET }, `  xxImage: ${XX}\n`);
  });
  afterAll(() => f.close());

  it('with a configured xxImage, the body names no xx-not-copied finding the migration did not have', async () => {
    const r = await cli(f, []);
    expect(r.code, r.err).toBe(0);
    expect(repoOf(r, 'rancher/image-build-widget').delivery).toMatchObject({ action: 'open', status: 'opened' });
    const [pr] = f.gh.pullsOf('rancher/image-build-widget');
    expect(pr!.body).toContain(XX);
    expect(pr!.body).not.toContain('xx-not-copied');
    expect(pr!.body).not.toContain('xx-image-not-mirror');
  });
});
