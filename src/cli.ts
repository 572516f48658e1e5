/**
 * The command line: `migrate` (one checkout with --local, or the fleet from repos.yaml) and
 * `review` (the rule set on any Dockerfile). Exit codes: 0 done or nothing to do, 1 something
 * could not be migrated safely (review: an error-level finding), 2 bad usage or input.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { DockerfileError } from './dockerfile/errors.ts';
import { runLocal, type TimingArgs } from './cli/local.ts';
import { parseBuildArgs, parsePlatforms } from './timing/migration-timing.ts';
import { runFleet } from './fleet/run.ts';
import { FAIL_ON, runReview } from './review/cli.ts';
import { runPrReview } from './github-review/command.ts';
import { ConfigError } from './config/repos-config.ts';
import { runReportMatrix, runReportMerge } from './cli/report.ts';
import { runToken } from './cli/token.ts';
import { ExchangeError, readExchange } from './report/report-files.ts';
import { ChangedFilesError, changedDockerfiles } from './actions/changed-files.ts';
import { describeFsError, FileError, isErrno } from './files/fs-errors.ts';
import { redact, registerEnvSecrets } from './secrets/redact.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** defaultStore '' lets the fleet keep results in its cache folder. */
function timingArgs(o: { timing?: boolean; platforms?: string; buildArg?: string[]; timingStore?: string; timingBudget?: string }, defaultStore = path.join('.cache', 'timing')): TimingArgs | undefined {
  if (!o.timing) {
    if (o.platforms || o.buildArg?.length || o.timingStore || o.timingBudget) throw new CommanderError(2, 'usage', '--platforms, --build-arg, --timing-store and --timing-budget go with --timing');
    return undefined;
  }
  const budget = o.timingBudget === undefined ? undefined : Number(o.timingBudget);
  if (budget !== undefined && !(Number.isFinite(budget) && budget > 0)) throw new CommanderError(2, 'usage', `--timing-budget: "${o.timingBudget}" is not a number of minutes above 0`);
  try {
    return { platforms: parsePlatforms(o.platforms), buildArgs: parseBuildArgs(o.buildArg), storeDir: o.timingStore ?? defaultStore, ...(budget ? { deadline: Date.now() + budget * 60_000 } : {}) };
  } catch (e) {
    throw new CommanderError(2, 'usage', (e as Error).message);
  }
}

const wholeNumber = (flag: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CommanderError(2, 'usage', `${flag} takes a whole number >= 0`);
  return n;
};

export interface MainHooks {
  /** Receives the command definitions instead of running them (tests compare workflows against them). */
  inspect?: (program: Command) => void;
}

/** Usage mistakes that would otherwise run something else than asked: exit 2 before anything runs. */
function usageChecks(o: { only?: string; dockerfile?: string[] }): void {
  if (o.only !== undefined && String(o.only).split(',').every((s) => s.trim() === '')) {
    throw new CommanderError(2, 'usage', '--only names no repository: give comma-separated names, or leave --only out for the whole fleet');
  }
  const seen = new Set<string>();
  for (const d of o.dockerfile ?? []) {
    const key = path.posix.normalize(d.replace(/\\/g, '/')).replace(/^\.\//, '');
    if (seen.has(key)) throw new CommanderError(2, 'usage', `--dockerfile ${d} is given twice: list each Dockerfile once`);
    seen.add(key);
  }
}

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr, env: NodeJS.ProcessEnv = process.env, hooks: MainHooks = {}): Promise<number> {
  registerEnvSecrets();
  let code = 0;
  const program = new Command('image-build-migrator')
    .description('Migrate image-build repositories from QEMU-emulated multi-arch builds to cross-compilation')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) });

  const migrate = program
    .command('migrate')
    .description('migrate one checkout (--local DIR) or every repository of repos.yaml')
    .option('--local <dir>', 'migrate this checkout in place')
    .option('--dry-run', 'compute everything, print the diff, write nothing', false)
    .option('--plan', 'fleet: print what delivery would do per repository (open / update / leave / close / blocked), with read calls only', false)
    .option('--json', 'print a machine-readable report', false)
    .option('--repos <file>', 'repository list and settings', undefined)
    .option('--repo <name>', 'with --local: the repository name whose repos.yaml settings apply')
    .option('--only <names>', 'fleet: only these repositories (comma-separated)')
    .option('--concurrency <n>', 'fleet: repositories in parallel', (v) => Number(v))
    .option('--report <file>', 'fleet: write the summary as JSON')
    .option('--cache-dir <dir>', 'fleet: where workspaces are kept')
    .option('--xx-image <image>', 'the xx image (default rancher/mirrored-tonistiigi-xx:1.6.1)')
    .option('--dockerfile <path>', 'Dockerfile path in the checkout (repeatable)', collect)
    .option('--emulate <stage=reason>', 'leave this stage emulated, with the reason (repeatable)', collect)
    .option('--no-dashboard', 'fleet: leave the dashboard issue alone (nightly matrix jobs: the summary updates it once)')
    .option('--timing', 'also time cold builds before and after on a real BuildKit (printed as a table)', false)
    .option('--platforms <list>', 'with --timing: platforms to build (default from repos.yaml, else linux/amd64,linux/arm64)')
    .option('--build-arg <name=value>', 'with --timing: a build-arg for every timed build (repeatable)', collect)
    .option('--timing-budget <minutes>', 'with --timing: all builds of this run end within this many minutes; what is left is measured on a later night (the nightly job: under its timeout)')
    .option('--measure-only', 'fleet, with --timing: migrate and time, deliver nothing, write nothing to GitHub; --report keeps the timings for a later --timing-from (the nightly measures with a read-only token)', false)
    .option('--timing-from <report>', 'fleet: deliver with the timings of a --measure-only report of the same base commit and migration, building nothing')
    .option('--timing-store <dir>', 'with --timing: where results are kept and reused by digest (default .cache/timing, the fleet: <cache-dir>/timing)')
    .action(async (o) => {
      if (o.concurrency !== undefined && (!Number.isInteger(o.concurrency) || o.concurrency < 1 || o.concurrency > 64)) {
        throw new CommanderError(2, 'usage', '--concurrency takes a whole number >= 1 (must be 1–64)');
      }
      usageChecks(o);
      if (o.measureOnly && (!o.timing || o.local || o.plan)) throw new CommanderError(2, 'usage', '--measure-only goes with --timing, on the fleet (not with --local or --plan)');
      if (o.timingFrom && (o.timing || o.local || o.measureOnly)) throw new CommanderError(2, 'usage', '--timing-from takes the timings of an earlier --measure-only run: not with --timing, --local or --measure-only');
      const timingFrom = o.timingFrom ? { report: await readExchange(o.timingFrom), file: String(o.timingFrom) } : undefined;
      if (o.local) {
        code = await runLocal(
          { dir: o.local, dryRun: o.dryRun, json: o.json, xxImage: o.xxImage, dockerfiles: o.dockerfile, emulate: o.emulate, reposFile: o.repos, repo: o.repo, timing: timingArgs(o) },
          out,
          err,
        );
      } else {
        code = await runFleet({
          reposFile: o.repos ?? 'repos.yaml',
          dryRun: o.dryRun,
          plan: o.plan,
          dashboard: o.dashboard,
          only: o.only ? String(o.only).split(',').map((s: string) => s.trim()).filter(Boolean) : undefined,
          concurrency: o.concurrency,
          reportFile: o.report,
          cacheDir: o.cacheDir,
          json: o.json,
          out,
          err,
          env,
          timing: timingArgs(o, ''),
          measureOnly: o.measureOnly,
          timingFrom,
        });
      }
    });

  // Options of `migrate` (--json) are not options of `migrate report merge` (--json FILE).
  program.enablePositionalOptions();
  migrate.enablePositionalOptions();
  const report = migrate.command('report').description('the nightly workflow\'s plan and summary stages (versioned JSON in, Markdown and JSON out)');
  report
    .command('matrix')
    .description('the job matrix of a plan (a --dry-run --report file): one entry per repository that needs a migrate job')
    .argument('<plan>', 'the plan JSON')
    .option('--max-new <n>', 'at most this many jobs for repositories that would get a new PR', wholeNumber('--max-new'))
    .option('--out <file>', 'write the plan as the summary must read it (deferred repositories marked)')
    .action(async (plan: string, o) => {
      code = await runReportMatrix({ plan, maxNew: o.maxNew, out: o.out }, out, err);
    });
  report
    .command('merge')
    .description('merge the result files of the migrate jobs (and the plan) into one summary')
    .argument('<dir>', 'folder of result JSON files (searched recursively)')
    .option('--plan <file>', 'the plan: planned repositories without a result become failed rows')
    .option('--json <file>', 'write the merged report as JSON')
    .option('--markdown <file>', 'write the Markdown summary (also appended to GITHUB_STEP_SUMMARY inside Actions)')
    .option('--dashboard', 'update the dashboard issue of repos.yaml once from the merged rows (needs GITHUB_TOKEN or the GitHub App)', false)
    .option('--repos <file>', 'with --dashboard: the repos.yaml naming the dashboard issue', 'repos.yaml')
    .option('--dry-run', 'the night was a dry run: report only, the dashboard is left alone', false)
    .action(async (dir: string, o) => {
      code = await runReportMerge({ dir, plan: o.plan, json: o.json, markdown: o.markdown, dashboard: o.dashboard ? { reposFile: o.repos } : undefined, dryRun: o.dryRun }, out, err, env);
    });

  migrate
    .command('token')
    .description('the nightly workflow\'s per-job token: with the GitHub App, an installation token scoped to --repo and --permissions (a GITHUB_TOKEN is passed through: it cannot be scoped), masked and written to $GITHUB_OUTPUT as `token` (never printed)')
    .option('--repo <owner/name>', 'a repository the token may reach (repeatable; none: every repository of the installation)', collect)
    .option('--permissions <list>', 'what the token may do: name:level pairs, comma-separated (e.g. contents:write,pull_requests:write,issues:write,workflows:write)')
    .option('--dashboard-from <file>', 'also the dashboard repository of this repos.yaml (delivery.dashboard.repo; none configured: no token is minted)')
    .action(async (o) => {
      code = await runToken({ repos: o.repo ?? [], permissions: o.permissions ?? '', dashboardFrom: o.dashboardFrom }, out, err, env);
    });

  program
    .command('review')
    .description('judge Dockerfiles (files or repository folders) with the cross-compilation rule set')
    .argument('[paths...]', 'Dockerfiles or repository folders')
    .option('--format <format>', 'text | json | sarif | github', 'text')
    .option('--xx-image <image>', 'the expected xx image')
    .option('--pr <owner/repo#n>', 'review a pull request\'s changed Dockerfiles and post one review (inline comments, suggestions)')
    .option('--fail-on <level>', 'exit 1 when a finding is at least: error | warning | never', 'error')
    .option('--changed-since <commit>', 'also review the files changed since this commit (a pull request\'s base) that match --match')
    .option('--match <globs>', 'with --changed-since: globs of the files to review (comma- or newline-separated; default Dockerfile, Dockerfile.*, *.Dockerfile in any folder)')
    .option('--root <dir>', 'the checkout the paths and --changed-since are relative to, run from anywhere (default the working directory); findings still name the paths as given')
    .action(async (paths: string[], o) => {
      if (o.pr) {
        code = await runPrReview({ pr: o.pr, xxImage: o.xxImage, env }, out, err);
        return;
      }
      if (!paths.length && !o.changedSince) throw new CommanderError(2, 'usage', 'review takes Dockerfiles or folders, --changed-since COMMIT, or --pr OWNER/REPO#N');
      if (!['text', 'json', 'sarif', 'github'].includes(o.format)) throw new CommanderError(2, 'usage', `unknown --format "${o.format}": use text, json, sarif or github`);
      if (!FAIL_ON.includes(o.failOn)) throw new CommanderError(2, 'usage', `unknown --fail-on "${o.failOn}": use ${FAIL_ON.join(', ')}`);
      if (o.changedSince) {
        let changed: string[];
        try {
          changed = await changedDockerfiles(o.root ?? process.cwd(), o.changedSince, o.match);
        } catch (e) {
          if (!(e instanceof ChangedFilesError)) throw e;
          throw new CommanderError(2, 'usage', e.message);
        }
        if (!paths.length && !changed.length) {
          err.write(`No file changed since ${o.changedSince} matches ${o.match ?? 'the Dockerfile patterns'}: nothing to review.\n`);
          return;
        }
        paths = [...paths, ...changed];
      }
      code = await runReview({ paths, format: o.format, xxImage: o.xxImage, failOn: o.failOn, root: o.root }, out, err);
    });

  if (hooks.inspect) {
    hooks.inspect(program);
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'usage') err.write(`error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof DockerfileError || e instanceof ConfigError || e instanceof ExchangeError) {
      err.write(`error: ${redact(e.message)}\n`);
      return 2;
    }
    // A filesystem failure anywhere is one line naming the path and what to do, never a stack.
    if (e instanceof FileError) {
      err.write(`error: ${redact(e.message)}\n`);
      return e.exitCode;
    }
    if (isErrno(e)) {
      err.write(`error: ${redact(describeFsError(e))}\n`);
      return 1;
    }
    throw e;
  }
}

/**
 * Run as a program (tsx src/cli.ts, or the action bundle dist/action.mjs, where every
 * module shares the bundle's import.meta.url), not imported. Compared as real paths: a folder
 * name with a space or a symlink on the way must not make the CLI silently do nothing.
 */
function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
// The action's bundle (dist/action.mjs) contains this module too, with its import.meta.url: there
// src/action/main.ts is the program, and this must not also parse the action's argv.
declare const __IBM_ACTION_BUNDLE__: boolean | undefined;
const inActionBundle = typeof __IBM_ACTION_BUNDLE__ !== 'undefined' && __IBM_ACTION_BUNDLE__;
const isMain = !inActionBundle && (isMainModule() || process.argv[1]?.endsWith('src/cli.ts'));
if (isMain) {
  // A reader that stops early (`| head`) is not a failure: the rest of the output has nowhere
  // to go, so stop quietly, as cat and grep do.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`internal error: ${redact(e instanceof Error ? (e.stack ?? e.message) : String(e))}\n`);
      process.exitCode = 1;
    },
  );
}
