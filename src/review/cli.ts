/**
 * `review PATH... --format text|json|sarif|github`: files or repository folders. Exit code 1
 * when any error-level finding, 0 otherwise, 2 on bad usage or an unreadable path.
 */
import { stat } from 'node:fs/promises';
import { MAX_DOCKERFILE_BYTES } from '../dockerfile/source.ts';
import { basename, dirname, join, resolve } from 'node:path';
import { readSafeText, realFolder, UnsafeInputError } from '../files/safe-read.ts';
import { redact, registerEnvSecrets } from '../secrets/redact.ts';
import { DockerfileError } from '../dockerfile/errors.ts';
import { parseDockerfile, type DockerfileModel } from '../dockerfile/model.ts';
import { ShellCache } from '../dockerfile/shell.ts';
import { FORMATS, formatFindings, type Format } from './format.ts';
import { findDockerfiles, readRepoBuild, reviewBuildArgs, type RepoHints } from './checkout.ts';
import type { BuildFacts } from '../dockerfile/build-files.ts';
import { hasErrors, parseFinding, reviewModel, sortFindings } from './review.ts';
import type { Finding } from './types.ts';
import { inActions } from '../actions/actions.ts';
import { annotateFindings } from './annotations.ts';

export const FAIL_ON = ['error', 'warning', 'never'] as const;

export interface ReviewArgs {
  paths: string[];
  format: Format;
  xxImage?: string;
  /** The least severe finding that makes the exit code 1 (default error). */
  failOn?: (typeof FAIL_ON)[number];
  /**
   * The folder `paths` are relative to (default the working directory). Findings still name the
   * paths as given: the review action runs from its own folder and names the pull request's files
   * repository-relative.
   */
  root?: string;
}

interface Job {
  /** Path as shown in findings. */
  display: string;
  text: string;
  /** What the folder's build files tell the analysis (none for a file named alone). */
  build?: BuildFacts;
}

class UsageError extends Error {}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'no such file or directory';
  if (e?.code === 'EACCES') return 'permission denied';
  if (e?.code === 'ELOOP') return 'symlink loop';
  return e?.message ?? String(err);
}

const READ_OPTS = { maxBytes: MAX_DOCKERFILE_BYTES, what: 'Dockerfile', missingHint: 'check the path' };

/**
 * The same file safety as `migrate`: a file stays inside the folder it was named in (a folder
 * argument: inside that folder), regular files only, size and binary checks. Nothing of a refused
 * file's content is ever shown.
 */
async function readText(root: string, rel: string, display: string): Promise<string> {
  try {
    return await readSafeText(root, rel, READ_OPTS, display);
  } catch (err) {
    if (err instanceof UnsafeInputError) throw new UsageError(`cannot read ${display}: ${err.problem.replace(/^no such file$/, 'no such file or directory')}${err.line ? ` (line ${err.line})` : ''}`);
    throw err;
  }
}

/** The real folder `p`; refusals name `display` (the argument the user gave). */
async function folderOf(p: string, display = p): Promise<string> {
  try {
    return await realFolder(p);
  } catch (err) {
    if (err instanceof UnsafeInputError) throw new UsageError(`cannot read ${display}: ${err.problem.replace(/^no such folder$/, 'no such file or directory')}`);
    throw err;
  }
}

/** Findings on `out`, errors on `err`; everything that is printed goes through the redaction. */
export async function runReview(argv: ReviewArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  // Standalone entries (cli-main, the Action) too: no secret of the environment is ever echoed.
  registerEnvSecrets();
  if (argv.paths.length === 0) {
    err.write('error: review needs at least one Dockerfile or repository folder\n');
    return 2;
  }
  if (!FORMATS.includes(argv.format)) {
    err.write(`error: unknown format "${argv.format}": use ${FORMATS.join(', ')}\n`);
    return 2;
  }
  const jobs: Job[] = [];
  const repoFindings: Finding[] = [];
  const repos: { dir: string; hints: RepoHints; files: Job[] }[] = [];
  try {
    for (const p of argv.paths) {
      // `at` is read, `p` is shown.
      const at = argv.root === undefined ? p : resolve(argv.root, p);
      // A path that cannot be stat'ed is read as a file: the safe read says why (dangling link, loop, missing).
      const isDir = (await stat(at).catch(() => undefined))?.isDirectory() ?? false;
      if (!isDir) {
        jobs.push({ display: p, text: await readText(await folderOf(dirname(at), p), basename(at), p) });
        continue;
      }
      const root = await folderOf(at, p);
      let rels: string[];
      try {
        rels = await findDockerfiles(at);
      } catch (e) {
        throw new UsageError(`cannot read folder ${p}: ${describe(e)}`);
      }
      if (rels.length === 0) throw new UsageError(`no Dockerfile (Dockerfile, Dockerfile.*, *.Dockerfile) found in ${p}`);
      const { hints, facts: build } = await readRepoBuild(at);
      const files: Job[] = [];
      for (const rel of rels) {
        const display = join(p, rel);
        files.push({ display, text: await readText(root, rel, display), build });
      }
      jobs.push(...files);
      repos.push({ dir: p, hints, files });
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err.write(`error: ${redact(e.message)}\n`);
      return 2;
    }
    throw e;
  }

  const cache = new ShellCache();
  const findings: Finding[] = [];
  const models = new Map<Job, DockerfileModel>();
  for (const job of jobs) {
    try {
      const model = parseDockerfile(job.text, job.display, cache);
      models.set(job, model);
      findings.push(...reviewModel(model, { xxImage: argv.xxImage, ...job.build }));
    } catch (e) {
      if (!(e instanceof DockerfileError)) throw e;
      findings.push(parseFinding(e));
    }
  }
  for (const repo of repos) {
    const parsed = repo.files.map((f) => models.get(f)).filter((m): m is DockerfileModel => !!m);
    repoFindings.push(...reviewBuildArgs(parsed, repo.hints, (file) => join(repo.dir, file)));
  }
  const all = sortFindings([...findings, ...repoFindings]);
  // Inside Actions the annotations go through @actions/core; elsewhere (and for a captured stream) the same commands as text.
  if (argv.format === 'github' && out === process.stdout && inActions()) await annotateFindings(all, jobs.length);
  else out.write(redact(formatFindings(all, argv.format, jobs.length)));
  const failOn = argv.failOn ?? 'error';
  return failOn === 'never' ? 0 : failOn === 'warning' ? (all.length ? 1 : 0) : hasErrors(all) ? 1 : 0;
}
