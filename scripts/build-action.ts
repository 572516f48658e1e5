/**
 * `npm run build:action`: the review action's bundle, dist/review.mjs — the CLI (src/cli.ts) and
 * its dependencies as one ES module for Node 20, run with plain `node`. The action runs it with
 * its own folder as the working directory, so nothing of the reviewed checkout (a tsconfig.json
 * `paths` mapping, a package.json, node_modules) is loaded as code: tsx would have honoured the
 * checkout's tsconfig.json.
 *
 * Not bundled: web-tree-sitter, which finds its web-tree-sitter.wasm next to its own module, and
 * tree-sitter-bash, whose .wasm src/dockerfile/shell.ts resolves by package name. Both resolve
 * from the action's node_modules (`npm ci` in the action folder), relative to the bundle's file,
 * never from the working directory.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const BUNDLE = 'review.mjs';

/** Builds the bundle into `outDir` (default dist/ of this checkout); returns its path. */
export async function buildAction(outDir = path.join(ROOT, 'dist')): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, BUNDLE);
  await build({
    entryPoints: [path.join(ROOT, 'src/cli.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The bot's own tsconfig, never one found on the way.
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    absWorkingDir: ROOT,
    external: ['web-tree-sitter', 'tree-sitter-bash'],
    // CommonJS dependencies require() Node's built-ins: an ES module has no require of its own.
    banner: { js: "import { createRequire as __bundleCreateRequire } from 'node:module';\nconst require = __bundleCreateRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildAction(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  process.stdout.write(`${path.relative(process.cwd(), out) || out}\n`);
}
