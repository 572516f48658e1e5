import { readFileSync } from 'node:fs';
import { migrateDockerfile } from '../src/migrate/engine.ts';
import { DEFAULT_OPTIONS } from '../src/migrate/types.ts';
import { parseDockerfile } from '../src/dockerfile/model.ts';
import { reviewDockerfile } from '../src/review/review.ts';
for (const f of process.argv.slice(2)) {
  const text = readFileSync(f, 'utf8');
  try {
    const r = migrateDockerfile(text, f, { ...DEFAULT_OPTIONS });
    const findings = reviewDockerfile(parseDockerfile(r.output, f), {});
    console.log('OK', f, findings.map((x) => `${x.severity} ${x.rule}@${x.line}`).join(', '));
  } catch (e) {
    console.log('FAIL', f, (e as Error).message);
  }
}
