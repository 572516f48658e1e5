/**
 * vitest's globalSetup: src/cli.ts bundled once per run (esbuild, the same transform tsx applies),
 * so each test that spawns the CLI as a process starts one JavaScript file instead of having tsx
 * resolve and transform some hundred modules again: a third of the start-up time, and most of the
 * CPU that the process tests share two cores for. It is still the real CLI in a process of its own;
 * the dependencies stay in node_modules/ (external), loaded exactly as under tsx. The README's own
 * way in (`npm run migrate`, through tsx) is run by test/cli/readme-command.test.ts.
 *
 * The bundle goes below node_modules/ so that its bare imports resolve there, in a folder of this
 * run's own (two runs at once in one checkout must not replace each other's); the watcher rebuilds it
 * before each rerun, so a watched change under src/ is never tested against an old bundle.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

declare module 'vitest' {
  export interface ProvidedContext {
    /** The bundled CLI (an .mjs file) that test/helpers/cli-process.ts runs. */
    cliBundle: string;
  }
}

async function bundle(outfile: string): Promise<void> {
  await build({
    entryPoints: [path.join(ROOT, 'src', 'cli.ts')],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    absWorkingDir: ROOT,
    logLevel: 'warning',
  });
}

export default async function setup(project: TestProject): Promise<() => void> {
  const parent = path.join(ROOT, 'node_modules', '.cache', 'ibm-test-cli');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, 'run-'));
  const outfile = path.join(dir, 'cli.mjs');
  await bundle(outfile);
  project.provide('cliBundle', outfile);
  project.onTestsRerun(() => bundle(outfile));
  return () => rmSync(dir, { recursive: true, force: true });
}
