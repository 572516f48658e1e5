// The nightly's migrate job in two runs: `--measure-only` builds with a read-only token and
// delivers nothing, then `--timing-from` delivers with those timings, building nothing, with a
// token minted after the builds. The timings count only for the commit and migration they measured.
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFleet } from '../../src/fleet/run.ts';
import { main } from '../../src/cli.ts';
import { parseMarker } from '../../src/delivery/marker.ts';
import { timingInputFrom } from '../../src/timing/delivery-input.ts';
import { clearSecrets } from '../../src/secrets/redact.ts';
import { renderJson } from '../../src/report/json.ts';
import type { FleetReport } from '../../src/report/types.ts';
import { Capture } from '../helpers/streams.ts';
import { RecordingBuilder } from '../helpers/recording-builder.ts';
import { startFleet, TOKEN, WIDGET, type Fleet } from '../delivery/fleet.ts';
import { NO_PACING } from '../helpers/pacing.ts';

const REPO = 'rancher/image-build-widget';

describe('measure, then deliver with the measured timings', () => {
  let f: Fleet;
  const builder = new RecordingBuilder({ contextFiles: ['Dockerfile', 'Makefile'], seconds: (req) => (req.platform === 'linux/arm64' && req.buildArgs?.ARCH ? 600 : 60) });
  let measured: FleetReport;
  let delivered: FleetReport;
  let measureCode: number;
  let deliverCode: number;
  let writesAfterMeasure = -1;
  let buildsAfterMeasure = -1;
  let pullsAfterMeasure = -1;
  const env = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_API_URL: f.gh.url, GITHUB_SERVER_URL: f.gh.serverUrl, GITHUB_TOKEN: TOKEN, ...NO_PACING, CI: '1' });
  const STORE = () => path.join(f.dir, 'store');
  const CACHE = () => path.join(f.dir, 'cache');

  beforeAll(async () => {
    f = await startFleet({ [REPO]: WIDGET });
    try {
      measureCode = await runFleet({ reposFile: f.reposFile, dryRun: false, measureOnly: true, cacheDir: CACHE(), out: new Capture(), err: new Capture(), live: false, env: env(), onReport: (r) => (measured = r), timing: { builder, buildArgs: {}, storeDir: STORE(), platforms: ['linux/amd64', 'linux/arm64'] } });
      writesAfterMeasure = f.gh.writeCalls().length;
      buildsAfterMeasure = builder.builds.length;
      pullsAfterMeasure = f.gh.pullsOf(REPO).length;
      deliverCode = await runFleet({ reposFile: f.reposFile, dryRun: false, cacheDir: CACHE(), out: new Capture(), err: new Capture(), live: false, env: env(), onReport: (r) => (delivered = r), timingFrom: { report: measured, file: 'measured/widget.json' } });
    } finally {
      clearSecrets();
    }
  });
  afterAll(() => f.close());

  it('--measure-only builds and stores, and writes nothing to GitHub', () => {
    expect(measureCode).toBe(0);
    expect(buildsAfterMeasure).toBe(4);
    expect(writesAfterMeasure).toBe(0);
    expect(pullsAfterMeasure).toBe(0);
    expect(measured.pushes).toBe(0);
    const row = measured.repos.find((r) => r.name === REPO)!;
    expect(row.outcome).toBe('would-change');
    expect(row.timing!.measurements).toHaveLength(4);
    expect(readdirSync(STORE())).toHaveLength(1);
  });

  it('--timing-from delivers the PR with that table and builds nothing', () => {
    expect(deliverCode).toBe(0);
    expect(builder.builds.length).toBe(buildsAfterMeasure);
    const row = delivered.repos.find((r) => r.name === REPO)!;
    expect(row.outcome).toBe('changed');
    expect(row.timing).toEqual(measured.repos.find((r) => r.name === REPO)!.timing);
    const pr = f.gh.pullsOf(REPO)[0]!;
    expect(pr.body).toContain('| linux/arm64 | 10m00s | 1m00s | 10.0x | 1.00 |');
    expect(parseMarker(pr.body)!.timing).toBe(timingInputFrom({ result: row.timing! })!.digest);
  });

  it('timings of another base commit are not used: the PR says the base moved, and nothing is built', async () => {
    const moved = structuredClone(measured);
    moved.repos.find((r) => r.name === REPO)!.commit = '0123456789abcdef0123456789abcdef01234567';
    const file = path.join(f.dir, 'moved.json');
    writeFileSync(file, renderJson(moved));
    const out = new Capture();
    const err = new Capture();
    const code = await main(['migrate', '--repos', f.reposFile, '--cache-dir', CACHE(), '--dry-run', '--json', '--timing-from', file], out as unknown as NodeJS.WritableStream, err as unknown as NodeJS.WritableStream, env());
    clearSecrets();
    expect(code, err.text).toBe(0);
    const row = (JSON.parse(out.text) as FleetReport).repos.find((r) => r.name === REPO)!;
    expect(row.timing).toBeUndefined();
    expect(builder.builds.length).toBe(buildsAfterMeasure);
  });

  it('usage: --measure-only needs --timing; --timing-from goes without it; a file that is not a report is exit 2 naming it', async () => {
    const run = async (...argv: string[]) => {
      const err = new Capture();
      const code = await main(['migrate', '--repos', f.reposFile, '--cache-dir', CACHE(), ...argv], new Capture() as unknown as NodeJS.WritableStream, err as unknown as NodeJS.WritableStream, env());
      clearSecrets();
      return { code, err: err.text };
    };
    expect(await run('--measure-only')).toEqual({ code: 2, err: 'error: --measure-only goes with --timing, on the fleet (not with --local or --plan)\n' });
    expect(await run('--timing', '--timing-from', 'x.json')).toEqual({ code: 2, err: 'error: --timing-from takes the timings of an earlier --measure-only run: not with --timing, --local or --measure-only\n' });
    const bad = path.join(f.dir, 'not-a-report.json');
    writeFileSync(bad, '[1]');
    const r = await run('--dry-run', '--timing-from', bad);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: ${bad}: not a result file of image-build-migrator (a JSON object with "schemaVersion" was expected)\n`);
  });
});
