/**
 * The facts of one Dockerfile: one immutable object per model, computed from the model and the
 * one input (input.ts), answering named questions lazily (each answer computed once). The
 * recipes (to change a file) and the review rules (to judge one) read the same object, so a
 * recipe and the rule it fixes cannot work out one fact in two ways and disagree.
 */
import { analyze, buildPlatformStages, stageKey, type Analysis, type StageFacts } from './analysis.ts';
import { compileFacts, stageCompiles, type CompileFact } from './compile-facts.ts';
import { binaryNames } from './stage-questions.ts';
import { compileOutputs, goBuildArgs } from './commands.ts';
import { factsInput, type FactsInput } from './input.ts';
import { lineage, type DockerfileModel, type Instruction, type Stage } from './model.ts';
import { baseName, type ShellCommand, type ShellScript } from './shell.ts';

/** A step that runs a binary a cross-compile of its lineage produced (P5). */
export interface BinaryRun {
  stage: Stage;
  instruction: Instruction;
  /** Undefined for an exec-form RUN (`RUN ["widgetd", "--version"]`). */
  command?: ShellCommand;
  /** What runs, as written. */
  text: string;
  /** The built binary it runs, as named there (inside the script of a `sh -c` too). */
  binary: string;
  /** The compiles whose output it runs. */
  compiles: CompileFact[];
  /** Under `if ! xx-info is-cross` (or a TARGET/BUILD comparison): it runs only natively. */
  guarded: boolean;
}

/** Leaves that are checks, not images: a lint or test stage may run natively. */
const CHECK_STAGE = /(^|[-_.])(tests?|unit|lint(er)?|validate|validation|checks?|verify|vet|fmt|ci|e2e|integration|coverage|sanity|bench|generate|codegen|gen)([-_.]|$)/i;

/** Where make/script builds usually put their output, when the Dockerfile does not say. */
const OUTPUT_DIR = /^(\.\/)?(bin|_output|out|output|dist|build)\//;
/** Tools a builder runs on its own output that are no run of it. */
const NOT_OUTPUTS = new Set(['go', 'make', 'file', 'install', 'cp', 'mv', 'strip', 'sh', 'bash', 'ls', 'chmod', 'test', '[']);

export class DockerfileFacts {
  readonly input: FactsInput;
  private readonly memo = new Map<string, unknown>();

  private constructor(
    readonly model: DockerfileModel,
    input: FactsInput,
    /** Stages (by stageKey) on the build platform in the file as the user wrote it (analysis.ts). */
    private readonly inputBuildStages?: ReadonlySet<string>,
  ) {
    this.input = input;
  }

  /** The facts of `model` under `input` (missing fields take their defaults). */
  static of(model: DockerfileModel, input: Partial<FactsInput> = {}, inputBuildStages?: ReadonlySet<string>): DockerfileFacts {
    return new DockerfileFacts(model, factsInput(input), inputBuildStages);
  }

  /** The same input and user's build stages for another model of the file (the text after a recipe phase). */
  next(model: DockerfileModel): DockerfileFacts {
    return new DockerfileFacts(model, this.input, this.inputBuildStages ?? this.buildStageKeys());
  }

  private once<T>(key: string, compute: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, compute());
    return this.memo.get(key) as T;
  }

  /** Per stage: what it compiles, installs, wraps; whether it cross-compiles or stays emulated. */
  get analysis(): Analysis {
    return this.once('analysis', () => {
      const a = analyze(this.model, { ...this.input, emulatedStages: [...this.input.emulatedStages], targets: [...this.input.targets], inputBuildStages: this.inputBuildStages });
      for (const f of a.facts.values()) Object.freeze(f);
      return Object.freeze(a);
    });
  }

  stage(stage: Stage): StageFacts {
    return this.analysis.facts.get(stage)!;
  }

  get finalStages(): ReadonlySet<Stage> {
    return this.analysis.finalStages;
  }

  /** Every compile, in stage order, with how it targets the platform and its cgo setting. */
  compiles(): CompileFact[] {
    return compileFacts(this.analysis);
  }

  stageCompiles(stage: Stage): CompileFact[] {
    return stageCompiles(this.analysis, stage);
  }

  /** Stages with a compile that already cross-compiles: the one definition of "cross-compiling stage". */
  crossCompilingStages(): ReadonlySet<Stage> {
    return this.once('crossCompilingStages', () => new Set(this.compiles().filter((c) => c.cross).map((c) => c.stage)));
  }

  /** The file already cross-compiles (at least one of its compiles): edited only to fix an error-level finding. */
  get alreadyCrossCompiles(): boolean {
    return this.crossCompilingStages().size > 0;
  }

  /** The stages that run on the build platform once migrated (the roots the migration moves and their descendants). */
  buildPlatformStages(): ReadonlySet<Stage> {
    return this.once('buildPlatformStages', () => buildPlatformStages(this.analysis));
  }

  /** Stage identities (stageKey) of the stages on the build platform in this model. */
  buildStageKeys(): Set<string> {
    return new Set(this.model.stages.filter((s) => s.platform === 'build').map((s) => stageKey(s, this.model.stages.length)));
  }

  /**
   * Final stages (images the repository ships, and `--target`s the build names) that run on the
   * build platform: every platform's image would hold build-machine binaries. A leaf named like a
   * check (`lint`, `test`) may mean to run natively: `check` says so.
   */
  finalStagesOnBuildPlatform(): readonly { stage: Stage; named: boolean; check: boolean }[] {
    return this.once('finalStagesOnBuildPlatform', () => {
      const targets = new Set(this.input.targets.map((t) => t.toLowerCase()));
      return [...this.finalStages]
        .filter((stage) => stage.platform === 'build' && !this.stage(stage).isXx)
        .map((stage) => {
          const named = !!stage.name && targets.has(stage.name.toLowerCase());
          return { stage, named, check: !named && !!stage.name && CHECK_STAGE.test(stage.name) };
        });
    });
  }

  /**
   * Names the compiles of `compiles` produce, as a later step may run them: `-o` files, the last
   * path element of a built package (`go build ./cmd/widgetd` writes `widgetd`), the WORKDIR's
   * name for `go build .`, files installed and files other stages copy out.
   */
  producedNames(stage: Stage, compiles: readonly CompileFact[]): { names: Set<string>; dirs: string[]; unknown: boolean } {
    const names = new Set<string>();
    for (const s of new Set(compiles.map((c) => c.stage))) for (const n of binaryNames(s, this.stage(s), this.analysis)) names.add(n);
    for (const c of compiles) for (const n of packageNames(c)) names.add(n);
    const dirs = compiles.flatMap((c) => compileOutputs(c.command).filter((o) => o.endsWith('/')));
    const unknown = compiles.some((c) => c.kind === 'make' || c.kind === 'script') || names.size === 0;
    void stage;
    return { names, dirs, unknown };
  }

  /** Does the statement holding `cmd` run it only natively (`if ! xx-info is-cross`, or a TARGET/BUILD comparison)? */
  isGuarded(instr: Instruction, cmd: ShellCommand): boolean {
    return !!instr.shell && guarded(instr.shell, cmd);
  }

  /**
   * Steps of `stage` that run a binary one of `compiles` (compiles of its lineage that build, or
   * will build, for the target) produced, after that compile. The rule reports the unguarded ones
   * of an already cross-compiling file, the recipe guards them in the file it migrates.
   */
  binaryRuns(stage: Stage, compiles: readonly CompileFact[]): BinaryRun[] {
    const chain = lineage(stage);
    const mine = compiles.filter((c) => chain.includes(c.stage));
    if (mine.length === 0) return [];
    const inherited = mine.some((c) => c.stage !== stage);
    const after = inherited ? -1 : Math.min(...mine.map((c) => c.command.end));
    const { names, dirs, unknown } = this.producedNames(stage, mine);
    const out: BinaryRun[] = [];
    for (const instr of stage.instructions) {
      if (instr.execForm) {
        if (instr.start > after && names.has(baseName(instr.execForm[0] ?? ''))) out.push({ stage, instruction: instr, text: instr.execForm.join(' '), binary: instr.execForm[0]!, compiles: mine, guarded: false });
        continue;
      }
      if (!instr.shell) continue;
      for (const cmd of instr.shell.commands) {
        if (cmd.start <= after || !cmd.name) continue;
        const runs = (c: ShellCommand) => {
          const n = baseName(c.name);
          if (!n || NOT_OUTPUTS.has(n) || n.startsWith('xx-') || n.endsWith('.sh')) return false;
          return names.has(n) || dirs.some((d) => c.name.startsWith(d)) || (unknown && OUTPUT_DIR.test(c.name));
        };
        // `sh -c "./bin/x version"` runs it as much as `./bin/x version` does: the sh call is guarded.
        const hit = runs(cmd) ? cmd : cmd.inner?.find(runs);
        if (!hit) continue;
        out.push({ stage, instruction: instr, command: cmd, text: [cmd.name, ...cmd.args.map((a) => a.raw)].join(' '), binary: hit.name, compiles: mine, guarded: guarded(instr.shell, cmd) });
      }
    }
    return out;
  }
}

/** Does the statement holding `cmd` run it only natively (`if ! xx-info is-cross`, or a TARGET/BUILD comparison)? */
function guarded(script: ShellScript, cmd: ShellCommand): boolean {
  const st = cmd.statement;
  const inStatement = (x: { start: number }) => x.start >= st.start && x.start < st.end;
  if (script.commands.some((c) => inStatement(c) && baseName(c.name) === 'xx-info' && c.args.some((a) => a.value === 'is-cross'))) return true;
  const refs = script.varRefs.filter(inStatement).map((r) => r.name);
  return refs.some((n) => n.startsWith('TARGET')) && refs.some((n) => n.startsWith('BUILD'));
}

const lastSegment = (p: string) => p.replace(/\/+$/, '').split('/').pop() ?? '';

/** Without `-o`, `go build` names its output after the package: its last path element, or the WORKDIR's for `.`. */
function packageNames(c: CompileFact): string[] {
  if (compileOutputs(c.command).some((o) => !o.endsWith('/'))) return [];
  if (c.kind !== 'go-build' && c.kind !== 'go-build-script') return [];
  const pkgs = goBuildArgs(c.command).packages;
  const names = pkgs.filter((p) => !p.includes('...') && p !== '.').map(lastSegment).filter((n) => n && !n.includes('$'));
  if (names.length || (!pkgs.includes('.') && pkgs.length)) return names;
  const workdir = lineage(c.stage).flatMap((s) => s.instructions).filter((i) => i.keyword === 'WORKDIR' && (i.stage !== c.stage || i.start < c.instruction.start)).pop();
  return workdir ? [lastSegment(workdir.args.trim())].filter((n) => n && !n.includes('$')) : [];
}
