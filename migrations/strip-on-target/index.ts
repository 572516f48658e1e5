/**
 * Target shape 7: the build platform's `strip` cannot read a foreign-arch binary, so `install -s`
 * becomes plain `install` and host `strip` steps leave the cross-compiling stage. The stripping
 * happens in a small stage on the target platform (the seed's `strip_binary`), and the stages
 * that copied the stripped files copy them from there: exactly the files that were stripped
 * before are stripped after.
 */
import { posix } from 'node:path';
import { editWordList } from '../../src/edits/words.ts';
import { attachedCommentStart, insertLinesAfter, replace, type Edit } from '../../src/edits/edit.ts';
import type { SourceText } from '../../src/dockerfile/source.ts';
import { removeCommand } from '../../src/edits/shell-edits.ts';
import { renumberStageRefs } from '../../src/edits/stage-refs.ts';
import { indirectStrip, installStrip, packageName, stripTargets } from '../../src/dockerfile/commands.ts';
import { copySources, SYSTEM_BIN_DIRS, workdirAt } from '../../src/dockerfile/stage-questions.ts';
import { samePath, stageFiles } from '../../src/dockerfile/shipped.ts';
import { systemGlobInstalls } from '../../src/dockerfile/strip-names.ts';
import { lineage, type Instruction, type Stage } from '../../src/dockerfile/model.ts';
import type { ShellCommand } from '../../src/dockerfile/shell.ts';
import type { StageFacts } from '../../src/dockerfile/analysis.ts';
import { UnsafeMigrationError, type DockerfileRecipe, type RecipeContext } from '../../src/migrate/recipe.ts';

export const stripOnTarget: DockerfileRecipe = {
  id: 'strip-on-target',
  title: 'Strip binaries on the target platform',
  phase: 3,
  fixes: ['compile-left-emulated', 'host-strip-cross-output'],
  apply(ctx) {
    const edits: Edit[] = [];
    const taken = new Set(ctx.model.stages.map((s) => s.name?.toLowerCase()));
    const inserted: number[] = [];
    for (const f of ctx.analysis.facts.values()) {
      if (!f.crossCompile) continue;
      const { edits: e, addsStage } = moveStrip(ctx, f, taken);
      if (addsStage) inserted.push(f.stage.index + 1);
      edits.push(...e);
    }
    return [...edits, ...renumberStageRefs(ctx.model, inserted)];
  },
};

function dirname(p: string): string {
  const t = p.replace(/\/+$/, '');
  const i = t.lastIndexOf('/');
  return i > 0 ? t.slice(0, i) : i === 0 ? '/' : '.';
}

function basename(p: string): string {
  return p.replace(/\/+$/, '').split('/').at(-1) ?? p;
}

function join(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

const SYSTEM_DIRS = SYSTEM_BIN_DIRS;

function trimSlash(p: string): string {
  return p.replace(/\/+$/, '');
}

/** A path that compares with COPY sources as it is: absolute, without a variable. */
const literal = (p: string) => p.startsWith('/') && !p.includes('$');

/**
 * The stripped paths that copy source `src` brings along, in the paths of the copied stage:
 * the file itself, or the stripped files anywhere inside a copied folder (`/opt/cni/bin/` or
 * `/opt/cni/` with `/opt/cni/bin/*` installed by `install -s`). Strip targets whose place is not
 * known (relative, or under a variable) match by name.
 */
function strippedBy(src: string, stripped: string[]): string[] {
  const out: string[] = [];
  const s = trimSlash(posix.normalize(src.startsWith('/') ? src : `/${src}`)) || '/';
  for (const p of stripped) {
    if (!literal(p)) {
      if (basename(p) === basename(s)) out.push(s);
      continue;
    }
    if (samePath(p, s)) out.push(p.includes('*') && !s.includes('*') ? s : p);
    else if (s === '/' || p.startsWith(`${s}/`)) out.push(p);
  }
  return out;
}

/**
 * Could copy source `src` carry the stripped `p` whose place is not known (relative, or under a
 * variable)? Yes when `src` names a folder that is one of `p`'s folders: `dist/` for
 * `$GOPATH/src/${PKG}/dist/*`.
 */
function mayCarry(src: string, p: string): boolean {
  const s = trimSlash(src);
  return s === '' || s === '/' || s.includes('$') || dirname(p).split('/').includes(basename(s));
}

/**
 * A path an install or strip names, as the stage means it: a relative one against the WORKDIR,
 * when it is known and no `cd` in the same RUN came first.
 */
function placed(p: string, stage: Stage, instr: Instruction, cmd: ShellCommand): string {
  if (p.startsWith('/') || p.startsWith('$')) return posix.normalize(p);
  const wd = workdirAt(stage, instr)?.path;
  const cd = instr.shell?.commands.some((c) => c.name === 'cd' && c.start < cmd.start);
  if (!wd || cd || !(wd.startsWith('/') || wd.startsWith('$'))) return p;
  return posix.join(wd, p);
}

/**
 * The comment lines right above a step that no longer strips, when they say it strips
 * (`# install (with strip)`): the stripping they describe now happens in the strip stage.
 */
function staleStripComments(source: SourceText, instr: Instruction, why: string): Edit[] {
  const edits: Edit[] = [];
  for (let l = attachedCommentStart(source, instr.line); l < instr.line; l++) {
    const text = source.lineText(l).replace(/\r$/, '');
    if (!/\bstrip/i.test(text)) continue;
    // The usual ways to say it, dropped; any other wording gets where the stripping went.
    const dropped = text.replace(/\s*\((?:with |and )?strip(?:ping|ped)?\)/i, '').replace(/,? (?:and|&) strip(?:s|ped)?(?: (?:it|them|the binar(?:y|ies)))?\b/i, '');
    const next = dropped !== text && /\S/.test(dropped.replace(/^\s*#/, '')) ? dropped : `${text} (stripped on the target platform, in the strip stage)`;
    const start = source.lineStart(l);
    edits.push(replace(start, start + text.length, next, why));
  }
  return edits;
}

function moveStrip(ctx: RecipeContext, f: StageFacts, taken: Set<string | undefined>): { edits: Edit[]; addsStage: boolean } {
  const strips = dropHostStrips(ctx, f.stage);
  if (strips.stripped.length === 0) return { edits: strips.edits, addsStage: false };
  refuseOtherUses(ctx, f.stage, strips.stripped);
  const found = consumersOf(ctx, f, strips);
  if (!found) return { edits: [], addsStage: false };
  requireCovered(ctx, f.stage, strips.stripped, found.copies);
  if (found.consumers.length === 0) return { edits: strips.edits, addsStage: false };
  return { edits: [...strips.edits, ...stripStage(ctx, f, taken, strips, found.consumers)], addsStage: true };
}

/** What a stage's own steps strip, and the edits that take `-s` and `strip` out of them. */
interface HostStrips {
  edits: Edit[];
  stripped: string[];
  /** strip options per stripped path (`--strip-debug` must stay `--strip-debug`). */
  options: Map<string, string>;
  /** `install -s bin/* DIR`: the glob, to know which files of DIR were installed (and stripped). */
  globInstalls: Map<string, { source: string; instr: Instruction; cmd: ShellCommand }>;
}

function dropHostStrips(ctx: RecipeContext, stage: Stage): HostStrips {
  const { source } = ctx;
  const edits: Edit[] = [];
  const stripped: string[] = [];
  const options = new Map<string, string>();
  const globInstalls = new Map<string, { source: string; instr: Instruction; cmd: ShellCommand }>();
  const commented = new Set<Instruction>();
  for (const instr of stage.instructions) {
    for (const cmd of instr.shell?.commands ?? []) {
      const inst = installStrip(cmd);
      if (inst) {
        const why = 'host strip cannot read a binary built for another architecture: install without -s, strip on the target platform instead';
        if (inst.flag.value === '-s' || inst.flag.value === '--strip') edits.push(...editWordList(source.text, cmd, cmd.args, [inst.flag], [], why));
        else {
          const i = inst.flag.raw.indexOf('s', 1);
          edits.push(replace(inst.flag.start + i, inst.flag.start + i + 1, '', why));
        }
        if (!commented.has(instr)) edits.push(...staleStripComments(source, instr, why));
        commented.add(instr);
        const dest = placed(inst.destination, stage, instr, cmd);
        if (inst.destIsDir) {
          for (const s of inst.sources) {
            const p = join(dest, basename(s));
            stripped.push(p);
            if (s.includes('*')) globInstalls.set(p, { source: s, instr, cmd });
          }
        } else stripped.push(dest);
        continue;
      }
      if (indirectStrip(cmd)) {
        throw new UnsafeMigrationError(
          `line ${ctx.originalLine(instr.line)}: "${cmd.name} ... strip" strips files found at build time with the build machine's strip`,
          instr.line,
          'name the binaries to strip (or strip them in a stage on the target platform by hand), then run the migration again',
        );
      }
      const files = stripTargets(cmd);
      if (files) {
        const opts = cmd.args.filter((a) => a.value.startsWith('-')).map((a) => a.raw);
        if (opts.some((o) => /^(-o|-R|-K|-N)$/.test(o))) {
          throw new UnsafeMigrationError(`line ${ctx.originalLine(instr.line)}: strip with -o/-R/-K/-N`, instr.line, 'move this strip to a stage on the target platform by hand');
        }
        const at = files.map((x) => placed(x, stage, instr, cmd));
        for (const file of at) options.set(file, opts.join(' '));
        const moved = 'host strip cannot read a binary built for another architecture: it moves to a stage on the target platform';
        const e = removeCommand(source, instr, cmd, moved);
        if (!e) throw new UnsafeMigrationError(`line ${ctx.originalLine(instr.line)}: host strip inside a compound shell command`, instr.line, 'move the strip to its own RUN or && step, then run the migration again');
        edits.push(e);
        if (!commented.has(instr)) edits.push(...staleStripComments(source, instr, moved));
        commented.add(instr);
        stripped.push(...at);
      }
    }
  }
  return { edits, stripped, options, globInstalls };
}

/** A stage that uses the stripped files otherwise than through COPY --from would get them unstripped. */
function refuseOtherUses(ctx: RecipeContext, stage: Stage, stripped: string[]): void {
  const { source, model } = ctx;

  const mentions = (text: string) => stripped.some((p) => !basename(p).includes('*') && text.includes(basename(p)));
  for (const s of model.stages) {
    if (s === stage) continue;
    // A binary used through RUN --mount=from=<stage> never passes through a strip stage.
    for (const ref of s.refs) {
      if (ref.kind === 'mount' && ref.stage === stage) {
        throw new UnsafeMigrationError(`line ${ctx.originalLine(ref.instruction.line)}: RUN --mount from "${stage.name ?? stage.index}" uses files that were stripped on install`, ref.instruction.line, 'copy the binaries from a stage on the target platform, or keep the stage emulated (repos.yaml emulatedStages)');
      }
    }
    // A stage built on this one works with the files where they are: it would get them unstripped.
    if (s.base === stage && s.instructions.some((i) => i.keyword === 'RUN' && mentions(source.text.slice(i.start, i.end)))) {
      throw new UnsafeMigrationError(`line ${ctx.originalLine(s.from.line)}: stage "${s.name ?? s.index}" is built on "${stage.name ?? stage.index}" and uses the files stripped there`, s.from.line, 'strip in that stage on the target platform by hand, or keep the stages emulated (repos.yaml emulatedStages)');
    }
  }
}

interface Consumer {
  instr: Instruction;
  from: Stage;
  sources: string[];
  strip: string[];
}

/**
 * The COPY --from steps that carry stripped files out of the stage, each with the files it must
 * get stripped, and every copy source; undefined when a system folder copied whole holds binaries
 * no step names (the stage then keeps its shape, and says so).
 */
function consumersOf(ctx: RecipeContext, f: StageFacts, strips: HostStrips): { consumers: Consumer[]; copies: { src: string; instr: Instruction }[] } | undefined {
  const { model } = ctx;
  const stage = f.stage;
  const { stripped, globInstalls } = strips;
  const named = systemGlobInstalls(stage, f.compiles, model.stages);
  // The stripped files reach images through COPY --from this stage (or a stage built on it).
  const sourcesStages = new Set<Stage>([stage, ...model.stages.filter((s) => s !== stage && lineage(s).includes(stage) && s.platform === stage.platform)]);
  const consumers: Consumer[] = [];
  const copies: { src: string; instr: Instruction }[] = [];
  for (const s of model.stages) {
    if (sourcesStages.has(s)) continue;
    for (const ref of s.refs) {
      if (ref.kind !== 'copy' || !ref.stage || !sourcesStages.has(ref.stage)) continue;
      const srcs = copySources(ref.instruction);
      for (const src of srcs) copies.push({ src, instr: ref.instruction });
      const strip: string[] = [];
      for (const x of srcs) {
        const found = strippedBy(x, stripped);
        if (found.length === 0) continue;
        if (x.includes('$')) throw new UnsafeMigrationError(`line ${ctx.originalLine(ref.instruction.line)}: COPY --from source "${x}" uses a variable`, ref.instruction.line, 'copy a literal path so the strip stage can copy the same file');
        if (found.some((p) => p.includes('*')) && SYSTEM_DIRS.has(trimSlash(x))) {
          // `strip /usr/local/bin/*` would also hit the image's own scripts there, and the folder of
          // a wrapped builder holds xx-go's clang links: take the installed binaries by name.
          for (const p of found.filter((q) => q.includes('*'))) {
            const g = globInstalls.get(p);
            const names = g && named.find((n) => n.command === g.cmd && n.glob === g.source)?.names;
            if (!names) {
              ctx.warn(
                `stage "${stage.name ?? stage.index}": not stripped on the target platform: "install -s ${g?.source ?? basename(p)}" fills ${trimSlash(x)}, which line ${ctx.originalLine(ref.instruction.line)} copies whole, and no step names those binaries; copying the folder would ship xx-go's clang links: install or copy the binaries by name`,
                ref.instruction.line,
              );
              return undefined;
            }
            for (const n of names) if (!strip.includes(n)) strip.push(n);
          }
          for (const p of found.filter((q) => !q.includes('*'))) if (!strip.includes(p)) strip.push(p);
          continue;
        }
        for (const p of found) if (!strip.includes(p)) strip.push(p);
      }
      if (strip.length > 0) consumers.push({ instr: ref.instruction, from: ref.stage, sources: srcs, strip });
    }
  }
  return { consumers, copies };
}

/**
 * Whatever was stripped and leaves the stage is stripped on the target after, or the file is not
 * migrated: without -s and with no strip stage for it, the image would ship it unstripped.
 */
function requireCovered(ctx: RecipeContext, stage: Stage, stripped: string[], copies: { src: string; instr: Instruction }[]): void {
  for (const p of stripped) {
    if (copies.some((c) => strippedBy(c.src, [p]).length > 0)) continue;
    const copy = literal(p) ? undefined : copies.find((c) => mayCarry(c.src, p));
    if (!copy) continue;
    throw new UnsafeMigrationError(
      `line ${ctx.originalLine(copy.instr.line)}: "${copy.src}" may copy ${p}, which stage "${stage.name ?? stage.index}" strips, and the bot cannot tell: without -s and with no strip stage for it the image would ship it unstripped`,
      copy.instr.line,
      'install or strip the binaries at an absolute path (or copy them by the path they are stripped at), then run the migration again',
    );
  }
}

/** The strip stage on the target platform, after the builder, and the copies redirected to it. */
function stripStage(ctx: RecipeContext, f: StageFacts, taken: Set<string | undefined>, strips: HostStrips, consumers: Consumer[]): Edit[] {
  const { source, analysis } = ctx;
  const stage = f.stage;
  const { stripped, options } = strips;
  const edits: Edit[] = [];
  let name = 'strip_binary';
  for (let n = 2; taken.has(name); n++) name = `strip_binary${n}`;
  taken.add(name);
  const root = lineage(stage).at(-1)!;
  const fromKw = stage.from.keywordRaw;
  const lower = fromKw === fromKw.toLowerCase();
  const k = (w: string) => (lower ? w.toLowerCase() : w);
  // The builder's base image, for the target: an image chosen by ${BUILDARCH} becomes ${TARGETARCH}.
  let image = root.image;
  for (const v of [...root.from.vars].reverse()) {
    const to = { BUILDARCH: 'TARGETARCH', BUILDOS: 'TARGETOS', BUILDPLATFORM: 'TARGETPLATFORM', BUILDVARIANT: 'TARGETVARIANT' }[v.name];
    if (to && v.start >= root.imageStart && v.end <= root.imageEnd) image = image.slice(0, v.start - root.imageStart) + to + image.slice(v.end - root.imageStart);
  }
  const lines = ['', `${fromKw} ${image} ${k('AS')} ${name}`, '# strip runs on the target platform: the build platform\'s strip cannot read a foreign-arch binary'];
  const toStrip: string[] = [];
  const seen = new Set<string>();
  const links: string[] = [];
  for (const c of consumers) {
    for (const src of c.sources) {
      const key = `${c.from.name ?? c.from.index} ${src}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const abs = src.startsWith('/') ? src : `/${src}`;
      // A system folder of a wrapped builder holds more than the build's binaries: xx-go's clang
      // and clang++ links, the image's own tools. The final image must ship what it shipped
      // before, so the strip stage (on the same base image) takes only the stripped files.
      const dir = trimSlash(abs);
      const files = c.strip.map((p) => (p.startsWith('/') ? p : `/${p}`));
      if (SYSTEM_DIRS.has(dir) && files.length > 0 && files.every((p) => posix.dirname(p) === dir)) {
        // What else the builder's own steps put in that folder ships too: files by name, and links
        // made again here (a COPY of a link follows it, and would ship a second, unstripped binary).
        const others = [...stageFiles(c.from).values()].filter((x) => posix.dirname(x.path) === dir && !x.path.includes('*') && !files.includes(x.path));
        const extra = others.filter((x) => x.kind === 'file').map((x) => x.path);
        lines.push(`${k('COPY')} --from=${c.from.name ?? c.from.index} ${[...files, ...extra].join(' ')} ${dir}/`);
        for (const l of others.filter((x) => x.kind === 'link' && x.target)) if (!links.includes(`ln -s ${l.target} ${l.path}`)) links.push(`ln -s ${l.target} ${l.path}`);
        continue;
      }
      lines.push(`${k('COPY')} --from=${c.from.name ?? c.from.index} ${src} ${abs}`);
    }
    for (const p of c.strip) {
      const abs = p.startsWith('/') ? p : `/${p}`;
      if (!toStrip.includes(abs)) toStrip.push(abs);
    }
  }
  const binutils = lineage(stage).some((s) => analysis.facts.get(s)?.packageInstalls.some((p) => p.manager === 'apk' && p.packages.some((w) => packageName(w.value) === 'binutils')));
  // One strip per set of options, as the old steps had them.
  const groups = new Map<string, string[]>();
  for (const p of toStrip) {
    const rel = stripped.find((x) => (x.startsWith('/') ? x : `/${x}`) === p) ?? [...options.keys()].find((x) => basename(x) === basename(p));
    const o = (rel !== undefined ? options.get(rel) : undefined) ?? '';
    groups.set(o, [...(groups.get(o) ?? []), p]);
  }
  let first = true;
  for (const [o, files] of groups) {
    lines.push(`${k('RUN')} ${binutils && first ? 'apk add --no-cache binutils && ' : ''}strip ${o ? o + ' ' : ''}${files.join(' ')}`);
    first = false;
  }
  if (links.length > 0) lines.push(`${k('RUN')} ${links.join(' && ')}`);
  const last = stage.instructions[stage.instructions.length - 1] ?? stage.from;
  const what = toStrip.join(', ');
  edits.push(insertLinesAfter(source, last.endLine, lines, `new stage "${name}" strips ${what} on the target platform, as install -s/strip did before`));
  for (const c of consumers) {
    const flag = c.instr.flags.find((fl) => fl.name.toLowerCase() === 'from')!;
    edits.push(replace(flag.start, flag.end, `--from=${name}`, `copy the stripped binary from "${name}"`));
  }
  return edits;
}
