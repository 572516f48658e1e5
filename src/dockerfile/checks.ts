/**
 * Checks that a review rule reports and a recipe fixes: one implementation each, so the rule and
 * the recipe cannot disagree about a file (they once did, on `From ... as`).
 */
import type { ArgDecl, DockerfileModel, Stage } from './model.ts';

/** The ARGs BuildKit sets itself, per platform of the build. */
export const AUTOMATIC_PLATFORM_ARGS = new Set(['TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT', 'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT']);

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
  const out: PlatformArgDefault[] = [];
  const text = model.source.text;
  const decls = [...model.globalArgs, ...model.stages.flatMap((s) => s.args)];
  for (const decl of decls) {
    if (decl.defaultValue === undefined || !AUTOMATIC_PLATFORM_ARGS.has(decl.name)) continue;
    const instr = decl.instruction;
    const re = new RegExp(`(^|\\s)${decl.name}(=("[^"]*"|'[^']*'|\\S*))`, 'g');
    const own = text.slice(instr.argsStart, instr.argsEnd);
    for (const m of own.matchAll(re)) {
      const start = instr.argsStart + m.index! + m[1]!.length + decl.name.length;
      out.push({ decl, start, end: start + m[2]!.length });
    }
  }
  return out;
}
