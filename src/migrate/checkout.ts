/**
 * Migrate one checkout on disk: its Dockerfile(s), then the Makefile and workflows that pass the
 * ARCH build-arg. All files are computed first; only when every one of them is safe is anything
 * written, all files as one transaction (src/files/atomic-write.ts). Dry run computes the same and writes nothing.
 */
import path from 'node:path';
import { buildFacts, readBuildFiles } from '../dockerfile/build-files.ts';
import { describeBuild, emulationOf } from '../dockerfile/build-runners.ts';
import { unknownEmulatedStage, type StagesOf } from './emulated-stages.ts';
import { DockerfileError } from '../dockerfile/errors.ts';
import { applyEdits } from '../edits/edit.ts';
import { InvariantError, migrateDockerfile, type EngineOptions } from './engine.ts';
import { fileDeadline } from './apply.ts';
import { unifiedDiff } from './diff.ts';
import { UnsafeMigrationError, type RecipeSet } from './recipe.ts';
import type { CheckoutReport, FileChange, FileReport, MigrateOptions } from './types.ts';

import { MAX_DOCKERFILE_BYTES } from '../dockerfile/source.ts';
import { writeFilesAtomically } from '../files/atomic-write.ts';
import { readSafeText, realFolder, UnsafeInputError } from '../files/safe-read.ts';

export { MAX_DOCKERFILE_BYTES };

interface Planned {
  report: FileReport;
  abs: string;
  /** The Dockerfile as read, when it could be. */
  input?: string;
  output?: string;
  /** ARG names the Dockerfile declares before and after (from the migration's own models). */
  args?: { input: Set<string>; output: Set<string> };
  /** The input's stages, from the migration's own model. */
  stages?: StagesOf['stages'];
  /** The migration's own models of input and output. */
  models?: FileChange['models'];
}

export async function migrateCheckout(dir: string, options: MigrateOptions, recipes: RecipeSet): Promise<CheckoutReport> {
  const root = await realFolder(dir).catch((err) => {
    if (err instanceof UnsafeInputError) throw new DockerfileError(dir, undefined, err.problem === 'no such folder' ? 'checkout folder does not exist' : err.problem, 'pass the folder of a cloned repository');
    throw err;
  });
  const buildFiles = await readBuildFiles(root);
  const facts = buildFacts(buildFiles);
  const planned: Planned[] = [];
  const dockerfiles = options.dockerfiles.length > 0 ? options.dockerfiles : ['Dockerfile'];
  // Every workflow build of the image on a runner of its platform's own architecture: nothing runs
  // under QEMU, so cross-compiling gains nothing and would undo the owners' choice.
  const emulation = emulationOf(buildFiles);
  if (emulation.allNative) {
    const reason = `every workflow build of the image runs natively, none under QEMU (${emulation.builds.map(describeBuild).join('; ')}): cross-compiling gains nothing here`;
    const files: FileReport[] = dockerfiles.map((rel) => ({ path: rel, status: 'skipped', edits: [], skips: [{ reason }], warnings: [], diff: '' }));
    return { outcome: 'skipped', files, diff: '', summary: summarize('skipped', files, options.dryRun), changes: [] };
  }
  for (const rel of dockerfiles) planned.push(await planDockerfile(root, rel, { ...options, ...facts, recipes: recipes.dockerfile }));
  checkEmulatedStages(planned, options);

  // Build-args follow the Dockerfiles: a build-arg goes only when a Dockerfile lost its ARG (and
  // none declares it any more); one the Dockerfile never declared is not ours to touch.
  const dockerOk = planned.every((p) => p.report.status !== 'error');
  if (dockerOk && planned.some((p) => p.report.status === 'changed')) {
    for (const recipe of recipes.buildFiles) {
      const lost = recipe.followsLostArgs.filter((name) => planned.some((p) => p.output !== undefined && p.args?.input.has(name)) && !planned.some((p) => declaresArgAfter(p, name)));
      if (lost.length === 0) continue;
      for (const bf of buildFiles) {
        const edits = recipe.apply(bf, lost);
        if (edits.length === 0) continue;
        const output = applyEdits(bf.text, edits);
        planned.push({
          abs: path.join(root, bf.path),
          input: bf.text,
          output,
          report: {
            path: bf.path,
            status: 'changed',
            edits: edits.map((e) => ({ recipe: recipe.id, reason: e.reason, line: bf.text.slice(0, e.start).split('\n').length })),
            skips: [],
            warnings: [],
            diff: unifiedDiff(bf.path, bf.text, output),
          },
        });
      }
    }
  }

  const files = planned.map((p) => p.report);
  const failed = files.some((f) => f.status === 'error');
  if (!failed && !options.dryRun) await writeAll(planned.filter((p) => p.output !== undefined && p.report.status === 'changed'));
  // "Already migrated" is the one definition (dockerfile/cross-compiling-stages.ts): an untouched file that does
  // not cross-compile (every compile kept emulated) is skipped with its reasons, not "migrated".
  const untouched = files.filter((f) => f.status !== 'skipped');
  const outcome = failed ? 'failed' : files.some((f) => f.status === 'changed') ? 'changed' : untouched.length > 0 && untouched.every((f) => f.alreadyMigrated) ? 'unchanged' : 'skipped';
  const changes = failed ? [] : planned.filter((p) => p.report.status === 'changed' && p.input !== undefined && p.output !== undefined).map((p) => ({ path: p.report.path, before: p.input!, after: p.output!, ...(p.models ? { models: p.models } : {}) }));
  return { outcome, files, diff: files.map((f) => f.diff).join(''), summary: summarize(outcome, files, options.dryRun), changes };
}

/**
 * A stage the owner asked to keep emulated that no Dockerfile has (a typo, an upstream rename):
 * the checkout fails on its first Dockerfile rather than cross-compile what the entry meant.
 */
function checkEmulatedStages(planned: Planned[], options: MigrateOptions): void {
  if (options.emulatedStages.length === 0) return;
  const files: StagesOf[] = planned.flatMap((p) => (p.stages && p.report.status !== 'error' ? [{ path: p.report.path, stages: p.stages }] : []));
  const unknown = unknownEmulatedStage(files, options.emulatedStages);
  if (!unknown) return;
  const first = planned.find((p) => p.report.path === files[0]!.path)!;
  first.report.status = 'error';
  first.report.error = { kind: 'input', message: `${unknown.stage.source ?? 'emulatedStages'}: ${unknown.problem}`, hint: unknown.hint };
  first.output = undefined;
  first.report.diff = '';
  first.report.edits = [];
}

/** Does the Dockerfile still declare ARG `name` after the migration (the migration's own model says)? Unknown counts as yes: its build-args stay. */
function declaresArgAfter(p: Planned, name: string): boolean {
  return p.args?.output.has(name) ?? true;
}

async function planDockerfile(root: string, rel: string, options: EngineOptions): Promise<Planned> {
  const report: FileReport = { path: rel, status: 'unchanged', edits: [], skips: [], warnings: [], diff: '' };
  const abs = path.resolve(root, rel);
  const fail = (kind: 'input' | 'unsafe', message: string, line?: number, hint?: string, invariant?: string): Planned => {
    report.status = 'error';
    report.error = { kind, message, line, hint, invariant };
    return { report, abs };
  };
  let text: string;
  try {
    text = await readDockerfile(root, rel);
  } catch (err) {
    if (err instanceof DockerfileError) return fail('input', `${err.file}${err.line ? `:${err.line}` : ''}: ${err.problem}`, err.line, err.hint);
    throw err;
  }
  try {
    const m = migrateDockerfile(text, rel, { ...options, deadline: fileDeadline() });
    const args = { input: new Set(m.declaredArgs?.input ?? []), output: new Set(m.declaredArgs?.output ?? []) };
    const stages = m.inputStages;
    report.alreadyMigrated = m.alreadyMigrated ?? false;
    report.warnings = m.warnings;
    for (const e of m.emulated) report.skips.push({ reason: `stage "${e.stage}" kept emulated: ${e.reason}`, stage: e.stage, line: e.line });
    if (m.skipped) {
      report.status = 'skipped';
      report.skips.push({ reason: m.skipped });
      return { report, abs, input: text, args, stages };
    }
    report.edits = m.edits;
    if (m.output !== text) {
      report.status = 'changed';
      report.findings = m.findings;
      report.diff = unifiedDiff(rel, text, m.output);
      return { report, abs, input: text, output: m.output, args, stages, ...(m.models ? { models: { before: m.models.input, after: m.models.output } } : {}) };
    }
    return { report, abs, input: text, args, stages };
  } catch (err) {
    if (err instanceof DockerfileError) return fail('input', `${err.file}${err.line ? `:${err.line}` : ''}: ${err.problem}`, err.line, err.hint);
    if (err instanceof UnsafeMigrationError) return fail('unsafe', `${rel}${err.line ? `:${err.line}` : ''}: ${err.problem}`, err.line, err.hint);
    if (err instanceof InvariantError) return fail('unsafe', `${rel}${err.line ? `:${err.line}` : ''}: ${err.message}`, err.line, err.hint, err.invariant);
    throw err;
  }
}

/** Read a Dockerfile, refusing what is not one: missing, outside the checkout, binary, empty, huge. */
export function readDockerfile(root: string, rel: string): Promise<string> {
  // Refusals are UnsafeInputErrors, which are DockerfileErrors (input to fix, exit 2).
  return readSafeText(root, rel, {
    maxBytes: MAX_DOCKERFILE_BYTES,
    what: 'Dockerfile',
    folderWord: 'checkout',
    missingHint: 'set the Dockerfile path for this repository (repos.yaml "dockerfiles" or --dockerfile)',
  });
}

/** Write every file or none (one transaction: temp files first, then renames, rollback on failure). */
async function writeAll(files: Planned[]): Promise<void> {
  await writeFilesAtomically(files.map((f) => ({ path: f.abs, content: f.output!, followSymlink: true })));
}

export { unifiedDiff };

function summarize(outcome: string, files: FileReport[], dryRun: boolean): string {
  const changed = files.filter((f) => f.status === 'changed');
  const edits = changed.reduce((n, f) => n + f.edits.length, 0);
  switch (outcome) {
    case 'failed': {
      const f = files.find((x) => x.status === 'error')!;
      return `not migrated: ${f.error!.message}${f.error!.hint ? ` — ${f.error!.hint}` : ''}`;
    }
    case 'changed':
      return `${dryRun ? 'would change' : 'changed'} ${changed.map((f) => f.path).join(', ')} (${edits} edit${edits === 1 ? '' : 's'})`;
    case 'skipped': {
      const reasons = files.flatMap((f) => (f.skips.length > 0 ? f.skips.map((s) => s.reason) : f.alreadyMigrated ? [] : [`${f.path}: nothing to change and nothing cross-compiles`]));
      return `skipped: ${reasons.join('; ')}`;
    }
    default:
      return 'already migrated: nothing to change';
  }
}
