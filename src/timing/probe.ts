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
      return new BuildxBuilder({ kind: 'buildx', client, version: parseBuildxVersion(buildx.stdout) ?? buildx.stdout.trim(), engine });
    }
    if (majorOf(clientVersion) < 23) {
      return new DockerBuilder({ kind: 'docker', client, version: clientVersion, engine });
    }
    why.push(`${client}: client ${clientVersion} hands builds to buildx, which is not installed`);
  }
  throw new NoBuilderError(`no BuildKit builder: ${why.join('; ')}. Run scripts/local-buildkit.sh up (or install docker buildx)`);
}

function lastLine(s: string): string {
  return s.trim().split('\n').pop() ?? '';
}
