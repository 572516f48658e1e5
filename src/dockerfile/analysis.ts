/**
 * Cross-compilation facts about each stage, derived from the model: does it compile Go, which
 * distribution's package manager does its lineage use, is it kept emulated and why, where is the
 * xx setup. The recipes (to change a Dockerfile) and the review rules (to judge one) both read
 * this, so they always agree on what a "compile stage" is.
 */
import { baseName, type ShellCommand } from './shell.ts';
import {
  compileKind,
  isCBuild,
  isGoTest,
  isNativeGoTool,
  packageInstall,
  type CompileKind,
  type PackageInstall,
} from './commands.ts';
import { downstream, lineage, type DockerfileModel, type Instruction, type Stage } from './model.ts';
import { copyDestination, copySources } from './copy.ts';
import { followsBuildMachine, followsTarget, settingFor, type EnvSetting } from './env.ts';
import type { MakeVar } from './build-files.ts';
import type { FactsInput } from './input.ts';
import { systemGlobInstalls } from './strip-names.ts';
import { splitCandidate, splitOf } from './lineage-split.ts';
import { gobinInstalls, makeGobinInstall, makeLabel } from './gobin.ts';

export interface CommandSite {
  instruction: Instruction;
  command: ShellCommand;
}

export interface CompileSite extends CommandSite {
  kind: CompileKind;
}

export interface StageFacts {
  stage: Stage;
  /** Uses a Go toolchain (Go base image, or runs `go`). */
  goStage: boolean;
  compiles: CompileSite[];
  /** C compilers and non-Go build systems (P10). */
  cBuilds: CommandSite[];
  nativeGo: CommandSite[];
  /**
   * Compiles for the build machine itself (`export GOARCH=$(go env GOHOSTARCH) && make ...`, a
   * generator built with GOARCH=$BUILDARCH): host work, done natively and once; a subset of nativeGo.
   */
  hostBuilds: CommandSite[];
  /** `go test` runs: they build and run test binaries, so only natively. */
  tests: CommandSite[];
  packageInstalls: (PackageInstall & { instruction: Instruction })[];
  /** Package manager family of the stage lineage. */
  distro: 'alpine' | 'debian' | 'unknown';
  /** `xx-go --wrap` sites in this stage. */
  wraps: CommandSite[];
  /** Stage is the xx helper image. */
  isXx: boolean;
  /** Reason the stage stays emulated (P10), if it does. */
  emulatedReason?: string;
  /** The same reason in the few words that fit the `# kept emulated:` line, when the reason is long. */
  emulatedNote?: string;
  /** How the reason is known: a marker comment in the file, the config, or our own detection. */
  emulatedBy?: 'comment' | 'config' | 'detected';
  /** A comment right above FROM says the stage stays emulated. */
  markedEmulated: boolean;
  /** Stage compiles and should run (or runs) on the build platform. */
  crossCompile: boolean;
}

export interface Analysis {
  model: DockerfileModel;
  facts: Map<Stage, StageFacts>;
  xxStage?: Stage;
  /** Stages that are images the repository ships: leaves plus named `--target`s. */
  finalStages: Set<Stage>;
  /** At least one stage compiles Go. */
  compilesGo: boolean;
  /**
   * Stages that provide a tool a cross-compiling stage runs during the build (a downloaded helm,
   * protoc): they move to the build platform with it, so the tool is the build machine's.
   */
  toolStages: Set<Stage>;
  /** Build-args the build files pass with a value. */
  buildArgs: Record<string, string>;
  /** Variables the checkout's Makefile sets (what a `make` build in the Dockerfile runs with). */
  makeVars: Record<string, MakeVar>;
}

export type { MakeVar };

/** The facts input (input.ts), and which stages the user's own file had on the build platform. */
export type AnalysisOptions = Partial<FactsInput> & {
  /**
   * Stages (by stageKey) that were on the build platform in the file as the user wrote it. A
   * migration moves stages there itself; only the user's own cross set-up is left alone.
   */
  inputBuildStages?: ReadonlySet<string>;
};

/** A stage's identity across edits that insert stages: its name, or its place from the end. */
export function stageKey(stage: Stage, count: number): string {
  return stage.name?.toLowerCase() ?? `#-${count - stage.index}`;
}

const GO_IMAGE = /(^|[/:_-])(golang|go|hardened-build-base|build-base)([/:_@-]|$)|GO_IMAGE|GOLANG/i;
const XX_IMAGE = /(^|\/)(tonistiigi\/xx|mirrored-tonistiigi-xx)(:|@|$)/;
const EMULATED_MARKER = /\bemulat(ed|ion)\b/i;

export function isXxImage(image: string, configured?: string): boolean {
  if (XX_IMAGE.test(image)) return true;
  if (configured) return image === configured || imageRepository(image) === imageRepository(configured);
  return false;
}

/** The image reference without its tag or digest: a registry port (`127.0.0.1:5000/x`) is no tag. */
export function imageRepository(ref: string): string {
  const noDigest = ref.split('@')[0]!;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

export function analyze(model: DockerfileModel, opts: AnalysisOptions = {}): Analysis {
  const facts = new Map<Stage, StageFacts>();
  const targets = new Set((opts.targets ?? []).map((t) => t.toLowerCase()));
  const finalStages = new Set(model.stages.filter((s) => s.isLeaf || (s.name && targets.has(s.name.toLowerCase()))));

  for (const stage of model.stages) facts.set(stage, collectFacts(stage, model, facts, opts));

  let xxStage: Stage | undefined;
  for (const f of facts.values()) if (f.isXx && !xxStage) xxStage = f.stage;

  for (const f of facts.values()) decideCross(f, facts, finalStages, opts, model);
  keepUnsplitLineages(facts);

  return { model, facts, xxStage, finalStages, compilesGo: [...facts.values()].some((f) => f.compiles.length > 0), toolStages: findToolStages(facts, finalStages), buildArgs: opts.buildArgs ?? {}, makeVars: opts.makeVars ?? {} };
}

function collectFacts(stage: Stage, model: DockerfileModel, known: Map<Stage, StageFacts>, opts: AnalysisOptions): StageFacts {
  const parent = stage.base ? known.get(stage.base) : undefined;
  const runs = stage.instructions.filter((i) => i.shell);
  const commands: CommandSite[] = runs.flatMap((i) => i.shell!.commands.map((command) => ({ instruction: i, command })));
  const packageInstalls: StageFacts['packageInstalls'] = [];
  for (const c of commands) {
    const p = packageInstall(c.command);
    if (p) packageInstalls.push({ ...p, instruction: c.instruction });
  }
  const installsGo = packageInstalls.some((p) => p.packages.some((w) => /^go(lang)?([=~<>-]|$)/.test(w.value)));
  const goStage =
    (parent?.goStage ?? false) ||
    (!stage.base && GO_IMAGE.test(stage.resolvedImage)) ||
    (!stage.base && GO_IMAGE.test(stage.image)) ||
    installsGo ||
    commands.some((c) => c.command.name === 'go');
  const cCompiler = packageInstalls.some((p) => !p.manager.startsWith('xx-') && p.packages.some((w) => /^(gcc|clang|build-base|build-essential|g\+\+)([=~<>-]|$)/.test(w.value)));
  const compiles: CompileSite[] = [];
  const cBuilds: CommandSite[] = [];
  const nativeGo: CommandSite[] = [];
  const hostBuilds: CommandSite[] = [];
  const tests: CommandSite[] = [];
  const wraps: CommandSite[] = [];
  for (const c of commands) {
    const kind = compileKind(c.command, goStage);
    // `GOARCH=$BUILDARCH go build -o /usr/local/bin/gen`: a tool for the build itself (P7), built
    // and run natively; no target compile, so neither wrapped nor guarded.
    if (kind && forBuildMachine(stage, c)) {
      nativeGo.push(c);
      hostBuilds.push(c);
    } else if (kind) compiles.push({ ...c, kind });
    // A make in a stage with a C compiler and no Go builds C (`apk add gcc make` then `make -C helper`).
    if (isCBuild(c.command) || (!goStage && cCompiler && ['make', 'gmake'].includes(baseName(c.command.name)))) cBuilds.push(c);
    if (isNativeGoTool(c.command)) nativeGo.push(c);
    if (isGoTest(c.command)) tests.push(c);
    if (baseName(c.command.name) === 'xx-go' && c.command.args.some((a) => a.value === '--wrap')) wraps.push(c);
  }
  let distro: StageFacts['distro'] = parent?.distro ?? 'unknown';
  if (packageInstalls.some((p) => p.manager === 'apk' || p.manager === 'xx-apk')) distro = 'alpine';
  else if (packageInstalls.some((p) => p.manager === 'apt-get' || p.manager === 'xx-apt-get')) distro = 'debian';
  else if (distro === 'unknown' && !stage.base) {
    const img = stage.resolvedImage.toLowerCase();
    if (/alpine|hardened-build-base|build-base/.test(img)) distro = 'alpine';
    else if (/golang|debian|ubuntu|bookworm|bullseye/.test(img)) distro = 'debian';
  }
  return {
    stage,
    goStage,
    compiles,
    cBuilds,
    nativeGo,
    hostBuilds,
    tests,
    packageInstalls,
    distro,
    wraps,
    isXx: !stage.base && isXxImage(stage.resolvedImage, opts.xxImage),
    crossCompile: false,
    markedEmulated: false,
  };
}

/** The command builds for the machine that runs the build: its GOARCH names the build platform. */
function forBuildMachine(stage: Stage, c: CommandSite): boolean {
  const goarch = settingFor(stage, c.instruction, c.command, 'GOARCH')?.value;
  return goarch !== undefined && followsBuildMachine(goarch);
}

function decideCross(f: StageFacts, facts: Map<Stage, StageFacts>, finalStages: Set<Stage>, opts: AnalysisOptions, model: DockerfileModel): void {
  const { stage } = f;
  const marker = stage.leadingComments.find((c) => EMULATED_MARKER.test(c.text));
  f.markedEmulated = marker !== undefined;
  const configured = (opts.emulatedStages ?? []).find(
    (e) => e.stage.toLowerCase() === stage.name?.toLowerCase() || e.stage === String(stage.index),
  );
  if (configured) {
    f.emulatedReason = configured.reason;
    f.emulatedBy = 'config';
  } else if (marker) {
    f.emulatedReason = marker.text.replace(/^#\s*/, '').replace(/^kept emulated:\s*/i, '');
    f.emulatedBy = 'comment';
  }
  if (f.compiles.length === 0 && f.cBuilds.length === 0) return;
  if (f.emulatedReason) return;
  if (stage.platform === 'other') return;
  const detected = detectEmulatedReason(f, finalStages) ?? gobinReason(f, opts);
  const unnamed = detected || stage.platform === 'build' ? undefined : unnamedStripReason(f, model);
  const reason = detected ?? unnamed?.reason;
  if (reason) {
    if (stage.platform === 'build') return; // someone already moved it; the review judges it.
    f.emulatedReason = reason;
    if (unnamed) f.emulatedNote = unnamed.note;
    f.emulatedBy = 'detected';
    return;
  }
  // Already cross-compiling without xx (GOOS/GOARCH from TARGETOS/TARGETARCH on $BUILDPLATFORM,
  // as Docker's own guide does it): correct as it is, so not ours to rewrite.
  const wasBuild = opts.inputBuildStages ? opts.inputBuildStages.has(stageKey(stage, facts.size)) : stage.platform === 'build';
  if (stage.platform === 'build' && wasBuild && f.wraps.length === 0 && f.compiles.every((c) => compileTarget(stage, c, facts).targetsItself)) return;
  if (f.compiles.length > 0) f.crossCompile = true;
}

/** How a compile targets the platform; the definition behind "already cross-compiles" (cross-compiling-stages.ts). */
export interface CompileTarget {
  /** Runs on the build platform (or a fixed one): the compiler's host arch is not the target's. */
  native: boolean;
  /** The `xx-go --wrap` in effect for this compile (earlier in the stage or in a parent). */
  wrap?: CommandSite;
  /** GOARCH as the compile sees it. */
  goarch?: EnvSetting;
  /** GOARCH set from TARGETARCH/TARGETPLATFORM/xx-info. */
  explicitTarget?: EnvSetting;
  /** The compile names the target by itself (`xx-go build`, `GO=xx-go`, GOARCH from the target), without a wrap. */
  targetsItself: boolean;
  /** Builds for the target from a native stage. */
  cross: boolean;
}

/** The `xx-go --wrap` in effect at `offset` of `stage`: earlier in the stage, or anywhere in a parent. */
export function wrapBefore(stage: Stage, offset: number, facts: Map<Stage, StageFacts>): CommandSite | undefined {
  for (const s of lineage(stage)) {
    const wraps = (facts.get(s)?.wraps ?? []).filter((w) => s !== stage || w.command.end <= offset);
    if (wraps.length) return wraps[wraps.length - 1];
  }
  return undefined;
}

export function compileTarget(stage: Stage, site: CompileSite, facts: Map<Stage, StageFacts>): CompileTarget {
  const native = stage.platform !== 'target';
  const wrap = wrapBefore(stage, site.command.start, facts);
  const goarch = settingFor(stage, site.instruction, site.command, 'GOARCH');
  const explicitTarget = goarch?.value !== undefined && followsTarget(goarch.value) ? goarch : undefined;
  const viaXxGo = baseName(site.command.name) === 'xx-go' || settingFor(stage, site.instruction, site.command, 'GO')?.value === 'xx-go';
  const targetsItself = viaXxGo || !!explicitTarget;
  return { native, wrap, goarch, explicitTarget, targetsItself, cross: native && (!!wrap || targetsItself) };
}

function detectEmulatedReason(f: StageFacts, finalStages: Set<Stage>): string | undefined {
  const { stage } = f;
  if (f.cBuilds.length > 0) {
    const names = [...new Set(f.cBuilds.map((c) => baseName(c.command.name)))].join(', ');
    return `builds C code (${names}) for the target, which xx-go does not cross-compile`;
  }
  if (f.compiles.length > 0 && !f.goStage) return 'runs a build that is not a Go compile; only Go builds are cross-compiled';
  if (finalStages.has(stage)) return 'the compile runs in a final image stage: only a builder stage can cross-compile';
  // The platform is set where the lineage starts; it must not drag a final image along.
  const root = lineage(stage).at(-1)!;
  for (const d of [root, ...downstream(root)]) {
    if (d === stage || !finalStages.has(d)) continue;
    if (lineage(d).includes(root)) {
      return `its base stage "${root.name ?? root.index}" is also the base of the final stage "${d.name ?? d.index}"`;
    }
  }
  for (const c of f.compiles) {
    if (c.instruction.execForm) return 'the compile is a RUN in exec (JSON) form, which cannot be wrapped with xx-go';
  }
  return undefined;
}

/**
 * A compile through `go install` with GOBIN set fails for every foreign target. In the Dockerfile
 * the go-install-gobin recipe builds it with `go build -o` where that is the same output; one it
 * cannot rewrite, or one a Makefile recipe runs, keeps the stage emulated, citing the line.
 */
function gobinReason(f: StageFacts, opts: AnalysisOptions): string | undefined {
  const compiles = new Set(f.compiles.map((c) => c.command));
  const stuck = gobinInstalls(f.stage).find((g) => compiles.has(g.command) && !g.rewrite);
  if (stuck) return `line ${stuck.instruction.line}: go install with GOBIN set fails cross-compiled; no go build -o for ${stuck.cannot}`;
  for (const c of f.compiles) {
    if (c.kind !== 'make') continue;
    const hit = makeGobinInstall(f.stage, c.instruction, c.command, opts.makefile);
    if (hit) return `"${makeLabel(c.command)}" runs go install with GOBIN set (${hit.file}:${hit.line}), which fails cross-compiled`;
  }
  return undefined;
}

/**
 * `install -s bin/* /usr/local/bin` whose folder a later stage copies whole, with no step naming
 * the binaries: stripping them on the target would mean copying the folder out of a wrapped
 * builder, which also holds xx-go's clang links. The stage keeps its shape (strip-names.ts).
 */
function unnamedStripReason(f: StageFacts, model: DockerfileModel): { reason: string; note: string } | undefined {
  const g = systemGlobInstalls(f.stage, f.compiles, model.stages).find((x) => x.folderCopy && !x.names);
  if (!g) return undefined;
  return {
    reason: `it strips "install -s ${g.glob}" into ${g.dir}, which a later stage copies whole, and no step names those binaries: cross-compiled, that folder would also ship xx-go's clang links`,
    note: `"install -s ${g.glob}" names no binary, and ${g.dir} is copied whole`,
  };
}

/**
 * A stage that stays on the target, built on a builder its siblings would move to $BUILDPLATFORM:
 * the migration splits the lineage (lineage-split.ts). A builder it cannot split stays on the
 * target with every stage built on it, each saying why.
 */
function keepUnsplitLineages(facts: Map<Stage, StageFacts>): void {
  for (const f of facts.values()) {
    const c = splitCandidate(f.stage, !!f.emulatedReason && (f.compiles.length > 0 || f.cBuilds.length > 0));
    if (!c || c.root.platform === 'build') continue;
    const moving = [...facts.values()].filter((g) => g.crossCompile && lineage(g.stage).includes(c.root));
    if (moving.length === 0) continue;
    const split = splitOf(f.stage);
    if ('child' in split) continue;
    for (const g of moving) {
      g.crossCompile = false;
      g.emulatedReason = `it shares the base stage "${c.parent.name}" with "${f.stage.name ?? f.stage.index}", which stays on the target, and "${c.parent.name}" cannot be split: ${split.cannot}`;
      g.emulatedNote = `its base "${c.parent.name}" is shared with "${f.stage.name ?? f.stage.index}", which stays emulated, and cannot be split`;
      g.emulatedBy = 'detected';
    }
  }
}

function findToolStages(facts: Map<Stage, StageFacts>, finalStages: Set<Stage>): Set<Stage> {
  const out = new Set<Stage>();
  for (const f of facts.values()) {
    if (!f.crossCompile) continue;
    for (const s of lineage(f.stage)) {
      for (const ref of s.refs) {
        const t = ref.stage;
        if (ref.kind !== 'copy' || !t || t.platform === 'build' || finalStages.has(t)) continue;
        const tf = facts.get(t);
        if (!tf || tf.isXx || tf.compiles.length > 0 || tf.cBuilds.length > 0 || tf.emulatedReason) continue;
        const dest = copyDestination(ref.instruction);
        const names = new Set([...copySources(ref.instruction), dest.endsWith('/') ? '' : dest].map((p) => p.replace(/\/+$/, '').split('/').at(-1) ?? '').filter(Boolean));
        const runs = [...lineage(f.stage)].flatMap((x) => x.instructions).filter((i) => i.shell && i.index > ref.instruction.index - (i.stage === s ? 0 : Infinity));
        if (!runs.some((i) => i.shell!.commands.some((c) => names.has(baseName(c.name))))) continue;
        // Moving it must not drag a final image along.
        const root = lineage(t).at(-1)!;
        if ([root, ...downstream(root)].some((d) => finalStages.has(d) && lineage(d).includes(root))) continue;
        out.add(t);
      }
    }
  }
  return out;
}

/** Stages whose platform the migration sets to $BUILDPLATFORM: the lineage roots of cross-compile stages. */
export function buildPlatformRoots(a: Analysis): Set<Stage> {
  const roots = new Set<Stage>();
  for (const f of a.facts.values()) if (f.crossCompile) roots.add(lineage(f.stage).at(-1)!);
  for (const t of a.toolStages) roots.add(lineage(t).at(-1)!);
  return roots;
}

/** The stages that run on the build platform after migration (roots and their descendants). */
export function buildPlatformStages(a: Analysis): Set<Stage> {
  const roots = buildPlatformRoots(a);
  const out = new Set<Stage>();
  for (const s of a.model.stages) {
    if (s.platform === 'build' || lineage(s).some((l) => roots.has(l))) out.add(s);
  }
  return out;
}
