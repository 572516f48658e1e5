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
import { baseName } from '../../src/dockerfile/shell.ts';
import { commandsOf, STALE_GO_VARS } from '../../src/dockerfile/cross.ts';
import { lineage, type Instruction, type Stage } from '../../src/dockerfile/model.ts';
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
    const globalArch = model.globalArgs.filter((a) => a.name === 'ARCH');

    for (const decl of globalArch) {
      const instr = decl.instruction;
      const names = model.globalArgs.filter((a) => a.instruction === instr);
      if (names.length === 1) {
        edits.push(deleteLines(source, instr.line, instr.endLine, 'the ARCH build-arg goes: BuildKit sets TARGETARCH (and BUILDARCH) for every platform of a multi-arch build'));
      } else {
        ctx.warn(`global ARG at line ${ctx.originalLine(instr.line)} declares ARCH with other names; remove ARCH from it by hand`, instr.line);
      }
    }

    for (const stage of model.stages) {
      if (stage.env.some((e) => e.name === 'ARCH')) continue;
      const inStageArch = stage.args.filter((a) => a.name === 'ARCH');
      // A stage built FROM another sees the ARGs its parent declared (BuildKit passes them down).
      const archInScope = globalArch.length > 0 || lineage(stage).some((s) => s.args.some((a) => a.name === 'ARCH'));
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
      if (renames.length === 0 && inStageArch.length === 0) continue;

      for (const r of renames) {
        const why =
          r.to === 'BUILDARCH'
            ? 'this step downloads a tool that the build platform executes: it must match the build machine (BUILDARCH), not the image'
            : onBuild
              ? 'in a stage that runs on the build platform ARCH silently means amd64; TARGETARCH is the architecture being built'
              : 'TARGETARCH is set by BuildKit for each platform; the ARCH build-arg is gone';
        edits.push(replace(r.start, r.end, r.to, why));
      }

      const needed = [...new Set(renames.map((r) => r.to as string))];
      if (onBuild) {
        // A TARGETARCH/TARGETOS that only the tool download read is no longer read at all: its
        // early declaration would make every later step run once per platform for nothing.
        for (const name of ['TARGETARCH', 'TARGETOS']) {
          const renamed = renames.filter((r) => r.to.startsWith('BUILD') && r.to.endsWith(name.slice(6)));
          if (renamed.length === 0) continue;
          const renamedAt = new Set(renamed.map((r) => r.start));
          const stillRead = stage.instructions.some((i) => (i.shell ? i.shell.varRefs : i.vars).some((v) => v.name === name && !renamedAt.has(v.start)));
          if (stillRead) continue;
          for (const d of stage.args.filter((a) => a.name === name && stage.args.filter((x) => x.instruction === a.instruction).length === 1)) {
            edits.push(deleteLines(source, d.instruction.line, d.instruction.endLine, `nothing in the stage reads ${name} any more; declared early, it made every later step run once per platform`));
          }
        }
        for (const decl of inStageArch) {
          edits.push(deleteLines(source, decl.instruction.line, decl.instruction.endLine, 'ARCH build-arg removed; the platform ARG is declared right above its first use, so earlier steps run once for all platforms'));
        }
        for (const name of needed) declareBeforeFirstUse(ctx, stage, name, renames, edits);
      } else if (inStageArch.length > 0) {
        const [first, ...rest] = inStageArch;
        const instr = first!.instruction;
        const only = stage.args.filter((a) => a.instruction === instr).length === 1;
        if (only) {
          const name = needed.includes('BUILDARCH') && !needed.includes('TARGETARCH') ? 'BUILDARCH' : 'TARGETARCH';
          edits.push(replace(instr.argsStart, instr.argsEnd, name, `declare the automatic ${name} in place of the ARCH build-arg`));
          for (const n of needed) if (n !== name) declareBeforeFirstUse(ctx, stage, n, renames, edits);
        } else {
          ctx.warn(`ARG at line ${ctx.originalLine(instr.line)} declares ARCH with other names; remove ARCH from it by hand`, instr.line);
        }
        for (const d of rest) edits.push(deleteLines(source, d.instruction.line, d.instruction.endLine, 'duplicate ARCH declaration removed'));
      } else {
        for (const name of needed) declareBeforeFirstUse(ctx, stage, name, renames, edits);
      }
    }
    return edits;
  },
};

function declareBeforeFirstUse(ctx: RecipeContext, stage: Stage, name: string, renames: Rename[], edits: Edit[]): void {
  const first = renames.filter((r) => r.to === name).sort((a, b) => a.instr.index - b.instr.index)[0];
  if (!first) return;
  if (stage.args.some((a) => a.name === name && a.instruction.index < first.instr.index)) return;
  const line = attachedCommentStart(ctx.source, first.instr.line);
  const kw = first.instr.keywordRaw === first.instr.keywordRaw.toLowerCase() ? 'arg' : 'ARG';
  edits.push(insertLinesBefore(ctx.source, line, [`${kw} ${name}`], `ARGs do not cross FROM: the stage declares ${name} before using it`));
}
