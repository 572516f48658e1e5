/**
 * Questions about a stage's cross-compilation set-up, answered the same way for the recipes
 * (which add what is missing) and the review rules (which report what is missing).
 */
import { baseName, type ShellCommand } from './shell.ts';
import { posix } from 'node:path';
import { compileIsStatic, compileOutputs, goBuildArgs, installCommand, installStrip, packageInstall, packageName } from './commands.ts';
import { argInScope, lineage, type ArgDecl, type Instruction, type Stage } from './model.ts';
import { isXxImage, type Analysis, type StageFacts } from './analysis.ts';
import { stageCompiles } from './compile-facts.ts';
import { commandDir, joinDir } from './cwd.ts';

export const TARGET_ARGS = new Set(['TARGETPLATFORM', 'TARGETARCH', 'TARGETOS', 'TARGETVARIANT']);
/** Go settings an emulated build forced and xx-go sets for the target instead. */
export const STALE_GO_VARS = new Set(['GOARCH', 'GOOS', 'GOARM', 'GOAMD64', 'GOARM64']);
const XX_TOOLS = /^xx-(go|apk|apt-get|apt|verify|info|clang|cc|c\+\+|cargo|ld|windres)$/;

/** Names of variables an instruction reads (shell refs for RUN, Dockerfile substitution otherwise). */
export function varsUsed(instr: Instruction): string[] {
  if (instr.shell) return instr.shell.varRefs.map((v) => v.name);
  return instr.vars.map((v) => v.name);
}

export function usesAnyVar(instr: Instruction, names: Set<string>): boolean {
  return varsUsed(instr).some((n) => names.has(n));
}

export function commandsOf(instr: Instruction): ShellCommand[] {
  return instr.shell?.commands ?? [];
}

export function isXxTool(cmd: ShellCommand): boolean {
  return XX_TOOLS.test(baseName(cmd.name));
}

/**
 * The first instruction of the stage whose result depends on the target platform. Everything
 * above it runs once for all platforms; the target ARG goes right above it.
 */
export function targetPoint(stage: Stage, facts: StageFacts): Instruction | undefined {
  const compileInstrs = new Set(facts.compiles.map((c) => c.instruction));
  for (const instr of stage.instructions) {
    if (instr.keyword === 'ARG' && stage.args.some((a) => a.instruction === instr && TARGET_ARGS.has(a.name))) return instr;
    if (compileInstrs.has(instr)) return instr;
    if (usesAnyVar(instr, TARGET_ARGS)) return instr;
    if (commandsOf(instr).some(isXxTool)) return instr;
  }
  return undefined;
}

/**
 * The first target ARG the stage inherits from the stage it is built FROM: from its first line
 * the stage runs once per target platform, so nothing in it can be moved above the fork.
 */
export function inheritedTargetArg(stage: Stage): ArgDecl | undefined {
  if (!stage.base) return undefined;
  const decls = [...TARGET_ARGS].map((n) => argInScope(stage.base!, n)?.decl).filter((d) => d !== undefined);
  return decls.sort((a, b) => a.start - b.start)[0];
}

/** The `COPY --from=<xx> / /` in the stage lineage, if any. */
export function xxCopy(stage: Stage, a: Analysis): Instruction | undefined {
  for (const s of lineage(stage)) {
    for (const ref of s.refs) {
      if (ref.kind !== 'copy' || !ref.stage || !a.facts.get(ref.stage)?.isXx) continue;
      const parts = ref.instruction.args.trim().split(/\s+/);
      if (parts.length === 2 && parts[0] === '/' && parts[1] === '/') return ref.instruction;
    }
  }
  return undefined;
}

/**
 * The CGO_ENABLED the stage's compiles are given (dockerfile/compile-facts.ts: the command, the
 * script, ENV/ARG, the build files' build-args and Makefile): the first compile's that has one;
 * `''` when an `ARG CGO_ENABLED` takes it from outside with no value the build files show.
 */
export function explicitCgo(stage: Stage, a: Analysis): string | undefined {
  for (const c of stageCompiles(a, stage)) if (c.cgo.explicit) return c.cgo.value ?? '';
  return undefined;
}

/** The ARGs from which xx-info can tell the target arch. */
export const TARGET_SELECTING_ARGS = ['TARGETPLATFORM', 'TARGETARCH'];

/** Is a target-selecting ARG (`TARGETPLATFORM`/`TARGETARCH`) in scope at `offset` of `stage` (its own, or a parent's)? */
export function targetArgBefore(stage: Stage, offset: number, names: string[] = TARGET_SELECTING_ARGS): boolean {
  return names.some((n) => argInScope(stage, n, offset) !== undefined);
}

/** Was anything of xx copied into the stage (or a parent) before `offset`, or is the lineage built on the xx image? */
export function xxCopiedBefore(stage: Stage, offset: number, a: Analysis, xxImage?: string): boolean {
  for (const s of lineage(stage)) {
    if (!s.base && a.facts.get(s)?.isXx) return true;
    for (const r of s.refs) {
      if (s === stage && r.instruction.start >= offset) continue;
      const fromXx = r.stage ? a.facts.get(r.stage)?.isXx : isXxImage(r.ref, xxImage);
      if (fromXx) return true;
    }
  }
  return false;
}

/**
 * What CGO_ENABLED the old emulated build effectively had. Natively Go enables cgo when a C
 * compiler is present; cross-compiling it disables it. Keep the old behaviour explicit.
 */
export function effectiveCgo(stage: Stage, facts: StageFacts, a: Analysis): '0' | '1' {
  const explicit = explicitCgo(stage, a);
  if (explicit === '0' || explicit === '1') return explicit;
  if (facts.compiles.some((c) => /^go-build-static/.test(baseName(c.command.name)))) return '1';
  if (facts.compiles.some((c) => /-linkmode[= ]+["']?external/.test(c.instruction.shell?.text ?? ''))) return '1';
  // A make build whose Makefile forces cgo off (`GO_BUILD_OPTS ?= CGO_ENABLED=0`) never linked
  // with cgo, gcc in the image or not: claiming it did would add target C libraries for nothing.
  if (facts.compiles.some((c) => c.kind === 'make') && makeForcesCgoOff(a)) return '0';
  for (const s of lineage(stage)) {
    const f = a.facts.get(s);
    if (f?.packageInstalls.some((p) => p.packages.some((w) => ['gcc', 'musl-dev', 'build-base', 'libc6-dev', 'clang'].includes(packageName(w.value))))) return '1';
  }
  const root = lineage(stage).at(-1)!;
  if (/hardened-build-base|build-base/.test(root.resolvedImage)) return '1';
  if (facts.distro === 'debian' && /golang/.test(root.resolvedImage)) return '1';
  return '0';
}

export function makeForcesCgoOff(a: Analysis): boolean {
  if (a.makeVars.CGO_ENABLED?.value.trim() === '0') return true;
  return Object.values(a.makeVars).some((v) => /(^|[\s;])(export\s+)?CGO_ENABLED=0(?=[\s;]|$)/.test(v.value));
}

/** Was the old build static? (`xx-verify --static` only where it was.) */
export function buildIsStatic(stage: Stage, facts: StageFacts, a: Analysis): boolean {
  if (facts.compiles.some((c) => compileIsStatic(c.command))) return true;
  // The old build asserted it: go-assert-static.sh fails on a dynamic binary.
  if (stage.instructions.some((i) => commandsOf(i).some((c) => /^go-assert-static(\.sh)?$/.test(baseName(c.name))))) return true;
  return effectiveCgo(stage, facts, a) === '0';
}

/** Files that leave the stage: sources of `COPY --from=<stage>` in other stages. */
export function exportedPaths(stage: Stage, a: Analysis): { path: string; instruction: Instruction; consumer: Stage }[] {
  const out: { path: string; instruction: Instruction; consumer: Stage }[] = [];
  for (const s of a.model.stages) {
    for (const ref of s.refs) {
      if (ref.kind !== 'copy' || ref.stage !== stage) continue;
      const words = copySources(ref.instruction);
      for (const p of words) out.push({ path: p, instruction: ref.instruction, consumer: s });
    }
  }
  return out;
}

export { copyDestination, copySources } from './copy.ts';
import { copySources } from './copy.ts';

/**
 * Where a compile command writes, relative to the RUN's WORKDIR: every `cd` before it in the RUN
 * applied (`cd server && ... && cd ../etcdctl && go build -o ../bin/etcdctl` writes bin/etcdctl).
 * Behind an unknown `cd` only absolute outputs are known.
 */
function outputsOf(c: { command: ShellCommand; instruction: Instruction }): string[] {
  const outs = compileOutputs(c.command);
  const dir = commandDir(c.instruction.stage, c.instruction, c.command, true);
  if (dir === undefined) return outs.filter((o) => o.startsWith('/'));
  if (dir === '') return outs;
  return outs.flatMap((o) => {
    const p = joinDir(dir, o);
    return p === undefined ? [] : [(p || '.') + (o.endsWith('/') && p ? '/' : '')];
  });
}

export { SYSTEM_BIN_DIRS } from './strip-names.ts';
import { SYSTEM_BIN_DIRS } from './strip-names.ts';

/** The WORKDIR in effect at `instr` (as written, variables unexpanded), from the stage lineage. */
export function workdirAt(stage: Stage, instr: Instruction): { path: string; instruction: Instruction } | undefined {
  for (const s of lineage(stage)) {
    const w = [...s.instructions].reverse().find((i) => i.keyword === 'WORKDIR' && (s !== stage || i.index < instr.index));
    if (w) return { path: w.args.trim(), instruction: w };
  }
  return undefined;
}

/** Variables every Go builder image sets. */
export const STAGE_ENV = new Set(['GOPATH', 'HOME', 'PATH', 'GOROOT']);

/** Does the stage (or a parent) declare `name` with ARG or ENV? */
function declaresVar(stage: Stage, name: string): boolean {
  return lineage(stage).some((s) => s.args.some((a) => a.name === name) || s.env.some((e) => e.name === name));
}

/** Copied paths that are plausibly compiled binaries (not LICENSE, scripts, manifests, folders). */
function looksLikeBinary(p: string, known: Set<string>): boolean {
  const parts = p.replace(/\/+$/, '').split('/');
  const base = parts.at(-1) ?? '';
  if (!base || p.endsWith('/')) return false;
  // Named by the compile or install, or a project's binary at its root (`.../runner/runner`).
  if (known.has(base) || parts.at(-2) === base) return true;
  if (base.includes('*')) return /(^|\/)(s?bin|_output|out)(\/|$)/.test(p);
  if (/\.[A-Za-z0-9]+$/.test(base) || /^[A-Z0-9_]+$/.test(base)) return false;
  return /(^|\/)(s?bin|_output|out|dist|build)(\/|$)/.test(p);
}

/** Binaries the compile produces: `-o` outputs, else what other stages copy out of the stage. */
export function compiledBinaries(stage: Stage, facts: StageFacts, a: Analysis): { paths: string[]; fromOutputs: boolean } {
  const outputs: string[] = [];
  let allNamed = true;
  for (const c of facts.compiles) {
    // A path with a variable is usable in a later RUN only when the stage declares it (ARG/ENV or
    // the image's GOPATH); `-o bin/${cmd}` in a loop is not.
    const usable = (o: string) => [...o.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].every((m) => STAGE_ENV.has(m[1]!) || declaresVar(stage, m[1]!));
    const outs = outputsOf(c);
    // `-o bin/`, `-o bin/${cmd}` in a loop, or a make/script build: which files it writes is only
    // known from what is copied out.
    if (outs.length === 0 || outs.some((o) => o.endsWith('/') || !usable(o))) allNamed = false;
    for (const o of outs) if (!outputs.includes(o) && !o.endsWith('/') && usable(o)) outputs.push(o);
  }
  if (allNamed && outputs.length > 0) return { paths: outputs, fromOutputs: true };
  const known = new Set(
    facts.compiles
      .flatMap((c) => [...goBuildArgs(c.command).packages, ...c.command.args.map((a) => a.value)].map((p) => p.replace(/\/+$/, '').split('/').at(-1) ?? ''))
      .filter((n) => n && n !== '.' && n !== '...' && !n.startsWith('-')),
  );
  const paths: string[] = [];
  // Folders the compile writes into (`-o .`, `-o bin/` with ./...), as absolute paths where the
  // WORKDIR says: a copy of such a folder is no binary; a file copied out of it is one.
  const outDirs = new Set<string>();
  for (const c of facts.compiles) {
    for (const o of outputsOf(c)) {
      if (!o.endsWith('/')) continue;
      const wd = workdirAt(stage, c.instruction)?.path;
      const abs = o.startsWith('/') ? o : wd && wd.startsWith('/') && !wd.includes('$') ? posix.join(wd, o) : undefined;
      if (abs) outDirs.add(posix.normalize(abs).replace(/\/+$/, '') || '/');
    }
  }
  const installs = stage.instructions.flatMap((i) => commandsOf(i).map(installCommand)).filter((x) => x !== undefined);
  for (const x of installs) for (const s of x.sources) known.add(s.split('/').at(-1) ?? '');
  for (const e of exportedPaths(stage, a)) {
    const dir = e.path.replace(/\/+$/, '');
    const into = installs.filter((x) => x.destIsDir && x.destination.replace(/\/+$/, '') === dir);
    if (into.length > 0) {
      // A copied folder that install filled: verify what was installed into it — by the source
      // paths when the folder also holds the image's own tools (/usr/local/bin/* would hit them).
      for (const x of into) for (const s of x.sources) paths.push(SYSTEM_BIN_DIRS.has(dir) && s.includes('*') ? s : `${dir}/${s.split('/').at(-1)}`);
      continue;
    }
    if (outDirs.has(posix.normalize(dir))) continue;
    if (outDirs.has(posix.dirname(posix.normalize(dir))) || looksLikeBinary(e.path, known)) paths.push(e.path);
  }
  return { paths: [...new Set([...outputs, ...paths])], fromOutputs: false };
}

/** Names a built binary may be run by: basenames of outputs, installed and exported files. */
export function binaryNames(stage: Stage, facts: StageFacts, a: Analysis): Set<string> {
  const names = new Set<string>();
  const add = (p: string) => {
    const b = p.replace(/\/+$/, '').split('/').at(-1) ?? '';
    if (b && !b.includes('*') && !b.includes('$') && b !== '.') names.add(b);
  };
  for (const c of facts.compiles) compileOutputs(c.command).forEach(add);
  for (const e of exportedPaths(stage, a)) if (!e.path.endsWith('/')) add(e.path);
  for (const instr of stage.instructions) {
    for (const cmd of commandsOf(instr)) {
      const inst = baseName(cmd.name) === 'install' ? installStrip(cmd) : undefined;
      inst?.sources.forEach(add);
      // `install -m 0755 bin/quillctl /usr/bin/qctl`, `cp bin/x /usr/local/bin/y`: the binary
      // runs under its new name too.
      const renamed = renamedTo(cmd);
      if (renamed && names.has(renamed.from)) add(renamed.to);
    }
  }
  return names;
}

/** A copy of one file to a new file name (`install`/`cp`/`mv`/`ln`): the source and destination base names. */
function renamedTo(cmd: ShellCommand): { from: string; to: string } | undefined {
  const n = baseName(cmd.name);
  let sources: string[];
  let dest: string;
  if (n === 'install') {
    const i = installCommand(cmd);
    if (!i || i.destIsDir) return undefined;
    [sources, dest] = [i.sources, i.destination];
  } else if (n === 'cp' || n === 'mv' || n === 'ln') {
    if (cmd.args.some((a) => a.value === '-t' || a.value.startsWith('--target-directory'))) return undefined;
    const ops = cmd.args.map((a) => a.value).filter((v) => !v.startsWith('-'));
    dest = ops.pop() ?? '';
    sources = ops;
  } else return undefined;
  const last = (p: string) => p.replace(/\/+$/, '').split('/').at(-1) ?? '';
  // A folder destination keeps the name; only a file destination renames.
  if (sources.length !== 1 || dest.endsWith('/') || /[*?$]/.test(dest + sources[0]) || /^(s?bin|lib|libexec|\.|\.\.)$/.test(last(dest))) return undefined;
  const from = last(sources[0]!);
  const to = last(dest);
  return from && to && from !== to ? { from, to } : undefined;
}

/** Does the stage lineage install target libraries with xx-apk/xx-apt-get? */
export function targetLibInstall(stage: Stage, a: Analysis) {
  for (const s of lineage(stage)) {
    const f = a.facts.get(s);
    const p = f?.packageInstalls.find((x) => x.manager === 'xx-apk' || x.manager === 'xx-apt-get');
    if (p) return p;
  }
  return undefined;
}

export { packageInstall };
