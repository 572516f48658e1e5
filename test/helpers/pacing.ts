/**
 * The environment that turns GitHub's pacing off (no spacing between writes, no wait before a
 * retry): the local GitHub needs none, and a test that waits it out measures nothing. The real
 * spacing is proven once, in test/platform/write-spacing.test.ts.
 */
export const NO_PACING = { GITHUB_WRITE_SPACING_MS: '0', GITHUB_NOTIFY_SPACING_MS: '0', GITHUB_RETRY_UNIT_MS: '0' } as const;

/** The same for a client built in the test (createPlatformClient's `pacing`). */
export const NO_PACING_OPTIONS = { writeMs: 0, notifyMs: 0, retryUnitMs: 0 } as const;
