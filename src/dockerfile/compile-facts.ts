/**
 * What each compile of a Dockerfile does, computed once per analysis and read by the recipes (to
 * change the file) and by the review rules (to judge it): how it targets the platform (wrap,
 * GOARCH from the target, `xx-go`), and the CGO_ENABLED it runs with — from the command, the
 * script, ENV/ARG, and the build files (a `--build-arg CGO_ENABLED=0` for an `ARG CGO_ENABLED`,
 * the Makefile's own `CGO_ENABLED` for a `make` build that runs it).
 */
import { baseName } from './shell.ts';
import { compileTarget, type Analysis, type CompileSite, type CompileTarget } from './analysis.ts';
import { settingFor, type EnvSetting } from './env.ts';
import type { Stage } from './model.ts';

export interface CgoSetting {
  /** Cgo is on for this compile (an unknown value counts as off). */
  on: boolean;
  /** Something sets it: the Dockerfile, the build files, or the build script itself. */
  explicit: boolean;
  /** The value, when known (`ARG CGO_ENABLED` that nothing passes a value to: unknown). */
  value?: string;
  /** Where the Dockerfile sets (or declares) it. */
  setting?: EnvSetting;
  /** Set outside the Dockerfile: a build-arg of the build files, the Makefile a `make` build runs, or the script's own default. */
  from?: 'build-arg' | 'makefile' | 'script';
}

export interface CompileFact extends CompileSite, CompileTarget {
  stage: Stage;
  cgo: CgoSetting;
}

/** Build scripts that set CGO_ENABLED=1 themselves unless told otherwise (rancher's go-build-static.sh). */
const CGO_DEFAULT_ON = new Set(['go-build-static.sh', 'go-build-static']);

const isOn = (v: string | undefined) => v !== undefined && v.trim() !== '0' && v.trim() !== '';

/** CGO_ENABLED as one compile sees it. */
export function cgoOf(stage: Stage, site: CompileSite, a: Analysis): CgoSetting {
  const setting = settingFor(stage, site.instruction, site.command, 'CGO_ENABLED');
  const makefile = a.makeVars.CGO_ENABLED;
  const viaMake = site.kind === 'make' && makefile !== undefined;
  // `CGO_ENABLED = 0` in the Makefile wins over the environment; `CGO_ENABLED ?= 0` only fills a gap.
  if (viaMake && !makefile.ifUnset) return { on: isOn(makefile.value), explicit: true, value: makefile.value, from: 'makefile' };
  if (setting && !(setting.kind === 'arg' && setting.value === undefined)) return { on: isOn(setting.value), explicit: true, value: setting.value, setting };
  if (setting) {
    // `ARG CGO_ENABLED` without a default: what the build files pass, else set from outside (unknown).
    const passed = a.buildArgs.CGO_ENABLED;
    if (passed !== undefined) return { on: isOn(passed), explicit: true, value: passed, setting: { ...setting, value: passed }, from: 'build-arg' };
    return { on: false, explicit: true, setting };
  }
  if (CGO_DEFAULT_ON.has(baseName(site.command.name))) return { on: true, explicit: true, value: '1', from: 'script' };
  if (viaMake) return { on: isOn(makefile.value), explicit: true, value: makefile.value, from: 'makefile' };
  return { on: false, explicit: false };
}

const cache = new WeakMap<Analysis, { all: CompileFact[]; byStage: Map<Stage, CompileFact[]> }>();

function computed(a: Analysis) {
  let c = cache.get(a);
  if (c) return c;
  const all: CompileFact[] = [];
  const byStage = new Map<Stage, CompileFact[]>();
  for (const stage of a.model.stages) {
    const own: CompileFact[] = [];
    for (const site of a.facts.get(stage)!.compiles) own.push({ ...site, ...compileTarget(stage, site, a.facts), stage, cgo: cgoOf(stage, site, a) });
    byStage.set(stage, own);
    all.push(...own);
  }
  c = { all, byStage };
  cache.set(a, c);
  return c;
}

/** Every compile of the file, in stage order, with how it targets the platform and its cgo setting. */
export function compileFacts(a: Analysis): CompileFact[] {
  return computed(a).all;
}

/** The compiles of one stage. */
export function stageCompiles(a: Analysis, stage: Stage): CompileFact[] {
  return computed(a).byStage.get(stage) ?? [];
}
