/**
 * Which files `install -s <glob> DIR` put into a system folder (`/usr/local/bin`...). Once the
 * builder is wrapped, that folder also holds xx-go's `clang`/`clang++` links and the image's own
 * tools, so a stage that strips the installed files on the target platform must take them by
 * name: a copy of the folder would ship files the image never had. The names come from the
 * compile's own outputs (`-o`, make targets) that the glob matches, when every compile of the stage
 * names its outputs, else from what other stages copy out of the folder by name.
 */
import { posix } from 'node:path';
import { compileOutputs, installStrip, makeTargets } from './commands.ts';
import { copySources } from './copy.ts';
import { pathAt } from './cwd.ts';
import { baseName, type ShellCommand } from './shell.ts';
import { lineage, type Instruction, type Stage } from './model.ts';
import { globToRegExp } from '../files/glob.ts';

/** System folders that hold more than what a build installs into them (the image's own tools). */
export const SYSTEM_BIN_DIRS = new Set(['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin', '/usr/local/sbin', '/go/bin', '/usr/local/go/bin', '']);

export interface SystemGlobInstall {
  instruction: Instruction;
  command: ShellCommand;
  /** The glob as written (`bin/*`). */
  glob: string;
  /** The system folder it installs into, without a trailing slash. */
  dir: string;
  /** Full paths in `dir` of the files the glob installed, when they are known. */
  names?: string[];
  /** Where the names come from, for messages. */
  namedBy?: 'outputs' | 'copies';
  /** A COPY of the whole folder out of the stage (or a stage built on it), if any. */
  folderCopy?: Instruction;
}

const trim = (p: string) => p.replace(/\/+$/, '');

function globMatch(pattern: string, name: string): boolean {
  return globToRegExp(pattern, { globstar: false }).test(name);
}

/** Paths a compile names as its outputs, or undefined when it does not name them all. */
function namedOutputs(c: { command: ShellCommand }): string[] | undefined {
  if (baseName(c.command.name) === 'make') {
    const t = makeTargets(c.command).filter((x) => x.includes('/'));
    return t.length > 0 ? t : undefined;
  }
  const outs = compileOutputs(c.command);
  if (outs.length === 0 || outs.some((o) => o.endsWith('/') || o.includes('$'))) return undefined;
  return outs;
}

/** `install -s <glob> <system folder>` steps of the stage, with the names of what they installed. */
export function systemGlobInstalls(stage: Stage, compiles: { command: ShellCommand; instruction: Instruction }[], stages: Stage[]): SystemGlobInstall[] {
  const out: SystemGlobInstall[] = [];
  for (const instr of stage.instructions) {
    for (const cmd of instr.shell?.commands ?? []) {
      const inst = installStrip(cmd);
      if (!inst || !inst.destIsDir || !SYSTEM_BIN_DIRS.has(trim(inst.destination))) continue;
      const dir = trim(inst.destination);
      for (const glob of inst.sources.filter((s) => s.includes('*') || s.includes('?'))) {
        const entry: SystemGlobInstall = { instruction: instr, command: cmd, glob, dir };
        // Stages that see the folder as this stage left it, and the copies out of it.
        const holders = new Set(stages.filter((s) => lineage(s).includes(stage) && s.platform === stage.platform));
        const byName = new Set<string>();
        for (const s of stages) {
          if (holders.has(s)) continue;
          for (const ref of s.refs) {
            if (ref.kind !== 'copy' || !ref.stage || !holders.has(ref.stage)) continue;
            for (const src of copySources(ref.instruction)) {
              const p = posix.normalize(src.startsWith('/') ? src : `/${src}`);
              if (trim(p) === dir) entry.folderCopy ??= ref.instruction;
              else if (posix.dirname(p) === dir && globMatch(posix.basename(glob), posix.basename(p))) byName.add(p);
            }
          }
        }
        entry.names = fromOutputs(stage, compiles, instr, cmd, glob, dir);
        if (entry.names) entry.namedBy = 'outputs';
        else if (byName.size > 0) {
          entry.names = [...byName];
          entry.namedBy = 'copies';
        }
        out.push(entry);
      }
    }
  }
  return out;
}

/**
 * The compile outputs the glob matches, as paths in `dir`: only when every compile of the stage
 * before the install names its outputs, each resolved in the folder its command ran in (WORKDIR
 * and `cd`), so `-o ../bin/etcdctl` from a subfolder is the `bin/*` the install takes.
 */
function fromOutputs(stage: Stage, compiles: { command: ShellCommand; instruction: Instruction }[], install: Instruction, installCmd: ShellCommand, glob: string, dir: string): string[] | undefined {
  const before = compiles.filter((c) => c.instruction.index <= install.index);
  const at = pathAt(stage, install, installCmd, glob);
  if (before.length === 0 || at === undefined) return undefined;
  const names: string[] = [];
  for (const c of before) {
    const outs = namedOutputs(c);
    if (!outs) return undefined;
    for (const o of outs) {
      const out = pathAt(stage, c.instruction, c.command, o);
      if (out === undefined) return undefined;
      if (globMatch(at, out)) names.push(`${dir}/${posix.basename(o)}`);
    }
  }
  return names.length > 0 ? [...new Set(names)] : undefined;
}
