/**
 * One Dockerfile, migrated and checked: the recipes run (apply.ts), then the output must pass the
 * review rules with no error — the same rules a reviewer runs — and running the recipes again
 * must change nothing. Otherwise nothing is written and the invariant is named.
 */
import { dockerfileRecipes } from '../../migrations/index.ts';
import { reviewDockerfile } from '../review/review.ts';
import { reviewChange } from '../review/change.ts';
import { analysisFor, applyRecipes, checkBudget, runRecipe, type DockerfileMigration, type EngineOptions } from './apply.ts';
import { buildPlatformStages } from '../dockerfile/analysis.ts';

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

/**
 * Migrate one Dockerfile. Throws DockerfileError for input that cannot be understood,
 * UnsafeMigrationError / InvariantError when the result would not be safe.
 */
export function migrateDockerfile(text: string, path: string, opts: EngineOptions): DockerfileMigration {
  const recipes = opts.recipes ?? dockerfileRecipes;
  const applied = applyRecipes(text, path, opts);
  if (applied.skipped) return strip(applied);
  // The output judged as a file of its own, as a reviewer (or the next run) sees it.
  const { model } = applied;
  const analysis = analysisFor(model, opts);

  // Invariants: the review rules judge the output exactly as they would judge a human's change.
  const reviewOpts = { xxImage: opts.xxImage, targets: opts.targets, emulatedStages: opts.emulatedStages };
  const { inputModel } = applied;
  checkBudget(opts);
  let errors = [...reviewDockerfile(model, reviewOpts, analysis), ...reviewChange(inputModel, model, reviewOpts)].filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    // A problem the input already had, on a line we left alone, in a stage we did not move to the
    // build platform, is the owner's to fix: reported, not a reason to refuse the migration.
    const before = reviewDockerfile(inputModel, reviewOpts).filter((f) => f.severity === 'error');
    const moved = buildPlatformStages(analysis);
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
  if (applied.output !== text) {
    for (const recipe of recipes) {
      const again = runRecipe(recipe, model, analysis, opts, []);
      if (again.length > 0) {
        throw new InvariantError(
          'idempotent',
          model.source.lineOf(again[0]!.start),
          `running the migration again would change the file (recipe ${recipe.id}: ${again[0]!.reason})`,
          'report this as a bug with the Dockerfile attached',
        );
      }
    }
  }
  return strip(applied);
}

function strip(a: ReturnType<typeof applyRecipes>): DockerfileMigration {
  const { model: _m, analysis: _a, inputModel: _i, ...rest } = a;
  return rest;
}
