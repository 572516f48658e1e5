/**
 * Writes each pattern fixture's expected `after/` from its `before/` with the current code.
 * Only for a deliberate change of behaviour: read `git diff test/fixtures` before committing,
 * because these files are the specification the tests hold the migration to.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrateCheckout } from '../src/migrate/checkout.ts';
import { DEFAULT_OPTIONS } from '../src/migrate/types.ts';
import { recipes } from '../migrations/index.ts';

const root = path.resolve('test/fixtures/patterns');
const only = process.argv[2];
for (const name of readdirSync(root).sort()) {
  if (only && !name.startsWith(only)) continue;
  const dir = path.join(root, name);
  const work = mkdtempSync(path.join(tmpdir(), 'ibm-fixture-'));
  cpSync(path.join(dir, 'before'), work, { recursive: true });
  const extra = existsSync(path.join(dir, 'options.json')) ? JSON.parse(readFileSync(path.join(dir, 'options.json'), 'utf8')) : {};
  const report = await migrateCheckout(work, { ...DEFAULT_OPTIONS, ...extra, dryRun: false }, recipes);
  console.log(`${name}: ${report.outcome} — ${report.summary}`);
  rmSync(path.join(dir, 'after'), { recursive: true, force: true });
  cpSync(work, path.join(dir, 'after'), { recursive: true });
  rmSync(work, { recursive: true, force: true });
}
