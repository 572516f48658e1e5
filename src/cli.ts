/**
 * The command line: `migrate` (one checkout with --local, or the fleet from repos.yaml) and
 * `review` (the rule set on any Dockerfile). Exit codes: 0 done or nothing to do, 1 something
 * could not be migrated safely (review: an error-level finding), 2 bad usage or input.
 */
import { Command, CommanderError } from 'commander';
import { DockerfileError } from './dockerfile/errors.ts';
import { runLocal } from './cli/local.ts';
import { runFleet } from './fleet/run.ts';
import { runReview } from './review/cli.ts';
import { ConfigError } from './config/repos-config.ts';
import { describeFsError, FileError, isErrno } from './files/fs-errors.ts';
import { redact, registerEnvSecrets } from './github/redact.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  registerEnvSecrets();
  let code = 0;
  const program = new Command('image-build-migrator')
    .description('Migrate image-build repositories from QEMU-emulated multi-arch builds to cross-compilation')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => err.write(s) });

  program
    .command('migrate')
    .description('migrate one checkout (--local DIR) or every repository of repos.yaml')
    .option('--local <dir>', 'migrate this checkout in place')
    .option('--dry-run', 'compute everything, print the diff, write nothing', false)
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
    .action(async (o) => {
      if (o.concurrency !== undefined && (!Number.isInteger(o.concurrency) || o.concurrency < 1)) {
        throw new CommanderError(2, 'usage', '--concurrency takes a whole number >= 1');
      }
      if (o.local) {
        code = await runLocal(
          { dir: o.local, dryRun: o.dryRun, json: o.json, xxImage: o.xxImage, dockerfiles: o.dockerfile, emulate: o.emulate, reposFile: o.repos, repo: o.repo },
          out,
          err,
        );
      } else {
        code = await runFleet({
          reposFile: o.repos ?? 'repos.yaml',
          dryRun: o.dryRun,
          only: o.only ? String(o.only).split(',').map((s: string) => s.trim()).filter(Boolean) : undefined,
          concurrency: o.concurrency,
          reportFile: o.report,
          cacheDir: o.cacheDir,
          json: o.json,
          out,
          err,
        });
      }
    });

  program
    .command('review')
    .description('judge Dockerfiles (files or repository folders) with the cross-compilation rule set')
    .argument('<paths...>', 'Dockerfiles or repository folders')
    .option('--format <format>', 'text | json | sarif | github', 'text')
    .option('--xx-image <image>', 'the expected xx image')
    .action(async (paths: string[], o) => {
      if (!['text', 'json', 'sarif', 'github'].includes(o.format)) throw new CommanderError(2, 'usage', `unknown --format "${o.format}": use text, json, sarif or github`);
      code = await runReview({ paths, format: o.format, xxImage: o.xxImage }, out, err);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'usage') err.write(`error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof DockerfileError || e instanceof ConfigError) {
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

const isMain = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('src/cli.ts');
if (isMain) {
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
