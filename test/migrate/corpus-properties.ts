/**
 * Generic properties of a migrated Dockerfile, shared by the corpus tests (shapes, fleet-like,
 * build-variants): the one pinned outcome per file, and on success the checks the spec states
 * outright: no ARCH left, line endings kept, and no BuildKit-check or spec-level warning that the
 * input did not already have.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { diffLines } from 'diff';
import { linesChangedOutsideEdits } from '../helpers/edited-lines.ts';
import { expect } from 'vitest';
import { DockerfileError } from '../../src/dockerfile/errors.ts';
import { parseDockerfile, type Instruction, type Stage } from '../../src/dockerfile/model.ts';
import { commandsOf, copyDestination, isXxTool, TARGET_ARGS, varsUsed } from '../../src/dockerfile/stage-questions.ts';
import { analyze } from '../../src/dockerfile/analysis.ts';
import { packageInstall } from '../../src/dockerfile/commands.ts';
import { InvariantError, migrateDockerfile, type DockerfileMigration } from '../../src/migrate/engine.ts';
import { UnsafeMigrationError } from '../../src/migrate/recipe.ts';
import { DEFAULT_OPTIONS } from './options.ts';
import { reviewModel, type Finding } from '../../src/review/review.ts';

export const opts = { ...DEFAULT_OPTIONS };

export type Outcome = 'migrated' | 'unchanged' | 'skipped' | 'refused';
export type RunResult = { outcome: 'migrated' | 'unchanged' | 'skipped'; m: DockerfileMigration } | { outcome: 'refused'; error: UnsafeMigrationError | InvariantError | DockerfileError };

/** Migrate; a clear refusal is an outcome, any other exception (a crash) propagates and fails the test. */
export function run(input: string, file: string): RunResult {
  let m: DockerfileMigration;
  try {
    m = migrateDockerfile(input, file, opts);
  } catch (err) {
    if (err instanceof UnsafeMigrationError || err instanceof InvariantError || err instanceof DockerfileError) return { outcome: 'refused', error: err };
    throw err;
  }
  if (m.skipped) return { outcome: 'skipped', m };
  return { outcome: m.output === input ? 'unchanged' : 'migrated', m };
}

/**
 * A corpus folder: its Dockerfiles, their text, and each file migrated once for all the tests of
 * a test file (`out` fails the calling test with the refusal's message when the file was refused).
 */
export function openCorpus(folder: string) {
  const dir = path.resolve(folder);
  const files = readdirSync(dir).filter((f) => f.endsWith('.Dockerfile')).sort();
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  const results = new Map<string, RunResult>();
  const result = (file: string): RunResult => {
    if (!results.has(file)) results.set(file, run(read(file), file));
    return results.get(file)!;
  };
  const out = (file: string): string => {
    const r = result(file);
    if (r.outcome === 'refused') expect.fail(`${file} was refused: ${r.error.message}`);
    return r.m.output;
  };
  return { dir, files, read, result, out };
}

const RUNTIME = new Set(['ENTRYPOINT', 'CMD', 'LABEL', 'EXPOSE', 'USER']);

function imageShape(stage: Stage): string[] {
  const out = [`platform=${stage.platformFlag?.value ?? ''}`];
  for (const i of stage.instructions) {
    if (RUNTIME.has(i.keyword)) out.push(`${i.keyword} ${i.args.trim()}`);
    if (i.keyword === 'COPY' || i.keyword === 'ADD') out.push(`${i.keyword} -> ${copyDestination(i)}`);
  }
  return out;
}

const archToTarget = (x: string) => x.replace(/\bARCH\b/g, 'TARGETARCH').replace(/TARGETTARGETARCH/g, 'TARGETARCH');

/**
 * Warnings the output must not add (the spec: BuildKit's checks, xx-verify after the compile,
 * explicit CGO_ENABLED, P10 notes, native Go before the wrap, no ARCH build-arg).
 */
const NO_NEW_WARNINGS = [
  'from-as-casing',
  'undefined-arg-in-from',
  'redundant-target-platform',
  'from-platform-flag-const-disallowed',
  'stage-name-casing',
  'xx-verify-missing',
  'xx-verify-without-file',
  'cgo-implicit',
  'emulated-stage-unmarked',
  'native-go-after-wrap',
  'arch-build-arg',
  'xx-image-not-mirror',
  'xx-image-unpinned',
  // Issue 17 item 9: the target ARG goes right above the first step that needs it.
  'work-after-target-arg',
];

/**
 * The work-after-target-arg warnings the bot cannot avoid, per file, with why: the count is
 * exact, so a new one (or one that went away) fails.
 */
const UNAVOIDABLE: Record<string, { rule: string; count: number; why: string }> = {
  // The second component's clone follows the first component's compile in the same stage:
  // moving it above that compile would move its WORKDIR under the first build.
  'r04-cni-plugins.Dockerfile': { rule: 'work-after-target-arg', count: 1, why: 'a clone after the first compile' },
};

const show = (fs: Finding[]) => fs.map((f) => `${f.line} ${f.severity} ${f.rule}: ${f.message}`).join('\n');

/**
 * The one outcome pinned for a corpus file (a regression from refused to migrated fails too), the
 * generic properties of a migration, and byte-identity for a file left unchanged or skipped.
 */
export function checkOutcome(file: string, input: string, r: RunResult, expected: Outcome | undefined): void {
  expect(r.outcome, `outcome of ${file}${r.outcome === 'refused' ? `: ${r.error.message}` : ''}`).toBe(expected);
  if (r.outcome === 'migrated') checkMigrated(input, file, r.m);
  if (r.outcome === 'unchanged' || r.outcome === 'skipped') {
    expect(r.m.output).toBe(input);
    expect(r.m.edits).toEqual([]);
  }
}

export function checkMigrated(input: string, file: string, m: DockerfileMigration): void {
  const before = parseDockerfile(input, file);
  const after = parseDockerfile(m.output, file);
  const findings = reviewModel(after, {});
  // Zero error-level findings, and a second run changes nothing.
  expect(findings.filter((f) => f.severity === 'error'), show(findings)).toEqual([]);
  expect(migrateDockerfile(m.output, file, opts).output, 'idempotent').toBe(m.output);
  // No spec-level warning the input did not have already.
  const inputFindings = reviewModel(before, {});
  for (const rule of NO_NEW_WARNINGS) {
    const n = (fs: Finding[]) => fs.filter((f) => f.rule === rule).length;
    const allowed = UNAVOIDABLE[file]?.rule === rule ? UNAVOIDABLE[file]!.count : 0;
    if (allowed) expect(n(findings) - n(inputFindings), `${file}: ${UNAVOIDABLE[file]!.why}`).toBe(allowed);
    else expect(n(findings), `${file}: new "${rule}" warnings in the output\n${show(findings.filter((f) => f.rule === rule))}`).toBeLessThanOrEqual(n(inputFindings));
  }
  // Parser directives stay directives.
  expect(after.directives).toEqual(before.directives);
  // Global ARGs other than ARCH are kept, defaults included; ARCH itself is gone everywhere (P2).
  for (const a of before.globalArgs.filter((x) => x.name !== 'ARCH')) {
    expect(after.globalArgs.some((b) => b.name === a.name && b.defaultValue === a.defaultValue), `global ARG ${a.name}`).toBe(true);
  }
  expect(m.output, 'no ARG ARCH left').not.toMatch(/^\s*ARG\s+ARCH\b/im);
  expect(m.output, 'no $ARCH / ${ARCH} left').not.toMatch(/\$\{?ARCH\b/);
  // Line endings: a CRLF file stays CRLF, inserted lines included; an LF file gets no CR.
  if (input.includes('\r\n')) expect(m.output.split('\n').slice(0, -1).every((l) => l.endsWith('\r')), 'CRLF kept').toBe(true);
  else expect(m.output.includes('\r'), 'no CR in an LF file').toBe(false);
  // Final images keep platform, runtime settings and COPY destinations; the last stage stays last.
  const beforeAnalysis = analyze(before);
  const finalsBefore = [...beforeAnalysis.finalStages].filter((s) => !beforeAnalysis.facts.get(s)?.isXx);
  for (const b of finalsBefore) {
    const a = b.name ? after.stages.find((s) => s.name?.toLowerCase() === b.name!.toLowerCase()) : after.stages[after.stages.length - (before.stages.length - b.index)];
    expect(a, `final stage ${b.name ?? b.index}`).toBeDefined();
    expect(a!.platform, `final stage ${b.name ?? b.index} platform`).toBe(b.platform);
    expect(imageShape(a!).map(archToTarget)).toEqual(imageShape(b).map(archToTarget));
  }
  expect(archToTarget(after.stages.at(-1)!.image)).toBe(archToTarget(before.stages.at(-1)!.image));
  // Spec item 4, as shapes-corpus.test.ts checks it: in a stage moved to the build platform, work
  // that came before every target-dependent step in the input stays before the target ARG.
  const facts = analyze(after);
  for (const s of after.stages) {
    const was = before.stages.find((b) => b.name && b.name === s.name);
    if (s.platform !== 'build' || !was || was.platform === 'build') continue;
    const compiles = new Set(facts.facts.get(s)?.compiles.map((c) => c.instruction));
    const dependent = (i: Instruction) =>
      compiles.has(i) || varsUsed(i).some((v) => TARGET_ARGS.has(v)) || commandsOf(i).some((c) => isXxTool(c) || packageInstall(c)?.manager.startsWith('xx-') || /^g?make$/.test(c.name) || c.name.includes('/'));
    const firstArg = s.instructions.find((i) => i.keyword === 'ARG' && s.args.some((a) => a.instruction === i && TARGET_ARGS.has(a.name)));
    if (!firstArg) continue;
    const wasCompiles = new Set(beforeAnalysis.facts.get(was)?.compiles.map((c) => c.instruction));
    const inputDependent = was.instructions.findIndex((i) => ['RUN', 'COPY', 'ADD'].includes(i.keyword) && (wasCompiles.has(i) || dependent(i) || varsUsed(i).includes('ARCH')));
    for (const i of s.instructions.filter((x) => x.index > firstArg.index && ['RUN', 'COPY', 'ADD'].includes(x.keyword) && !dependent(x))) {
      const text = m.output.slice(i.start, i.end);
      const at = was.instructions.findIndex((x) => input.slice(x.start, x.end) === text);
      if (at < 0 || inputDependent < 0 || at > inputDependent) continue;
      expect.fail(`${file}:${i.line} "${text.split('\n')[0]}" runs once per platform after the target ARG at line ${firstArg.line}`);
    }
  }
  // Every stage reference still resolves.
  for (const s of after.stages) for (const r of s.refs) if (before.stages.some((x) => x.refs.some((y) => y.ref === r.ref && y.stage))) expect(r.stage, `${file}: --from=${r.ref}`).toBeDefined();
  // No line outside the reported edits changes (lines that only moved are fine); new lines are tidy.
  // New lines are tidy; an edited line may keep the trailing blanks of the line it replaces.
  const chunks = diffLines(input, m.output);
  const blanks = (l: string) => /[ \t]+(?=\r?$)/.exec(l)?.[0];
  const removedBlanks = new Set(chunks.filter((c) => c.removed).flatMap((c) => c.value.split('\n')).map(blanks).filter(Boolean));
  for (const l of chunks.filter((c) => c.added).flatMap((c) => c.value.split('\n'))) {
    const b = blanks(l);
    expect(b !== undefined && !removedBlanks.has(b), `trailing blank in "${l}"`).toBe(false);
  }
  expect(linesChangedOutsideEdits(input, m.output, m.edits), `${file}: lines changed outside the edits`).toEqual([]);
  // A comment the bot adds ("# kept emulated: ...", "# strip runs on ...") is one line of about 100 characters.
  const longComments = chunks.filter((c) => c.added).flatMap((c) => c.value.split('\n')).filter((l) => l.trim().startsWith('#') && l.trimEnd().length > 100);
  expect(longComments, `${file}: comments over 100 characters`).toEqual([]);
}

/** The text of one stage of `text` (from its FROM to the next FROM), by name. */
export function stageText(text: string, name: string): string {
  const model = parseDockerfile(text);
  const s = model.stages.find((x) => x.name?.toLowerCase() === name.toLowerCase());
  if (!s) throw new Error(`no stage ${name}`);
  return text.slice(s.from.start, s.end);
}

/** Words after `xx-verify [--static]` on every xx-verify line of the text. */
export function xxVerifyArgs(text: string): { static: boolean; paths: string[] }[] {
  // `for f in bin/*; do xx-verify --static "$f" || exit 1; done` verifies what the loop lists.
  const loops = new Map([...text.matchAll(/for (\w+) in ([^;\n]+); do xx-verify((?:\s+--\w+)*) "\$\1"/g)].map((m) => [m.index! + m[0].indexOf('xx-verify'), { static: /--static/.test(m[3]!), paths: m[2]!.trim().split(/\s+/) }]));
  return [...text.matchAll(/xx-verify((?:\s+--\w+)*)((?:[ \t]+[^\s;&|]+)+)/g)].map((m) => loops.get(m.index!) ?? { static: /--static/.test(m[1]!), paths: m[2]!.trim().split(/\s+/) });
}
