/**
 * What every rule needs besides the model: the shared analysis (so rules and the codemod agree
 * on what a compile stage is), positions for humans, and the cross-compilation facts several
 * rules ask about (is this compile cross? is xx copied? does the output reach a target stage?).
 */
import type { Analysis, CommandSite, StageFacts } from '../dockerfile/analysis.ts';
import type { DockerfileFacts } from '../dockerfile/facts.ts';
import type { ShellCommand } from '../dockerfile/shell.ts';
import { lineage, type ArgDecl, type DockerfileModel, type Instruction, type Stage } from '../dockerfile/model.ts';
import type { CompileFact } from '../dockerfile/compile-facts.ts';
import { inheritedTargetArg, TARGET_ARGS, TARGET_SELECTING_ARGS, targetArgBefore, xxCopiedBefore } from '../dockerfile/stage-questions.ts';
import { wrapBefore } from '../dockerfile/cross-compiling-stages.ts';
import type { Finding, RuleMeta, Severity } from './types.ts';

export interface Span {
  start: number;
  end: number;
}

/** A compile and its facts (dockerfile/compile-facts.ts): how it targets the platform, its cgo setting. */
export type CompileInfo = CompileFact;

export { SUBSTITUTING } from '../dockerfile/shared-checks.ts';

export const PLATFORM_ARGS = ['TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT', 'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT'];
export { TARGET_SELECTING_ARGS };

export class ReviewContext {
  readonly findings: Finding[] = [];
  readonly analysis: Analysis;
  readonly xxImage: string;
  private readonly seen = new Set<string>();
  private commandCache = new Map<Stage, CommandSite[]>();
  private lineageCache = new Map<Stage, Stage[]>();
  private reachCache = new Map<Stage, boolean>();
  private crossStageCache = new Map<Stage, boolean>();

  readonly model: DockerfileModel;

  /** The facts the recipes read too: rules ask them, never work a fact out on their own. */
  constructor(readonly facts: DockerfileFacts) {
    this.model = facts.model;
    this.xxImage = facts.input.xxImage;
    this.analysis = facts.analysis;
  }

  get file(): string {
    return this.model.source.path;
  }

  stageFacts(stage: Stage): StageFacts {
    return this.facts.stage(stage);
  }

  /** The stage does not run on the target platform: anything it builds for the target is cross-built. */
  native(stage: Stage): boolean {
    return stage.platform !== 'target';
  }

  stageLabel(stage: Stage): string {
    return stage.name ? `"${stage.name}"` : `#${stage.index}`;
  }

  report(rule: RuleMeta, at: Span | Instruction | ShellCommand, message: string, hint: string, severity: Severity = rule.severity): void {
    const src = this.model.source;
    // A command is where its name is: `CGO_ENABLED=1 \` on the line above is only its prefix.
    const start = 'nameWord' in at && at.nameWord ? at.nameWord.start : at.start;
    const line = src.lineOf(start);
    const column = start - src.lineStart(line) + 1;
    const endOffset = Math.max(start, at.end - 1);
    const endLine = src.lineOf(endOffset);
    const key = `${rule.id}:${line}:${column}:${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.findings.push({
      rule: rule.id,
      severity,
      message,
      file: this.file,
      line,
      column,
      endLine,
      endColumn: at.end - src.lineStart(endLine) + 1,
      hint,
      docs: rule.docs,
    });
  }

  /** Report on the FROM line of a stage, at its image (or the whole instruction). */
  reportStage(rule: RuleMeta, stage: Stage, message: string, hint: string, severity?: Severity): void {
    this.report(rule, stage.from, message, hint, severity);
  }

  /** The stage and its FROM ancestors, nearest first (cached: rules ask often). */
  lineage(stage: Stage): Stage[] {
    let out = this.lineageCache.get(stage);
    if (!out) {
      out = lineage(stage);
      this.lineageCache.set(stage, out);
    }
    return out;
  }

  /** Shell commands of a stage, in order. */
  commands(stage: Stage): CommandSite[] {
    let out = this.commandCache.get(stage);
    if (!out) {
      out = stage.instructions.flatMap((i) => (i.shell ? i.shell.commands.map((command) => ({ instruction: i, command })) : []));
      this.commandCache.set(stage, out);
    }
    return out;
  }

  /** The `xx-go --wrap` in effect at `offset` of `stage`: earlier in the stage, or anywhere in a parent. */
  wrapBefore(stage: Stage, offset: number): CommandSite | undefined {
    return wrapBefore(stage, offset, this.analysis.facts);
  }

  /** Is a target-selecting ARG (`TARGETPLATFORM`/`TARGETARCH`) declared in `stage` before `offset`? */
  targetArgBefore(stage: Stage, offset: number, names: string[] = TARGET_SELECTING_ARGS): boolean {
    return targetArgBefore(stage, offset, names);
  }

  /**
   * The ARG from which the stage runs once per target platform: one the stage inherits from a
   * parent stage (every step forks then), else its own first target ARG.
   */
  firstTargetArg(stage: Stage): ArgDecl | undefined {
    return inheritedTargetArg(stage) ?? stage.args.find((a) => TARGET_ARGS.has(a.name));
  }

  /** Was the xx toolbox copied into the stage (or a parent) before `offset`? */
  xxCopiedBefore(stage: Stage, offset: number): boolean {
    return xxCopiedBefore(stage, offset, this.analysis, this.xxImage);
  }

  /**
   * Does what this stage (or a stage built FROM it) produces land in a stage of another platform?
   * A build-platform stage whose output only feeds other build-platform stages builds tools for
   * the build itself, and those must stay native.
   */
  reachesTarget(stage: Stage): boolean {
    let out = this.reachCache.get(stage);
    if (out === undefined) {
      const family = new Set(this.model.stages.filter((s) => this.lineage(s).includes(stage)));
      out = this.model.stages.some((t) => t.platform !== 'build' && !family.has(t) && t.refs.some((r) => r.stage && family.has(r.stage)));
      this.reachCache.set(stage, out);
    }
    return out;
  }

  /** Every compile, with how (and whether) it cross-compiles and its cgo setting: the facts the recipes read too. */
  compiles(): CompileInfo[] {
    return this.facts.compiles();
  }

  /** Stages whose own or inherited commands cross-compile (or set up xx-go for it). */
  crossStage(stage: Stage): boolean {
    let out = this.crossStageCache.get(stage);
    if (out === undefined) {
      const chain = this.lineage(stage);
      out = this.native(stage) && (chain.some((s) => this.stageFacts(s).wraps.length > 0) || this.compiles().some((c) => c.cross && chain.includes(c.stage)));
      this.crossStageCache.set(stage, out);
    }
    return out;
  }
}
