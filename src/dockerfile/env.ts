/**
 * The environment a command sees, as far as the Dockerfile shows it: `ENV` and `ARG` (both
 * inherited through `FROM <stage>`, see argInScope), and assignments earlier in the same script.
 */
import type { Instruction, Stage } from './model.ts';
import { argInScope, lineage } from './model.ts';
import type { ShellCommand, ShellScript } from './shell.ts';

export type { EnvDecl } from './model.ts';

/** A value that names the target platform: `$TARGETARCH`, `${TARGETPLATFORM#linux/}`, `$(xx-info arch)`... */
export function followsTarget(value: string): boolean {
  return /\$\{?(TARGETARCH|TARGETOS|TARGETPLATFORM|TARGETVARIANT)\b|xx-info/.test(value);
}

/** A value that names the build machine's platform (`$BUILDARCH`, Go's host arch). */
export function followsBuildMachine(value: string): boolean {
  return /\$\{?(BUILDARCH|BUILDOS|BUILDPLATFORM|BUILDVARIANT)\b|\bGOHOST(ARCH|OS)\b/.test(value);
}

/** A value that follows some platform of the build rather than being one constant (the target's, the build machine's, or what the running machine reports). */
export function followsPlatform(value: string): boolean {
  return followsTarget(value) || followsBuildMachine(value) || /\bgo env\b|\buname\b|dpkg --print-architecture|apk --print-arch/.test(value);
}

function lastNamed<T extends { name: string }>(list: T[], name: string): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.name === name) return list[i];
  return undefined;
}

export interface EnvSetting {
  /** Undefined for an ARG without default: set from outside, value unknown. */
  value?: string;
  instruction: Instruction;
  kind: 'env' | 'arg' | 'script' | 'command';
  /** Offset of the assignment in the file. */
  offset: number;
}

/**
 * The last ENV/ARG that sets `name` for an instruction at `offset` of `stage`: the stage's ARGs
 * and ENVs before it, then those of its parent stages (`FROM <stage>` passes both down; an ARG
 * re-declared without a default keeps the parent's value, as argInScope says).
 */
export function envAt(stage: Stage, name: string, offset: number): EnvSetting | undefined {
  for (const s of lineage(stage)) {
    const own = s === stage;
    for (let i = s.instructions.length - 1; i >= 0; i--) {
      const instr = s.instructions[i]!;
      if (own && instr.start >= offset) continue;
      if (instr.env) {
        const pair = lastNamed(instr.env, name);
        if (pair) return { value: pair.value, instruction: instr, kind: 'env', offset: instr.start };
      } else if (instr.keyword === 'ARG' && s.args.some((a) => a.instruction === instr && a.name === name)) {
        return { value: argInScope(s, name, instr.end)?.value, instruction: instr, kind: 'arg', offset: instr.start };
      }
    }
  }
  return undefined;
}

/** The last assignment of `name` in the script before `before` (file offset): `X=1`, `export X=1`, a prefix `X=1 cmd`. */
export function scriptAssignBefore(script: ShellScript, name: string, before: number): { value: string; offset: number } | undefined {
  let last: { value: string; offset: number } | undefined;
  for (const a of script.assignments) if (a.name === name && a.end <= before) last = { value: a.value, offset: a.start };
  return last;
}

/**
 * What `name` is for `cmd` (in `instr` of `stage`): its own prefix assignment or `NAME=` make
 * argument, an earlier assignment in the script, then the Dockerfile environment.
 */
export function settingFor(stage: Stage, instr: Instruction, cmd: ShellCommand, name: string): EnvSetting | undefined {
  const own = cmd.assigns.find((a) => a.name === name);
  if (own) return { value: own.value, instruction: instr, kind: 'command', offset: own.start };
  // `sh -c 'CGO_ENABLED=0 go build'`: the setting is the inner command's, not a word of the string.
  const inner = (cmd.inner ?? []).flatMap((c) => c.assigns).find((a) => a.name === name);
  if (inner) return { value: inner.value, instruction: instr, kind: 'command', offset: cmd.start };
  // `make build GOARCH=arm64`: one word; a quoted script that merely starts with NAME= is not one.
  const arg = cmd.viaShellString ? undefined : cmd.args.find((a) => a.value.startsWith(`${name}=`) && !/\s/.test(a.value));
  if (arg) return { value: arg.value.slice(name.length + 1), instruction: instr, kind: 'command', offset: arg.start };
  if (instr.shell) {
    const s = scriptAssignBefore(instr.shell, name, cmd.start);
    if (s) return { value: s.value, instruction: instr, kind: 'script', offset: s.offset };
  }
  return envAt(stage, name, instr.start);
}
