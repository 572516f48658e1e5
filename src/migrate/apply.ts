/**
 * Runs the recipes over one Dockerfile's text, in order, re-reading the model after each recipe
 * that changed something. Pure: text in, text and report out. The checks of the output live in
 * engine.ts.
 */
import { stageKey, type StageFacts } from '../dockerfile/analysis.ts';
import { DockerfileFacts } from '../dockerfile/facts.ts';
import { factsInput, type FactsInput } from '../dockerfile/input.ts';
import { parseDockerfile, type DockerfileModel, type Stage } from '../dockerfile/model.ts';
import type { Finding } from '../review/types.ts';
import { ignoreComments, isIgnored } from '../dockerfile/ignore-comments.ts';
import { ShellCache } from '../dockerfile/shell.ts';
import { DockerfileError } from '../dockerfile/errors.ts';
import { applyEdits, EditConflictError, mapBack, type Edit } from '../edits/edit.ts';
import { UnsafeMigrationError, type DockerfileRecipe, type RecipeContext } from './recipe.ts';
import type { AppliedEdit, MigrateOptions, Warning } from './types.ts';

export interface DockerfileMigration {
  path: string;
  input: string;
  output: string;
  edits: AppliedEdit[];
  warnings: Warning[];
  /** Set when there is nothing to cross-compile (P14). */
  skipped?: string;
  /** Stages left emulated (P10) with the reason. */
  emulated: { stage: string; reason: string; line: number }[];
  /** The input already cross-compiled (dockerfile/cross-compiling-stages.ts): edited only to fix error findings. */
  alreadyMigrated?: boolean;
  /** The ARG names the input and the output declare (global and in-stage): which build-args the build files may stop passing. */
  declaredArgs?: { input: string[]; output: string[] };
  /** The input's stages (name, index): what an emulatedStages entry may name. */
  inputStages?: { name?: string; index: number }[];
  /** The review of the output, run by the migration with its own facts (changed files only). */
  findings?: Finding[];
  /** The input and the output as the migration parsed them (the same model when nothing changed). */
  models?: { input: DockerfileModel; output: DockerfileModel };
}

/** The checkout's options and what its build files say (the rest of the facts input, dockerfile/input.ts). */
export interface EngineOptions extends MigrateOptions, Partial<Omit<FactsInput, 'xxImage' | 'emulatedStages'>> {
  /** The recipes, in order (the CLI and the fleet hand in migrations/' list). */
  recipes: DockerfileRecipe[];
  /** `performance.now()` after which this file fails alone as too large or too complex. */
  deadline?: number;
}

/** Default time budget of one Dockerfile (IMAGE_BUILD_MIGRATOR_FILE_BUDGET_MS overrides it). */
export const FILE_BUDGET_MS = 60_000;

export function fileDeadline(env: NodeJS.ProcessEnv = process.env): number {
  const ms = Number(env.IMAGE_BUILD_MIGRATOR_FILE_BUDGET_MS);
  return performance.now() + (Number.isFinite(ms) && ms > 0 ? ms : FILE_BUDGET_MS);
}

/** Between steps: a file over its budget fails alone, the others go on. */
export function checkBudget(opts: EngineOptions): void {
  if (opts.deadline !== undefined && performance.now() > opts.deadline) {
    throw new UnsafeMigrationError('is too large or too complex: its migration ran out of its time budget', undefined, 'migrate this Dockerfile by hand, or split it into smaller files');
  }
}

/**
 * The error-level findings of a file that already cross-compiles: the only edits the migration
 * may make there are those that fix one of them (and each edit says which).
 */
export interface FixOnly {
  findings: Finding[];
  /** Stages (by stageKey) that already cross-compiled, with their base stages: edited only to fix their own findings. */
  protectedStages: Set<string>;
  /** Per finding, the stages (by stageKey) whose edits fix it: its own stage and its bases. */
  stagesOf: Map<Finding, Set<string>>;
}

/** Recipes grouped by their declared phase, in list order inside a phase. */
export function phasesOf(recipes: DockerfileRecipe[]): DockerfileRecipe[][] {
  const byPhase = new Map<number, DockerfileRecipe[]>();
  for (const r of recipes) byPhase.set(r.phase, [...(byPhase.get(r.phase) ?? []), r]);
  return [...byPhase.keys()].sort((a, b) => a - b).map((k) => byPhase.get(k)!);
}

/** The stage (by stageKey) whose text contains `offset`; undefined between stages (before the first FROM). */
function stageKeyAt(model: DockerfileModel, offset: number): string | undefined {
  let found: Stage | undefined;
  for (const st of model.stages) {
    if (st.from.start > offset || (st.from.start === offset && found)) break;
    found = st;
  }
  return found && offset > found.from.start ? stageKey(found, model.stages.length) : undefined;
}

/** Keep only the edits that fix a finding (each carries it in `fixes`); drop the others. */
function fixingEdits(recipe: DockerfileRecipe, edits: Edit[], model: DockerfileModel, gate: FixOnly, originalLine: (line: number) => number): Edit[] {
  const mine = gate.findings.filter((f) => recipe.fixes.includes(f.rule) || (recipe.partOf ?? []).includes(f.rule));
  if (mine.length === 0) return [];
  const out: Edit[] = [];
  for (const e of edits) {
    const key = stageKeyAt(model, e.start);
    const line = originalLine(model.source.lineOf(e.start));
    const inStage = mine.filter((f) => key !== undefined && gate.stagesOf.get(f)!.has(key));
    const here = inStage.find((f) => f.line === line) ?? inStage[0];
    // An already cross-compiling stage is edited only to fix its own finding; elsewhere (a stage
    // still emulated, a final image, a new stage) the edit serves the recipe's fix.
    if (!here && key !== undefined && gate.protectedStages.has(key)) continue;
    const f = here ?? mine[0]!;
    out.push({ ...e, reason: `${e.reason} (fixes ${f.rule}, line ${f.line})`, fixes: { rule: f.rule, line: f.line } });
  }
  return out;
}

/** The input's and the output's facts, for the checks that follow. */
export interface Applied extends DockerfileMigration {
  /** The output's facts, with the stages the user had on the build platform (analysis.ts). */
  facts: DockerfileFacts;
  inputFacts: DockerfileFacts;
  /** The line of the input a line of the output comes from (for a line the recipes wrote: where they wrote it). */
  inputLine: (outputLine: number) => number;
  /**
   * The reported edit that wrote a line of the output (undefined for a line the input has as it
   * is); `inserted`: a new line above inputLine's, which is still there below it.
   */
  writtenBy: (outputLine: number) => { edit: AppliedEdit; inserted: boolean } | undefined;
}

/** The one facts input of a migration, taken from the engine options. */
export function inputOf(opts: EngineOptions): FactsInput {
  return factsInput(opts);
}

/**
 * Run the recipes over `text`. `parsed`: the facts of this very text when the caller has them
 * (the engine parses a file once); every phase's output is parsed once, and its facts keep the
 * input and the stages the user had on the build platform.
 */
export function applyRecipes(text: string, path: string, opts: EngineOptions, cache = new ShellCache(), gate?: FixOnly, parsed?: DockerfileFacts): Applied {
  const phases = phasesOf(opts.recipes);
  let facts = parsed ?? DockerfileFacts.of(parseDockerfile(text, path, cache), inputOf(opts));
  let model = facts.model;
  let analysis = facts.analysis;
  const result: Applied = { path, input: text, output: text, edits: [], warnings: [], emulated: [], facts, inputFacts: facts, inputLine: (l) => l, writtenBy: () => undefined };

  const compiles = [...analysis.facts.values()].some((f) => f.compiles.length > 0 || f.cBuilds.length > 0);
  if (!compiles) {
    result.skipped = 'no stage compiles Go: nothing to cross-compile (a base image, a mirror, or a copy-only image)';
    return result;
  }

  let current = text;
  const original = model.source;
  const steps: Edit[][] = [];
  const reported = new ReportedEdits();
  // What each reported entry wrote: which one wrote a line of the output (writtenBy).
  const wrote = new Map<AppliedEdit, string[]>();
  const queue = [...phases];
  while (queue.length > 0) {
    checkBudget(opts);
    const phase = queue.shift()!;
    const originalLine = (l: number) => original.lineOf(mapBack(model.source.lineStart(l), steps));
    let edits: Edit[] = [];
    const byRecipe: { recipe: DockerfileRecipe; edits: Edit[] }[] = [];
    for (const recipe of phase) {
      try {
        let e = runRecipe(recipe, facts, result.warnings, originalLine);
        if (gate) e = fixingEdits(recipe, e, model, gate, originalLine);
        // An instruction a maintainer silenced a rule on is theirs for that rule: the recipes that fix it leave it alone.
        const silenced = [...recipe.fixes, ...(recipe.partOf ?? [])];
        const inputModel = result.inputFacts.model;
        if (silenced.length && ignoreComments(inputModel).length) {
          e = e.filter((ed) => {
            const line = originalLine(model.source.lineOf(ed.start));
            const rule = silenced.find((r) => isIgnored(inputModel, r, line));
            if (rule && !result.warnings.some((w) => w.line === line && w.message.includes(`"${rule}"`))) result.warnings.push({ message: `left as it is for "${rule}" (recipe ${recipe.id}): the ignore comment above line ${line} silences it`, line });
            return !rule;
          });
        }
        if (e.length > 0) byRecipe.push({ recipe, edits: e });
        edits = edits.concat(e);
      } catch (err) {
        if (err instanceof UnsafeMigrationError && err.line !== undefined) throw new UnsafeMigrationError(err.problem, originalLine(err.line), err.hint);
        throw err;
      }
    }
    if (edits.length === 0) continue;
    let next: string;
    try {
      next = applyEdits(current, edits);
    } catch (err) {
      if (!(err instanceof EditConflictError)) throw err;
      // Two recipes of the phase touched the same text: run this phase one recipe at a time.
      if (phase.length > 1) {
        queue.unshift(...phase.map((r) => [r]));
        continue;
      }
      throw new UnsafeMigrationError(`recipe ${phase[0]!.id} produced conflicting edits`, undefined, 'report this as a bug with the Dockerfile attached');
    }
    // Report lines of the file the human knows: map each edit back through the earlier phases.
    for (const { recipe, edits: es } of byRecipe) {
      for (const e of es) {
        const start = mapBack(e.start, steps);
        const end = Math.max(start, mapBack(e.end, steps));
        const line = original.lineOf(start);
        const endLine = original.lineOf(Math.max(start, end - 1));
        // One text edit per word: a reader sees the change once per line and reason.
        // Adjacent lines with one reason are one entry too (an indexed lookup: large files made a scan quadratic).
        const same = reported.find(recipe.id, e.reason, line - 1, endLine + 1);
        if (same) {
          wrote.get(same)?.push(e.text);
          same.line = Math.min(same.line, line);
          same.endLine = Math.max(same.endLine ?? same.line, endLine);
          reported.cover(recipe.id, e.reason, same);
          continue;
        }
        const entry = { recipe: recipe.id, reason: e.reason, line, endLine, ...(e.fixes ? { fixes: e.fixes } : {}) };
        result.edits.push(entry);
        wrote.set(entry, [e.text]);
        reported.cover(recipe.id, e.reason, entry);
      }
    }
    steps.push(edits);
    current = next;
    try {
      model = parseDockerfile(current, path, cache);
    } catch (err) {
      if (err instanceof DockerfileError) {
        throw new UnsafeMigrationError(`after recipes ${byRecipe.map((r) => r.recipe.id).join(', ')} the Dockerfile no longer parses: ${err.problem}`, err.line, 'report this as a bug with the Dockerfile attached');
      }
      throw err;
    }
    facts = facts.next(model);
    analysis = facts.analysis;
  }
  // Casing alone is no migration: an already migrated file keeps its `as` (P13 before P12).
  const cosmetic = new Set(opts.recipes.filter((r) => r.cosmetic).map((r) => r.id));
  if (result.edits.length > 0 && result.edits.every((e) => cosmetic.has(e.recipe)) && !opts.recipes.every((r) => r.cosmetic)) {
    result.edits = [];
    result.output = text;
    result.facts = result.inputFacts;
    return result;
  }
  // Read top to bottom, like the diff.
  result.edits.sort((a, b) => a.line - b.line);
  result.output = current;
  result.facts = facts;
  // Refusals and findings on the output must cite lines the user has (engine.ts).
  const out = model.source;
  result.inputLine = (l) => original.lineOf(mapBack(out.lineStart(l), steps));
  result.writtenBy = (l) => {
    const at = result.inputLine(l);
    if (out.lineText(l) === original.lineText(at)) return undefined;
    const here = result.edits.filter((e) => e.line <= at && at <= (e.endLine ?? e.line));
    // Several edits may sit on one line of the input: the one whose text holds this line.
    const text = out.lineText(l).trim();
    const edit = here.find((e) => text !== '' && wrote.get(e)?.some((t) => t.includes(text))) ?? here[0];
    if (!edit) return undefined;
    let below = l + 1;
    while (below <= out.lineCount && result.inputLine(below) === at && out.lineText(below) !== original.lineText(at)) below++;
    return { edit, inserted: below <= out.lineCount && result.inputLine(below) === at };
  };
  // A comment this run wrote holds the short form of a long reason: the report says it whole.
  const inputFacts = [...result.inputFacts.analysis.facts.values()];
  const whole = (f: StageFacts) => inputFacts.find((g) => g.emulatedNote !== undefined && g.emulatedNote === f.emulatedReason && g.stage.name !== undefined && g.stage.name.toLowerCase() === f.stage.name?.toLowerCase())?.emulatedReason;
  for (const f of analysis.facts.values()) {
    if (f.emulatedReason && (f.compiles.length > 0 || f.cBuilds.length > 0)) {
      result.emulated.push({ stage: f.stage.name ?? String(f.stage.index), reason: whole(f) ?? f.emulatedReason, line: f.stage.from.line });
    }
  }
  return result;
}

/**
 * The edits reported so far, by recipe, reason and original line: finding the entry an edit
 * joins is a lookup per line it spans, not a scan of every entry (30,000 edits in a large file).
 */
class ReportedEdits {
  private readonly byLine = new Map<string, Map<number, { entry: Applied['edits'][number]; order: number }>>();
  private readonly orders = new WeakMap<Applied['edits'][number], number>();
  private order = 0;

  /** The earliest-reported entry of this recipe and reason overlapping lines line..endLine. */
  find(recipe: string, reason: string, line: number, endLine: number): Applied['edits'][number] | undefined {
    const lines = this.byLine.get(`${recipe}\0${reason}`);
    if (!lines) return undefined;
    let best: { entry: Applied['edits'][number]; order: number } | undefined;
    for (let l = line; l <= endLine; l++) {
      const hit = lines.get(l);
      if (hit && (!best || hit.order < best.order)) best = hit;
    }
    return best?.entry;
  }

  /** Record the lines an entry now spans. */
  cover(recipe: string, reason: string, entry: Applied['edits'][number]): void {
    const key = `${recipe}\0${reason}`;
    let lines = this.byLine.get(key);
    if (!lines) this.byLine.set(key, (lines = new Map()));
    let order = this.orders.get(entry);
    if (order === undefined) this.orders.set(entry, (order = this.order++));
    for (let l = entry.line; l <= (entry.endLine ?? entry.line); l++) {
      const held = lines.get(l);
      if (!held || held.order > order) lines.set(l, { entry, order });
    }
  }
}

export function runRecipe(recipe: DockerfileRecipe, facts: DockerfileFacts, warnings: Warning[], originalLine: (line: number) => number = (l) => l) {
  const ctx: RecipeContext = {
    facts,
    model: facts.model,
    analysis: facts.analysis,
    source: facts.model.source,
    warn(message, line) {
      if (!warnings.some((w) => w.message === message)) warnings.push({ message, line: line === undefined ? undefined : originalLine(line) });
    },
    originalLine,
  };
  return recipe.apply(ctx);
}
