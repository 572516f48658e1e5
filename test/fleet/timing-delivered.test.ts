// One repository's way with --timing: migrate once, time what it produced, deliver that. The
// timed after Dockerfile (and context) is byte for byte what lands on the bot's branch.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFleet } from '../../src/fleet/run.ts';
import { migrateCheckout } from '../../src/migrate/checkout.ts';
import type { CheckoutReport, MigrateOptions } from '../../src/migrate/types.ts';
import { recipes } from '../../migrations/index.ts';
import { parseMarker } from '../../src/delivery/marker.ts';
import { timingInputFrom } from '../../src/timing/delivery-input.ts';
import { clearSecrets } from '../../src/secrets/redact.ts';
import type { FleetReport } from '../../src/report/types.ts';
import { Capture } from '../helpers/streams.ts';
import { RecordingBuilder } from '../helpers/recording-builder.ts';
import { startFleet, TOKEN, WIDGET, type Fleet } from '../delivery/fleet.ts';
import { NO_PACING } from '../helpers/pacing.ts';

const REPO = 'rancher/image-build-widget';

describe('--timing in the pipeline: migrate -> time -> deliver', () => {
  let f: Fleet;
  let report: FleetReport;
  let code: number;
  let out: Capture;
  let dryReport: FleetReport;
  let dryCode: number;
  let dryMigrations = 0;
  let writesAfterDryRun = -1;
  let storeAfterDryRun = true;
  const dryBuilder = new RecordingBuilder();
  const STORE = () => path.join(f.dir, 'store');
  const builder = new RecordingBuilder({ contextFiles: ['Dockerfile', 'Makefile'], seconds: (req) => (req.platform === 'linux/arm64' && req.buildArgs?.ARCH ? 600 : 60) });
  const migrations: string[] = [];

  beforeAll(async () => {
    f = await startFleet({ [REPO]: WIDGET });
    out = new Capture();
    const err = new Capture();
    const migrate = (dir: string, o: MigrateOptions): Promise<CheckoutReport> => {
      migrations.push(dir);
      return migrateCheckout(dir, o, recipes);
    };
    const run = (dryRun: boolean, b: RecordingBuilder, o: Capture) =>
      runFleet({
        reposFile: f.reposFile,
        dryRun,
        cacheDir: path.join(f.dir, 'cache'),
        out: o,
        err,
        live: false,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_API_URL: f.gh.url, GITHUB_SERVER_URL: f.gh.serverUrl, GITHUB_TOKEN: TOKEN, ...NO_PACING, CI: '1' },
        migrate,
        onReport: (r) => (dryRun ? (dryReport = r) : (report = r)),
        timing: { builder: b, buildArgs: {}, storeDir: STORE(), platforms: ['linux/amd64', 'linux/arm64'] },
      });
    try {
      dryCode = await run(true, dryBuilder, new Capture());
      dryMigrations = migrations.length;
      writesAfterDryRun = f.gh.writeCalls().length;
      storeAfterDryRun = existsSync(STORE());
      code = await run(false, builder, out);
    } finally {
      clearSecrets();
    }
  });

  it('a dry run first: measured and reported, but no GitHub write, no push, and no timing store', () => {
    expect(dryCode).toBe(0);
    expect(dryMigrations).toBe(1);
    expect(dryBuilder.builds).toHaveLength(4);
    expect(dryReport.repos.find((r) => r.name === REPO)!.timing!.measurements).toHaveLength(4);
    expect(dryReport.pushes).toBe(0);
    expect(writesAfterDryRun).toBe(0);
    expect(storeAfterDryRun).toBe(false);
    // The real run stores its result.
    expect(readdirSync(STORE())).toEqual([`${report.repos.find((r) => r.name === REPO)!.timing!.digest.slice(7)}.json`]);
  });
  afterAll(() => f.close());

  it('runs the codemod once per repository and run (timing does not migrate again)', () => {
    expect(code).toBe(0);
    expect(migrations).toHaveLength(2);
  });

  it('times before and after on both platforms; the after Dockerfile and context are what was delivered', () => {
    const delivered = { Dockerfile: f.gh.fileAt(REPO, 'cross-compile/xx', 'Dockerfile'), Makefile: f.gh.fileAt(REPO, 'cross-compile/xx', 'Makefile') };
    expect(delivered.Dockerfile).toContain('FROM --platform=$BUILDPLATFORM');
    expect(delivered.Makefile).not.toBe(WIDGET.Makefile);
    expect(builder.builds.map((b) => [b.platform, b.buildArgs.ARCH ? 'before' : 'after'])).toEqual([
      ['linux/amd64', 'before'],
      ['linux/amd64', 'after'],
      ['linux/arm64', 'before'],
      ['linux/arm64', 'after'],
    ]);
    // The Makefile's `--build-arg TAG=$(TAG)` (TAG ?= v0.4.2) reaches every build, as a real one gets it.
    expect(builder.builds.map((b) => b.buildArgs.TAG)).toEqual(['v0.4.2', 'v0.4.2', 'v0.4.2', 'v0.4.2']);
    for (const b of builder.builds.filter((x) => !x.buildArgs.ARCH)) {
      expect(Buffer.from(b.dockerfile).equals(Buffer.from(delivered.Dockerfile!))).toBe(true);
      expect(b.context).toEqual(delivered);
    }
    for (const b of builder.builds.filter((x) => x.buildArgs.ARCH)) {
      expect(b.dockerfile).toBe(WIDGET.Dockerfile);
      expect(b.context).toEqual({ Dockerfile: WIDGET.Dockerfile, Makefile: WIDGET.Makefile });
    }
  });

  it('the PR shows the table and its marker carries the digest of these numbers', () => {
    const timing = report.repos.find((r) => r.name === REPO)!.timing!;
    expect(timing.measurements.map((m) => [m.dockerfile, m.variant, m.platform, m.wallSeconds])).toEqual([
      ['Dockerfile', 'before', 'linux/amd64', 60],
      ['Dockerfile', 'after', 'linux/amd64', 60],
      ['Dockerfile', 'before', 'linux/arm64', 600],
      ['Dockerfile', 'after', 'linux/arm64', 60],
    ]);
    const pr = f.gh.pullsOf(REPO)[0]!;
    expect(pr.body).toContain('| linux/arm64 | 10m00s | 1m00s | 10.0x | 1.00 |');
    expect(parseMarker(pr.body)!.timing).toBe(timingInputFrom({ result: timing })!.digest);
    expect(out.text).toContain(`── ${REPO}: build times`);
  });
});
