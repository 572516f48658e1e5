// One repository's way from clone to pull request parses each Dockerfile text once: the
// migration's models are what delivery (the PR body) and timing (targets, build inputs) read.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const parsed: string[] = [];
vi.mock('../../src/dockerfile/model.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/dockerfile/model.ts')>();
  return { ...real, parseDockerfile: (text: string, ...rest: unknown[]) => {
    parsed.push(text);
    return (real.parseDockerfile as (...a: unknown[]) => ReturnType<typeof real.parseDockerfile>)(text, ...rest);
  } };
});

const { runFleet } = await import('../../src/fleet/run.ts');
const { clearSecrets } = await import('../../src/secrets/redact.ts');
const { Capture } = await import('../helpers/streams.ts');
const { RecordingBuilder } = await import('../helpers/recording-builder.ts');
const { startFleet, TOKEN, WIDGET } = await import('../delivery/fleet.ts');
const { NO_PACING } = await import('../helpers/pacing.ts');

const REPO = 'rancher/image-build-widget';

describe('parse once per run of a repository', () => {
  let f: Awaited<ReturnType<typeof startFleet>>;
  let code = -1;
  beforeAll(async () => {
    f = await startFleet({ [REPO]: WIDGET });
    try {
      parsed.length = 0;
      code = await runFleet({
        reposFile: f.reposFile, dryRun: false, cacheDir: path.join(f.dir, 'cache'), out: new Capture(), err: new Capture(), live: false,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_API_URL: f.gh.url, GITHUB_SERVER_URL: f.gh.serverUrl, GITHUB_TOKEN: TOKEN, ...NO_PACING, CI: '1' },
        timing: { builder: new RecordingBuilder({ contextFiles: ['Dockerfile', 'Makefile'] }), buildArgs: {}, storeDir: path.join(f.dir, 'store'), platforms: ['linux/amd64', 'linux/arm64'] },
      });
    } finally {
      clearSecrets();
    }
  });
  afterAll(() => f.close());

  it('migrates, times and delivers, parsing no text twice', () => {
    expect(code).toBe(0);
    expect(f.gh.pullsOf(REPO)).toHaveLength(1);
    const counts = new Map<string, number>();
    for (const t of parsed) counts.set(t, (counts.get(t) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([t, n]) => `${n}x ${t === WIDGET.Dockerfile ? 'the original Dockerfile' : t.split('\n').slice(0, 3).join(' | ')}`);
    expect(twice).toEqual([]);
    expect(counts.get(WIDGET.Dockerfile)).toBe(1);
  });
});
