/**
 * A repository folder as the review sees it: its Dockerfiles, and what its Makefile and
 * workflows tell the build (`--target` names are final stages; `--build-arg`s must still mean
 * something to the Dockerfile).
 */
import { readdir, realpath } from 'node:fs/promises';
import { MAX_DOCKERFILE_BYTES } from '../dockerfile/source.ts';
import { readSafeTextIfAny } from '../files/safe-read.ts';
import { join } from 'node:path';
import type { DockerfileModel } from '../dockerfile/model.ts';
import { DOCS } from './docs.ts';
import type { Finding, RuleMeta } from './types.ts';

// Hidden folders (.git, a checked-out tool, caches) and vendored code are not the repository's images.
const SKIP_DIRS = new Set(['node_modules', 'vendor', 'testdata']);

export function isDockerfileName(name: string): boolean {
  return name === 'Dockerfile' || name.startsWith('Dockerfile.') || name.endsWith('.Dockerfile') || name.endsWith('.dockerfile');
}

/** Dockerfiles under `dir`, as paths relative to it, sorted. */
export async function findDockerfiles(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(join(dir, rel), { withFileTypes: true });
  for (const e of entries) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) out.push(...(await findDockerfiles(dir, path)));
    } else if ((e.isFile() || e.isSymbolicLink()) && isDockerfileName(e.name)) {
      out.push(path);
    }
  }
  return out.sort();
}

export interface Mention {
  name: string;
  /** Path relative to the repository folder, and 1-based line. */
  file: string;
  line: number;
  column: number;
}

export interface RepoHints {
  targets: Mention[];
  buildArgs: Mention[];
}

const TARGET_FLAG = /--target[= ]+["']?([A-Za-z0-9][A-Za-z0-9_.-]*)/g;
const TARGET_KEY = /^\s*-?\s*target:\s*["']?([A-Za-z0-9][A-Za-z0-9_.-]*)["']?\s*(#.*)?$/;
const BUILD_ARG_FLAG = /--build-arg[= ]+["']?([A-Za-z_][A-Za-z0-9_]*)/g;
const BUILD_ARGS_KEY = /^(\s*)-?\s*build-args:\s*(.*)$/;
const ASSIGNMENT = /^\s*-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)=/;

/** Scan Makefile / workflow text for `--target`, `target:`, `--build-arg` and `build-args:` entries. */
export function scanBuildHints(text: string, file: string, yaml: boolean): RepoHints {
  const hints: RepoHints = { targets: [], buildArgs: [] };
  const lines = text.split(/\r?\n/);
  let argsIndent = -1;
  lines.forEach((line, i) => {
    const at = (name: string, index: number) => ({ name, file, line: i + 1, column: index + 1 });
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
      else for (const part of inline.split(/[\s,]+/)) {
        const m = ASSIGNMENT.exec(part.replace(/^["'\[]/, ''));
        if (m) hints.buildArgs.push(at(m[1]!, line.indexOf(m[1]!)));
      }
    }
  });
  return hints;
}

// Only regular text files inside the folder: a FIFO named Makefile would block the read forever,
// a symlink to a credentials file must not be read.
const readIfExists = (dir: string, rel: string) => readSafeTextIfAny(dir, rel, { maxBytes: MAX_DOCKERFILE_BYTES }).catch(() => undefined);

/** `--target`s and `--build-arg`s named by the folder's Makefile and .github/workflows/*.yml. */
export async function readRepoHints(dir: string): Promise<RepoHints> {
  const hints: RepoHints = { targets: [], buildArgs: [] };
  const root = await realpath(dir).catch(() => dir);
  const add = (h: RepoHints) => {
    hints.targets.push(...h.targets);
    hints.buildArgs.push(...h.buildArgs);
  };
  for (const name of ['Makefile', 'makefile', 'GNUmakefile']) {
    const text = await readIfExists(root, name);
    if (text !== undefined) add(scanBuildHints(text, name, false));
  }
  let workflows: string[] = [];
  try {
    workflows = (await readdir(join(dir, '.github', 'workflows'))).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch {
    // no workflows folder
  }
  for (const w of workflows) {
    const rel = `.github/workflows/${w}`;
    const text = await readIfExists(root, rel);
    if (text !== undefined) add(scanBuildHints(text, rel, true));
  }
  return hints;
}

export const STALE_BUILD_ARG: RuleMeta = {
  id: 'stale-build-arg',
  severity: 'warning',
  title: 'A --build-arg the Dockerfiles no longer declare',
  docs: DOCS.buildArgs,
};

export const REPO_RULES: RuleMeta[] = [STALE_BUILD_ARG];

/** Build-args a build passes that no Dockerfile of the folder declares (ARCH after its removal, typically). */
export function reviewBuildArgs(models: DockerfileModel[], hints: RepoHints, base: (file: string) => string): Finding[] {
  if (models.length === 0) return [];
  const declared = new Set(models.flatMap((m) => [...m.globalArgs, ...m.stages.flatMap((s) => s.args)].map((a) => a.name)));
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const b of hints.buildArgs) {
    if (declared.has(b.name) || /^(BUILDKIT_|HTTPS?_PROXY|NO_PROXY|FTP_PROXY|ALL_PROXY)/i.test(b.name)) continue;
    const key = `${b.file}:${b.line}:${b.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      rule: STALE_BUILD_ARG.id,
      severity: STALE_BUILD_ARG.severity,
      message: `--build-arg ${b.name} is passed but no Dockerfile here declares ARG ${b.name}`,
      file: base(b.file),
      line: b.line,
      column: b.column,
      hint: b.name === 'ARCH' ? 'remove it: the Dockerfile uses TARGETARCH, which BuildKit sets per platform' : `remove it, or declare ARG ${b.name} where it is used`,
      docs: STALE_BUILD_ARG.docs,
    });
  }
  return out;
}
