/**
 * One Dockerfile, migrated and checked: the recipes run (apply.ts), then the output must pass the
 * review rules with no error — the same rules a reviewer runs — and running the recipes again
 * must change nothing. Otherwise nothing is written and the invariant is named.
 */
import { ERROR_IN_OWN_OUTPUT, reviewDockerfile, type Finding } from '../review/review.ts';
import { reviewChange } from '../review/before-after.ts';
import { applyRecipes, checkBudget, inputOf, type DockerfileMigration, type EngineOptions, type FixOnly } from './apply.ts';
import { stageKey } from '../dockerfile/analysis.ts';
import { DockerfileFacts } from '../dockerfile/facts.ts';
import { lineage, parseDockerfile, type DockerfileModel } from '../dockerfile/model.ts';
import { ShellCache } from '../dockerfile/shell.ts';
import { isIgnored } from '../dockerfile/ignore-comments.ts';

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
 *
 * A file that already cross-compiles (dockerfile/cross-compiling-stages.ts) is edited only to fix its
 * error-level review findings, each edit naming the one it fixes; without such a finding it comes
 * out byte-identical, and its warnings are reported, not edited.
 */
export function migrateDockerfile(text: string, path: string, opts: EngineOptions): DockerfileMigration {
  const cache = new ShellCache();
  const input = inputOf(opts);
  const inputFacts = DockerfileFacts.of(parseDockerfile(text, path, cache), input);
  const inputModel = inputFacts.model;
  let gate: FixOnly | undefined;
  const alreadyMigrated = inputFacts.alreadyCrossCompiles;
  let inputFindings: Finding[] | undefined;
  if (alreadyMigrated) {
    inputFindings = reviewDockerfile(inputFacts);
    gate = fixOnly(inputFacts, inputFindings.filter((f) => f.severity === 'error'));
  }
  const applied = applyRecipes(text, path, opts, cache, gate, inputFacts);
  applied.alreadyMigrated = alreadyMigrated;
  if (inputFindings) {
    for (const f of inputFindings) {
      const fixed = applied.edits.some((e) => e.fixes?.rule === f.rule && e.fixes.line === f.line);
      if (fixed) continue;
      const what = f.severity === 'error' ? 'review error the migration cannot fix, left for the owner' : 'review warning, not edited (the file already cross-compiles)';
      applied.warnings.push({ message: `${what}: ${f.rule}: ${f.message}`, line: f.line });
    }
  }
  if (applied.skipped || applied.output === text) return strip(applied);
  // The output judged as a file of its own, as a reviewer (or the next run) sees it.
  const facts = DockerfileFacts.of(applied.facts.model, input);
  const { model } = facts;

  // Invariants: the review rules judge the output exactly as they would judge a human's change;
  // the bot's own output is held to the rules that say so (P5) as well.
  checkBudget(opts);
  const outputFindings = reviewDockerfile(facts);
  const inputErrorAt = new Set((inputFindings ?? []).map((f) => `${f.rule}\0${inputModel.source.lineText(f.line)}`));
  const own = (f: Finding) => f.severity === 'error' || (ERROR_IN_OWN_OUTPUT.has(f.rule) && !inputErrorAt.has(`${f.rule}\0${model.source.lineText(f.line)}`));
  // Silenced in the file the user has: the instruction a finding maps back to carries an ignore comment for its rule.
  const silenced = (f: Finding) => isIgnored(inputModel, f.rule, applied.inputLine(f.line));
  let errors = [...outputFindings, ...reviewChange(inputFacts, facts)].filter((f) => own(f) && !silenced(f));
  if (errors.length > 0) {
    // A problem the input already had, on a line we left alone, in a stage we did not move to the
    // build platform, is the owner's to fix: reported, not a reason to refuse the migration.
    const before = inputFindings ?? reviewDockerfile(inputFacts);
    const inputBuild = inputFacts.buildStageKeys();
    const moved = new Set([...facts.buildPlatformStages()].filter((s) => !inputBuild.has(stageKey(s, model.stages.length))));
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
    throw refusal(errors[0]!, applied);
  }
  // Idempotence: the recipes have nothing left to do on their own output.
  checkBudget(opts);
  const again = applyRecipes(applied.output, path, opts, cache, alreadyMigrated ? fixOnly(facts, outputFindings.filter((f) => f.severity === 'error')) : undefined, facts);
  if (again.output !== applied.output) {
    const first = again.edits[0]!;
    // The second run's lines are the migrated file's: the user knows the first run's input.
    throw new InvariantError(
      'idempotent',
      applied.inputLine(first.line),
      `running the migration again would change the file (recipe ${first.recipe}: ${first.reason})`,
      'report this as a bug with the Dockerfile attached',
    );
  }
  return { ...strip(applied), findings: outputFindings.filter((f) => !silenced(f)) };
}

/**
 * The refusal for an error finding on the output. The finding's lines are the migrated file's,
 * which the user never sees: they are cited as the lines of the file the user has, and a finding
 * on a line the migration wrote says it is the migration's own edit, not the user's to fix.
 */
function refusal(e: Finding, applied: ReturnType<typeof applyRecipes>): InvariantError {
  const line = applied.inputLine(e.line);
  const mapLines = (t: string) => t.replace(/\bline (\d+)\b/g, (_, n: string) => `line ${applied.inputLine(Number(n))}`);
  const by = applied.writtenBy(e.line);
  if (by) {
    return new InvariantError(
      e.rule,
      line,
      `the migration's own edit ${by.inserted ? 'above' : 'at'} line ${line} of your file (${by.edit.recipe}: ${by.edit.reason}) would break "${e.rule}": ${mapLines(e.message)}`,
      `not caused by your file: report this as a bug with the Dockerfile attached (a fix by hand would be: ${mapLines(e.hint)})`,
    );
  }
  return new InvariantError(e.rule, line, `the migrated file would break "${e.rule}" at line ${line}: ${mapLines(e.message)}`, mapLines(e.hint));
}

/** The gate for a file that already cross-compiles: its error findings and the stages they sit in. */
function fixOnly(facts: DockerfileFacts, errors: Finding[]): FixOnly {
  const { model } = facts;
  const count = model.stages.length;
  const protectedStages = new Set<string>();
  for (const s of facts.crossCompilingStages()) for (const l of lineage(s)) protectedStages.add(stageKey(l, count));
  const stagesOf = new Map<Finding, Set<string>>();
  for (const f of errors) {
    const st = model.stages.filter((x) => x.from.line <= f.line).at(-1);
    stagesOf.set(f, new Set(st ? lineage(st).map((l) => stageKey(l, count)) : []));
  }
  return { findings: errors, protectedStages, stagesOf };
}

function strip(a: ReturnType<typeof applyRecipes>): DockerfileMigration {
  const { facts, inputFacts, inputLine, writtenBy, ...rest } = a;
  void inputLine;
  void writtenBy;
  const model = facts.model;
  const inputModel = inputFacts.model;
  return {
    ...rest,
    models: { input: inputModel, output: rest.output === rest.input ? inputModel : model },
    declaredArgs: { input: argNames(inputModel), output: rest.output === rest.input ? argNames(inputModel) : argNames(model) },
    inputStages: inputModel.stages.map((s) => ({ ...(s.name ? { name: s.name } : {}), index: s.index })),
  };
}

function argNames(model: DockerfileModel): string[] {
  return [...new Set([...model.globalArgs, ...model.stages.flatMap((s) => s.args)].map((a) => a.name))];
}
