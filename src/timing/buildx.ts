/**
 * The buildx back end (GitHub Actions runners): `docker buildx build --progress=rawjson`, nothing
 * exported (`--output type=cacheonly`), the build cache pruned before each measurement and
 * --no-cache. Where buildx has build history (>= 0.20), the engine's own duration is read too.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildArgFlags, tail, type BuildOutcome, type BuildRequest, type Builder, type BuilderInfo } from './builder.ts';
import { parseRawJsonProgress } from './progress/rawjson.ts';
import { failingStep } from './progress/step.ts';
import { runProcess } from './run-process.ts';
import { withoutCredentials } from '../secrets/build-env.ts';

export class BuildxBuilder implements Builder {
  /** What the client runs with: `env` without any credential (secrets/build-env.ts). */
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly info: BuilderInfo,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.env = withoutCredentials(env);
  }

  async build(req: BuildRequest): Promise<BuildOutcome> {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'ibm-buildx-'));
    try {
      if (req.cold) await runProcess(this.info.client, ['buildx', 'prune', '--all', '--force'], { env: this.env, timeoutMs: 120_000 });
      const metadata = path.join(tmp, 'metadata.json');
      const args = ['buildx', 'build', '--progress=rawjson', '--platform', req.platform, '--file', req.dockerfile, '--metadata-file', metadata, ...buildArgFlags(req.buildArgs)];
      // --pull: base images come from their registry, as on a fresh CI runner and as the repositories'
      // Makefiles build; without it a local copy of the tag (an older pull) is what gets measured.
      if (req.cold) args.push('--no-cache', '--pull');
      if (req.target) args.push('--target', req.target);
      if (req.tag) args.push('--tag', req.tag, '--load');
      else args.push('--output', 'type=cacheonly');
      args.push(req.contextDir);
      const p = await runProcess(this.info.client, args, { env: this.env, timeoutMs: req.timeoutMs });
      const progress = parseRawJsonProgress(p.stderr);
      const steps = progress.steps;
      if (p.timedOut) return { status: 'timeout', wallSeconds: p.seconds, steps, logTail: tail(progress.other.join('\n')), log: rawLog(progress) };
      const historySeconds = hasHistory(this.info.version) ? await this.historySeconds(metadata) : undefined;
      if (p.code === 0) return { status: 'ok', wallSeconds: p.seconds, historySeconds, steps, logTail: [], log: rawLog(progress) };
      const failed = failingStep(steps);
      const stepLog = failed ? progress.logs.get(failed.id) ?? [] : [];
      return {
        status: 'failed',
        wallSeconds: p.seconds,
        steps,
        failedStep: failed?.name,
        error: failed?.error ?? p.spawnError ?? tail(progress.other.join('\n'), 1)[0],
        logTail: tail([...stepLog, ...progress.other].join('\n')),
        log: rawLog(progress),
      };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  private async historySeconds(metadataFile: string): Promise<number | undefined> {
    const ref = await readFile(metadataFile, 'utf8').then((t) => buildRefOf(t), () => undefined);
    if (!ref) return undefined;
    const p = await runProcess(this.info.client, ['buildx', 'history', 'inspect', ref, '--format', 'json'], { env: this.env, timeoutMs: 30_000 });
    return p.code === 0 ? historyDurationSeconds(p.stdout) : undefined;
  }
}

/** The decoded output of every vertex, as `name: line` lines, then buildx's own lines. */
function rawLog(p: ReturnType<typeof parseRawJsonProgress>): string {
  const names = new Map(p.steps.map((s) => [s.id, s.name]));
  return [...[...p.logs].flatMap(([id, lines]) => lines.map((l) => `${names.get(id) ?? id}: ${l}`)), ...p.other].join('\n');
}

/** `docker buildx history` exists from buildx 0.20. */
export function hasHistory(version: string): boolean {
  const [maj, min] = version.replace(/^v/, '').split('.').map(Number);
  return maj > 0 || min >= 20;
}

/** The build ref from `--metadata-file` (`buildx.build.ref` is builder/node/ref). */
export function buildRefOf(metadataJson: string): string | undefined {
  const ref = (JSON.parse(metadataJson) as Record<string, unknown>)['buildx.build.ref'];
  return typeof ref === 'string' ? ref.split('/').pop() : undefined;
}

/** `Duration` of `docker buildx history inspect --format json`, in nanoseconds. */
export function historyDurationSeconds(json: string): number | undefined {
  try {
    const d = (JSON.parse(json) as { Duration?: unknown }).Duration;
    return typeof d === 'number' && d >= 0 ? d / 1e9 : undefined;
  } catch {
    return undefined;
  }
}
