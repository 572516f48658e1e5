import { defineConfig } from 'vitest/config';

// Files that replace a module (vi.mock) or a global (vi.spyOn on Date.now, process.stdout):
// a fresh module graph each. Every other file shares one graph per worker (isolate: false):
// starting a process and re-importing octokit, the parsers, web-tree-sitter's wasm and zod's
// schemas for each of 140 files was a third of the suite's CPU. What a file leaves in the process
// (secrets, environment, fake Date, spies, temp folders) is undone by test/setup/per-file.ts.
const OWN_GRAPH = ['test/fleet/parse-once.test.ts', 'test/timing/timing-budget.test.ts', 'test/cli/report-stages.test.ts'];
const ALL = ['test/**/*.test.ts', 'migrations/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    globalSetup: ['test/setup/cli-bundle.ts'],
    setupFiles: ['test/setup/per-file.ts'],
    // A process test spends most of its time on its CLI, git and the local GitHub answering each
    // other; with vitest's default on two cores (one worker) the other core sat idle meanwhile.
    maxWorkers: 4,
    // @actions/workflow-parser imports its JSON schemas without an import attribute, which Node's
    // own loader refuses; let Vite load it instead.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
    projects: [
      { extends: true, test: { name: 'shared-graph', include: ALL, exclude: OWN_GRAPH, isolate: false } },
      { extends: true, test: { name: 'own-graph', include: OWN_GRAPH } },
    ],
  },
});
