/**
 * A repository folder as the review sees it: its Dockerfiles, and what its Makefile and
 * workflows tell the build (`--target` names are final stages; `--build-arg`s must still mean
 * something to the Dockerfile).
 */
import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { DockerfileModel } from '../dockerfile/model.ts';
import { buildFacts, readBuildFiles, scanBuildFile, type BuildFacts, type BuildHints } from '../dockerfile/build-files.ts';
import { DOCS } from './docs.ts';
import type { Finding, RuleMeta } from './types.ts';
import { CLEAN_CROSS_BUILD } from './examples.ts';

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

export type { Mention } from '../dockerfile/build-files.ts';
export type RepoHints = BuildHints;

/** `--target`s and `--build-arg`s named by the folder's Makefile and .github/workflows/*.yml. */
export async function readRepoHints(dir: string): Promise<RepoHints> {
  return (await readRepoBuild(dir)).hints;
}

/**
 * The folder's build files as the review reads them: the mentions (for the repository rules) and
 * the facts the analysis takes — final stages, build-arg values, the Makefile's variables — read
 * by the one module the migration reads them with, so `review` and `migrate` agree on a folder.
 */
export async function readRepoBuild(dir: string): Promise<{ hints: RepoHints; facts: BuildFacts }> {
  const hints: RepoHints = { targets: [], buildArgs: [] };
  const root = await realpath(dir).catch(() => dir);
  const files = await readBuildFiles(root);
  for (const file of files) {
    const h = scanBuildFile(file);
    hints.targets.push(...h.targets);
    hints.buildArgs.push(...h.buildArgs);
  }
  return { hints, facts: buildFacts(files) };
}

export const STALE_BUILD_ARG: RuleMeta = {
  id: 'stale-build-arg',
  severity: 'warning',
  title: 'A --build-arg the Dockerfiles no longer declare',
  docs: DOCS.buildArgs,
  examples: {
    dockerfile: CLEAN_CROSS_BUILD,
    fail: `IMAGE ?= rancher/hardened-widget
TAG ?= v1.2.3
ARCH ?= amd64

.PHONY: image-build
image-build:
\tdocker buildx build --platform=linux/$(ARCH) \\
\t\t--build-arg ARCH=$(ARCH) \\
\t\t--tag $(IMAGE):$(TAG)-$(ARCH) --load .
`,
    pass: `IMAGE ?= rancher/hardened-widget
TAG ?= v1.2.3
ARCH ?= amd64

.PHONY: image-build
image-build:
\tdocker buildx build --platform=linux/$(ARCH) \\
\t\t--tag $(IMAGE):$(TAG)-$(ARCH) --load .
`,
  },
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
