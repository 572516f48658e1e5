/**
 * Which workflow jobs build the image, for which platforms, on which runners: whether any build
 * runs a foreign platform under QEMU. Some repositories build each platform on a runner of its
 * own architecture (`runs-on: ubuntu-24.04-arm` with `platforms: linux/arm64`): nothing there is
 * emulated, cross-compiling gains nothing and undoes the owners' choice.
 *
 * Read as data, never run: `runs-on` (a label, a list, `{ labels }`, or `${{ matrix.X }}` over the
 * job's matrix), the platforms of `docker/build-push-action` (`with.platforms`), of `docker build`
 * / `docker buildx build --platform` in `run:`, and of `make` targets through the Makefile's own
 * `--platform` (its variables, what the step's command line sets); no platform named is the
 * runner's own (docker builds for the machine it runs on).
 */
import { parse } from 'yaml';
import { makeVariables, type BuildFile, type MakeVar } from './build-files.ts';

export type Arch = 'amd64' | 'arm64';

export interface ImageBuild {
  /** The workflow and the job (with its matrix entry, when it has one). */
  file: string;
  line: number;
  job: string;
  runner: string;
  /** The runner's architecture; undefined when the labels do not say (a self-hosted pool, an expression). */
  runnerArch?: Arch;
  /** Architectures built (`linux/arm64` -> arm64); undefined entries: a platform the files do not spell out. */
  platforms: (string | undefined)[];
}

export interface Emulation {
  builds: ImageBuild[];
  /** Builds that run some platform under QEMU (or may: runner or platform unknown). */
  emulating: ImageBuild[];
  /**
   * Every build is native and the arm64 image is among them, built on an arm64 runner: the
   * repository builds per platform on native runners. Workflows that build only amd64 on amd64
   * say nothing of where the arm64 image is built (a release elsewhere may emulate it).
   */
  allNative: boolean;
}

/** The image builds of the checkout's workflows and which of them emulate. */
export function emulationOf(files: BuildFile[]): Emulation {
  const vars = makeVariables(files);
  const makefile = files.find((f) => f.kind === 'makefile');
  const builds = files.filter((f) => f.kind === 'workflow').flatMap((f) => buildsOf(f, makefile, vars));
  const emulating = builds.filter(emulates);
  return { builds, emulating, allNative: emulating.length === 0 && builds.some((b) => b.runnerArch === 'arm64' && b.platforms.includes('arm64')) };
}

export function emulates(b: ImageBuild): boolean {
  return b.runnerArch === undefined || b.platforms.some((p) => p === undefined || p !== b.runnerArch);
}

/** `linux/arm64` of a build, said the way a maintainer reads it. */
export function describeBuild(b: ImageBuild): string {
  const platforms = b.platforms.map((p) => (p ? `linux/${p}` : 'a platform the files do not name'));
  return `${b.file}:${b.line} job ${b.job} builds ${platforms.join(',')} on ${b.runner}${b.runnerArch ? ` (${b.runnerArch})` : ' (architecture unknown)'}`;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function buildsOf(file: BuildFile, makefile: BuildFile | undefined, vars: Record<string, MakeVar>): ImageBuild[] {
  let doc: unknown;
  try {
    doc = parse(file.text);
  } catch {
    return [];
  }
  const jobs = isObject(doc) && isObject(doc.jobs) ? doc.jobs : {};
  const lines = file.text.split(/\r?\n/);
  const out: ImageBuild[] = [];
  for (const [id, job] of Object.entries(jobs)) {
    if (!isObject(job)) continue;
    const steps = Array.isArray(job.steps) ? job.steps.filter(isObject) : [];
    const line = Math.max(1, lines.findIndex((l) => new RegExp(`^\\s+${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\s*$`).test(l)) + 1);
    for (const entry of matrixEntries(job)) {
      const sub = (v: unknown) => substitute(v, entry);
      const platforms: (string | undefined)[] = [];
      let builds = false;
      for (const step of steps) {
        const uses = typeof step.uses === 'string' ? step.uses : '';
        const run = typeof step.run === 'string' ? sub(step.run) : '';
        if (/^docker\/build-push-action@/.test(uses)) {
          builds = true;
          const given = isObject(step.with) ? step.with.platforms : undefined;
          platforms.push(...(given === undefined ? ['(host)'] : platformList(sub(given))));
        } else if (/\bdocker\s+(buildx\s+)?build\b/.test(run)) {
          builds = true;
          platforms.push(...platformFlag(run));
        } else if (/(^|[\s;&|(])make\b/.test(run) && makefile && /\bdocker\s+(buildx\s+)?build\b/.test(makefile.text)) {
          builds = true;
          platforms.push(...makePlatforms(run, makefile, vars));
        }
      }
      if (!builds) continue;
      const runner = runnerOf(sub(job['runs-on']));
      const runnerArch = archOfRunner(runner);
      const archs = [...new Set(platforms.map((p) => (p === '(host)' ? runnerArch ?? undefined : p === undefined ? undefined : archOf(p))))];
      out.push({ file: file.path, line, job: Object.keys(entry).length ? `${id} (${Object.entries(entry).map(([k, v]) => `${k}: ${String(v)}`).join(', ')})` : id, runner, ...(runnerArch ? { runnerArch } : {}), platforms: archs });
    }
  }
  return out;
}

/** The job's matrix combinations (its `include` entries, or the product of its lists); one empty entry without a matrix. */
function matrixEntries(job: Json): Json[] {
  const strategy = isObject(job.strategy) ? job.strategy : undefined;
  const matrix = strategy && isObject(strategy.matrix) ? strategy.matrix : undefined;
  if (!matrix) return [{}];
  const lists = Object.entries(matrix).filter(([k, v]) => k !== 'include' && k !== 'exclude' && Array.isArray(v)) as [string, unknown[]][];
  let combos: Json[] = [{}];
  for (const [k, values] of lists) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  const include = Array.isArray(matrix.include) ? matrix.include.filter(isObject) : [];
  // GitHub's include: an entry adds its keys to every combination whose matrix values it agrees
  // with, or is a combination of its own when it agrees with none.
  if (!lists.length) combos = [];
  for (const inc of include) {
    const agree = combos.filter((c) => lists.every(([k]) => !(k in inc) || c[k] === inc[k]));
    if (lists.length && agree.length) for (const c of agree) Object.assign(c, Object.fromEntries(Object.entries(inc).filter(([k]) => !lists.some(([l]) => l === k))));
    else combos.push({ ...inc });
  }
  if (!combos.length) combos = [{}];
  return combos.slice(0, 64);
}

/** `${{ matrix.K }}` replaced by the entry's value; other expressions stay as they are. */
function substitute(v: unknown, entry: Json): string {
  const text = Array.isArray(v) ? v.map(String).join(',') : isObject(v) ? JSON.stringify(v) : v === undefined || v === null ? '' : String(v);
  return text.replace(/\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}/g, (whole, k: string) => (k in entry ? String(entry[k]) : whole));
}

function runnerOf(runsOn: string): string {
  // `{ labels: [...] }` arrives as JSON, a list as a comma list.
  try {
    const o = JSON.parse(runsOn) as unknown;
    if (isObject(o) && Array.isArray(o.labels)) return o.labels.map(String).join(',');
    if (isObject(o) && typeof o.labels === 'string') return o.labels;
  } catch {
    // a label or a comma list
  }
  return runsOn.trim() || '(no runs-on)';
}

/** GitHub's hosted labels and the usual self-hosted ones; undefined when nothing says. */
export function archOfRunner(runner: string): Arch | undefined {
  const labels = runner.split(',').map((l) => l.trim().toLowerCase());
  if (labels.some((l) => l.includes('${{'))) return undefined;
  if (labels.some((l) => /(^|[-_])(arm64|aarch64|arm)($|[-_])/.test(l))) return 'arm64';
  if (labels.some((l) => /(^|[-_])(x64|amd64|x86_64)($|[-_])/.test(l) || /^(ubuntu|windows)-/.test(l))) return 'amd64';
  return undefined;
}

function archOf(platform: string): string | undefined {
  const m = /^\s*(?:linux\/)?([a-z0-9]+)/i.exec(platform);
  if (!m || platform.includes('$')) return undefined;
  return m[1]!.toLowerCase() === 'aarch64' ? 'arm64' : m[1]!.toLowerCase() === 'x86_64' ? 'amd64' : m[1]!.toLowerCase();
}

function platformList(text: string): (string | undefined)[] {
  return text.split(/[\s,]+/).filter(Boolean).map((p) => (p.includes('$') ? undefined : p));
}

/** `--platform X` / `--platform=X` of a docker command line; none: the host's. */
function platformFlag(run: string): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (const m of run.matchAll(/--platform(?:=|\s+)["']?([^\s"']+)/g)) out.push(...platformList(m[1]!));
  return out.length ? out : ['(host)'];
}

/**
 * The platforms `make` builds: the Makefile's `--platform` value, its variables resolved from
 * the command line (`make TARGET_PLATFORMS=linux/arm64`) and then the Makefile; a value that
 * comes from the machine (`$(shell uname -m)`, `go env GOARCH`) is the host's.
 */
function makePlatforms(run: string, makefile: BuildFile, vars: Record<string, MakeVar>): (string | undefined)[] {
  const flags = [...makefile.text.matchAll(/--platform(?:=|[ \t]+)["']?([^\s"'\\]+)/g)].map((m) => m[1]!);
  if (!flags.length) return ['(host)'];
  const cli = Object.fromEntries([...run.matchAll(/\b([A-Z_][A-Z0-9_]*)=("[^"]*"|'[^']*'|\S+)/g)].map((m) => [m[1]!, m[2]!.replace(/^["']|["']$/g, '')]));
  const resolve = (text: string, depth = 0): string => text.replace(/\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]/g, (whole, name: string) => {
    if (depth > 5) return whole;
    const v = cli[name] ?? vars[name]?.value;
    if (v === undefined) return whole;
    if (/\$\(shell\b/.test(v)) return '(host)';
    return resolve(v, depth + 1);
  });
  return flags.flatMap((f) => {
    const v = resolve(f);
    if (v.includes('(host)')) return ['(host)'];
    return platformList(v);
  });
}
