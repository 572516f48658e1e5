/**
 * `npm run soak`: the nightly as it runs on github.com, night after night, with people acting in
 * between. Each night runs the `run:` steps of .github/workflows/nightly.yml in order on a local
 * runner (scripts/soak/actions-runner.ts: artifacts as folders, the matrix expanded as GitHub
 * expands it, caches by key) against the local GitHub, with a fleet written for the soak, the
 * scripted human actions and faults of scripts/soak/scenario.ts, and a stand-in docker client for
 * the timing builds (scripts/soak/stand-in-docker). After every night it checks the invariants of
 * scripts/soak/invariants.ts and prints them; it exits 1 on any violation.
 *
 *   npm run soak                 # 14 nights
 *   npm run soak -- --nights 3   # the first 3
 *   npm run soak -- --keep       # keep the runs' folders (workspaces, artifacts, logs) to read
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isWrite } from './local-github/api-server.ts';
import { LocalGitHub } from './local-github/github.ts';
import { WorkflowRunner, type RunResult } from './soak/actions-runner.ts';
import { DASHBOARD_REPO, FLEET_REPOS, nightsOf, seedFleet, soakReposYaml, type World } from './soak/scenario.ts';
import { checkNight, dashboardFigures, type NightCheck } from './soak/invariants.ts';

const root = path.resolve(import.meta.dirname, '..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const nights = Number(arg('--nights') ?? 14);
  const keep = process.argv.includes('--keep');
  const token = `ghs_soak${randomBytes(18).toString('hex')}`;
  const gh = await LocalGitHub.start({ tokens: { [token]: 'image-build-migrator[bot]' } });
  const work = mkdtempSync(path.join(os.tmpdir(), 'ibm-soak-'));
  const started = Date.now();
  try {
    seedFleet(gh);
    const failsFile = path.join(work, 'build-fails.txt');
    writeFileSync(failsFile, '');
    const world: World = { gh, failsFile, humanCommits: [], removedLabels: new Map(), closedByHuman: new Set(), mergedByHuman: new Set(), expected: {} };
    const reposYaml = soakReposYaml();
    const checkout = (ws: string) => {
      // This repository as actions/checkout leaves it, with node_modules linked (the `npm ci` step
      // is replaced, below) and the soak's fleet list in place of the production repos.yaml.
      for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'src', 'scripts', 'node_modules', '.github']) symlinkSync(path.join(root, f), path.join(ws, f));
      writeFileSync(path.join(ws, 'repos.yaml'), reposYaml);
    };
    const machineEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      // What a runner sets for the GitHub it runs on (here: the local one).
      GITHUB_API_URL: gh.url,
      GITHUB_SERVER_URL: gh.serverUrl,
      GITHUB_WRITE_SPACING_MS: '0',
      GITHUB_NOTIFY_SPACING_MS: '0',
      GITHUB_RETRY_UNIT_MS: '0',
      DOCKER: path.join(root, 'scripts/soak/stand-in-docker'),
      SOAK_BUILD_FAILS: failsFile,
      npm_config_update_notifier: 'false',
      FORCE_COLOR: '0',
    };
    console.log(`soak: ${nights} nights of .github/workflows/nightly.yml, fleet of ${FLEET_REPOS.length} repositories + ${DASHBOARD_REPO}`);
    console.log('soak: the `npm ci` step is replaced by node_modules linked into the checkout; setup-node/qemu/buildx are the machine\'s; timing builds go to a stand-in docker client');
    const checks: NightCheck[] = [];
    const plan = nightsOf().slice(0, nights);
    for (const [i, night] of plan.entries()) {
      const n = i + 1;
      const t0 = Date.now();
      const notes = night.before?.(world) ?? [];
      const callsBefore = gh.api.requests.length;
      const pushesBefore = gh.pushes.length;
      const runDir = path.join(work, `night-${n}`);
      mkdirSync(runDir, { recursive: true });
      const runner = new WorkflowRunner({
        workflowFile: path.join(root, '.github/workflows/nightly.yml'),
        event: night.event,
        inputs: night.inputs,
        secrets: { MIGRATOR_TOKEN: token },
        vars: {},
        runId: 1000 + n,
        runDir,
        cacheDir: path.join(work, 'actions-cache'),
        machineEnv,
        checkout,
        machineParallel: 2,
        killStepAfterMs: (job, step, attempt) => night.kill?.(job.matrix?.repo as string | undefined, step, attempt),
        replaceRun: (script) => (script.trim() === 'npm ci --no-audit --no-fund' ? ': the soak links node_modules into the checkout' : undefined),
      });
      night.during?.(world);
      let run: RunResult = await runner.run();
      const attempts = [run];
      if (night.rerunFailed && run.conclusion === 'failure') {
        run = await runner.rerunFailed(run);
        attempts.push(run);
      }
      // A scripted outage lasts one night.
      gh.api.clearFaults();
      night.after?.(world);
      const calls = gh.api.requests.slice(callsBefore);
      const writes = [...calls.filter(isWrite), ...gh.pushes.slice(pushesBefore)];
      const check = await checkNight({ n, night, world, attempts, runDir, calls, writes, notes, seconds: (Date.now() - t0) / 1000 });
      checks.push(check);
      printNight(check);
    }
    const figures = dashboardFigures();
    console.log(`\ndashboard body at ${figures.map((f) => `${f.repos} repositories: ${f.chars.toLocaleString('en')} characters`).join(', ')} (limit 65,536)`);
    const over = figures.filter((f) => f.chars > 65_536);
    const violations = checks.reduce((s, c) => s + c.violations.length, 0) + over.length;
    console.log(`\nsoak: ${checks.length} nights, ${violations} violation(s), ${((Date.now() - started) / 1000).toFixed(0)} s`);
    if (keep) console.log(`soak: runs kept in ${work}`);
    return violations === 0 ? 0 : 1;
  } finally {
    await gh.close();
    if (!keep) rmSync(work, { recursive: true, force: true });
  }
}

function printNight(c: NightCheck): void {
  console.log(`\nnight ${c.n} (${c.title}) — ${c.conclusion}${c.attempts > 1 ? ` after ${c.attempts} attempts` : ''}, ${c.seconds.toFixed(0)} s`);
  for (const note of c.notes) console.log(`  human/fault: ${note}`);
  console.log(`  ${c.figures}`);
  for (const ok of c.held) console.log(`  ok  ${ok}`);
  for (const v of c.violations) console.log(`  VIOLATION  ${v}`);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(2);
  },
);
