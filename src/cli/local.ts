/**
 * `migrate --local DIR`: one checkout, in place (or a diff with --dry-run). Prints what changed
 * and why, or the machine-readable report with --json.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { parseDockerfile } from '../dockerfile/model.ts';
import { migrateCheckout, readDockerfile } from '../migrate/checkout.ts';
import { recipes } from '../../migrations/index.ts';
import { DEFAULT_OPTIONS, type CheckoutReport, type EmulatedStage, type MigrateOptions } from '../migrate/types.ts';
import { DockerfileError } from '../dockerfile/errors.ts';
import { reasonLines } from '../report/reasons.ts';
import { loadReposConfig, migrateOptionsFor, overrideFor } from '../config/repos-config.ts';
import { unknownEmulatedStage, type StagesOf } from '../migrate/emulated-stages.ts';
import { timeMigration, type TimingOutcome, type TimingSettings } from '../timing/migration-timing.ts';
import { NoBuilderError } from '../timing/builder.ts';
import { TimingResultError } from '../timing/result.ts';
import { renderTimingTable } from '../timing/table.ts';

export interface LocalArgs {
  dir: string;
  dryRun: boolean;
  json: boolean;
  xxImage?: string;
  dockerfiles?: string[];
  emulate?: string[];
  reposFile?: string;
  repo?: string;
  /** --timing: time cold before/after builds and print the table. */
  timing?: TimingArgs;
}

/** platforms: from --platforms; else the repository's repos.yaml platforms; else the default pair. */
export type TimingArgs = TimingSettings;

export function parseEmulate(values: string[]): EmulatedStage[] {
  return values.map((v) => {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new DockerfileError('--emulate', undefined, `"${v}" is not STAGE=REASON`, 'write --emulate bpf="builds C with clang"');
    return { stage: v.slice(0, eq), reason: v.slice(eq + 1) || 'configured to stay emulated', source: '--emulate' };
  });
}

export async function runLocal(args: LocalArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let options: MigrateOptions = { ...DEFAULT_OPTIONS, dryRun: args.dryRun };
  let platforms: string[] | undefined;
  const name = args.repo ?? path.basename(path.resolve(args.dir));
  const reposFile = args.reposFile ?? (existsSync('repos.yaml') ? 'repos.yaml' : undefined);
  if (reposFile) {
    const config = await loadReposConfig(reposFile);
    options = { ...migrateOptionsFor(config, name), dryRun: args.dryRun };
    platforms = overrideFor(config, name).platforms ?? config.defaults.platforms;
  }
  if (args.xxImage) options.xxImage = args.xxImage;
  if (args.dockerfiles?.length) options.dockerfiles = args.dockerfiles;
  if (args.emulate?.length) {
    const asked = parseEmulate(args.emulate);
    await checkEmulatedStagesExist(args.dir, options.dockerfiles, asked);
    options.emulatedStages = [...options.emulatedStages, ...asked];
  }

  const { changes: changes, ...report } = await migrateCheckout(args.dir, options, recipes);
  // Timed from what the migration produced (its before and after texts), never by migrating again.
  const timing = args.timing ? await timeLocal(name, args.dir, { ...report, changes: changes }, options, { ...args.timing, platforms: args.timing.platforms ?? platforms, readOnlyStore: args.dryRun }, err) : undefined;
  if (args.json) out.write(JSON.stringify(timing?.result ? { ...report, timing: timing.result } : report, null, 2) + '\n');
  else {
    printReport(report, args.dryRun, out, err);
    if (timing?.result) out.write('\n' + renderTimingTable(timing.result));
    else if (timing?.skipped) out.write(`timing: ${timing.skipped}\n`);
  }
  if (timing?.failed) return 1;
  if (report.outcome !== 'failed') return 0;
  return report.files.some((f) => f.error?.kind === 'input') ? 2 : 1;
}

/**
 * `--emulate STAGE=...` must name a stage of one of the Dockerfiles: a typo would otherwise
 * migrate the stage the user meant to keep emulated. Files that cannot be read or parsed are
 * left to the migration, which reports them.
 */
async function checkEmulatedStagesExist(dir: string, dockerfiles: string[], asked: EmulatedStage[]): Promise<void> {
  const root = await realpath(dir).catch(() => undefined);
  if (!root) return;
  const files: StagesOf[] = [];
  for (const rel of dockerfiles.length ? dockerfiles : ['Dockerfile']) {
    try {
      files.push({ path: rel, stages: parseDockerfile(await readDockerfile(root, rel), rel).stages });
    } catch {
      // reported by the migration
    }
  }
  const unknown = unknownEmulatedStage(files, asked);
  if (unknown) throw new DockerfileError('--emulate', undefined, unknown.problem, unknown.hint);
}

async function timeLocal(name: string, dir: string, report: CheckoutReport, options: MigrateOptions, settings: TimingSettings, err: NodeJS.WritableStream): Promise<TimingOutcome & { failed?: boolean }> {
  try {
    return await timeMigration(name, dir, report, options, settings, (line) => err.write(line + '\n'));
  } catch (e) {
    if (e instanceof NoBuilderError || e instanceof TimingResultError) {
      err.write(`error: timing: ${e.message}\n`);
      return { failed: true };
    }
    throw e;
  }
}

function printReport(report: CheckoutReport, dryRun: boolean, out: NodeJS.WritableStream, err: NodeJS.WritableStream): void {
  if (dryRun && report.diff) out.write(report.diff.endsWith('\n') ? report.diff : report.diff + '\n');
  for (const f of report.files) {
    if (f.status === 'error') {
      err.write(`error: ${f.error!.message}\n`);
      if (f.error!.hint) err.write(`  what to do: ${f.error!.hint}\n`);
      continue;
    }
    const head = { changed: dryRun ? 'would change' : 'changed', unchanged: 'unchanged', skipped: 'skipped', error: 'error' }[f.status];
    out.write(`${f.path}: ${head}\n`);
  }
  for (const line of reasonLines(report.files.filter((f) => f.status !== 'error'))) out.write(line + '\n');
  out.write(`${report.summary}\n`);
}
