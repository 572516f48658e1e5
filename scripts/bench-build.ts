/**
 * npm run bench:build [-- --reuse DIR] [--json FILE] [--buildx]
 *
 * The end-to-end timing on the local BuildKit (scripts/local-buildkit.sh up first): the beacon
 * example migrated by the bot, cold builds before and after for linux/amd64 and linux/arm64, one
 * run. Prints the four wall times, the speedup (before arm64 / after arm64, target >= 8x) and the
 * parity (after arm64 / after amd64, target <= 1.15). --reuse DIR reads (and keeps) the result in
 * a store folder, so a measurement the build test just made is not repeated; without it, it
 * always measures. --buildx measures through the buildx back end (the plugin local-buildkit.sh
 * installs) instead of the one the probe picks by default here (plain docker build).
 */
import { writeFile } from 'node:fs/promises';
import { BUILDX_ENV, LOCAL_BUILD_ARGS, exampleSection, migrateExample, requireWorld } from './build-world.ts';
import { probeBuilder } from '../src/timing/probe.ts';
import { measureTiming } from '../src/timing/measure.ts';
import { FileTimingStore } from '../src/timing/store.ts';
import { headline, measurement } from '../src/timing/result.ts';
import { renderTimingTable } from '../src/timing/table.ts';

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};

await requireWorld();
const builder = await probeBuilder(argv.includes('--buildx') ? { env: BUILDX_ENV } : {});
if (argv.includes('--buildx') && builder.info.kind !== 'buildx') throw new Error(`--buildx: the probe found no usable buildx with DOCKER_CONFIG=${BUILDX_ENV.DOCKER_CONFIG} (run scripts/local-buildkit.sh up)`);
const ex = await migrateExample('image-build-beacon');
const reuse = opt('--reuse');
const result = await measureTiming({
  repo: 'example/image-build-beacon',
  sections: [exampleSection(ex)],
  platforms: ['linux/amd64', 'linux/arm64'],
  buildArgs: LOCAL_BUILD_ARGS,
  builder,
  store: reuse ? new FileTimingStore(reuse) : undefined,
  onProgress: (l) => process.stderr.write(l + '\n'),
});
const json = opt('--json');
if (json) await writeFile(json, JSON.stringify(result, null, 2) + '\n');

const fig = (variant: 'before' | 'after', platform: string) => {
  const m = measurement(result, variant, platform);
  return m?.status === 'ok' ? `${m.wallSeconds.toFixed(1)} s` : (m?.status ?? 'not measured');
};
const h = headline(result, 'linux/arm64');
const lines = [
  `bench:build  (${builder.info.kind} ${builder.info.version}, engine ${builder.info.engine}; cold, one run${result.reused ? `; reused from ${result.measuredAt}` : ''})`,
  `  before linux/arm64  ${fig('before', 'linux/arm64')}`,
  `  before linux/amd64  ${fig('before', 'linux/amd64')}`,
  `  after  linux/arm64  ${fig('after', 'linux/arm64')}`,
  `  after  linux/amd64  ${fig('after', 'linux/amd64')}`,
  `  speedup (before arm64 / after arm64)  ${h.speedup?.toFixed(2) ?? '–'}x   target >= 8   ${h.speedup !== undefined && h.speedup >= 8 ? 'met' : 'NOT met'}`,
  `  parity  (after arm64 / after amd64)   ${h.parity?.toFixed(2) ?? '–'}    target <= 1.15 ${h.parity !== undefined && h.parity <= 1.15 ? 'met' : 'NOT met'}`,
  `  digest ${result.digest}`,
  // Where each build's time goes: its slowest step (the compile) and everything else.
  ...result.measurements.map((m) => {
    const top = m.slowestSteps[0];
    return `  ${m.variant.padEnd(6)} ${m.platform}: slowest step ${top ? `${top.seconds.toFixed(1)} s` : '–'}, the rest ${top ? `${(m.wallSeconds - top.seconds).toFixed(1)} s` : '–'}${top ? `  (${top.name.replace(/\s+/g, ' ').slice(0, 60)})` : ''}`;
  }),
];
process.stdout.write(lines.join('\n') + '\n\n' + renderTimingTable(result));
