/**
 * A stage that must stay on the target (P10: C built for the target, cgo that cannot be
 * cross-compiled) built FROM a shared builder whose lineage moves to $BUILDPLATFORM because its
 * siblings cross-compile: it would inherit the build platform and build for the wrong machine.
 * The lineage is split instead. The shared builder stays the siblings' base and the one place
 * that clones and fetches, on the build platform, once for all platforms (nothing in it depends
 * on the target). The emulated child is re-rooted on the builder's image for the target, redoes
 * the builder's package installs, ARGs and ENVs there, and copies the fetched source (and the
 * module cache) from the builder.
 *
 * Only a builder whose steps are understood is split: package installs, ARG/ENV/WORKDIR, local
 * sources, and fetch steps (git, go mod) whose results are in folders it can name. Anything else
 * (a tool downloaded into /usr/local/bin, COPY --from another stage) may be something the child
 * needs from outside those folders: no split, and the analysis keeps the whole lineage on the
 * target, saying why (analysis.ts).
 */
import { posix } from 'node:path';
import { isShellOption, packageInstall } from './commands.ts';
import { lineage, type Instruction, type Stage } from './model.ts';
import { baseName, type ShellCommand, type ShellScript } from './shell.ts';

/** A step of the builder the child redoes: the instruction as written, or only its install part. */
export interface ReplayStep {
  instruction: Instruction;
  /** `RUN set -x && apk add ...` taken out of a RUN that also fetches; undefined: the whole instruction. */
  text?: string;
}

export interface LineageSplit {
  /** The emulated child, re-rooted. */
  child: Stage;
  /** The builder it was built FROM: the source stage it copies from. */
  parent: Stage;
  /** The image the lineage starts from, as written (`${GO_IMAGE}`). */
  image: string;
  /** Steps of the lineage the child redoes on the target, in order (package installs, ARG, ENV). */
  replay: ReplayStep[];
  /** Folders the builder fetched into (clone destinations, local sources, the module cache), as written. */
  folders: string[];
  /** The WORKDIR in effect at the end of the builder. */
  workdir?: Instruction;
}

/** Commands that only fetch or prepare source inside the folders they name. */
const FETCH = new Set(['git', 'cd', 'set', 'mkdir', 'patch', 'echo', 'true']);
const GIT_VALUE_OPTS = new Set(['-b', '--branch', '--depth', '-c', '--config', '-o', '--origin', '--reference', '--filter', '-j', '--jobs', '--shallow-since', '--separate-git-dir', '--template', '-u', '--upload-pack']);
const MODULE_CACHE = '$GOPATH/pkg/mod';
const GO_IMAGE = /golang|GO_IMAGE|GOLANG|build-base/i;
const PLATFORM_VARS = new Set(['TARGETPLATFORM', 'TARGETARCH', 'TARGETOS', 'TARGETVARIANT', 'ARCH', 'GOARCH']);

/**
 * Would a split apply to `child`? A stage that stays emulated, built FROM a named builder whose
 * lineage starts on the target (its own FROM has no --platform). Whether the builder moves to
 * the build platform (some sibling cross-compiles) is the caller's to say.
 */
export function splitCandidate(child: Stage, staysEmulated: boolean): { parent: Stage; root: Stage } | undefined {
  const parent = child.base;
  if (!parent || !staysEmulated || child.platform !== 'target' || child.platformFlag || !parent.name) return undefined;
  const root = lineage(parent).at(-1)!;
  if (root.platformFlag) return undefined;
  return { parent, root };
}

/** The split of `child` off its builder, or why the builder cannot be split. */
export function splitOf(child: Stage): LineageSplit | { cannot: string } {
  const parent = child.base!;
  return splitChain(child, parent, lineage(parent).reverse());
}

function splitChain(child: Stage, parent: Stage, chain: Stage[]): LineageSplit | { cannot: string } {
  const replay: ReplayStep[] = [];
  const folders: string[] = [];
  let workdir: Instruction | undefined;
  const add = (dir: string) => {
    const d = dir.replace(/\/+$/, '') || '/';
    if (d !== '/' && !folders.includes(d)) folders.push(d);
  };
  for (const stage of chain) {
    for (const instr of stage.instructions) {
      // A step that reads the target is no source fetch: the builder would not be arch-independent.
      const vars = instr.shell ? instr.shell.varRefs.map((v) => v.name) : instr.vars.map((v) => v.name);
      // Named by what it runs, not by its line: the reason ends up in a comment, and lines move.
      const first = (instr.shell?.commands.find((c) => !isShellOption(c)) ?? instr.shell?.commands[0])?.name;
      const at = `its step "${instr.keywordRaw}${first ? ` ${first}` : ''} ..."${stage === parent ? '' : ` (in "${stage.name ?? stage.index}")`}`;
      if (vars.some((v) => PLATFORM_VARS.has(v))) return { cannot: `${at} depends on the target platform` };
      switch (instr.keyword) {
        case 'ARG':
        case 'ENV':
          replay.push({ instruction: instr });
          break;
        case 'WORKDIR':
          workdir = instr;
          break;
        case 'COPY':
        case 'ADD': {
          if (instr.flags.some((fl) => fl.name.toLowerCase() === 'from')) return { cannot: `${at} copies from another stage` };
          const dest = resolve(instr.args.trim().split(/\s+/).at(-1) ?? '', workdir);
          if (!dest) return { cannot: `${at} copies to a folder that is not known` };
          add(dest);
          break;
        }
        case 'RUN': {
          const sh = instr.shell;
          const unknown = { cannot: `${at} is not a package install or a source fetch that "${child.name ?? child.index}" could redo or copy` };
          if (!sh || instr.execForm || sh.errorAt !== undefined) return unknown;
          // A package cache mount changes nothing the child gets; any other flag (a mount the fetch
          // writes into, a network or security setting) may.
          const cacheOnly = instr.flags.every((fl) => fl.name.toLowerCase() === 'mount' && /(^|,)type=cache(,|$)/.test(fl.value));
          const installs = sh.commands.filter((c) => !c.nested && !c.viaShellString && (packageInstall(c) || isPackageHousekeeping(c)));
          const fetches = sh.commands.filter((c) => !installs.includes(c) && !isShellOption(c));
          if (cacheOnly && installs.length > 0 && fetches.length === 0) {
            replay.push({ instruction: instr });
            break;
          }
          if (instr.flags.length > 0) return unknown;
          if (installs.length > 0) {
            // `apk add git && git clone ...`: the child redoes the install, and copies what was fetched.
            const text = installPart(instr, sh, installs);
            if (!text) return { cannot: `${at} installs packages and fetches in one step that cannot be taken apart` };
            replay.push({ instruction: instr, text });
          }
          for (const c of fetches) {
            if (c.nested || c.viaShellString || c.writes.length > 0) return unknown;
            const name = baseName(c.name);
            if (name === 'go') {
              if (c.args[0]?.value !== 'mod' || !['download', 'vendor', 'verify'].includes(c.args[1]?.value ?? '')) return unknown;
              if (c.args[1]!.value === 'download') {
                // Where the modules went: GOMODCACHE, else $GOPATH/pkg/mod (a Go image sets GOPATH;
                // an ENV the child replays does too).
                const env = chain.flatMap((s) => s.env.map((e) => e.name));
                if (env.includes('GOMODCACHE')) add('$GOMODCACHE');
                else if (GO_IMAGE.test(chain[0]!.image) || env.includes('GOPATH')) add(MODULE_CACHE);
                else return { cannot: `${at} downloads modules to a cache whose place is not known` };
              }
              continue;
            }
            if (!FETCH.has(name)) return unknown;
            if (name === 'git' && c.args[0]?.value === 'clone') {
              const dest = cloneDestination(c);
              const abs = dest === undefined ? undefined : resolve(dest, workdir);
              if (!abs || sh.commands.some((x) => x.name === 'cd' && x.start < c.start)) return { cannot: `${at} clones into a folder that is not known` };
              add(abs);
            }
          }
          break;
        }
        default:
          return { cannot: `${at} is not one that "${child.name ?? child.index}" could redo` };
      }
    }
  }
  if (folders.length === 0) return { cannot: `"${parent.name}" fetches no source that the stage could copy` };
  return { child, parent, image: chain[0]!.image, replay, folders, workdir };
}

/**
 * The shell options and package installs of a RUN that also fetches, as a RUN of their own (`RUN
 * set -x && apk add git`), when each is a whole step of a plain `&&` / `;` chain; the kept steps
 * are joined with `&&`, so a failed install still fails the step.
 */
function installPart(instr: Instruction, sh: ShellScript, installs: ShellCommand[]): string | undefined {
  if (instr.heredoc) return undefined;
  const kept: string[] = [];
  for (const st of sh.statements) {
    for (const el of st.elements) {
      if (el.op === '||') return undefined;
      const cmds = sh.commands.filter((c) => c.start >= el.start && c.end <= el.end);
      const cmd = cmds[0];
      if (cmds.length !== 1 || cmd!.start !== el.start || cmd!.end !== el.end) return undefined;
      if (installs.includes(cmd!) || isShellOption(cmd!)) kept.push(sh.text.slice(el.start - sh.offset, el.end - sh.offset));
    }
  }
  return `${instr.keywordRaw} ${kept.join(' && ')}`;
}

function isPackageHousekeeping(c: ShellCommand): boolean {
  const v = c.args.map((a) => a.value);
  if (c.name === 'apk' || c.name === 'apt-get' || c.name === 'apt') return ['update', 'upgrade', 'clean'].includes(v.find((x) => !x.startsWith('-')) ?? '');
  return c.name === 'rm' && v.every((x) => x.startsWith('-') || /^\/var\/(cache\/apk|lib\/apt\/lists)\//.test(x));
}

/** `git clone [opts] URL [DIR]`: DIR as written, or the folder git names after the URL. */
function cloneDestination(c: ShellCommand): string | undefined {
  const positional: string[] = [];
  for (let i = 1; i < c.args.length; i++) {
    const v = c.args[i]!.raw;
    if (v.startsWith('-')) {
      if (GIT_VALUE_OPTS.has(v)) i++;
      continue;
    }
    positional.push(v);
  }
  if (positional.length === 0 || positional.some((p) => /["'`]/.test(p))) return undefined;
  if (positional[1] !== undefined) return positional[1];
  const name = posix.basename(positional[0]!.replace(/\/+$/, '')).replace(/\.git$/, '');
  return name && !name.includes('$') ? name : undefined;
}

/** An absolute (or variable-rooted, `$GOPATH/...`) path, a relative one resolved against the WORKDIR. */
function resolve(p: string, workdir: Instruction | undefined): string | undefined {
  if (!p || /["'`]/.test(p)) return undefined;
  if (p.startsWith('/') || p.startsWith('$')) return p;
  const wd = workdir?.args.trim();
  if (!wd || !(wd.startsWith('/') || wd.startsWith('$'))) return undefined;
  const joined = posix.join(wd, p);
  return joined;
}
