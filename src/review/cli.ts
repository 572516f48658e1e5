/**
 * `review PATH... --format text|json|sarif|github`: files or repository folders. Exit code 1
 * when any error-level finding, 0 otherwise, 2 on bad usage or an unreadable path.
 */
import { readFile, stat } from 'node:fs/promises';
import { MAX_DOCKERFILE_BYTES } from '../dockerfile/source.ts';
import { join } from 'node:path';
import { DockerfileError } from '../dockerfile/errors.ts';
import { parseDockerfile, type DockerfileModel } from '../dockerfile/model.ts';
import { ShellCache } from '../dockerfile/shell.ts';
import { FORMATS, formatFindings, type Format } from './format.ts';
import { findDockerfiles, readRepoHints, reviewBuildArgs } from './repo.ts';
import { hasErrors, parseFinding, reviewDockerfile, sortFindings } from './review.ts';
import type { Finding } from './types.ts';
import { inActions } from '../actions/actions.ts';
import { annotateFindings } from '../actions/findings.ts';

export const FAIL_ON = ['error', 'warning', 'never'] as const;

export interface ReviewArgs {
  paths: string[];
  format: Format;
  xxImage?: string;
  /** The least severe finding that makes the exit code 1 (default error). */
  failOn?: (typeof FAIL_ON)[number];
}

interface Job {
  /** Path as shown in findings. */
  display: string;
  text: string;
  targets: string[];
}

class UsageError extends Error {}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file or directory';
  if (e?.code === 'EACCES') return 'permission denied';
  return e?.message ?? String(err);
}

async function readText(path: string): Promise<string> {
  let st;
  try {
    st = await stat(path);
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${describe(err)}`);
  }
  // A FIFO or device would block the read forever; a huge file is not a Dockerfile.
  if (!st.isFile()) throw new UsageError(`cannot read ${path}: not a regular file`);
  if (st.size > MAX_DOCKERFILE_BYTES) throw new UsageError(`cannot read ${path}: ${(st.size / 1048576).toFixed(1)} MB is not a Dockerfile (limit ${MAX_DOCKERFILE_BYTES / 1048576} MB)`);
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${describe(err)}`);
  }
}

export async function runReview(argv: ReviewArgs, out: NodeJS.WritableStream): Promise<number> {
  if (argv.paths.length === 0) {
    out.write('error: review needs at least one Dockerfile or repository folder\n');
    return 2;
  }
  if (!FORMATS.includes(argv.format)) {
    out.write(`error: unknown format "${argv.format}": use ${FORMATS.join(', ')}\n`);
    return 2;
  }
  const jobs: Job[] = [];
  const repoFindings: Finding[] = [];
  const repos: { dir: string; hints: Awaited<ReturnType<typeof readRepoHints>>; files: Job[] }[] = [];
  try {
    for (const p of argv.paths) {
      let isDir: boolean;
      try {
        isDir = (await stat(p)).isDirectory();
      } catch (err) {
        throw new UsageError(`cannot read ${p}: ${describe(err)}`);
      }
      if (!isDir) {
        jobs.push({ display: p, text: await readText(p), targets: [] });
        continue;
      }
      let rels: string[];
      try {
        rels = await findDockerfiles(p);
      } catch (err) {
        throw new UsageError(`cannot read folder ${p}: ${describe(err)}`);
      }
      if (rels.length === 0) throw new UsageError(`no Dockerfile (Dockerfile, Dockerfile.*, *.Dockerfile) found in ${p}`);
      const hints = await readRepoHints(p);
      const targets = [...new Set(hints.targets.map((t) => t.name))];
      const files: Job[] = [];
      for (const rel of rels) {
        const display = join(p, rel);
        files.push({ display, text: await readText(display), targets });
      }
      jobs.push(...files);
      repos.push({ dir: p, hints, files });
    }
  } catch (err) {
    if (err instanceof UsageError) {
      out.write(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  const cache = new ShellCache();
  const findings: Finding[] = [];
  const models = new Map<Job, DockerfileModel>();
  for (const job of jobs) {
    try {
      const model = parseDockerfile(job.text, job.display, cache);
      models.set(job, model);
      findings.push(...reviewDockerfile(model, { xxImage: argv.xxImage, targets: job.targets }));
    } catch (err) {
      if (!(err instanceof DockerfileError)) throw err;
      findings.push(parseFinding(err));
    }
  }
  for (const repo of repos) {
    const parsed = repo.files.map((f) => models.get(f)).filter((m): m is DockerfileModel => !!m);
    repoFindings.push(...reviewBuildArgs(parsed, repo.hints, (file) => join(repo.dir, file)));
  }
  const all = sortFindings([...findings, ...repoFindings]);
  // Inside Actions the annotations go through @actions/core; elsewhere (and for a captured stream) the same commands as text.
  if (argv.format === 'github' && out === process.stdout && inActions()) await annotateFindings(all, jobs.length);
  else out.write(formatFindings(all, argv.format, jobs.length));
  const failOn = argv.failOn ?? 'error';
  return failOn === 'never' ? 0 : failOn === 'warning' ? (all.length ? 1 : 0) : hasErrors(all) ? 1 : 0;
}
