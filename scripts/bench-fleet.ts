/**
 * Fleet benchmark: makes N local repositories from the example templates (examples/repos/*, each
 * copy made distinct), then runs the whole dry run over them in this process — discovery, bare
 * remotes, clones, codemod, report — twice: cold (empty cache: every repository cloned) and warm
 * (workspaces reused). Prints repositories per second and peak memory.
 *
 *   npm run bench:fleet -- --repos 500 [--concurrency 4] [--keep]
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { runFleet } from '../src/fleet/run.ts';
import type { FleetReport } from '../src/report/types.ts';

const { values } = parseArgs({
  options: {
    repos: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
  },
});
const count = Number.parseInt(values.repos!, 10);
const concurrency = Number.parseInt(values.concurrency!, 10);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  console.error('usage: bench-fleet --repos N [--concurrency N] [--keep]');
  process.exit(2);
}

const templatesDir = path.resolve(import.meta.dirname, '..', 'examples', 'repos');
const templates = readdirSync(templatesDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
const work = path.join(os.tmpdir(), `ibm-bench-${process.pid}`);
const reposDir = path.join(work, 'repos');
const cacheDir = path.join(work, 'cache');

function peakRssMb(): number {
  // VmHWM is the kernel's own high-water mark of this process's resident memory.
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

let sampledPeak = 0;
const sampler = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss() / 1048576);
}, 50);

const t0 = performance.now();
mkdirSync(reposDir, { recursive: true });
for (let i = 0; i < count; i++) {
  const template = templates[i % templates.length]!;
  const dest = path.join(reposDir, `image-build-bench-${String(i).padStart(4, '0')}-${template.replace(/^image-build-/, '')}`);
  cpSync(path.join(templatesDir, template), dest, { recursive: true });
  // Make each copy its own repository (a different commit), as a real fleet would be.
  writeFileSync(path.join(dest, 'BENCH-ID'), `${i}\n`);
}
writeFileSync(path.join(work, 'repos.yaml'), `version: 1\nsource:\n  type: local\n  path: repos\n  owner: bench\ndefaults:\n  concurrency: ${concurrency}\n`);
console.log(`made ${count} repositories from ${templates.length} templates in ${((performance.now() - t0) / 1000).toFixed(1)} s (${work})`);

const sink = new Writable({ write: (_c, _e, cb) => cb() });
async function pass(label: string): Promise<void> {
  let report: FleetReport | undefined;
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const code = await runFleet({ reposFile: path.join(work, 'repos.yaml'), dryRun: true, cacheDir, concurrency, out: sink, err: sink, live: false, onReport: (r) => (report = r) });
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  const busy = performance.eventLoopUtilization(elu).utilization;
  const c = report!.counts;
  console.log(
    `${label}: ${count} repositories in ${seconds.toFixed(1)} s = ${(count / seconds).toFixed(1)} repos/s (exit ${code}; ` +
      `${c['would-change']} would change, ${c['already-migrated']} already migrated, ${c.skipped} skipped, ${c.failed} failed, pushes ${report!.pushes})`,
  );
  // Where the time goes: this process's own CPU (the codemod, forks) vs the main thread's load.
  console.log(`  this process: ${((used.user + used.system) / 1e6).toFixed(1)} s CPU, main thread busy ${(busy * 100).toFixed(0)}%; load average ${os.loadavg()[0]!.toFixed(1)}`);
}

try {
  await pass('cold (clone) ');
  await pass('warm (reuse) ');
} finally {
  clearInterval(sampler);
  console.log(`peak memory: ${peakRssMb().toFixed(0)} MB (VmHWM), ${sampledPeak.toFixed(0)} MB (sampled rss); concurrency ${concurrency}, ${os.cpus().length} cores`);
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
