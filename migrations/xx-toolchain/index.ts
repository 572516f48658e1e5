/**
 * Target shape 3 and 4: the compile stage gets the xx helpers (`COPY --from=xx / /`), native tools
 * from the native package manager (`clang lld` for cgo, `file` for xx-verify, plus whatever it
 * installed before), and — after `ARG TARGETPLATFORM`, placed right above the first step that
 * depends on the target so cloning, patching and `go mod download` run once — the target's C
 * libraries through `xx-apk` / `xx-apt-get`: `musl-dev gcc` (or `libc6-dev gcc`) and every
 * `*-dev` / `*-static` library the old stage installed natively, which must match the target.
 */
import { attachedCommentStart, insertLinesAfter, insertLinesBefore, type Edit } from '../../src/edits/edit.ts';
import { editWordList } from '../../src/edits/words.ts';
import { removeCommand } from '../../src/edits/shell-edits.ts';
import { isTargetLibrary, packageName } from '../../src/dockerfile/commands.ts';
import { effectiveCgo, makeForcesCgoOff, targetLibInstall, targetPoint, xxCopy } from '../../src/dockerfile/stage-questions.ts';
import { argInScope, lineage, type Instruction, type Stage } from '../../src/dockerfile/model.ts';
import type { ShellWord } from '../../src/dockerfile/shell.ts';
import type { StageFacts } from '../../src/dockerfile/analysis.ts';
import { UnsafeMigrationError, type DockerfileRecipe, type RecipeContext } from '../../src/migrate/recipe.ts';

export const xxToolchain: DockerfileRecipe = {
  id: 'xx-toolchain',
  title: 'Set up native tools and target libraries for cross-compilation',
  phase: 3,
  fixes: ['compile-left-emulated', 'cross-setup-missing', 'xx-not-copied', 'cgo-without-target-libs', 'target-lib-native-install'],
  apply(ctx) {
    const edits: Edit[] = [];
    // Install commands already edited for a sibling compile stage that shares the base stage.
    const edited = new Set<number>();
    const copiedInto = new Set<Stage>();
    // Stages given ARG TARGETPLATFORM here: a stage built FROM one inherits it (parents come first).
    const declaredIn = new Set<Stage>();
    // Target libraries installed with xx-apk/xx-apt-get here, per stage: a stage built FROM one has them.
    const libsIn = new Map<Stage, Set<string>>();
    for (const f of ctx.analysis.facts.values()) if (f.crossCompile) edits.push(...setUp(ctx, f, edited, copiedInto, declaredIn, libsIn));
    return edits;
  },
};

function kw(ctx: RecipeContext, upper: string): string {
  const first = ctx.model.instructions[0];
  return first && first.keywordRaw === first.keywordRaw.toLowerCase() ? upper.toLowerCase() : upper;
}

/**
 * A stage moved to the build platform: the xx helpers in it (or in its lineage's root), the native
 * cross toolchain, ARG TARGETPLATFORM where the target-dependent steps start, and the target's C
 * libraries through xx.
 */
function setUp(ctx: RecipeContext, f: StageFacts, edited: Set<number>, copiedInto: Set<Stage>, declaredIn: Set<Stage>, libsIn: Map<Stage, Set<string>>): Edit[] {
  const { analysis, source } = ctx;
  const stage = f.stage;
  const point = targetPoint(stage, f);
  if (!point) throw new UnsafeMigrationError(`stage "${stage.name ?? stage.index}" compiles but no step depends on the target`, stage.from.line, 'check the compile command');
  const distro = f.distro === 'unknown' ? 'alpine' : f.distro;
  if (f.distro === 'unknown') ctx.warn(`stage "${stage.name ?? stage.index}": package manager unknown, assuming Alpine (apk/xx-apk)`, stage.from.line);
  const cgo = effectiveCgo(stage, f, analysis);
  const setUpBefore = xxCopy(stage, analysis) !== undefined || f.wraps.length > 0;
  const edits: Edit[] = [];
  // Lines that go right after FROM: the helpers, and a native install when the stage has none.
  const afterFrom: string[] = [];
  edits.push(...copyHelpers(ctx, stage, copiedInto, afterFrom));
  const tools = nativeToolchain(ctx, f, distro === 'alpine' ? 'apk' : 'apt-get', cgo, setUpBefore, edited);
  edits.push(...tools.edits);
  if (tools.install) afterFrom.push(tools.install);
  if (afterFrom.length > 0) {
    edits.push(insertLinesAfter(source, stage.from.endLine, afterFrom, 'the stage runs on the build platform: it needs the xx helpers and the native cross toolchain'));
  }
  edits.push(...targetSide(ctx, f, point, distro, cgo, setUpBefore, tools.movedLibs, declaredIn, libsIn));
  return edits;
}

/** `COPY --from=xx / /`: into the stage (a line for after its FROM), or once into its lineage's root. */
function copyHelpers(ctx: RecipeContext, stage: Stage, copiedInto: Set<Stage>, afterFrom: string[]): Edit[] {
  const { analysis, source } = ctx;
  const edits: Edit[] = [];
  const xx = analysis.xxStage;
  const xxRef = xx ? (xx.name ?? String(xx.index)) : 'xx';
  // The helpers go once into the lineage's root (siblings on one base share them), not again into
  // each child; a root that is a final image keeps them out of it.
  const root = lineage(stage).at(-1)!;
  const intoRoot = root !== stage && !analysis.finalStages.has(root) && !analysis.facts.get(root)?.isXx;
  if (!xxCopy(stage, analysis)) {
    if (!intoRoot) {
      afterFrom.push(`${kw(ctx, 'COPY')} --from=${xxRef} / /`);
      // A root that compiles itself: the stages built on it get the helpers from it.
      copiedInto.add(stage);
    }
    else if (!copiedInto.has(root)) {
      copiedInto.add(root);
      edits.push(insertLinesAfter(source, root.from.endLine, [`${kw(ctx, 'COPY')} --from=${xxRef} / /`], `the xx helpers, once for every stage built on "${root.name ?? root.index}"`));
    }
  }
  return edits;
}

/**
 * The native side: target libraries leave the native installs (xx installs them for the target),
 * clang, lld and file join them; `install` is the RUN to add after FROM when the stage has none.
 */
function nativeToolchain(ctx: RecipeContext, f: StageFacts, native: 'apk' | 'apt-get', cgo: '0' | '1', setUpBefore: boolean, edited: Set<number>): { edits: Edit[]; movedLibs: string[]; install?: string } {
  const { analysis, source } = ctx;
  const stage = f.stage;
  const edits: Edit[] = [];
  const lineageStages = lineage(stage);
  const nativeInstalls = lineageStages
    .reverse()
    .flatMap((s) => analysis.facts.get(s)?.packageInstalls ?? [])
    .filter((p) => p.manager === native);
  const installed = new Set(nativeInstalls.flatMap((p) => p.packages.map((w) => packageName(w.value))));
  // A Makefile that forces cgo off links nothing for the target: its compiler and libc stay native tools.
  const forcedOff = cgo === '0' && f.compiles.some((c) => c.kind === 'make') && makeForcesCgoOff(analysis);
  const cgoOnly = (w: ShellWord) => forcedOff && /^(gcc|g\+\+|musl-dev|libc6?-dev)$/.test(packageName(w.value));
  const isLib = (w: ShellWord) => isTargetLibrary(w.value, native) && !cgoOnly(w) && !(setUpBefore && /^linux-(headers|libc-dev)$/.test(packageName(w.value)));
  // A library found through pkg-config (cgo's `#cgo pkg-config:`, a Makefile calling it) brought
  // a native pkgconf along as its dependency; moved to xx-apk it no longer does, and xx points
  // cgo at <triple>-pkg-config, which runs the native one.
  const pkgConfig = native === 'apk' ? 'pkgconf' : 'pkg-config';
  const movesRealLibs = nativeInstalls.some((p) => p.packages.some((w) => isLib(w) && !/^(gcc|g\+\+|musl-dev|libc6?-dev|linux-headers|linux-libc-dev)$/.test(packageName(w.value))));
  const hasPkgConfig = ['pkgconf', 'pkgconfig', 'pkg-config'].some((n) => installed.has(n));
  const wantNative = (cgo === '1' ? ['clang', 'lld'] : [])
    .concat(['file'], movesRealLibs && !hasPkgConfig ? [pkgConfig] : [])
    .filter((p) => !installed.has(p));
  const movedLibs: string[] = [];
  let added = nativeInstalls.some((p) => edited.has(p.command.start));
  for (const p of nativeInstalls) {
    // Kernel headers are left where a stage someone already set up has them (they rarely matter).
    const targetLibs: ShellWord[] = p.packages.filter(isLib);
    for (const w of targetLibs) if (!movedLibs.includes(w.value)) movedLibs.push(w.value);
    // A parent stage that builds for the build machine itself (a host build before the target
    // fork) still links its own binaries with them: they stay native there, xx-apk adds the target's.
    const host = p.instruction.stage !== stage && (analysis.facts.get(p.instruction.stage!)?.hostBuilds.length ?? 0) > 0;
    const libs = host ? [] : targetLibs;
    if (edited.has(p.command.start)) continue;
    const add = !added ? wantNative : [];
    if (libs.length === 0 && add.length === 0) continue;
    edited.add(p.command.start);
    if (p.instruction.shell?.errorAt !== undefined) {
      throw new UnsafeMigrationError(`the shell command at line ${ctx.originalLine(p.instruction.line)} does not parse`, p.instruction.line, 'fix the RUN syntax first');
    }
    added = true;
    const why =
      libs.length > 0
        ? `${libs.map((w) => w.value).join(' ')} must match the target architecture: installed with xx-${native} after ARG TARGETPLATFORM instead${add.length ? `; ${add.join(' ')} added for the native cross toolchain` : ''}`
        : `${add.join(' ')}: native tools for cross-compiling (${add.includes('clang') ? 'clang/lld link for the target, ' : ''}file for xx-verify)`;
    const whyAll = add.includes(pkgConfig) ? `${why}; ${pkgConfig} stays native: xx's <triple>-pkg-config runs the native one to find the target libraries` : why;
    // Nothing left to install natively: the command goes (the whole RUN when it is all the RUN
    // does), never an `apk add \` whose continuation would swallow the next line.
    const emptied = libs.length === p.packages.length && add.length === 0;
    const removed = emptied ? removeCommand(source, p.instruction, p.command, whyAll) : undefined;
    if (emptied && !removed) {
      throw new UnsafeMigrationError(
        `every package of the install at line ${ctx.originalLine(p.instruction.line)} is a target library, and the command cannot be taken out of its RUN safely`,
        p.instruction.line,
        'move that install into a RUN of its own, or install the libraries with xx-apk yourself',
      );
    }
    edits.push(...(removed ? [removed] : editWordList(source.text, p.command, p.packages, libs, add, whyAll)));
  }
  const install =
    added || wantNative.length === 0
      ? undefined
      : native === 'apk'
        ? `${kw(ctx, 'RUN')} apk add --no-cache ${wantNative.join(' ')}`
        : `${kw(ctx, 'RUN')} apt-get update && apt-get install -y --no-install-recommends ${wantNative.join(' ')}`;
  return { edits, movedLibs, ...(install ? { install } : {}) };
}

/** The target side: ARG TARGETPLATFORM where the target-dependent steps start, then the target's libraries. */
function targetSide(ctx: RecipeContext, f: StageFacts, point: Instruction, distro: 'alpine' | 'debian', cgo: '0' | '1', setUpBefore: boolean, movedLibs: string[], declaredIn: Set<Stage>, libsIn: Map<Stage, Set<string>>): Edit[] {
  const { analysis, source } = ctx;
  const stage = f.stage;
  const edits: Edit[] = [];
  // Target side: ARG TARGETPLATFORM, then the target's libraries.
  const targetLines: string[] = [];
  // xx reads TARGETPLATFORM, or TARGETARCH (with TARGETOS): a stage someone already set up with
  // the latter is left as it is; a stage we set up gets ARG TARGETPLATFORM, as the spec shows,
  // unless it inherits one from its parent stage (the file's, or the one added there just now).
  const declares = (name: string) => argInScope(stage, name, point.end) !== undefined;
  const inherits = lineage(stage).some((s) => s !== stage && declaredIn.has(s));
  if (!declares('TARGETPLATFORM') && !(setUpBefore && declares('TARGETARCH')) && !inherits) {
    targetLines.push(`${kw(ctx, 'ARG')} TARGETPLATFORM`);
    declaredIn.add(stage);
  }
  const wantTarget = cgo === '1' || movedLibs.length > 0 ? (distro === 'alpine' ? ['musl-dev', 'gcc'] : ['libc6-dev', 'gcc']) : [];
  for (const l of movedLibs) if (!wantTarget.includes(packageName(l))) wantTarget.push(l);
  const existing = targetLibInstall(stage, analysis);
  const inheritedLibs = new Set(lineage(stage).slice(1).flatMap((s) => [...(libsIn.get(s) ?? [])]));
  if (existing) {
    const have = new Set(existing.packages.map((w) => packageName(w.value)));
    const missing = wantTarget.filter((p) => !have.has(packageName(p)));
    if (missing.length > 0) edits.push(...editWordList(source.text, existing.command, existing.packages, [], missing, `${missing.join(' ')} must match the target architecture`));
  } else if (wantTarget.some((p) => !inheritedLibs.has(packageName(p)))) {
    const add = wantTarget.filter((p) => !inheritedLibs.has(packageName(p)));
    libsIn.set(stage, new Set([...inheritedLibs, ...add.map(packageName)]));
    targetLines.push(
      distro === 'alpine'
        ? `${kw(ctx, 'RUN')} xx-apk --no-cache add ${add.join(' ')}`
        : `${kw(ctx, 'RUN')} xx-apt-get update && xx-apt-get install -y --no-install-recommends ${add.join(' ')}`,
    );
  }
  if (targetLines.length > 0) {
    const why = targetLines.some((l) => /xx-apk|xx-apt-get/.test(l))
      ? 'target-dependent steps start here: everything above runs once for all platforms; the C libraries for cgo come through xx so they match the target'
      : 'target-dependent steps start here: everything above runs once for all platforms';
    // A target ARG already marks the point: the libraries go right after it, never above it.
    if (point.keyword === 'ARG' && (declares('TARGETPLATFORM') || (setUpBefore && declares('TARGETARCH')))) {
      edits.push(insertLinesAfter(source, point.endLine, targetLines, why));
    }
    else edits.push(insertLinesBefore(source, attachedCommentStart(source, point.line), targetLines, why));
  }
  return edits;
}
