/**
 * `go install` with GOBIN set. Go refuses it for a cross-compiled binary ("cannot install
 * cross-compiled binaries when GOBIN is set"), so after `xx-go --wrap` it fails for every foreign
 * target, in the Dockerfile or in a Makefile recipe a `make` of the Dockerfile runs. The recipe
 * (go-install-gobin), the analysis (which stage stays emulated, and why) and the review rule
 * (go-install-gobin-cross) read these answers, so they cannot disagree.
 */
import { posix } from 'node:path';
import { copyDestination, copySources } from './copy.ts';
import { commandDir } from './cwd.ts';
import { settingFor, type EnvSetting } from './env.ts';
import { makeTargets } from './commands.ts';
import type { MakefileFacts, MakeGobinInstall } from './build-files.ts';
import { lineage, type Instruction, type Stage } from './model.ts';
import { baseName, type ShellCommand } from './shell.ts';

export interface GobinInstall {
  instruction: Instruction;
  command: ShellCommand;
  /** Where GOBIN is set: ENV, the command's prefix, an export earlier in the RUN. */
  gobin: EnvSetting & { value: string };
  /** The same build as one `go build -o`, where that is provably the same output. */
  rewrite?: { start: number; end: number; text: string; output: string };
  /** What no one `go build -o` can build, when it cannot be rewritten (`"./..."`, `several packages`). */
  cannot?: string;
}

const isGoInstall = (c: ShellCommand) => (c.name === 'go' || baseName(c.name) === 'xx-go') && c.args.find((a) => !a.value.startsWith('-'))?.value === 'install';

/** GOBIN as the command sees it, when it is set to something. */
export function gobinFor(stage: Stage, instr: Instruction, cmd: ShellCommand): (EnvSetting & { value: string }) | undefined {
  const s = settingFor(stage, instr, cmd, 'GOBIN');
  return s && s.value !== undefined && s.value !== '' ? (s as EnvSetting & { value: string }) : undefined;
}

/** Flags of `go install` that take a value (the build flags; go install has no -o). */
const VALUE_FLAGS = new Set(['-ldflags', '-gcflags', '-asmflags', '-gccgoflags', '-tags', '-mod', '-p', '-buildmode', '-compiler', '-installsuffix', '-pkgdir', '-toolexec', '-overlay', '-pgo', '-C', '-modfile', '-buildvcs']);

/** Every `go install` of the stage that runs with GOBIN set. */
export function gobinInstalls(stage: Stage): GobinInstall[] {
  const out: GobinInstall[] = [];
  for (const instruction of stage.instructions) {
    for (const command of instruction.shell?.commands ?? []) {
      if (!isGoInstall(command) || instruction.execForm) continue;
      const gobin = gobinFor(stage, instruction, command);
      if (!gobin) continue;
      out.push({ instruction, command, gobin, ...rewriteOf(command, gobin) });
    }
  }
  return out;
}

function rewriteOf(cmd: ShellCommand, gobin: EnvSetting & { value: string }): Pick<GobinInstall, 'rewrite' | 'cannot'> {
  const sub = cmd.args.find((a) => !a.value.startsWith('-'))!;
  const packages: string[] = [];
  const rest = cmd.args.slice(cmd.args.indexOf(sub) + 1);
  for (let i = 0; i < rest.length; i++) {
    const v = rest[i]!.value.replace(/^--/, '-');
    if (VALUE_FLAGS.has(v)) i++;
    else if (!v.startsWith('-')) packages.push(v);
  }
  const dir = gobin.value.replace(/\/+$/, '');
  if (!dir.startsWith('/') || /[$`\s"']/.test(dir)) return { cannot: `GOBIN=${gobin.value}` };
  if (packages.length !== 1) return { cannot: packages.length ? 'several packages' : 'no package' };
  const pkg = packages[0]!.replace(/\/+$/, '');
  // `.` is named after the module path, `./...` is every main package, `x@v1` is fetched: no one known name.
  const name = pkg.split('/').at(-1) ?? '';
  if (!pkg.startsWith('./') || pkg.includes('...') || pkg.includes('@') || !/^[A-Za-z0-9_.-]+$/.test(name) || name === '.' || name === '..') {
    return { cannot: `"${packages[0]}"` };
  }
  const output = `${dir}/${name}`;
  return { rewrite: { start: sub.start, end: sub.end, text: `build -o ${output}`, output } };
}

/**
 * Does `make` here run the checkout's own Makefile? Only when the stage copied the build context
 * (or the Makefile) into the folder make runs in; a Makefile that came with a clone is not the
 * checkout's, and the bot cannot see into it.
 */
export function runsCheckoutMakefile(stage: Stage, instr: Instruction, cmd: ShellCommand, makefile: MakefileFacts | undefined): boolean {
  if (!makefile || cmd.args.some((a) => /^-(C|f)|^--(directory|file|makefile)/.test(a.value))) return false;
  const runDir = commandDir(stage, instr, cmd);
  for (const s of lineage(stage)) {
    for (const i of s.instructions) {
      if ((i.keyword !== 'COPY' && i.keyword !== 'ADD') || i.flags.some((f) => f.name.toLowerCase() === 'from')) continue;
      if (s === stage && i.start > instr.start) continue;
      const sources = copySources(i).map((x) => (x === './' ? '.' : x.startsWith('./') ? x.slice(2) : x));
      const whole = sources.includes('.');
      if (!whole && !sources.includes(makefile.path)) continue;
      const dest = copyDestination(i);
      const base = commandDirAt(s, i);
      const to = dest.startsWith('/') ? dest : base !== undefined ? posix.join(base || '/', dest) : undefined;
      const into = whole || dest.endsWith('/') ? to : to && posix.dirname(to);
      if (into === undefined || runDir === undefined || posix.normalize(into).replace(/\/+$/, '') === posix.normalize(runDir || '/').replace(/\/+$/, '')) return true;
    }
  }
  return false;
}

/** The WORKDIR an instruction runs in (absolute, or undefined when unknown). */
function commandDirAt(stage: Stage, instr: Instruction): string | undefined {
  for (const s of lineage(stage)) {
    const w = [...s.instructions].reverse().find((i) => i.keyword === 'WORKDIR' && (s !== stage || i.index < instr.index));
    if (w) {
      const p = w.args.trim();
      return p.startsWith('/') && !p.includes('$') ? p : undefined;
    }
  }
  return '/';
}

/** The Makefile line a `make` of the checkout's Makefile reaches that runs `go install` with GOBIN set. */
export function makeGobinInstall(stage: Stage, instr: Instruction, cmd: ShellCommand, makefile: MakefileFacts | undefined): MakeGobinInstall | undefined {
  if (!makefile || !runsCheckoutMakefile(stage, instr, cmd, makefile)) return undefined;
  const goals = makeTargets(cmd);
  for (const g of goals.length ? goals : ['']) {
    const hit = makefile.gobinInstalls[g];
    if (hit) return hit;
  }
  return undefined;
}

/** `make build`, as a reason names it. */
export function makeLabel(cmd: ShellCommand): string {
  return [baseName(cmd.name), ...makeTargets(cmd)].join(' ');
}
