/**
 * The narrow interface between the engine and the recipes in `migrations/`. A recipe reads the
 * model and returns edits with reasons; it never writes files, runs git or calls GitHub. A recipe
 * that finds nothing to do returns no edits, which is what makes the migration idempotent.
 */
import type { Analysis } from '../dockerfile/analysis.ts';
import type { DockerfileModel } from '../dockerfile/model.ts';
import type { SourceText } from '../dockerfile/source.ts';
import type { Edit } from '../edits/edit.ts';
import type { MigrateOptions } from './types.ts';

export interface RecipeContext {
  model: DockerfileModel;
  analysis: Analysis;
  source: SourceText;
  options: MigrateOptions;
  /** `--target` names used by the Makefile and workflows (they stay on the target platform). */
  targets: string[];
  /** Something the recipe noticed but did not (or could not) change (`line` of the current text). */
  warn(message: string, line?: number): void;
  /** The line of the original file that a line of the current text comes from (for messages). */
  originalLine(line: number): number;
}

export interface DockerfileRecipe {
  id: string;
  /** One line: what the recipe does. */
  title: string;
  apply(ctx: RecipeContext): Edit[];
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
