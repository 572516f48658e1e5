/**
 * Where a timing was measured, for the reader of the numbers: the machine's OS, architecture and
 * CPU count, and on GitHub Actions the runner and its image (the variables the runner sets).
 */
import os from 'node:os';

export interface TimingHost {
  os: string;
  arch: string;
  cpus: number;
  /** "GitHub Actions 2 (ubuntu24 20261130.1)" on a GitHub-hosted runner. */
  runner?: string;
}

export function timingHost(env: NodeJS.ProcessEnv = process.env): TimingHost {
  const image = [env.ImageOS, env.ImageVersion].filter(Boolean).join(' ');
  const runner = env.RUNNER_NAME ? `${env.RUNNER_NAME}${image ? ` (${image})` : ''}` : undefined;
  return { os: `${os.type()} ${os.release()}`, arch: os.arch(), cpus: os.availableParallelism(), ...(runner ? { runner } : {}) };
}
