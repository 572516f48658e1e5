/**
 * P2, P3, P4: the `ARCH` build-arg. Before BuildKit's automatic platform ARGs, these Dockerfiles
 * took `ARG ARCH="amd64"` from the Makefile. In a stage that runs on the build platform `ARCH`
 * silently means amd64, so it is replaced:
 *
 * - by `TARGETARCH` where the value describes what the image contains (the compile, target
 *   tarballs added by URL, `go-assert-boring.sh` only on amd64, `FROM image-${ARCH}`);
 * - by `BUILDARCH` where a build-platform stage downloads an executable tool it then runs (P3),
 *   including a `TARGETARCH` download written for the old emulated stage.
 *
 * The global `ARG ARCH` goes; in-stage `ARG ARCH` becomes the ARG of the name now used, declared
 * right above its first use so that earlier steps stay shared by all platforms.
 */
import { attachedCommentStart, deleteLines, insertLinesBefore, replace, type Edit } from '../../src/edits/edit.ts';
import { buildPlatformStages } from '../../src/dockerfile/analysis.ts';
import { baseName, type ShellCommand, type ShellWord } from '../../src/dockerfile/shell.ts';
import { archDeclarations, type ArchDecl } from '../../src/dockerfile/shared-checks.ts';
import { editWordList } from '../../src/edits/words.ts';
import { commandsOf, STALE_GO_VARS } from '../../src/dockerfile/stage-questions.ts';
import { argInScope, lineage, type ArgDecl, type Instruction, type Stage } from '../../src/dockerfile/model.ts';
import type { DockerfileRecipe, RecipeContext } from '../../src/migrate/recipe.ts';

const BIN_DIRS = /(^|[\s=])(\/usr\/local\/bin|\/usr\/bin|\/bin|\/usr\/local\/sbin|\/usr\/local|\$\{?GOPATH\}?\/bin|\/go\/bin|\/root\/go\/bin)(\/[^\s/]*)?(\s|$)/;

/** A RUN that downloads a program for this machine to execute (protoc, helm, kustomize...). */
export function downloadsTool(instr: Instruction): boolean {
  const cmds = commandsOf(instr);
  if (!cmds.some((c) => ['curl', 'wget'].includes(baseName(c.name)))) return false;
  for (const c of cmds) {
    const n = baseName(c.name);
    const args = c.args.map((a) => a.value);
    if (n === 'chmod' && args.some((a) => /^(\+x|[0-7]*[157][0-7]{2}|a\+x|u\+x)$/.test(a))) return true;
    if (['tar', 'unzip', 'mv', 'cp', 'install', 'ln'].includes(n) && BIN_DIRS.test(' ' + args.join(' ') + ' ')) return true;
    if ((n === 'curl' || n === 'wget') && args.some((a) => /^(\/usr\/local\/bin|\/usr\/bin|\/bin)\//.test(a))) return true;
  }
  return false;
}

/** Ranges of GOARCH/GOOS/GOARM settings (command prefixes and ENV pairs) in an instruction. */
function staleRanges(instr: Instruction): [number, number][] {
  const out: [number, number][] = [];
  for (const c of instr.shell?.commands ?? []) for (const a of c.assigns) if (STALE_GO_VARS.has(a.name)) out.push([a.start, a.end]);
  for (const e of instr.env ?? []) if (e.name === 'GOARCH' || e.name === 'GOOS' || e.name === 'GOARM') out.push([e.start, e.end]);
  return out;
}

interface Rename {
  start: number;
  end: number;
  to: string;
  instr: Instruction;
}

export const archBuildArg: DockerfileRecipe = {
  id: 'arch-build-arg',
  title: 'Replace the ARCH build-arg with TARGETARCH (or BUILDARCH for tools run during the build)',
  phase: 1,
  fixes: ['compile-left-emulated', 'arch-in-build-platform-stage', 'arch-build-arg'],
  apply(ctx) {
    const { model, analysis, source } = ctx;
    const edits: Edit[] = [];
    const buildStages = buildPlatformStages(analysis);
    // The declarations the arch-build-arg rule reports (dockerfile/shared-checks.ts): each one goes.
    const decls = archDeclarations(model);
    const globalArch = decls.filter((d) => !d.stage).map((d) => d.decl);
    // What this run declares and deletes, per stage: a stage built FROM one inherits its ARGs.
    const scope: Scope = { declared: new Map(), deleted: new Set() };
    for (const d of decls.filter((x) => !x.stage)) {
      edits.push(...removeDecl(ctx, d, model.globalArgs, 'the ARCH build-arg goes: BuildKit sets TARGETARCH (and BUILDARCH) for every platform of a multi-arch build'));
    }

    for (const stage of model.stages) {
      if (stage.env.some((e) => e.name === 'ARCH')) continue;
      const inStageArch = decls.filter((d) => d.stage === stage);
      // A stage built FROM another sees the ARGs its parent declared (BuildKit passes them down).
      const archInScope = globalArch.length > 0 || argInScope(stage, 'ARCH') !== undefined;
      const onBuild = buildStages.has(stage);
      const toolStage = lineage(stage).some((s) => analysis.toolStages.has(s));
      const renames: Rename[] = [];

      // FROM image-${ARCH}: TARGETARCH is an automatic global ARG, no declaration needed.
      for (const v of stage.from.vars) {
        if (v.name !== 'ARCH' || globalArch.length === 0) continue;
        // A stage that runs on the build platform needs an image of the build machine's arch.
        if (onBuild && !stage.base) edits.push(replace(v.start, v.end, 'BUILDARCH', 'this stage runs on the build platform: its base image must be for the build machine (BUILDARCH), or the compile runs under QEMU again'));
        else edits.push(replace(v.start, v.end, 'TARGETARCH', 'FROM picks the image of the target architecture: use the automatic TARGETARCH instead of the ARCH build-arg'));
      }
      for (const instr of stage.instructions) {
        if (instr.keyword === 'ARG' && stage.args.some((a) => a.instruction === instr && a.name === 'ARCH')) continue;
        // A stage that only provides a build tool, or a RUN that downloads one, wants the build arch.
        const tool = onBuild && (toolStage || (instr.keyword === 'RUN' && downloadsTool(instr)));
        const refs = instr.shell
          ? instr.shell.assigned.has('ARCH')
            ? instr.shell.varRefs.filter((v) => v.name !== 'ARCH')
            : instr.shell.varRefs
          : instr.vars;
        // `GOARCH=${ARCH}` in a stage that cross-compiles goes away whole (stale-go-env).
        const stale = onBuild ? staleRanges(instr) : [];
        for (const v of refs) {
          if (stale.some(([s, e]) => s <= v.start && v.end <= e)) continue;
          if (v.name === 'ARCH' && archInScope) {
            renames.push({ start: v.start, end: v.end, to: tool ? 'BUILDARCH' : 'TARGETARCH', instr });
          } else if (tool && (v.name === 'TARGETARCH' || v.name === 'TARGETOS')) {
            renames.push({ start: v.start, end: v.end, to: v.name === 'TARGETOS' ? 'BUILDOS' : 'BUILDARCH', instr });
          }
        }
      }
      // `make` read ARCH from its environment, which the stage's ARG ARCH set (a Makefile's
      // `ARCH ?= amd64` keeps it): with the ARG gone it would build amd64 for every platform.
      const makeEnv = onBuild && !toolStage ? makeArchUses(stage) : [];
      if (renames.length === 0 && inStageArch.length === 0 && makeEnv.length === 0) continue;
      for (const u of makeEnv) edits.push(replace(u.start, u.end, 'ARCH=${TARGETARCH} ', 'make read ARCH from the environment the ARG ARCH gave it (an upstream Makefile\'s ARCH ?= amd64 keeps it): it gets the target architecture explicitly now that the ARG is gone'));

      for (const r of renames) {
        const why =
          r.to === 'BUILDARCH'
            ? 'this step downloads a tool that the build platform executes: it must match the build machine (BUILDARCH), not the image'
            : onBuild
              ? 'in a stage that runs on the build platform ARCH silently means amd64; TARGETARCH is the architecture being built'
              : 'TARGETARCH is set by BuildKit for each platform; the ARCH build-arg is gone';
        edits.push(replace(r.start, r.end, r.to, why));
      }

      const uses = [...renames, ...makeEnv];
      const needed = [...new Set(uses.map((r) => r.to as string))];
      if (onBuild) {
        // A TARGETARCH/TARGETOS that only the tool download read is no longer read at all: its
        // early declaration would make every later step run once per platform for nothing.
        for (const name of ['TARGETARCH', 'TARGETOS']) {
          const renamed = renames.filter((r) => r.to.startsWith('BUILD') && r.to.endsWith(name.slice(6)));
          if (renamed.length === 0) continue;
          const renamedAt = new Set(renamed.map((r) => r.start));
          // The stages built FROM this one inherit the declaration: it stays while any of them reads it.
          const readers = [stage, ...model.stages.filter((s) => s !== stage && lineage(s).includes(stage))];
          const stillRead = readers.some((st) => st.instructions.some((i) => (i.shell ? i.shell.varRefs : i.vars).some((v) => v.name === name && !renamedAt.has(v.start))));
          if (stillRead) continue;
          for (const d of stage.args.filter((a) => a.name === name && stage.args.filter((x) => x.instruction === a.instruction).length === 1)) {
            scope.deleted.add(d);
            edits.push(deleteLines(source, d.instruction.line, d.instruction.endLine, `nothing in the stage or the stages built FROM it reads ${name} any more; declared early, it made every later step run once per platform`));
          }
        }
        for (const d of inStageArch) {
          edits.push(...removeDecl(ctx, d, stage.args, 'ARCH build-arg removed; the platform ARG is declared right above its first use, so earlier steps run once for all platforms'));
        }
        for (const name of needed) declareBeforeFirstUse(ctx, stage, name, uses, edits, scope);
      } else if (inStageArch.length > 0) {
        const [first, ...rest] = inStageArch;
        const instr = first!.decl.instruction;
        const name = needed.includes('BUILDARCH') && !needed.includes('TARGETARCH') ? 'BUILDARCH' : 'TARGETARCH';
        // The declaration becomes the automatic ARG (without a default: one would pin every platform).
        if (first!.sole) edits.push(replace(instr.argsStart, instr.argsEnd, name, `declare the automatic ${name} in place of the ARCH build-arg`));
        else edits.push(replace(first!.decl.start, first!.decl.end, name, `declare the automatic ${name} in place of the ARCH build-arg`));
        declaredHere(scope, stage, name);
        for (const n of needed) if (n !== name) declareBeforeFirstUse(ctx, stage, n, renames, edits, scope);
        for (const d of rest) edits.push(...removeDecl(ctx, d, stage.args, 'duplicate ARCH declaration removed'));
      } else {
        for (const name of needed) declareBeforeFirstUse(ctx, stage, name, renames, edits, scope);
      }
    }
    return edits;
  },
};

/** `make` commands of the stage that ran with ARCH in their environment (an ARG ARCH in scope) and do not set it themselves. */
function makeArchUses(stage: Stage): Rename[] {
  const out: Rename[] = [];
  for (const instr of stage.instructions) {
    if (instr.keyword !== 'RUN' || !instr.shell || instr.shell.assigned.has('ARCH')) continue;
    if (!argInScope(stage, 'ARCH', instr.start)) continue;
    for (const c of instr.shell.commands) {
      if (baseName(c.name) !== 'make' || !c.nameWord || c.viaShellString) continue;
      if (c.assigns.some((a) => a.name === 'ARCH') || c.args.some((a) => /^ARCH=/.test(a.value))) continue;
      out.push({ start: c.nameWord.start, end: c.nameWord.start, to: 'TARGETARCH', instr });
    }
  }
  return out;
}

/** Remove one ARG declaration: its line when it is the only name there, else the name alone (the others keep their layout). */
function removeDecl(ctx: RecipeContext, d: ArchDecl, list: ArgDecl[], why: string): Edit[] {
  const instr = d.decl.instruction;
  if (d.sole) return [deleteLines(ctx.source, instr.line, instr.endLine, why)];
  const words: ShellWord[] = list.filter((a) => a.instruction === instr).map((a) => ({ raw: ctx.source.text.slice(a.start, a.end), value: ctx.source.text.slice(a.start, a.end), start: a.start, end: a.end }));
  const pseudo = { args: words, nameWord: undefined, start: instr.start + instr.keywordRaw.length } as unknown as ShellCommand;
  return editWordList(ctx.source.text, pseudo, words, words.filter((w) => w.start === d.decl.start), [], why);
}

/** ARGs this run declares (per stage) and deletes: what the model, read before the run, cannot show. */
interface Scope {
  declared: Map<Stage, Set<string>>;
  deleted: Set<ArgDecl>;
}

function declaredHere(scope: Scope, stage: Stage, name: string): void {
  const names = scope.declared.get(stage) ?? new Set<string>();
  names.add(name);
  scope.declared.set(stage, names);
}

function declareBeforeFirstUse(ctx: RecipeContext, stage: Stage, name: string, renames: Rename[], edits: Edit[], scope: Scope): void {
  const first = renames.filter((r) => r.to === name).sort((a, b) => a.instr.index - b.instr.index)[0];
  if (!first) return;
  // In scope already: declared above in the stage, or in a stage it is built FROM (in the file,
  // unless this run deletes it, or added there by this run).
  const inScope = argInScope(stage, name, first.instr.start);
  if (inScope && !scope.deleted.has(inScope.decl)) return;
  if (lineage(stage).some((s) => s !== stage && scope.declared.get(s)?.has(name))) return;
  const line = attachedCommentStart(ctx.source, first.instr.line);
  const kw = first.instr.keywordRaw === first.instr.keywordRaw.toLowerCase() ? 'arg' : 'ARG';
  declaredHere(scope, stage, name);
  edits.push(insertLinesBefore(ctx.source, line, [`${kw} ${name}`], `no ARG ${name} is in scope here (ARGs do not cross FROM <image>): the stage declares it before using it`));
}
