// A repository transferred to another owner (or renamed): GitHub answers its old name with 301,
// the client follows it, and every later call by the old name finds nothing. Once that made "a
// pull request already exists" every night; now the lookup names the move and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, repoOf, startFleet, WIDGET, type Fleet } from './fleet.ts';

describe('a repository that moved', () => {
  let f: Fleet;
  beforeAll(async () => {
    f = await startFleet({ 'rancher/image-build-moving': WIDGET });
  });
  afterAll(() => f.close());

  it('is a failed lookup naming its new name, night after night, with no write and no second PR', async () => {
    const first = await cli(f, []);
    expect(repoOf(first, 'rancher/image-build-moving').delivery).toMatchObject({ action: 'open' });
    f.gh.transfer('rancher/image-build-moving', 'someone-else/image-build-moving');
    const writes = f.gh.writeCalls().length;
    for (let night = 0; night < 2; night++) {
      const r = await cli(f, []);
      expect(r.code).toBe(1);
      expect(repoOf(r, 'rancher/image-build-moving')).toMatchObject({ outcome: 'failed', step: 'lookup', reason: expect.stringContaining('GitHub serves this repository as "someone-else/image-build-moving" now') });
    }
    expect(f.gh.writeCalls()).toHaveLength(writes);
    expect(f.gh.pullsOf('someone-else/image-build-moving')).toHaveLength(1);
    expect(f.gh.api.requests.some((q) => q.status === 301)).toBe(true);
    f.gh.assertClean();
  });
});
