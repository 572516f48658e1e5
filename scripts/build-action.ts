/**
 * `npm run build:action`: the review action's committed bundle, dist/ — dist/action.mjs
 * (src/action/main.ts, the CLI's review and every dependency as one ES module, run by the runner's
 * node24 with no node_modules) and next to it the two grammars it loads at run time,
 * web-tree-sitter.wasm and tree-sitter-bash.wasm (found relative to the bundle's import.meta.url).
 * Nothing of the reviewed checkout is resolved at run time: there is nothing left to resolve.
 *
 * Deterministic, so test/actions/dist.test.ts can rebuild it and compare byte for byte: no
 * timestamps, no source maps (they would carry absolute paths), paths relative to this checkout.
 */
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const BUNDLE = 'action.mjs';
/** Every file of dist/, in the order a comparison lists them. */
export const DIST_FILES = [BUNDLE, 'tree-sitter-bash.wasm', 'web-tree-sitter.wasm'];

const require = createRequire(import.meta.url);

/** Builds dist/ into `outDir` (default dist/ of this checkout); returns the bundle's path. */
export async function buildAction(outDir = path.join(ROOT, 'dist')): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const outfile = path.join(outDir, BUNDLE);
  await build({
    entryPoints: [path.join(ROOT, 'src/action/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    // The bot's own tsconfig, never one found on the way.
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    absWorkingDir: ROOT,
    // Makes src/action/main.ts the program and points src/dockerfile/shell.ts at dist/'s grammar.
    define: { __IBM_ACTION_BUNDLE__: 'true' },
    // CommonJS dependencies require() Node's built-ins: an ES module has no require of its own.
    banner: { js: "import { createRequire as __bundleCreateRequire } from 'node:module';\nconst require = __bundleCreateRequire(import.meta.url);" },
    legalComments: 'none',
    logLevel: 'warning',
  });
  copyFileSync(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'), path.join(outDir, 'tree-sitter-bash.wasm'));
  copyFileSync(path.join(path.dirname(require.resolve('web-tree-sitter')), 'web-tree-sitter.wasm'), path.join(outDir, 'web-tree-sitter.wasm'));
  // The package ships it executable; data in dist/ should not be (and git records the mode).
  for (const f of DIST_FILES) chmodSync(path.join(outDir, f), 0o644);
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildAction(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  process.stdout.write(`${path.relative(process.cwd(), out) || out}\n`);
}
