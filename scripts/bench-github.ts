/**
 * `npm run bench:github [-- --repos N]`: GitHub API calls per repository on an unchanged fleet.
 * Seeds the local GitHub with N repositories (the example templates, cycled), runs the fleet once
 * (PRs opened), then twice more with nothing changed, and prints the API calls per repository of
 * those runs, 304 Not Modified answers counted apart (they cost no rate limit). Target: at most 4.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { runFleet } from '../src/fleet/run.ts';
import type { FleetReport } from '../src/report/types.ts';
import { LocalGitHub } from './local-github/github.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};

async function main(): Promise<void> {
  const count = arg('repos', 20);
  const token = `ghs_bench${'0'.repeat(30)}`;
  const gh = await LocalGitHub.start({ tokens: { [token]: 'image-build-migrator[bot]' } });
  const work = mkdtempSync(path.join(os.tmpdir(), 'ibm-bench-github-'));
  try {
    const examples = path.resolve(import.meta.dirname, '..', 'examples', 'repos');
    const templates = readdirSync(examples).filter((n) => n !== 'image-build-broken').sort();
    const names: string[] = [];
    for (let i = 0; i < count; i++) {
      const name = `bench/image-build-b${String(i).padStart(3, '0')}`;
      gh.addRepoFromFolder(name, path.join(examples, templates[i % templates.length]!));
      names.push(name);
    }
    const reposFile = path.join(work, 'repos.yaml');
    writeFileSync(reposFile, `source:\n  type: github\ninclude: [${names.join(', ')}]\ndelivery:\n  maxPrsPerRun: ${count}\n`);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_API_URL: gh.url, GITHUB_SERVER_URL: gh.serverUrl, GITHUB_TOKEN: token, GITHUB_WRITE_SPACING_MS: '0' };
    const run = async () => {
      let report: FleetReport | undefined;
      const sink = new PassThrough().resume();
      const writes = gh.writeCalls().length;
      await runFleet({ reposFile, dryRun: false, cacheDir: path.join(work, 'cache'), env, out: sink, err: sink, live: false, concurrency: 4, onReport: (r) => (report = r) });
      return { report: report!, writes: gh.writeCalls().length - writes };
    };
    const first = await run();
    process.stdout.write(`${count} repositories; first run: ${first.report.repos.filter((r) => r.delivery?.action === 'open').length} PRs opened, ${first.writes} write calls\n`);
    for (const label of ['second run (unchanged)', 'third run (unchanged)']) {
      const { report, writes } = await run();
      const calls = report.repos.map((r) => r.apiCalls!);
      const max = Math.max(...calls.map((c) => c.calls));
      const mean = calls.reduce((n, c) => n + c.calls, 0) / calls.length;
      const notModified = calls.reduce((n, c) => n + c.notModified, 0);
      process.stdout.write(`${label}: API calls per repository: mean ${mean.toFixed(2)}, max ${max} (target <= 4: ${max <= 4 ? 'met' : 'NOT met'}); 304 Not Modified: ${notModified} in total, ${(notModified / calls.length).toFixed(2)} per repository; whole run ${report.apiCalls!.calls} calls + ${report.apiCalls!.notModified} 304s; write calls ${writes}\n`);
    }
    gh.assertClean();
  } finally {
    await gh.close();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:github failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
