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
  const decls = [...model.globalArgs, ...model.stages.flatMap((s) => s.args)];
  return decls.filter((d) => d.defaultValue !== undefined && AUTOMATIC_PLATFORM_ARGS.has(d.name)).map((decl) => ({ decl, start: decl.start + decl.name.length, end: decl.end }));
}
