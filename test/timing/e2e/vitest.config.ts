// The BuildKit end-to-end tests: real cold builds, minutes each, so not part of `npm test`.
// Run with `npm run test:build` (after `sudo scripts/local-buildkit.sh up`); .ci/run runs them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..'),
  test: {
    include: ['test/timing/e2e/**/*.e2e.ts'],
    testTimeout: 60 * 60_000,
    hookTimeout: 60 * 60_000,
    fileParallelism: false,
    reporters: ['verbose'],
  },
});
