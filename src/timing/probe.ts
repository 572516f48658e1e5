/**
 * Pick the builder by asking the clients, never by assuming: `docker buildx` where the buildx
 * plugin answers (GitHub Actions runners), otherwise a docker client old enough (< 23) to drive
 * the engine's built-in BuildKit itself with `DOCKER_BUILDKIT=1` (dockerd 20.10 from Debian). A
 * newer client without buildx cannot build with BuildKit at all, so it is skipped with the reason.
 */
import { majorOf, NoBuilderError, parseBuildxVersion, type Builder } from './builder.ts';
import { BuildxBuilder } from './buildx.ts';
import { DockerBuilder } from './docker.ts';
import { runProcess } from './run-process.ts';
import { withoutCredentials } from '../secrets/build-env.ts';

export interface ProbeOptions {
  /** Clients to try, in order; default $DOCKER, `docker` on PATH, /usr/bin/docker. */
  clients?: string[];
  /**
   * The clients' environment (default process.env), e.g. a DOCKER_CONFIG with the buildx plugin;
   * its credentials are removed (secrets/build-env.ts), for the probe and for every build.
   */
  env?: NodeJS.ProcessEnv;
}

/** `--progress=rawjson`, which the buildx back end reads, exists from buildx 0.12. */
export const MIN_BUILDX = [0, 12] as const;

export async function probeBuilder(opts: ProbeOptions = {}): Promise<Builder> {
  const clients = opts.clients ?? [...new Set([process.env.DOCKER, 'docker', '/usr/bin/docker'].filter((c): c is string => !!c))];
  const env = withoutCredentials(opts.env ?? process.env);
  const why: string[] = [];
  for (const client of clients) {
    const server = await runProcess(client, ['version', '--format', '{{.Client.Version}} {{.Server.Version}}'], { env, timeoutMs: 20_000 });
    if (server.spawnError) {
      why.push(`${client}: not found`);
      continue;
    }
    const [clientVersion, engine] = server.stdout.trim().split(/\s+/);
    if (server.code !== 0 || !engine) {
      why.push(`${client}: the engine does not answer (${lastLine(server.stderr)})`);
      continue;
    }
    const buildx = await runProcess(client, ['buildx', 'version'], { env, timeoutMs: 20_000 });
    if (buildx.code === 0) {
      const version = parseBuildxVersion(buildx.stdout) ?? buildx.stdout.trim();
      if (atLeast(version, MIN_BUILDX)) return new BuildxBuilder({ kind: 'buildx', client, version, engine }, env);
      why.push(`${client}: buildx ${version} has no --progress=rawjson (needs >= ${MIN_BUILDX.join('.')})`);
    }
    if (majorOf(clientVersion) < 23) {
      return new DockerBuilder({ kind: 'docker', client, version: clientVersion, engine }, env);
    }
    if (buildx.code !== 0) why.push(`${client}: client ${clientVersion} hands builds to buildx, which is not installed`);
  }
  throw new NoBuilderError(`no BuildKit builder: ${why.join('; ')}. Run scripts/local-buildkit.sh up (or install docker buildx)`);
}

function atLeast(version: string, min: readonly [number, number]): boolean {
  const [maj = 0, minor = 0] = version.replace(/^v/, '').split('.').map((n) => parseInt(n, 10) || 0);
  return maj > min[0] || (maj === min[0] && minor >= min[1]);
}

function lastLine(s: string): string {
  return s.trim().split('\n').pop() ?? '';
}
