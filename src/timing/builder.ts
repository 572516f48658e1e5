/**
 * The builder seam: one cold build of one Dockerfile variant for one platform, on whichever
 * BuildKit front end this machine has. `probeBuilder` picks it by asking the clients, never by
 * assuming: `docker buildx` where the buildx plugin answers (GitHub Actions runners), otherwise a
 * docker client old enough (< 23) to drive the engine's built-in BuildKit itself with
 * `DOCKER_BUILDKIT=1` (dockerd 20.10 from Debian). A newer client without buildx cannot build
 * with BuildKit at all, so it is skipped with the reason.
 */
import type { Step } from './progress/step.ts';
import { runProcess } from './run-process.ts';

export interface BuildRequest {
  contextDir: string;
  /** Absolute path of the Dockerfile; it may live outside the context. */
  dockerfile: string;
  platform: string;
  buildArgs?: Record<string, string>;
  target?: string;
  /** Tag the image (plain docker always exports into the engine's image store). */
  tag?: string;
  timeoutMs: number;
  /** Prune the build cache first and build with --no-cache. */
  cold: boolean;
}

export interface BuildOutcome {
  status: 'ok' | 'failed' | 'timeout';
  wallSeconds: number;
  historySeconds?: number;
  steps: Step[];
  failedStep?: string;
  error?: string;
  /** The last 20 lines of the build's log (failed builds). */
  logTail: string[];
  /** The whole progress output, for callers that look for a step's output. */
  log: string;
}

export interface BuilderInfo {
  kind: 'buildx' | 'docker';
  /** The docker client binary used. */
  client: string;
  version: string;
  engine: string;
}

export interface Builder {
  readonly info: BuilderInfo;
  build(req: BuildRequest): Promise<BuildOutcome>;
}

export class NoBuilderError extends Error {}

export interface ProbeOptions {
  /** Clients to try, in order; default $DOCKER, `docker` on PATH, /usr/bin/docker. */
  clients?: string[];
}

export async function probeBuilder(opts: ProbeOptions = {}): Promise<Builder> {
  const clients = opts.clients ?? [...new Set([process.env.DOCKER, 'docker', '/usr/bin/docker'].filter((c): c is string => !!c))];
  const why: string[] = [];
  for (const client of clients) {
    const server = await runProcess(client, ['version', '--format', '{{.Client.Version}} {{.Server.Version}}'], { timeoutMs: 20_000 });
    if (server.spawnError) {
      why.push(`${client}: not found`);
      continue;
    }
    const [clientVersion, engine] = server.stdout.trim().split(/\s+/);
    if (server.code !== 0 || !engine) {
      why.push(`${client}: the engine does not answer (${lastLine(server.stderr)})`);
      continue;
    }
    const buildx = await runProcess(client, ['buildx', 'version'], { timeoutMs: 20_000 });
    if (buildx.code === 0) {
      const { BuildxBuilder } = await import('./buildx.ts');
      return new BuildxBuilder({ kind: 'buildx', client, version: parseBuildxVersion(buildx.stdout) ?? buildx.stdout.trim(), engine });
    }
    if (majorOf(clientVersion) < 23) {
      const { DockerBuilder } = await import('./docker.ts');
      return new DockerBuilder({ kind: 'docker', client, version: clientVersion, engine });
    }
    why.push(`${client}: client ${clientVersion} hands builds to buildx, which is not installed`);
  }
  throw new NoBuilderError(`no BuildKit builder: ${why.join('; ')}. Run scripts/local-buildkit.sh up (or install docker buildx)`);
}

export function parseBuildxVersion(text: string): string | undefined {
  return /\bv?(\d+\.\d+\.\d+[^\s]*)/.exec(text)?.[1];
}

export function majorOf(version: string | undefined): number {
  const m = /^v?(\d+)/.exec(version ?? '');
  return m ? Number(m[1]) : 0;
}

function lastLine(s: string): string {
  return s.trim().split('\n').pop() ?? '';
}

export function buildArgFlags(args: Record<string, string> = {}): string[] {
  return Object.entries(args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
}

/** The last `n` non-empty lines of a log. */
export function tail(text: string, n = 20): string[] {
  return text.split(/\r?\n/).filter((l) => l.trim().length > 0).slice(-n);
}
