/**
 * The review action's entry (action.yml `runs: using: node24, main: dist/action.mjs`): what the
 * composite action's shell steps did, in one process, with the CLI's own `main` so the exit codes
 * stay those of `review` and `review --pr`:
 *   0 passed, 1 a finding at the fail-on threshold (or the post failed), 2 bad usage (not a
 *   pull_request event, bad fail-on, the base commit cannot be fetched), 3 the review could not be
 *   posted (a fork's read-only token; annotated).
 * The pull request's checkout (GITHUB_WORKSPACE) is only ever data, by path (`--root`,
 * `git -C`): nothing is imported or configured from it — the bundle resolves nothing at run time.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as core from '@actions/core';
import { main } from '../cli.ts';

/** The runner's environment, minus the token: what child processes (git) get. */
function withoutToken(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (k !== 'GITHUB_TOKEN' && k !== 'INPUT_GITHUB-TOKEN' && k !== 'INPUT_GITHUB_TOKEN') clean[k] = v;
  return clean;
}

interface PullRequestEvent {
  number?: number;
  pull_request?: { number?: number; base?: { sha?: string } };
  repository?: { full_name?: string };
}

export async function runAction(env: NodeJS.ProcessEnv = process.env, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  // getInput reads process.env (INPUT_FAIL-ON: the runner keeps the hyphens).
  const token = core.getInput('github-token');
  const failOn = core.getInput('fail-on') || 'error';
  const xxImage = core.getInput('xx-image');
  const patterns = core.getInput('paths');
  const workspace = env.GITHUB_WORKSPACE;

  let event: PullRequestEvent = {};
  try {
    if (env.GITHUB_EVENT_PATH) event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as PullRequestEvent;
  } catch (e) {
    err.write(`error: cannot read the event file GITHUB_EVENT_PATH (${env.GITHUB_EVENT_PATH}): ${(e as Error).message}\n`);
    return 2;
  }
  const baseSha = event.pull_request?.base?.sha;
  const number = event.pull_request?.number ?? event.number;
  const repo = event.repository?.full_name ?? env.GITHUB_REPOSITORY;
  if (!baseSha || !number || !repo || !workspace) {
    err.write("error: this action reviews a pull request: call it from an 'on: pull_request' workflow\n");
    return 2;
  }
  const xx = xxImage ? ['--xx-image', xxImage] : [];
  const base = withoutToken(env);

  // Before the threshold, which may fail the step: the review is posted either way. Exit 1 only
  // says there are error-level findings (the threshold below decides); 2 and 3 end it, as the
  // composite action's failing step did.
  if (token) {
    const posted = await main(['review', '--pr', `${repo}#${number}`, ...xx], out, err, { ...base, GITHUB_TOKEN: token });
    if (posted !== 0 && posted !== 1) return posted;
  }

  // actions/checkout leaves the head at depth 1: the base commit is fetched to diff against.
  // No token here: an authenticated fetch uses checkout's persisted credentials, never argv.
  const fetch = spawnSync('git', ['-C', workspace, 'fetch', '--no-tags', '--depth=1', 'origin', baseSha], { env: base, stdio: ['ignore', 'inherit', 'inherit'] });
  if (fetch.status !== 0) {
    err.write(`error: git fetch of the base commit ${baseSha} failed in ${workspace}\n`);
    return 2;
  }
  return main(['review', '--root', workspace, '--format', 'github', '--changed-since', baseSha, ...(patterns ? ['--match', patterns] : []), '--fail-on', failOn, ...xx], out, err, base);
}

// Only the bundle runs this (and tests importing it call runAction themselves).
declare const __IBM_ACTION_BUNDLE__: boolean | undefined;
if (typeof __IBM_ACTION_BUNDLE__ !== 'undefined' && __IBM_ACTION_BUNDLE__) {
  runAction().then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      core.error(`internal error: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
