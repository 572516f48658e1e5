/**
 * When the bot mints a GitHub App installation token again: auth-app's own cache would keep one
 * for 59 minutes whatever its `expires_at`; ours hands it out only while a quarter of its
 * lifetime (at most 5 minutes) is left.
 */
import { describe, expect, it } from 'vitest';
import { installationTokenCache } from '../../src/platform/octokit.ts';

// auth-app's entry: token|createdAt|expiresAt|repositorySelection|permissions|singleFileName
const entry = (createdAt: number, expiresAt: number) => ['ghs_x', new Date(createdAt).toISOString(), new Date(expiresAt).toISOString(), 'all', 'contents!', ''].join('|');

describe('installationTokenCache', () => {
  it('keeps an hour-long token until 5 minutes before it expires, then forgets it', () => {
    let now = 0;
    const cache = installationTokenCache(() => now);
    const value = entry(0, 3_600_000);
    cache.set('77', value);
    now = 3_600_000 - 5 * 60_000 - 1;
    expect(cache.get('77')).toBe(value);
    now += 1;
    expect(cache.get('77')).toBe('');
    // Forgotten for good: an earlier clock does not bring it back.
    now = 0;
    expect(cache.get('77')).toBe('');
  });

  it('re-mints a short-lived token (an Enterprise policy, a test) with a quarter of its lifetime left', () => {
    let now = 1_000_000;
    const cache = installationTokenCache(() => now);
    cache.set('77', entry(now, now + 20_000));
    now += 14_999;
    expect(cache.get('77')).not.toBe('');
    now += 1;
    expect(cache.get('77')).toBe('');
  });

  it('misses what it never saw, and keys entries apart', () => {
    const cache = installationTokenCache(() => 0);
    cache.set('77', entry(0, 3_600_000));
    expect(cache.get('78')).toBe('');
    expect(cache.get('77')).not.toBe('');
  });
});
