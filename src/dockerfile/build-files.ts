/**
 * What a checkout's build files (Makefile, `.github/workflows/*.yml`) tell the build: the
 * `--target`s they build (final stages), the `--build-arg`s they pass, with file and line. One
 * reader for the migration, the review and the timing, so they cannot disagree about a file.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { readSafeTextIfAny } from '../files/safe-read.ts';
import { MAX_DOCKERFILE_BYTES } from './source.ts';
import { parseShell } from './shell.ts';

/** A checkout's Makefile or workflow. */
export interface BuildFile {
  /** Path relative to the checkout. */
  path: string;
  text: string;
  kind: 'makefile' | 'workflow';
}

export interface Mention {
  name: string;
  /** The value passed, for a build-arg given as NAME=value (as written, unexpanded). */
  value?: string;
  /** Path relative to the repository folder, and 1-based line and column. */
  file: string;
  line: number;
  column: number;
}

export interface BuildHints {
  targets: Mention[];
  buildArgs: Mention[];
}

const TARGET_FLAG = /--target(?:=|[ \t]+)["']?([A-Za-z0-9][A-Za-z0-9_.-]*)/g;
// `target: dev # the developer image` names the stage "dev": a trailing YAML comment is no part of it.
const TARGET_KEY = /^\s*-?\s*target:\s*["']?([A-Za-z0-9][A-Za-z0-9_.-]*)["']?\s*(#.*)?$/;
const BUILD_ARG_FLAG = /--build-arg(?:=|[ \t]+)["']?([A-Za-z_][A-Za-z0-9_]*)/g;
const BUILD_ARGS_KEY = /^(\s*)-?\s*build-args:\s*(.*)$/;
const ASSIGNMENT = /^\s*-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)=/;

/** `--target`, `target:`, `--build-arg` and `build-args:` entries of one Makefile or workflow. */
export function scanBuildFile(file: BuildFile): BuildHints {
  const hints: BuildHints = { targets: [], buildArgs: [] };
  const yaml = file.kind === 'workflow';
  const lines = file.text.split(/\r?\n/);
  let argsIndent = -1;
  lines.forEach((line, i) => {
    const at = (name: string, index: number): Mention => {
      const m = /^=["']?(\$\{\{[^}]*\}\}|[^\s"'\\]*)/.exec(line.slice(index + name.length));
      return { name, ...(m ? { value: m[1] } : {}), file: file.path, line: i + 1, column: index + 1 };
    };
    if (argsIndent >= 0) {
      const indent = /^\s*/.exec(line)![0].length;
      if (line.trim() === '' || indent > argsIndent) {
        const m = ASSIGNMENT.exec(line);
        if (m) hints.buildArgs.push(at(m[1]!, line.indexOf(m[1]!)));
        return;
      }
      argsIndent = -1;
    }
    for (const m of line.matchAll(TARGET_FLAG)) hints.targets.push(at(m[1]!, m.index! + m[0].length - m[1]!.length));
    for (const m of line.matchAll(BUILD_ARG_FLAG)) hints.buildArgs.push(at(m[1]!, m.index! + m[0].length - m[1]!.length));
    if (!yaml) return;
    const t = TARGET_KEY.exec(line);
    if (t) hints.targets.push(at(t[1]!, line.indexOf(t[1]!)));
    const b = BUILD_ARGS_KEY.exec(line);
    if (b) {
      const inline = b[2]!.trim();
      if (inline === '' || /^[|>]/.test(inline)) argsIndent = b[1]!.length;
      else
        for (const part of inline.split(/[\s,]+/)) {
          const m = ASSIGNMENT.exec(part.replace(/^["'[]/, ''));
          if (m) hints.buildArgs.push(at(m[1]!, line.indexOf(m[1]!)));
        }
    }
  });
  return hints;
}

/** The stage names the build files build with `--target` / `target:` (final stages). */
export function buildTargets(file: BuildFile): string[] {
  return [...new Set(scanBuildFile(file).targets.map((t) => t.name))];
}

/**
 * The checkout's build files: `Makefile` (any of make's three names) and
 * `.github/workflows/*.y(a)ml`. Only regular text files inside the folder are read (a FIFO named
 * Makefile would block forever, a symlink to a credentials file must not be read); others are
 * not build files.
 */
export async function readBuildFiles(root: string): Promise<BuildFile[]> {
  const opts = { maxBytes: MAX_DOCKERFILE_BYTES, folderWord: 'checkout' };
  return collectBuildFiles({
    read: (rel) => readSafeTextIfAny(root, rel, opts).catch(() => undefined),
    list: (dir) => readdir(path.join(root, dir)).catch(() => [] as string[]),
  });
}

/** Where build files are read from: a checkout on disk, or a commit on the platform (`review --pr`). */
export interface BuildFileSource {
  /** A file's text, undefined when there is none (or it cannot be read as text). */
  read(rel: string): Promise<string | undefined>;
  /** The names of the entries of a folder, [] when there is none. */
  list(dir: string): Promise<string[]>;
}

/** The build files a checkout's images are built with: the Makefile and the workflows. */
export async function collectBuildFiles(source: BuildFileSource): Promise<BuildFile[]> {
  const out: BuildFile[] = [];
  for (const name of ['Makefile', 'makefile', 'GNUmakefile']) {
    const text = await source.read(name);
    if (text !== undefined) out.push({ path: name, text, kind: 'makefile' });
  }
  const entries = await source.list('.github/workflows');
  for (const e of [...entries].sort()) {
    if (!/\.ya?ml$/.test(e)) continue;
    const rel = `.github/workflows/${e}`;
    const text = await source.read(rel);
    if (text !== undefined) out.push({ path: rel, text, kind: 'workflow' });
  }
  return out;
}

/** A variable the Makefile sets at its top level. */
export interface MakeVar {
  value: string;
  /** `NAME ?= value`: only when the environment does not set it. */
  ifUnset: boolean;
  /** `export NAME = value`: commands (docker build among them) see it in their environment. */
  exported: boolean;
  file: string;
  line: number;
}

const MAKE_ASSIGN = /^((?:(?:export|override)[ \t]+)*)([A-Za-z_][A-Za-z0-9_]*)[ \t]*(\?=|::?=|\+=|=)[ \t]*(.*?)[ \t]*(?:#.*)?$/;

/** Top-level variables of the Makefile(s), as make reads them: the last assignment wins, `?=` fills only a gap. */
export function makeVariables(files: BuildFile[]): Record<string, MakeVar> {
  const out: Record<string, MakeVar> = {};
  for (const f of files) {
    if (f.kind !== 'makefile') continue;
    f.text.split(/\r?\n/).forEach((line, i) => {
      // Recipe lines (a tab first) are shell, not make.
      if (line.startsWith('\t')) return;
      const m = MAKE_ASSIGN.exec(line);
      if (!m || m[3] === '+=') return;
      const name = m[2]!;
      const ifUnset = m[3] === '?=';
      if (ifUnset && out[name]) return;
      out[name] = { value: m[4]!, ifUnset, exported: /export/.test(m[1]!) || out[name]?.exported === true, file: f.path, line: i + 1 };
    });
  }
  return out;
}

/** `env:` of a workflow (the workflow's, each job's and each step's), as strings. */
export function workflowEnv(file: BuildFile): Record<string, string> {
  const out: Record<string, string> = {};
  if (file.kind !== 'workflow') return out;
  let doc: unknown;
  try {
    doc = parse(file.text);
  } catch {
    return out;
  }
  const add = (env: unknown) => {
    if (!env || typeof env !== 'object' || Array.isArray(env)) return;
    for (const [k, v] of Object.entries(env)) if (['string', 'number', 'boolean'].includes(typeof v)) out[k] = String(v);
  };
  const root = doc as { env?: unknown; jobs?: Record<string, { env?: unknown; steps?: { env?: unknown }[] }> } | null;
  add(root?.env);
  for (const job of Object.values(root?.jobs ?? {})) {
    add(job?.env);
    for (const step of Array.isArray(job?.steps) ? job.steps : []) add(step?.env);
  }
  return out;
}

/**
 * What a build-arg's value is, as far as the build file shows it: `$(NAME)`/`${NAME}` of the
 * Makefile's own variables, `${{ env.NAME }}` of the workflow's env; a bare `--build-arg NAME`
 * takes the value from the environment (an exported make variable, the workflow's env).
 * Undefined when it depends on something the files do not say.
 */
function resolveValue(b: Mention, file: BuildFile, vars: Record<string, MakeVar>, env: Record<string, string>): string | undefined {
  const lookup = (name: string) => (file.kind === 'makefile' ? vars[name]?.value : env[name]);
  if (b.value === undefined) return file.kind === 'makefile' ? (vars[b.name]?.exported ? vars[b.name]!.value : undefined) : env[b.name];
  let v = b.value;
  for (let i = 0; i < 5 && v.includes('$'); i++) {
    v = v.replace(/\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}|\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]/g, (whole, e?: string, m?: string) => lookup((e ?? m)!) ?? whole);
  }
  return v.includes('$') ? undefined : v;
}

/**
 * Build-args the build files pass with a known value (`--build-arg CGO_ENABLED=0`, or
 * `CGO_ENABLED=$(CGO)` with `CGO ?= 0`); a name passed with different values is left out.
 */
export function buildArgValues(files: BuildFile[]): Record<string, string> {
  const vars = makeVariables(files);
  const seen = new Map<string, Set<string>>();
  for (const f of files) {
    const env = workflowEnv(f);
    for (const b of scanBuildFile(f).buildArgs) {
      const value = resolveValue(b, f, vars, env);
      if (value !== undefined) seen.set(b.name, (seen.get(b.name) ?? new Set()).add(value));
    }
  }
  return Object.fromEntries([...seen].filter(([, v]) => v.size === 1).map(([k, v]) => [k, [...v][0]!]));
}

/** A line of the Makefile whose recipe runs `go install` with GOBIN set (which Go refuses for a cross-compiled binary). */
export interface MakeGobinInstall {
  file: string;
  line: number;
}

/** The checkout's Makefile, as far as a `make` in the Dockerfile that runs it needs to know. */
export interface MakefileFacts {
  path: string;
  /**
   * Per goal (`''`: the default goal), the first `go install` with GOBIN set that the goal
   * reaches through its prerequisites and the `$(MAKE) <goal>` calls of its recipes.
   */
  gobinInstalls: Record<string, MakeGobinInstall>;
}

interface MakeRule {
  prereqs: string[];
  /** Recipe lines (continuations joined), with the line they start on. */
  recipe: { text: string; line: number }[];
  /** `target: export GOBIN := ...`: target-specific variables its recipes see. */
  exports: Set<string>;
}

const RULE_LINE = /^([^\s:=#][^:=#]*?)[ \t]*::?(?!=)[ \t]*(.*)$/;

/** The rules of a Makefile: targets, prerequisites, recipe lines (a tab first), target-specific exports. */
function makeRules(text: string): { rules: Map<string, MakeRule>; defaultGoal?: string; exported: Set<string> } {
  const rules = new Map<string, MakeRule>();
  const exported = new Set<string>();
  let defaultGoal: string | undefined;
  let current: MakeRule[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const start = i + 1;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i]!.replace(/^\t/, '')}`;
    if (line.startsWith('\t')) {
      const cmd = line.slice(1).replace(/^[@+-]+/, '');
      for (const r of current) r.recipe.push({ text: cmd, line: start });
      continue;
    }
    const exp = /^export[ \t]+([A-Za-z_][A-Za-z0-9_ \t]*)$/.exec(line.trim());
    if (exp) for (const n of exp[1]!.split(/\s+/)) exported.add(n);
    const m = RULE_LINE.exec(line);
    if (!m || /^(export|override|define|ifn?eq|ifn?def|else|endif|include|-include)\b/.test(line)) {
      if (line.trim() !== '' && !line.trimStart().startsWith('#')) current = [];
      continue;
    }
    const targets = m[1]!.split(/\s+/).filter(Boolean);
    const rest = m[2]!.replace(/#.*$/, '');
    const specific = /^(?:(export|override)[ \t]+)*([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?:\?=|::?=|\+=|=)/.exec(rest);
    current = targets.map((t) => {
      const r = rules.get(t) ?? { prereqs: [], recipe: [], exports: new Set<string>() };
      rules.set(t, r);
      if (specific) {
        if (/export/.test(rest.slice(0, specific.index! + specific[0].length))) r.exports.add(specific[2]!);
      } else r.prereqs.push(...rest.replace('|', ' ').split(/\s+/).filter(Boolean));
      return r;
    });
    if (specific) current = [];
    if (!defaultGoal && !specific) defaultGoal = targets.find((t) => !t.startsWith('.') && !t.includes('%'));
  }
  return { rules, defaultGoal, exported };
}

/** A recipe line's `go install` run with GOBIN in its environment, read with the shell grammar. */
function gobinInstallIn(text: string, envGobin: boolean): boolean {
  const script = parseShell(text.replace(/\$\$/g, '$'), 0);
  for (const c of script.commands) {
    const go = c.name === 'go' || c.name === '$(GO)' || c.name === '${GO}';
    if (!go || c.args.find((a) => !a.value.startsWith('-'))?.value !== 'install') continue;
    if (envGobin || c.assigns.some((a) => a.name === 'GOBIN' && a.value !== '')) return true;
    if (script.assignments.some((a) => a.name === 'GOBIN' && a.end <= c.start && a.value !== '' && !c.assigns.includes(a))) return true;
  }
  return false;
}

/** The Makefile's goals that reach a `go install` with GOBIN set, and the line that runs it. */
export function makefileFacts(files: BuildFile[]): MakefileFacts | undefined {
  const f = files.find((x) => x.kind === 'makefile');
  if (!f) return undefined;
  const { rules, defaultGoal, exported } = makeRules(f.text);
  const vars = makeVariables([f]);
  const envGobin = exported.has('GOBIN') || vars.GOBIN?.exported === true;
  const reach = (goal: string, seen: Set<string>): MakeGobinInstall | undefined => {
    if (seen.has(goal)) return undefined;
    seen.add(goal);
    const r = rules.get(goal);
    if (!r) return undefined;
    for (const p of r.prereqs) {
      const hit = reach(p, seen);
      if (hit) return hit;
    }
    for (const l of r.recipe) {
      if (gobinInstallIn(l.text, envGobin || r.exports.has('GOBIN'))) return { file: f.path, line: l.line };
      for (const c of parseShell(l.text, 0).commands) {
        if (c.name !== '$(MAKE)' && c.name !== '${MAKE}' && c.name !== 'make') continue;
        for (const a of c.args) {
          if (a.value.startsWith('-') || a.value.includes('=')) continue;
          const hit = reach(a.value, seen);
          if (hit) return hit;
        }
      }
    }
    return undefined;
  };
  const gobinInstalls: Record<string, MakeGobinInstall> = {};
  for (const goal of rules.keys()) {
    const hit = reach(goal, new Set());
    if (hit) gobinInstalls[goal] = hit;
  }
  if (defaultGoal && gobinInstalls[defaultGoal]) gobinInstalls[''] = gobinInstalls[defaultGoal];
  return { path: f.path, gobinInstalls };
}

/** What the analysis needs from a checkout's build files: final stages, build-arg values, the Makefile's variables. */
export interface BuildFacts {
  targets: string[];
  buildArgs: Record<string, string>;
  makeVars: Record<string, MakeVar>;
  /** The checkout's Makefile (what a `make` that runs it in the build context does), if it has one. */
  makefile?: MakefileFacts;
}

export function buildFacts(files: BuildFile[]): BuildFacts {
  const makefile = makefileFacts(files);
  return { targets: [...new Set(files.flatMap(buildTargets))], buildArgs: buildArgValues(files), makeVars: makeVariables(files), ...(makefile ? { makefile } : {}) };
}
