/**
 * `npm run bench:codemod [-- --seconds N]`: migrates the whole fixture set (pattern "before"
 * files and the robustness corpus) over and over in this one process — one core — through the
 * full engine (recipes, review of the output, idempotence check), and prints Dockerfiles per
 * second and peak memory. Target: at least 300 Dockerfiles/s.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { migrateDockerfile } from '../src/migrate/engine.ts';
import { DEFAULT_OPTIONS } from '../src/migrate/types.ts';

const secondsArg = process.argv.indexOf('--seconds');
const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 5;

function collect(dir: string, pick: (p: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? collect(p, pick) : pick(p) ? [p] : [];
  });
}

const files = [
  ...collect('test/fixtures/patterns', (p) => p.endsWith(path.join('before', 'Dockerfile'))),
  ...collect('test/fixtures/corpus', (p) => /Dockerfile/.test(path.basename(p))),
].map((p) => ({ path: p, text: readFileSync(p, 'utf8') }));

function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux: fall back to the current RSS
  }
  return process.memoryUsage().rss / 1048576;
}

let done = 0;
let failed = 0;
// Warm up the JIT and the shell grammar once, then measure.
for (const f of files) {
  try {
    migrateDockerfile(f.text, f.path, DEFAULT_OPTIONS);
  } catch {
    // counted below
  }
}
const start = performance.now();
const deadline = start + seconds * 1000;
while (performance.now() < deadline) {
  for (const f of files) {
    try {
      migrateDockerfile(f.text, f.path, DEFAULT_OPTIONS);
    } catch {
      failed++;
    }
    done++;
  }
}
const elapsed = (performance.now() - start) / 1000;
const rate = done / elapsed;
console.log(`fixture set: ${files.length} Dockerfiles`);
console.log(`migrated: ${done} Dockerfiles in ${elapsed.toFixed(2)} s (${failed} refused as unsafe, by design of the fixtures)`);
console.log(`throughput: ${rate.toFixed(0)} Dockerfiles/s on one core (target >= 300)`);
console.log(`peak memory: ${peakRssMb().toFixed(0)} MB (VmHWM)`);
process.exitCode = rate >= 300 ? 0 : 1;
