/**
 * The plain back end: `DOCKER_BUILDKIT=1 docker build` against the engine's built-in BuildKit
 * (what dockerd 20.10 offers), read through its plain progress. Cold: the build cache is pruned
 * before the build and the build runs with --no-cache --pull; the layers of base images stay in the
 * image store, as pulled layers do on a CI runner.
 */
import { buildArgFlags, tail, type BuildOutcome, type BuildRequest, type Builder, type BuilderInfo } from './builder.ts';
import { parsePlainProgress } from './progress/plain.ts';
import { failingStep } from './progress/step.ts';
import { runProcess } from './run-process.ts';
import { withoutCredentials } from '../secrets/build-env.ts';

export class DockerBuilder implements Builder {
  /** What the client runs with: `baseEnv` without any credential (secrets/build-env.ts). */
  private readonly baseEnv: NodeJS.ProcessEnv;

  constructor(
    readonly info: BuilderInfo,
    baseEnv: NodeJS.ProcessEnv = process.env,
  ) {
    this.baseEnv = withoutCredentials(baseEnv);
  }

  async build(req: BuildRequest): Promise<BuildOutcome> {
    const env = { ...this.baseEnv, DOCKER_BUILDKIT: '1' };
    if (req.cold) await runProcess(this.info.client, ['builder', 'prune', '--all', '--force'], { env, timeoutMs: 120_000 });
    const args = ['build', '--progress=plain', '--platform', req.platform, '--file', req.dockerfile, ...buildArgFlags(req.buildArgs)];
    // --pull: base images come from their registry, as on a fresh CI runner and as the repositories'
    // Makefiles build; without it a local copy of the tag (an older pull) is what gets measured.
    if (req.cold) args.push('--no-cache', '--pull');
    if (req.target) args.push('--target', req.target);
    // Untagged, the image is exported to nothing (as buildx's cacheonly): a timing run leaves no
    // images behind in the engine's store.
    if (req.tag) args.push('--tag', req.tag);
    else args.push('--output', 'type=tar,dest=/dev/null');
    args.push(req.contextDir);
    const p = await runProcess(this.info.client, args, { env, timeoutMs: req.timeoutMs });
    const log = p.stderr + p.stdout;
    const { steps } = parsePlainProgress(log);
    if (p.timedOut) return { status: 'timeout', wallSeconds: p.seconds, steps, logTail: tail(log), log };
    if (p.code === 0) return { status: 'ok', wallSeconds: p.seconds, steps, logTail: [], log };
    const failed = failingStep(steps);
    return {
      status: 'failed',
      wallSeconds: p.seconds,
      steps,
      failedStep: failed?.name,
      error: failed?.error ?? (p.spawnError ?? tail(log, 1)[0]),
      logTail: tail(log),
      log,
    };
  }
}
