/**
 * npm run bench:build [-- --samples N] [--reuse DIR] [--json FILE] [--buildx]
 *
 * The end-to-end timing on the local BuildKit (scripts/local-buildkit.sh up first): the beacon
 * example migrated by the bot, cold builds before and after for linux/amd64 and linux/arm64,
 * N interleaved samples (default 3: every sample builds all four once, in turn). Prints the
 * median of each time with its range and, for each ratio, the median of the ratios taken within
 * a sample (whose builds ran minutes apart, under the same load): the speedup (before arm64 / after arm64, target >= 8x), the parity of the whole build (after
 * arm64 / after amd64, target <= 1.15) and, beside it, the parity of the compile step alone: the
 * whole build's parity should come within 0.03 of it, since everything else of the after build
 * runs natively too. --reuse DIR takes the first sample from (and keeps it in) a store folder,
 * so a measurement the build test just made is not repeated; --buildx measures through the
 * buildx back end instead of the one the probe picks by default here (plain docker build).
 */
import { writeFile } from 'node:fs/promises';
import { BUILDX_ENV, LOCAL_BUILD_ARGS, exampleSection, migrateExample, requireWorld } from './build-world.ts';
import { probeBuilder } from '../src/timing/probe.ts';
import { measureTiming } from '../src/timing/measure.ts';
import { FileTimingStore } from '../src/timing/store.ts';
import { headline, measurement, type Measurement, type TimingResult } from '../src/timing/result.ts';
import { median, medianOf } from '../src/timing/samples.ts';
import { renderTimingTable } from '../src/timing/table.ts';

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const count = Number(opt('--samples') ?? 3);
if (!Number.isInteger(count) || count < 1 || count > 9) throw new Error(`--samples: give a whole number from 1 to 9 (got ${opt('--samples')})`);

await requireWorld();
const builder = await probeBuilder(argv.includes('--buildx') ? { env: BUILDX_ENV } : {});
if (argv.includes('--buildx') && builder.info.kind !== 'buildx') throw new Error(`--buildx: the probe found no usable buildx with DOCKER_CONFIG=${BUILDX_ENV.DOCKER_CONFIG} (run scripts/local-buildkit.sh up)`);
const ex = await migrateExample('image-build-beacon');
const reuse = opt('--reuse');
const results: TimingResult[] = [];
for (let i = 0; i < count; i++) {
  process.stderr.write(`bench:build: sample ${i + 1} of ${count}\n`);
  results.push(
    await measureTiming({
      repo: 'example/image-build-beacon',
      sections: [exampleSection(ex)],
      platforms: ['linux/amd64', 'linux/arm64'],
      buildArgs: LOCAL_BUILD_ARGS,
      builder,
      // Only the first sample may come from the store: the others must be builds of their own.
      store: reuse && i === 0 ? new FileTimingStore(reuse) : undefined,
      onProgress: (l) => process.stderr.write(l + '\n'),
    }),
  );
}
const { result, samples } = medianOf(results);
const json = opt('--json');
if (json) await writeFile(json, JSON.stringify({ median: result, samples: results }, null, 2) + '\n');

const cells = (variant: 'before' | 'after', platform: string) => results.map((r) => measurement(r, variant, platform)).filter((m): m is Measurement => m?.status === 'ok');
const fig = (variant: 'before' | 'after', platform: string) => {
  const m = measurement(result, variant, platform);
  if (m?.status !== 'ok') return m?.status ?? 'not measured';
  const all = cells(variant, platform).map((c) => c.wallSeconds);
  return `${m.wallSeconds.toFixed(1)} s  (${all.length} sample${all.length === 1 ? '' : 's'}: ${Math.min(...all).toFixed(1)}–${Math.max(...all).toFixed(1)} s)`;
};
// Ratios are taken within each sample (its two builds ran minutes apart, under the same load),
// then the median of those: a slow minute that hit one cell of one sample moves no ratio.
function perSample(ratio: (r: TimingResult) => number | undefined): number | undefined {
  return median(results.map(ratio).filter((x): x is number => x !== undefined && Number.isFinite(x)));
}
// The compile step of the after build on each platform: the same step (by name) in both builds.
function compileParity(r: TimingResult): number | undefined {
  const arm = measurement(r, 'after', 'linux/arm64')?.slowestSteps[0];
  const amd = arm && measurement(r, 'after', 'linux/amd64')?.slowestSteps.find((s) => s.name.replace(/linux\/\w+/g, '') === arm.name.replace(/linux\/\w+/g, ''));
  return arm && amd && amd.seconds > 0 ? arm.seconds / amd.seconds : undefined;
}
function stepRatio(): string {
  const x = perSample((r) => {
    const [b, a] = (['before', 'after'] as const).map((v) => measurement(r, v, 'linux/arm64')?.slowestSteps[0]?.seconds);
    return b !== undefined && a ? b / a : undefined;
  });
  return x !== undefined ? `${x.toFixed(2)}x` : '–';
}
const h = {
  speedup: perSample((r) => headline(r, 'linux/arm64').speedup),
  parity: perSample((r) => headline(r, 'linux/arm64').parity),
};
const cp = perSample(compileParity);
const gap = perSample((r) => {
  const whole = headline(r, 'linux/arm64').parity;
  const step = compileParity(r);
  return whole !== undefined && step !== undefined ? Math.abs(whole - step) : undefined;
});
const reusedFirst = results[0]?.reused ? `; sample 1 reused from ${results[0].measuredAt}` : '';
const lines = [
  `bench:build  (${builder.info.kind} ${builder.info.version}, engine ${builder.info.engine}; cold builds, median of ${count} interleaved sample${count === 1 ? '' : 's'}, ${samples} built in every cell${reusedFirst})`,
  `  before linux/arm64  ${fig('before', 'linux/arm64')}`,
  `  before linux/amd64  ${fig('before', 'linux/amd64')}`,
  `  after  linux/arm64  ${fig('after', 'linux/arm64')}`,
  `  after  linux/amd64  ${fig('after', 'linux/amd64')}`,
  `  speedup (before arm64 / after arm64)  ${h.speedup?.toFixed(2) ?? '–'}x   target >= 8   ${h.speedup !== undefined && h.speedup >= 8 ? 'met' : 'NOT met'}`,
  `  parity  (after arm64 / after amd64)   ${h.parity?.toFixed(2) ?? '–'}    target <= 1.15 ${h.parity !== undefined && h.parity <= 1.15 ? 'met' : 'NOT met'}`,
  `  parity of the compile step alone      ${cp?.toFixed(2) ?? '–'}    whole build within ${gap?.toFixed(3) ?? '–'} of it, target <= 0.03 ${gap !== undefined && gap <= 0.03 ? 'met' : 'NOT met'}`,
  // The bound of the whole build's speedup: the emulated compile against the cross-compile.
  `  slowest step alone (before arm64 / after arm64)  ${stepRatio()}`,
  `  digest ${result.digest}`,
  // Where each build's time goes: its slowest step (the compile) and everything else.
  ...result.measurements.map((m) => {
    const top = m.slowestSteps[0];
    return `  ${m.variant.padEnd(6)} ${m.platform}: slowest step ${top ? `${top.seconds.toFixed(1)} s` : '–'}, the rest ${top ? `${(m.wallSeconds - top.seconds).toFixed(1)} s` : '–'}${top ? `  (${top.name.replace(/\s+/g, ' ').slice(0, 60)})` : ''}`;
  }),
];
process.stdout.write(lines.join('\n') + '\n\n' + renderTimingTable(result));
