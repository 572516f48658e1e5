/**
 * The folder a command of a RUN works in: the WORKDIR in effect, changed by the `cd`s that ran
 * before it in the same RUN. A relative `-o ../bin/etcdctl` names a file only once that folder is
 * known; undefined answers mean "not known", and callers fall back to what other steps say.
 */
import { posix } from 'node:path';
import type { ShellCommand } from './shell.ts';
import { lineage, type Instruction, type Stage } from './model.ts';

/** The WORKDIR in effect at `instr` of `stage` (its own or a parent's), as written. */
function workdirOf(stage: Stage, instr: Instruction): string | undefined {
  for (const s of lineage(stage)) {
    const w = [...s.instructions].reverse().find((i) => i.keyword === 'WORKDIR' && (s !== stage || i.index < instr.index));
    if (w) return w.args.trim();
  }
  return undefined;
}

/**
 * `rel` taken from `dir`, `..` applied. Undefined when a `..` would step out of a segment that
 * holds a variable: `/go/src/${PKG}/..` is not `/go/src` when PKG has slashes.
 */
export function joinDir(dir: string, rel: string): string | undefined {
  if (rel.startsWith('/')) return posix.normalize(rel).replace(/(.)\/+$/, '$1');
  const parts = dir.split('/').filter((p, i) => p !== '' || i === 0);
  const absolute = dir.startsWith('/');
  const segs = absolute ? parts.slice(1) : parts.filter(Boolean);
  for (const p of rel.split('/')) {
    if (p === '' || p === '.') continue;
    if (p !== '..') segs.push(p);
    else if (segs.length === 0 || segs.at(-1) === '..') {
      if (absolute) continue;
      segs.push('..');
    } else if (segs.at(-1)!.includes('$')) return undefined;
    else segs.pop();
  }
  return (absolute ? '/' : '') + segs.join('/');
}

/**
 * The folder `cmd` runs in, relative to the RUN's WORKDIR when `relative` is set (then `''` is the
 * WORKDIR itself), else with the WORKDIR joined in (relative to the image's default folder when the
 * stage sets none). Undefined when a `cd` before it goes somewhere unknown: a variable, `cd -`, a
 * bare `cd`, a `cd` after `||`, or a `cd` in a block (`( ... )`, `if`) that `cmd` is not part of.
 */
export function commandDir(stage: Stage | undefined, instr: Instruction, cmd: ShellCommand, relative = false): string | undefined {
  let dir = relative || !stage ? '' : (workdirOf(stage, instr) ?? '');
  for (const c of instr.shell?.commands ?? []) {
    if (c.start >= cmd.start) break;
    if (c.name !== 'cd') continue;
    const inBlock = c.nested && !(cmd.nested && c.statement === cmd.statement && c.element === cmd.element);
    const afterOr = c.statement.elements.slice(1, c.element + 1).some((e) => e.op === '||');
    const target = c.args.map((a) => a.value).filter((v) => !/^-[LPe@]+$/.test(v));
    if (inBlock || afterOr || target.length !== 1 || target[0] === '-' || target[0]!.includes('$') || target[0]!.startsWith('~')) return undefined;
    const next = joinDir(dir, target[0]!);
    if (next === undefined) return undefined;
    dir = next;
  }
  return dir;
}

/** `path` as seen from `cmd` (see commandDir), or undefined when its folder is not known. */
export function pathAt(stage: Stage, instr: Instruction, cmd: ShellCommand, path: string, relative = false): string | undefined {
  if (path.startsWith('/')) return joinDir('/', path);
  const dir = commandDir(stage, instr, cmd, relative);
  return dir === undefined ? undefined : joinDir(dir, path);
}
