/**
 * The narrow interface between the engine and the recipes in `migrations/`. A recipe reads the
 * model and returns edits with reasons; it never writes files, runs git or calls GitHub. A recipe
 * that finds nothing to do returns no edits, which is what makes the migration idempotent.
 */
import type { Analysis } from '../dockerfile/analysis.ts';
import type { BuildFile } from '../dockerfile/build-files.ts';
import type { DockerfileFacts } from '../dockerfile/facts.ts';
import type { DockerfileModel } from '../dockerfile/model.ts';
import type { SourceText } from '../dockerfile/source.ts';
import type { Edit } from '../edits/edit.ts';
import { RULE_IDS } from '../review/rules/index.ts';

export type { BuildFile };

export interface RecipeContext {
  /** The facts of the file as the previous phase left it: the same object the review rules read. */
  facts: DockerfileFacts;
  model: DockerfileModel;
  /** `facts.analysis`. */
  analysis: Analysis;
  source: SourceText;
  /** Something the recipe noticed but did not (or could not) change (`line` of the current text). */
  warn(message: string, line?: number): void;
  /** The line of the original file that a line of the current text comes from (for messages). */
  originalLine(line: number): number;
}

export interface DockerfileRecipe {
  id: string;
  /** One line: what the recipe does. */
  title: string;
  /**
   * When it runs: recipes of one phase read the same model and their edits are applied together;
   * the file is re-read between phases (1: the file's shape, 2: where the target ARGs go, 3: the
   * cross toolchain around the compile).
   */
  phase: number;
  /** Its edits alone do not make a file worth changing (casing): a file with only these stays as it is. */
  cosmetic?: boolean;
  /**
   * The review rules whose findings its edits fix by themselves: where it edits a file, one of
   * these fires there, and on its output none does (the agreement test holds it to that). In a
   * file that already cross-compiles, a recipe runs only to fix an error-level finding of one of
   * these (or of `partOf`), and each edit carries the finding it fixes.
   */
  fixes: string[];
  /**
   * Rules whose fix takes several recipes, of which this one is a step: `compile-left-emulated`
   * (an emulated compile stage) is fixed by the whole migration of that stage, not by one recipe.
   */
  partOf?: string[];
  apply(ctx: RecipeContext): Edit[];
}

/** A recipe over a Makefile or workflow (runs once the Dockerfiles are migrated). */
export interface BuildFileRecipe {
  id: string;
  title: string;
  /** Runs only when the checkout's Dockerfiles lost `ARG <name>` for one of these (ARCH...). */
  followsLostArgs: string[];
  /** `lost`: the ARGs of `followsLostArgs` that the Dockerfiles declared and declare no more. */
  apply(file: BuildFile, lost: string[]): Edit[];
}

/** What the CLI and the fleet hand to the engine (src/migrate/ never imports migrations/). */
export interface RecipeSet {
  dockerfile: DockerfileRecipe[];
  buildFiles: BuildFileRecipe[];
}

/**
 * The recipe set as the engine receives it, checked when it is loaded: every rule a recipe says
 * it fixes exists (a typo would silently make the recipe unable to fix anything in an already
 * cross-compiling file), and recipe ids are unique.
 */
export function defineRecipes(set: RecipeSet, ruleIds: ReadonlySet<string> = RULE_IDS): RecipeSet {
  const seen = new Set<string>();
  for (const r of [...set.dockerfile, ...set.buildFiles]) {
    if (seen.has(r.id)) throw new Error(`recipe ${r.id} is listed twice`);
    seen.add(r.id);
  }
  for (const r of set.dockerfile) {
    for (const id of [...r.fixes, ...(r.partOf ?? [])]) {
      if (!ruleIds.has(id)) throw new Error(`recipe ${r.id} says it fixes "${id}", which is no review rule (known: ${[...ruleIds].sort().join(', ')})`);
    }
  }
  return set;
}

/** Thrown by a recipe when the file cannot be migrated safely; the checkout is left untouched. */
export class UnsafeMigrationError extends Error {
  constructor(
    readonly problem: string,
    readonly line: number | undefined,
    readonly hint: string,
  ) {
    super(problem);
    this.name = 'UnsafeMigrationError';
  }
}
