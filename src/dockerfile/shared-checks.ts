/**
 * Checks that a review rule reports and a recipe fixes: one implementation each, so the rule and
 * the recipe cannot disagree about a file (they once did, on `From ... as`).
 */
import { AUTOMATIC_PLATFORM_ARGS, argInScope, type ArgDecl, type DockerfileModel, type Instruction, type Stage } from './model.ts';
import { baseName, type ShellCommand, type ShellWord } from './shell.ts';

/** Instructions where the Dockerfile itself substitutes `$VAR` (CMD/ENTRYPOINT leave it to run time). */
export const SUBSTITUTING = new Set(['ADD', 'COPY', 'ENV', 'EXPOSE', 'FROM', 'LABEL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR', 'ONBUILD', 'ARG']);

export { AUTOMATIC_PLATFORM_ARGS } from './model.ts';

/**
 * BuildKit's FromAsCasing: the `AS` keyword in the casing of `FROM`. A `FROM` in mixed case
 * (`From`) has no casing to follow, and BuildKit does not judge it either.
 */
export function asCasingFix(stage: Stage): { as: NonNullable<Stage['asKeyword']>; want: 'AS' | 'as' } | undefined {
  const as = stage.asKeyword;
  if (!as) return undefined;
  const from = stage.from.keywordRaw;
  const upper = from === from.toUpperCase();
  const lower = from === from.toLowerCase();
  if (!upper && !lower) return undefined;
  const want = upper ? 'AS' : 'as';
  return as.text === want ? undefined : { as, want };
}

export interface PlatformArgDefault {
  decl: ArgDecl;
  /** Offsets of `=value` in the ARG instruction: what to delete. */
  start: number;
  end: number;
}

/**
 * `ARG TARGETARCH=amd64` (a default on any automatic platform ARG): BuildKit then takes the
 * default as a value the user set, and every platform builds with it (docker/buildx#510).
 */
export function platformArgDefaults(model: DockerfileModel): PlatformArgDefault[] {
  const decls = [...model.globalArgs, ...model.stages.flatMap((s) => s.args)];
  return decls.filter((d) => d.defaultValue !== undefined && AUTOMATIC_PLATFORM_ARGS.has(d.name)).map((decl) => ({ decl, start: decl.start + decl.name.length, end: decl.end }));
}

export interface ArchDecl {
  decl: ArgDecl;
  /** The stage that declares it; undefined for a global ARG. */
  stage?: Stage;
  /** The only name its ARG instruction declares: the whole line can go. */
  sole: boolean;
  /**
   * For a global ARG ARCH with a default: the build-platform stages it reaches (through their own
   * `ARG ARCH` or their FROM line), where it is that one value for every target platform.
   */
  leaksInto: Stage[];
}

/** Does the stage read ARCH (a shell reference, or a substitution by the Dockerfile)? */
export function usesArch(stage: Stage): boolean {
  return stage.instructions.some((i) => (i.shell ? i.shell.varRefs.some((r) => r.name === 'ARCH') : i.keyword !== 'ARG' && SUBSTITUTING.has(i.keyword) && i.vars.some((v) => v.name === 'ARCH')));
}

/** A bare `ARG ARCH` is in scope at the end of the stage (its own or a parent's): ARCH is the global's value there. */
function takesGlobalArch(stage: Stage): boolean {
  const a = argInScope(stage, 'ARCH');
  return a !== undefined && a.decl.defaultValue === undefined;
}

/**
 * The `ARCH` build-arg's declarations: in one multi-platform build it is one value for every
 * platform. The arch-build-arg rule reports these, the arch-build-arg recipe removes them.
 */
export function archDeclarations(model: DockerfileModel): ArchDecl[] {
  const leaks = model.stages.filter((s) => s.platform === 'build' && (s.from.vars.some((v) => v.name === 'ARCH') || (usesArch(s) && takesGlobalArch(s))));
  const sole = (d: ArgDecl, list: ArgDecl[]) => list.filter((x) => x.instruction === d.instruction).length === 1;
  return [
    ...model.globalArgs.filter((a) => a.name === 'ARCH').map((decl) => ({ decl, sole: sole(decl, model.globalArgs), leaksInto: decl.defaultValue ? leaks : [] })),
    ...model.stages.flatMap((stage) => stage.args.filter((a) => a.name === 'ARCH').map((decl) => ({ decl, stage, sole: sole(decl, stage.args), leaksInto: [] }))),
  ];
}

/**
 * An `xx-verify --static` given several files, or a glob: xx up to v1.9.0 (the fleet mirrors
 * 1.6.1) exits 0 as soon as one file passes the static check, so every file after the first goes
 * unchecked. Without `--static` every file is checked. The xx-verify-static-several-files rule
 * reports these, the xx-verify recipe splits them into one call per file.
 */
export interface StaticVerifyBatch {
  stage: Stage;
  instruction: Instruction;
  command: ShellCommand;
  /** `--static` and any other flag, as written. */
  flags: ShellWord[];
  /** The files, in order; a glob stands for every file it matches. */
  files: ShellWord[];
}

/** An unquoted glob, as written: one word that the shell turns into every file it matches. */
export function isGlob(raw: string): boolean {
  return !/^["']/.test(raw) && /[*?[]/.test(raw);
}

/**
 * One `xx-verify` call per file, as shell text: a glob becomes a loop over what it matches. The
 * loop needs `|| exit 1`: RUN's `sh -c` has no `-e`, so a loop's status is its last call's, and a
 * bad file before the last would pass.
 */
export function verifyCalls(name: string, flags: readonly string[], files: readonly string[]): string[] {
  const call = (file: string) => [name, ...flags, file].join(' ');
  return files.map((f) => (isGlob(f) ? `for f in ${f}; do ${call('"$f"')} || exit 1; done` : call(f)));
}

export function staticVerifyBatches(model: DockerfileModel): StaticVerifyBatch[] {
  const out: StaticVerifyBatch[] = [];
  for (const stage of model.stages) {
    for (const instruction of stage.instructions) {
      for (const command of instruction.shell?.commands ?? []) {
        if (baseName(command.name) !== 'xx-verify') continue;
        const flags = command.args.filter((a) => a.value.startsWith('-'));
        const files = command.args.filter((a) => !a.value.startsWith('-'));
        if (!flags.some((f) => f.value === '--static')) continue;
        if (files.length > 1 || (files.length === 1 && isGlob(files[0]!.raw))) out.push({ stage, instruction, command, flags, files });
      }
    }
  }
  return out;
}
