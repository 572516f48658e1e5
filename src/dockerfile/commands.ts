/**
 * What a shell command does, as far as cross-compilation cares: compiles Go, runs a native Go
 * tool, installs packages, installs with `-s`, strips, builds C.
 */
import { baseName, type ShellCommand, type ShellWord } from './shell.ts';

/** `make` targets (or `WHAT=` values) that generate code instead of building the image's binaries. */
const CODEGEN_TARGET = /(^|[-_/])(gen|generate|generated|generated_files|codegen|manifests|deepcopy|mocks?|proto|protos|fmt|vet|lint|clean|deps|vendor|tools|install-tools|test|tests|check|verify)([-_/]|$)/i;

/** Script names that build: `build.sh`, `build_linux.sh`, `hack/build-go.sh`, `scripts/build`. */
const BUILD_SCRIPT = /(^|[-_./])build([-_.][A-Za-z0-9_.-]*)?(\.sh)?$|^(go-)?build([-_][a-z0-9]+)*$/i;

const GO_BUILD_SCRIPTS = new Set(['go-build-static.sh', 'go-build-static', 'go-build.sh']);

export type CompileKind = 'go-build' | 'go-install' | 'go-build-script' | 'make' | 'script';

/** `go install ./cmd/x` builds the repository's own binary; `go install tool@v1` fetches a tool. */
function installsLocalPackage(cmd: ShellCommand): boolean {
  const pkgs = cmd.args.slice(1).filter((a) => !a.value.startsWith('-')).map((a) => a.value);
  return pkgs.length > 0 && pkgs.every((p) => (p === '.' || p.startsWith('./') || p.startsWith('../')) && !p.includes('@'));
}

/** Is this command a Go compile (given that its stage is a Go stage)? */
export function compileKind(cmd: ShellCommand, goStage: boolean): CompileKind | undefined {
  const name = baseName(cmd.name);
  // `bash -c "go build ..."`: the compile is in the string.
  if (cmd.inner) {
    for (const c of cmd.inner) {
      const k = compileKind(c, goStage);
      if (k) return k;
    }
    return undefined;
  }
  // `xx-go --wrap \` + newline + `make`: the compile became xx-go's argument (a hand-migration bug).
  const swallowed = swallowedByWrap(cmd);
  if (swallowed) return compileKind(swallowed, goStage);
  // `xx-go build ...` is go build for the target.
  if (name === 'xx-go' && firstNonFlag(cmd.args)?.value === 'build') return 'go-build';
  if (cmd.name === 'go') {
    const sub = firstNonFlag(cmd.args);
    if (sub?.value === 'build') return 'go-build';
    if (sub?.value === 'test' && cmd.args.some((a) => a.value === '-c')) return 'go-build';
    if (sub?.value === 'install' && installsLocalPackage(cmd)) return 'go-install';
    return undefined;
  }
  if (GO_BUILD_SCRIPTS.has(name)) return 'go-build-script';
  if (!goStage) return undefined;
  if (name === 'make' || name === 'gmake') {
    if (makeBuildsC(cmd)) return undefined;
    const targets = makeTargets(cmd);
    const what = cmd.args.find((a) => a.value.startsWith('WHAT='))?.value.slice(5) ?? '';
    if (what && CODEGEN_TARGET.test(what)) return undefined;
    if (targets.length === 0) return 'make';
    return targets.some((t) => !CODEGEN_TARGET.test(t)) ? 'make' : undefined;
  }
  if ((cmd.name.includes('/') || name.endsWith('.sh')) && BUILD_SCRIPT.test(name)) return 'script';
  return undefined;
}

/** The command that `xx-go --wrap <words>` swallowed as its arguments, if any. */
export function swallowedByWrap(cmd: ShellCommand): ShellCommand | undefined {
  if (baseName(cmd.name) !== 'xx-go' || cmd.args[0]?.value !== '--wrap' || cmd.args.length < 2) return undefined;
  const [nameWord, ...args] = cmd.args.slice(1);
  return { ...cmd, name: nameWord!.value, nameWord, args, assigns: [] };
}

/** `go test` that runs the tests (not `go test -c`, which only builds them). */
export function isGoTest(cmd: ShellCommand): boolean {
  return cmd.name === 'go' && firstNonFlag(cmd.args)?.value === 'test' && !cmd.args.some((a) => a.value === '-c');
}

/** Native Go commands that must run before `xx-go --wrap` (P7). */
export function isNativeGoTool(cmd: ShellCommand): boolean {
  if (cmd.inner) return cmd.inner.some(isNativeGoTool);
  if (cmd.name === 'go') {
    const sub = firstNonFlag(cmd.args)?.value;
    if (sub === 'install') return !installsLocalPackage(cmd);
    return sub === 'generate' || sub === 'run' || sub === 'get' || sub === 'tool';
  }
  const name = baseName(cmd.name);
  if (name === 'make' || name === 'gmake') {
    const targets = makeTargets(cmd);
    const what = cmd.args.find((a) => a.value.startsWith('WHAT='))?.value.slice(5) ?? '';
    if (what && /gen/i.test(what)) return true;
    return targets.length > 0 && targets.every((t) => /gen|manifests|deepcopy|proto/i.test(t));
  }
  return false;
}

/** `make generate build`: code generation and the compile in one make call (P7 has no place for the wrap). */
export function makeMixesCodegen(cmd: ShellCommand): boolean {
  const name = baseName(cmd.name);
  if (name !== 'make' && name !== 'gmake') return false;
  const targets = makeTargets(cmd);
  const gen = targets.filter((t) => /gen|manifests|deepcopy|proto/i.test(t));
  return gen.length > 0 && gen.length < targets.length;
}

export function makeTargets(cmd: ShellCommand): string[] {
  const out: string[] = [];
  for (let i = 0; i < cmd.args.length; i++) {
    const v = cmd.args[i]!.value;
    if (v === '-C' || v === '-f' || v === '-j' || v === '-I' || v === '-o' || v === '-W') {
      i++;
      continue;
    }
    if (v.startsWith('-') || v.includes('=')) continue;
    out.push(v);
  }
  return out;
}

function firstNonFlag(words: ShellWord[]): ShellWord | undefined {
  return words.find((w) => !w.value.startsWith('-'));
}

/** `make -C bpf`, `make libbpf.a`, `make CC=gcc`: a make that builds C (BPF programs, libraries), not Go. */
export function makeBuildsC(cmd: ShellCommand): boolean {
  const name = baseName(cmd.name);
  if (name !== 'make' && name !== 'gmake') return false;
  const values = cmd.args.map((a) => a.value);
  const dirs = values.flatMap((v, i) => (v === '-C' ? [values[i + 1] ?? ''] : v.startsWith('-C') && v.length > 2 ? [v.slice(2)] : []));
  const C_DIR = /(^|[\/_-])(bpf|bpf-gpl|bpf-apache|libbpf|csrc|native|kernel|c)([\/_-]|$)/i;
  const C_TARGET = /(^|[\/_-])(bpf|libbpf)([\/_.-]|$)|\.(o|a|so)$/i;
  // `make CC=gcc CFLAGS=...`: the compiler a make is handed is a C compiler.
  if (values.some((v) => /^(CC|CFLAGS)=/.test(v))) return true;
  return dirs.some((d) => C_DIR.test(d)) || makeTargets(cmd).some((t) => C_TARGET.test(t));
}

/** C toolchains and build systems that cannot be cross-compiled by xx-go (P10). */
export function isCBuild(cmd: ShellCommand): boolean {
  const name = baseName(cmd.name);
  if (makeBuildsC(cmd)) return true;
  if (['gcc', 'cc', 'g++', 'c++', 'clang', 'cmake', 'meson', 'ninja', 'autoreconf', 'autogen.sh', 'configure', 'bazel', 'cargo', 'rustc', 'scons'].includes(name)) return true;
  return false;
}

export interface PackageInstall {
  manager: 'apk' | 'apt-get' | 'xx-apk' | 'xx-apt-get';
  command: ShellCommand;
  /** The package words, in order. */
  packages: ShellWord[];
}

const APK_VALUE_OPTS = new Set(['-X', '--repository', '-t', '--virtual', '-p', '--root', '--arch', '--cache-dir', '--keys-dir', '--repositories-file']);
const APT_VALUE_OPTS = new Set(['-o', '--option', '-t', '--target-release', '-c', '--config-file']);

/** `apk add ...`, `apt-get install ...` and their xx- counterparts. */
export function packageInstall(cmd: ShellCommand): PackageInstall | undefined {
  const name = baseName(cmd.name);
  let manager: PackageInstall['manager'];
  let verb: string;
  let valueOpts: Set<string>;
  if (name === 'apk' || name === 'xx-apk') {
    manager = name;
    verb = 'add';
    valueOpts = APK_VALUE_OPTS;
  } else if (name === 'apt-get' || name === 'apt' || name === 'xx-apt-get' || name === 'xx-apt') {
    manager = name.startsWith('xx-') ? 'xx-apt-get' : 'apt-get';
    verb = 'install';
    valueOpts = APT_VALUE_OPTS;
  } else {
    return undefined;
  }
  const verbIndex = cmd.args.findIndex((a) => a.value === verb);
  if (verbIndex < 0) return undefined;
  for (let i = 0; i < verbIndex; i++) {
    const v = cmd.args[i]!.value;
    if (!v.startsWith('-')) return undefined;
    if (valueOpts.has(v)) i++;
  }
  const packages: ShellWord[] = [];
  let virtualPending = false;
  for (let i = verbIndex + 1; i < cmd.args.length; i++) {
    const w = cmd.args[i]!;
    if (w.value.startsWith('-')) {
      if (valueOpts.has(w.value)) {
        if (w.value === '-t' || w.value === '--virtual') virtualPending = true;
        i++;
      }
      continue;
    }
    if (virtualPending) virtualPending = false;
    packages.push(w);
  }
  return { manager, command: cmd, packages };
}

/**
 * `set -x`, `set -eux`, `set -o pipefail`: shell options, which the Rancher files put in front of
 * their installs and fetches (`RUN set -x && apk add ...`). They install and fetch nothing.
 */
export function isShellOption(cmd: ShellCommand): boolean {
  if (cmd.name !== 'set' || cmd.args.length === 0) return false;
  for (let i = 0; i < cmd.args.length; i++) {
    const v = cmd.args[i]!.value;
    if (v === '-o' || v === '+o') i++;
    else if (!/^[-+][A-Za-z]+$/.test(v)) return false;
  }
  return true;
}

/** Package name without version constraints (`go=1.22-r0` → `go`). */
export function packageName(word: string): string {
  return word.replace(/[=~<>].*$/, '');
}

/** Target-side libraries: they must match the target arch, so xx-apk/xx-apt-get installs them. */
export function isTargetLibrary(pkg: string, manager: 'apk' | 'apt-get'): boolean {
  const n = packageName(pkg);
  // Kernel headers are per architecture too (asm/): cgo compiles against the target's.
  if (manager === 'apk') return n === 'gcc' || n === 'musl-dev' || n === 'g++' || n === 'linux-headers' || /-(dev|static)$/.test(n);
  return n === 'gcc' || n === 'g++' || n === 'linux-libc-dev' || /^libc6?-dev$/.test(n) || /-(dev|static)$/.test(n) || /^lib.*-dev(:.*)?$/.test(n);
}

export interface InstallStrip {
  command: ShellCommand;
  /** The `-s` (or `--strip`) flag word, and where the `s` sits inside a combined flag. */
  flag: ShellWord;
  /** Source files and destination (last argument, or `-t DIR`). */
  sources: string[];
  destination: string;
  /** `-t DIR`/`--target-directory`: the destination is a directory. */
  destIsDir: boolean;
}

/** `install -s ...` / `install --strip ...`: host strip of the installed files. */
export function installStrip(cmd: ShellCommand): InstallStrip | undefined {
  const i = installCommand(cmd);
  return i?.flag ? (i as InstallStrip) : undefined;
}

/** Any `install SRC... DEST` (with or without -s). */
export function installCommand(cmd: ShellCommand): (Omit<InstallStrip, 'flag'> & { flag?: ShellWord }) | undefined {
  if (baseName(cmd.name) !== 'install') return undefined;
  let flag: ShellWord | undefined;
  const operands: string[] = [];
  let targetDir: string | undefined;
  for (let i = 0; i < cmd.args.length; i++) {
    const w = cmd.args[i]!;
    const v = w.value;
    if (v === '--strip') flag = w;
    else if (v.startsWith('--target-directory=')) targetDir = v.slice(19);
    else if (v.startsWith('--')) continue;
    else if (v.startsWith('-') && v.length > 1) {
      // Combined short flags: -Dsm755 → D, s, m(755). m/o/g/S/t take a value.
      for (let k = 1; k < v.length; k++) {
        const c = v[k]!;
        if (c === 's') flag = w;
        if ('mogSt'.includes(c)) {
          const rest = v.slice(k + 1);
          const value = rest || cmd.args[++i]?.value || '';
          if (c === 't') targetDir = value;
          break;
        }
      }
    } else operands.push(v);
  }
  if (cmd.args.some((a) => a.value === '-d' || a.value === '--directory')) return undefined;
  if (targetDir !== undefined) return { command: cmd, flag, sources: operands, destination: targetDir, destIsDir: true };
  const destination = operands.pop() ?? '';
  // A glob, several sources or a bin folder: the destination is a directory.
  const destIsDir = operands.length > 1 || destination.endsWith('/') || operands.some((o) => /[*?[]/.test(o)) || /(^|\/)(s?bin|lib|libexec)$/.test(destination);
  return { command: cmd, flag, sources: operands, destination, destIsDir };
}

/**
 * `strip` reached through `find ... -exec strip {} +` or `... | xargs strip`: the files are only
 * known at run time. Returns the folder `find` searches (or '' for xargs).
 */
export function indirectStrip(cmd: ShellCommand): { root: string } | undefined {
  const name = baseName(cmd.name);
  const values = cmd.args.map((a) => a.value);
  if (name === 'find') {
    const i = values.findIndex((v) => v === '-exec' || v === '-execdir');
    if (i >= 0 && /^(.*\/)?strip$/.test(values[i + 1] ?? '')) return { root: values.find((v) => !v.startsWith('-')) ?? '.' };
  }
  if (name === 'xargs') {
    const prog = values.find((v) => !v.startsWith('-'));
    if (prog && /^(.*\/)?strip$/.test(prog)) return { root: '' };
  }
  return undefined;
}

/** `strip FILE...`: the files (flags skipped). */
export function stripTargets(cmd: ShellCommand): string[] | undefined {
  const name = baseName(cmd.name);
  if (name !== 'strip' && !/^[a-z0-9_]+-linux-(gnu|musl)[a-z]*-strip$/.test(name)) return undefined;
  const out: string[] = [];
  for (let i = 0; i < cmd.args.length; i++) {
    const v = cmd.args[i]!.value;
    if (v === '-o' || v === '-R' || v === '-K' || v === '-N') {
      i++;
      continue;
    }
    if (!v.startsWith('-')) out.push(v);
  }
  return out;
}

const GO_VALUE_FLAGS = new Set(['-o', '-ldflags', '-gcflags', '-asmflags', '-gccgoflags', '-tags', '-mod', '-p', '-buildmode', '-compiler', '-installsuffix', '-pkgdir', '-toolexec', '-overlay', '-pgo', '-C', '-modfile', '-covermode', '-coverpkg', '-buildvcs']);

/** `-o` and the package arguments of a `go build` (or go-build-static.sh) command. */
export function goBuildArgs(cmd: ShellCommand): { output?: string; packages: string[] } {
  let output: string | undefined;
  const packages: string[] = [];
  const args = cmd.name === 'go' ? cmd.args.slice(cmd.args.findIndex((a) => a.value === 'build' || a.value === 'test') + 1) : cmd.args;
  for (let i = 0; i < args.length; i++) {
    const v = args[i]!.value;
    const flag = v.replace(/^--/, '-');
    if (flag === '-o') output = args[++i]?.value;
    else if (flag.startsWith('-o=')) output = flag.slice(3);
    else if (GO_VALUE_FLAGS.has(flag)) i++;
    else if (!v.startsWith('-')) packages.push(v);
  }
  return { output, packages };
}

/**
 * Binary paths a compile command writes, from `-o`: a file, or with `-o DIR/` (or several main
 * packages) one file per package named after its last path element, as `go build` does.
 */
export function compileOutputs(cmd: ShellCommand): string[] {
  if (cmd.inner) return cmd.inner.flatMap((c) => (compileKind(c, true) ? compileOutputs(c) : []));
  const { output, packages } = goBuildArgs(cmd);
  if (!output) return [];
  // `-o .`, `-o bin/`, several packages or `./...`: the output is a folder, one binary per main package.
  const isDir = output.endsWith('/') || output === '.' || output === '..' || packages.length > 1 || packages.some((p) => p.includes('...'));
  if (!isDir) return [output];
  const dir = output === '/' ? '' : output.replace(/\/+$/, '');
  const names = packages.map((p) => p.replace(/\/+$/, '').split('/').at(-1) ?? '');
  if (names.length === 0 || names.some((n) => !n || n === '.' || n === '...' || n.includes('$'))) return [`${dir}/`];
  return names.map((n) => `${dir}/${n}`);
}

/** Does the compile ask for a static binary (or link externally, which go-build-static does)? */
export function compileIsStatic(cmd: ShellCommand): boolean {
  const name = baseName(cmd.name);
  if (GO_BUILD_SCRIPTS.has(name) && name.includes('static')) return true;
  const text = [...cmd.assigns.map((a) => `${a.name}=${a.value}`), ...cmd.args.map((a) => a.value)].join(' ');
  if (/-extldflags[\s=\\"']*-static/.test(text) || /\bnetgo\b/.test(text) || /CGO_ENABLED=0/.test(text)) return true;
  if (name === 'make' && makeTargets(cmd).some((t) => /static/.test(t))) return true;
  return false;
}
