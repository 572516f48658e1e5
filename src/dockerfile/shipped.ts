/**
 * The files a stage holds, as far as its own steps show them (the base image's own files are not
 * known), and whether each was stripped: `install`, `install -s`, `strip`, `go build -o`, `cp`,
 * `mv`, `ln -s` and `COPY --from`. Comparing what a final stage ships before and after a migration
 * tells whether every path survived it, and its stripping (before-after.ts: shipped-path-lost,
 * strip-dropped).
 */
import { posix } from 'node:path';
import { compileOutputs, installCommand, stripTargets } from './commands.ts';
import { copyDestination, copySources } from './copy.ts';
import { lineage, type Instruction, type Stage } from './model.ts';
import { baseName, type ShellCommand } from './shell.ts';
import { globToRegExp } from '../files/glob.ts';

export interface StageFile {
  /** Absolute where the steps say so; a glob (`/opt/cni/bin/*`) stands for what an install's glob matched. */
  path: string;
  kind: 'file' | 'link';
  /** A link's target, as written. */
  target?: string;
  stripped: boolean;
  /** The `install -s` / `strip` step that stripped it (in whichever stage did). */
  strippedAt?: Instruction;
  /** The step of the stage asked about that put it there (its COPY, its RUN). */
  at: Instruction;
  /** The step that made it, in whichever stage did (the install, the `ln -s`). */
  made: Instruction;
}

const hasGlob = (p: string) => /[*?[]/.test(p);

function globMatch(pattern: string, path: string): boolean {
  return posix.dirname(pattern) === posix.dirname(path) && globToRegExp(pattern, { globstar: false }).test(path);
}

/** Does a step on `target` reach the file `file` (the same path, or one side a glob the other matches)? */
export function samePath(target: string, file: string): boolean {
  return target === file || (hasGlob(target) && globMatch(target, file)) || (hasGlob(file) && globMatch(file, target));
}

const trim = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);

/** The WORKDIR in effect at `instr` of `stage` (its own, or its lineage's), as written. */
function workdir(stage: Stage, instr: Instruction): string | undefined {
  for (const s of lineage(stage)) {
    const w = [...s.instructions].reverse().find((i) => i.keyword === 'WORKDIR' && (s !== stage || i.index < instr.index));
    if (w) return w.args.trim();
  }
  return undefined;
}

/** A path as the step means it: relative ones against the WORKDIR, when it is known. */
function resolve(p: string, wd: string | undefined): string {
  if (p.startsWith('/') || p.startsWith('$')) return trim(posix.normalize(p));
  if (wd && (wd.startsWith('/') || wd.startsWith('$'))) return trim(posix.normalize(posix.join(wd, p)));
  return trim(p);
}

/**
 * `src` (a file, a folder, a glob) copied or moved to `dest`: where each file of `files` under it
 * lands. `intoDir`: the destination is a folder (it ends with `/`, or several sources go there).
 */
function carried(files: Map<string, StageFile>, src: string, dest: string, intoDir: boolean): [StageFile, string][] {
  const out: [StageFile, string][] = [];
  for (const f of files.values()) {
    if (src === '/') out.push([f, trim(posix.join(dest, f.path))]);
    else if (samePath(src, f.path)) {
      // A glob entry copied by one of the names it stands for lands under that name.
      const name = hasGlob(f.path) && !hasGlob(src) ? src : f.path;
      // A link named as a source is followed (BuildKit's COPY): what lands is the file it points at.
      const target = f.kind === 'link' && f.target ? files.get(trim(posix.normalize(f.target.startsWith('/') ? f.target : posix.join(posix.dirname(f.path), f.target)))) : undefined;
      const landed: StageFile = f.kind === 'link' ? { ...f, kind: 'file', target: undefined, stripped: target?.stripped ?? false, strippedAt: target?.strippedAt } : f;
      out.push([landed, intoDir || hasGlob(src) ? trim(posix.join(dest, posix.basename(name))) : dest]);
    } else if (f.path.startsWith(`${src}/`)) out.push([f, trim(posix.join(dest, f.path.slice(src.length + 1)))]);
  }
  return out;
}

function operands(cmd: ShellCommand): string[] {
  return cmd.args.map((a) => a.value).filter((v) => !v.startsWith('-'));
}

/**
 * The files `stage` holds at its end, from its lineage's steps (memoised per stage in `memo`).
 * What a step does to files the steps do not show (a make install, a script) is not known.
 */
export function stageFiles(stage: Stage, memo = new Map<Stage, Map<string, StageFile>>()): Map<string, StageFile> {
  const known = memo.get(stage);
  if (known) return known;
  // A stage copying from itself through a loop of refs must not recurse for ever.
  memo.set(stage, new Map());
  const files = new Map<string, StageFile>(stage.base ? [...stageFiles(stage.base, memo)] : []);
  const put = (f: StageFile) => files.set(f.path, f);
  for (const instr of stage.instructions) {
    const wd = workdir(stage, instr);
    if (instr.keyword === 'COPY' || instr.keyword === 'ADD') {
      const ref = stage.refs.find((r) => r.instruction === instr && r.kind === 'copy');
      if (!ref?.stage || ref.stage === stage) continue;
      const from = stageFiles(ref.stage, memo);
      const srcs = copySources(instr);
      const rawDest = copyDestination(instr);
      const dest = resolve(rawDest, wd);
      for (const s of srcs) {
        for (const [f, to] of carried(from, trim(posix.normalize(s.startsWith('/') ? s : `/${s}`)), dest, rawDest.endsWith('/') || srcs.length > 1)) put({ ...f, path: to, at: instr });
      }
      continue;
    }
    for (const cmd of instr.shell?.commands ?? []) {
      const name = baseName(cmd.name);
      const install = installCommand(cmd);
      if (install) {
        const dest = resolve(install.destination, wd);
        for (const s of install.sources) {
          const path = install.destIsDir ? trim(posix.join(dest, posix.basename(s))) : dest;
          put({ path, kind: 'file', stripped: !!install.flag, ...(install.flag ? { strippedAt: instr } : {}), at: instr, made: instr });
        }
        continue;
      }
      const strip = stripTargets(cmd);
      if (strip) {
        for (const t of strip.map((x) => resolve(x, wd))) {
          const hit = [...files.values()].filter((f) => samePath(t, f.path));
          for (const f of hit) put({ ...f, stripped: true, strippedAt: instr });
          if (hit.length === 0) put({ path: t, kind: 'file', stripped: true, strippedAt: instr, at: instr, made: instr });
        }
        continue;
      }
      if (name === 'ln' && cmd.args.some((a) => /^-[a-zA-Z]*s/.test(a.value))) {
        const ops = operands(cmd);
        if (ops.length < 2) continue;
        const link = resolve(ops.at(-1)!, wd);
        const names = ops.length > 2 || ops.at(-1)!.endsWith('/') ? ops.slice(0, -1).map((t) => trim(posix.join(link, posix.basename(t)))) : [link];
        const targets = ops.slice(0, -1);
        names.forEach((p, i) => put({ path: p, kind: 'link', target: targets[targets.length === names.length ? i : 0], stripped: false, at: instr, made: instr }));
        continue;
      }
      if (name === 'cp' || name === 'mv') {
        const ops = operands(cmd);
        if (ops.length < 2) continue;
        const rawDest = ops.at(-1)!;
        const dest = resolve(rawDest, wd);
        const moved: [StageFile, string][] = [];
        // As install reads it: a trailing slash, several sources or a bin folder is a folder.
        const intoDir = rawDest.endsWith('/') || ops.length > 2 || /(^|\/)(s?bin|lib|libexec)$/.test(dest);
        for (const s of ops.slice(0, -1)) moved.push(...carried(files, resolve(s, wd), dest, intoDir));
        if (name === 'mv') for (const [f] of moved) files.delete(f.path);
        for (const [f, to] of moved) put({ ...f, path: to, at: instr });
        continue;
      }
      for (const o of compileOutputs(cmd)) if (!o.endsWith('/')) put({ path: resolve(o, wd), kind: 'file', stripped: false, at: instr, made: instr });
    }
  }
  memo.set(stage, files);
  return files;
}
