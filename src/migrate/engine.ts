/**
 * One Dockerfile, migrated and checked: the recipes run (apply.ts), then the output must pass the
 * review rules with no error — the same rules a reviewer runs — and running the recipes again
 * must change nothing. Otherwise nothing is written and the invariant is named.
 */
import { reviewDockerfile, type Finding } from '../review/review.ts';
import { reviewChange } from '../review/change.ts';
import { analysisFor, applyRecipes, checkBudget, type DockerfileMigration, type EngineOptions, type FixOnly } from './apply.ts';
import { buildPlatformStages, stageKey, type Analysis } from '../dockerfile/analysis.ts';
import { alreadyCrossCompiles, crossCompilingStages } from '../dockerfile/migrated.ts';
import { lineage, parseDockerfile, type DockerfileModel } from '../dockerfile/model.ts';
import { ShellCache } from '../dockerfile/shell.ts';

export type { DockerfileMigration, EngineOptions } from './apply.ts';

/** The migration would break an invariant of the spec: nothing is written. */
export class InvariantError extends Error {
  constructor(
    readonly invariant: string,
    readonly line: number | undefined,
    message: string,
    readonly hint: string,
  ) {
    super(message);
    this.name = 'InvariantError';
  }
}

/** Rules that are warnings in a human's file but that the bot's own output must not break (P5). */
const STRICT_FOR_OWN_OUTPUT = new Set(['unguarded-cross-binary-run']);

/**
 * Migrate one Dockerfile. Throws DockerfileError for input that cannot be understood,
 * UnsafeMigrationError / InvariantError when the result would not be safe.
 *
 * A file that already cross-compiles (dockerfile/migrated.ts) is edited only to fix its
 * error-level review findings, each edit naming the one it fixes; without such a finding it comes
 * out byte-identical, and its warnings are reported, not edited.
 */
export function migrateDockerfile(text: string, path: string, opts: EngineOptions): DockerfileMigration {
  const cache = new ShellCache();
  const inputModel = parseDockerfile(text, path, cache);
  const reviewOpts = { xxImage: opts.xxImage, targets: opts.targets, emulatedStages: opts.emulatedStages, buildArgs: opts.buildArgs, makeVars: opts.makeVars };
  let gate: FixOnly | undefined;
  const inputAnalysis = analysisFor(inputModel, opts);
  const alreadyMigrated = alreadyCrossCompiles(inputAnalysis);
  let inputFindings: Finding[] | undefined;
  if (alreadyMigrated) {
    inputFindings = reviewDockerfile(inputModel, reviewOpts, inputAnalysis);
    gate = fixOnly(inputModel, inputAnalysis, inputFindings.filter((f) => f.severity === 'error'));
  }
  const applied = applyRecipes(text, path, opts, cache, gate, inputModel);
  applied.alreadyMigrated = alreadyMigrated;
  if (inputFindings) {
    for (const f of inputFindings) {
      const fixed = applied.edits.some((e) => e.reason.includes(`(fixes ${f.rule}, line ${f.line})`));
      if (fixed) continue;
      const what = f.severity === 'error' ? 'review error the migration cannot fix, left for the owner' : 'review warning, not edited (the file already cross-compiles)';
      applied.warnings.push({ message: `${what}: ${f.rule}: ${f.message}`, line: f.line });
    }
  }
  if (applied.skipped || applied.output === text) return strip(applied);
  // The output judged as a file of its own, as a reviewer (or the next run) sees it.
  const { model } = applied;
  const analysis = analysisFor(model, opts);

  // Invariants: the review rules judge the output exactly as they would judge a human's change;
  // the bot's own output is held to P5 as well.
  checkBudget(opts);
  const inputErrorAt = new Set((inputFindings ?? []).map((f) => `${f.rule}\0${inputModel.source.lineText(f.line)}`));
  const own = (f: Finding) => f.severity === 'error' || (STRICT_FOR_OWN_OUTPUT.has(f.rule) && !inputErrorAt.has(`${f.rule}\0${model.source.lineText(f.line)}`));
  let errors = [...reviewDockerfile(model, reviewOpts, analysis), ...reviewChange(inputModel, model, reviewOpts)].filter(own);
  if (errors.length > 0) {
    // A problem the input already had, on a line we left alone, in a stage we did not move to the
    // build platform, is the owner's to fix: reported, not a reason to refuse the migration.
    const before = inputFindings ?? reviewDockerfile(inputModel, reviewOpts, inputAnalysis);
    const inputBuild = new Set(inputModel.stages.filter((s) => s.platform === 'build').map((s) => stageKey(s, inputModel.stages.length)));
    const moved = new Set([...buildPlatformStages(analysis)].filter((s) => !inputBuild.has(stageKey(s, model.stages.length))));
    const stageAt = (line: number) => model.stages.filter((st) => st.from.line <= line).at(-1);
    const preexisting = (e: (typeof errors)[number]) => {
      const st = stageAt(e.line);
      if (st && moved.has(st)) return false;
      const text = model.source.lineText(e.line);
      return before.some((b) => b.rule === e.rule && inputModel.source.lineText(b.line) === text);
    };
    for (const e of errors.filter(preexisting)) {
      applied.warnings.push({ message: `not caused by the migration, left for the owner: ${e.rule}: ${e.message}`, line: e.line });
    }
    errors = errors.filter((e) => !preexisting(e));
  }
  if (errors.length > 0) {
    const e = errors[0]!;
    throw new InvariantError(e.rule, e.line, `the migrated file would break "${e.rule}" at line ${e.line}: ${e.message}`, e.hint);
  }
  // Idempotence: the recipes have nothing left to do on their own output.
  checkBudget(opts);
  const again = applyRecipes(applied.output, path, opts, cache, alreadyMigrated ? fixOnly(model, analysis, reviewDockerfile(model, reviewOpts, analysis).filter((f) => f.severity === 'error')) : undefined, model);
  if (again.output !== applied.output) {
    const first = again.edits[0]!;
    throw new InvariantError(
      'idempotent',
      first.line,
      `running the migration again would change the file (recipe ${first.recipe}: ${first.reason})`,
      'report this as a bug with the Dockerfile attached',
    );
  }
  return strip(applied);
}

/** The gate for a file that already cross-compiles: its error findings and the stages they sit in. */
function fixOnly(model: DockerfileModel, analysis: Analysis, errors: Finding[]): FixOnly {
  const count = model.stages.length;
  const protectedStages = new Set<string>();
  for (const s of crossCompilingStages(analysis)) for (const l of lineage(s)) protectedStages.add(stageKey(l, count));
  const stagesOf = new Map<Finding, Set<string>>();
  for (const f of errors) {
    const st = model.stages.filter((x) => x.from.line <= f.line).at(-1);
    stagesOf.set(f, new Set(st ? lineage(st).map((l) => stageKey(l, count)) : []));
  }
  return { findings: errors, protectedStages, stagesOf };
}

function strip(a: ReturnType<typeof applyRecipes>): DockerfileMigration {
  const { model, analysis: _a, inputModel, ...rest } = a;
  return {
    ...rest,
    declaredArgs: { input: argNames(inputModel), output: rest.output === rest.input ? argNames(inputModel) : argNames(model) },
    inputStages: inputModel.stages.map((s) => ({ ...(s.name ? { name: s.name } : {}), index: s.index })),
  };
}

function argNames(model: DockerfileModel): string[] {
  return [...new Set([...model.globalArgs, ...model.stages.flatMap((s) => s.args)].map((a) => a.name))];
}
