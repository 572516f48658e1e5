import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'migrations/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    globalSetup: ['test/setup/cli-bundle.ts'],
    // @actions/workflow-parser imports its JSON schemas without an import attribute, which Node's
    // own loader refuses; let Vite load it instead.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
