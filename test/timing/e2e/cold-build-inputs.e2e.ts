/**
 * What a cold timed build is given, checked on this machine's engine through both back ends
 * (plain `docker build` and buildx): base images come from the registry, as on a fresh CI runner
 * (not a stale local copy of the tag), and a Dockerfile's own `<Dockerfile>.dockerignore` shapes
 * the context sent, as in the real build. Also: the build world's images name their platform.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILDX_ENV, LOCAL_IMAGES, requireWorld } from '../../../scripts/build-world.ts';
import type { Builder } from '../../../src/timing/builder.ts';
import { probeBuilder } from '../../../src/timing/probe.ts';
import { measureTiming } from '../../../src/timing/measure.ts';
import { runProcess } from '../../../src/timing/run-process.ts';

const TIMEOUT_MS = 10 * 60_000;
const builders: Record<'docker' | 'buildx', Builder> = {} as never;
let scratch: string;
let client: string;
/** A base image of our own: the registry holds one content, the engine a stale copy of the tag. */
const BASE = `${LOCAL_IMAGES.runtime.replace(/\/busybox:.*$/, '')}/ibm-cold-pull:1`;

const docker = (args: string[]) => runProcess(client, args, { timeoutMs: 300_000, env: { ...process.env, DOCKER_BUILDKIT: '1' } });

async function image(dir: string, marker: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'Dockerfile'), `FROM ${LOCAL_IMAGES.runtime}\nRUN echo "${marker}" > /marker\n`);
  const p = await docker(['build', '--platform', 'linux/amd64', '--tag', BASE, dir]);
  expect(p.code, p.stderr).toBe(0);
}

beforeAll(async () => {
  await requireWorld();
  builders.docker = await probeBuilder();
  client = builders.docker.info.client;
  builders.buildx = await probeBuilder({ env: BUILDX_ENV, clients: [client] });
  expect([builders.docker.info.kind, builders.buildx.info.kind]).toEqual(['docker', 'buildx']);
  scratch = await mkdtemp(path.join(os.tmpdir(), 'ibm-cold-inputs-'));
  await image(path.join(scratch, 'registry-image'), 'from the registry');
  expect((await docker(['push', BASE])).code).toBe(0);
  await image(path.join(scratch, 'stale-image'), 'stale local copy');
});

afterAll(async () => {
  if (client) await docker(['rmi', BASE]);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

for (const kind of ['docker', 'buildx'] as const) {
  describe(`cold timed builds through the ${kind} back end`, () => {
    it('a base image comes from the registry, not from a stale local copy of its tag', async () => {
      const dir = path.join(scratch, `pull-${kind}`);
      await mkdir(dir, { recursive: true });
      const dockerfile = path.join(dir, 'Dockerfile');
      await writeFile(dockerfile, `FROM --platform=$BUILDPLATFORM ${BASE}\nRUN echo "marker=$(cat /marker | tr ' ' _)"\n`);
      const o = await builders[kind].build({ contextDir: dir, dockerfile, platform: 'linux/arm64', timeoutMs: TIMEOUT_MS, cold: true });
      expect(o.status).toBe('ok');
      expect([...o.log.matchAll(/(?:^#\d+ \d+\.\d+ |: )marker=(\S*)$/gm)].map((m) => m[1])).toEqual(['from_the_registry']);
    });

    it("the context sent is the one the Dockerfile's own .dockerignore leaves, not the root's", async () => {
      const dir = path.join(scratch, `ignore-${kind}`);
      await mkdir(path.join(dir, 'build'), { recursive: true });
      await writeFile(path.join(dir, 'kept-by-own.txt'), 'the root .dockerignore leaves this out\n');
      await writeFile(path.join(dir, 'dropped-by-own.txt'), 'the Dockerfile-specific ignore file leaves this out\n');
      await writeFile(path.join(dir, '.dockerignore'), 'kept-by-own.txt\n');
      await writeFile(path.join(dir, 'build', 'Dockerfile.dockerignore'), 'dropped-by-own.txt\nbuild\n');
      // The build fails unless the context is exactly what the Dockerfile's own ignore file sends.
      const text = 'ARG RUNTIME_IMAGE\nFROM ${RUNTIME_IMAGE}\nCOPY . /ctx\nRUN test -e /ctx/kept-by-own.txt && test ! -e /ctx/dropped-by-own.txt && test ! -e /ctx/build\n';
      const r = await measureTiming({
        repo: 'example/ignore-files',
        sections: [{ dockerfile: 'build/Dockerfile', before: { text, contextDir: dir }, after: { text: text.replace('FROM ${RUNTIME_IMAGE}', 'FROM ${RUNTIME_IMAGE} AS final'), contextDir: dir } }],
        platforms: ['linux/amd64'],
        buildArgs: { RUNTIME_IMAGE: LOCAL_IMAGES.runtime },
        archBuildArg: false,
        builder: builders[kind],
        timeoutMs: TIMEOUT_MS,
      });
      expect(r.measurements.map((m) => [m.variant, m.status, m.failedStep ?? ''])).toEqual([
        ['before', 'ok', ''],
        ['after', 'ok', ''],
      ]);
    });
  });
}

describe('the build world', () => {
  it("each platform's image of a multi-arch stand-in names its own architecture", async () => {
    for (const ref of Object.values(LOCAL_IMAGES)) {
      for (const arch of ['amd64', 'arm64']) {
        const p = await docker(['image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', `${ref}-${arch}`]);
        expect([ref, p.stdout.trim()]).toEqual([ref, `linux/${arch}`]);
      }
    }
  });
});
