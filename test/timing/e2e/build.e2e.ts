/**
 * Real BuildKit builds of what the bot writes (scripts/local-buildkit.sh's engine, registry and
 * stand-in images). The beacon example is migrated by the bot, then built before and after for
 * linux/amd64 and linux/arm64: the after images hold binaries of the right architecture, run on
 * the target platform, are stripped, and the arm64 after build beats the arm64 before build.
 * Every example repository with a Go builder is built after migration for both platforms (those
 * that clone their upstream sources get them from the build world's stand-in servers), and its
 * final images ship binaries of the target's architecture that run there. No engine: the suite
 * fails, it never passes without building.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILDX_ENV, LOCAL_BUILD_ARGS, LOCAL_IMAGES, ROOT, elfMachine, exampleSection, fileFromImage, migrateExample, requireWorld, type MigratedExample } from '../../../scripts/build-world.ts';
import type { Builder } from '../../../src/timing/builder.ts';
import { probeBuilder } from '../../../src/timing/probe.ts';
import { measureTiming } from '../../../src/timing/measure.ts';
import { FileTimingStore } from '../../../src/timing/store.ts';
import { measurement, type TimingResult } from '../../../src/timing/result.ts';
import { renderTimingTable } from '../../../src/timing/table.ts';
import { runProcess } from '../../../src/timing/run-process.ts';
import { slowest } from '../../../src/timing/progress/step.ts';
import { main } from '../../../src/cli.ts';

const PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;
const MACHINE = { 'linux/amd64': 'x86-64', 'linux/arm64': 'aarch64' } as const;
const TIMEOUT_MS = 30 * 60_000;
/** Where the measurement is kept: `npm run bench:build -- --reuse DIR` can read it. */
const STORE = process.env.IBM_TIMING_STORE ?? path.join(os.tmpdir(), 'ibm-timing-store');

let builder: Builder;
let scratch: string;
const tags: string[] = [];

beforeAll(async () => {
  await requireWorld();
  builder = await probeBuilder();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'ibm-build-e2e-'));
});

afterAll(async () => {
  if (tags.length && builder) await runProcess(builder.info.client, ['rmi', '--force', ...tags], { timeoutMs: 120_000 });
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function build(dir: string, dockerfileText: string, platform: string, extra: { target?: string; tag?: string; buildArgs?: Record<string, string>; cold?: boolean } = {}) {
  const dockerfile = path.join(scratch, `${path.basename(dir)}-${Math.random().toString(36).slice(2)}.Dockerfile`);
  await writeFile(dockerfile, dockerfileText);
  if (extra.tag) tags.push(extra.tag);
  const o = await builder.build({ contextDir: dir, dockerfile, platform, buildArgs: { ...LOCAL_BUILD_ARGS, ...extra.buildArgs }, timeoutMs: TIMEOUT_MS, cold: extra.cold ?? false, target: extra.target, tag: extra.tag });
  if (o.status !== 'ok') throw new Error(`build of ${path.basename(dir)} for ${platform} ${o.status}${o.failedStep ? ` at ${o.failedStep}` : ''}: ${o.error ?? ''}\n${o.logTail.join('\n')}`);
  return o;
}

describe('the builder seam on this machine', () => {
  it('probes a BuildKit builder that answers, and names the engine', () => {
    expect(['buildx', 'docker']).toContain(builder.info.kind);
    expect(builder.info.engine).toMatch(/^\d+\.\d+/);
  });
});

describe('beacon, migrated by the bot, built before and after', () => {
  let ex: MigratedExample;
  let result: TimingResult;

  beforeAll(async () => {
    ex = await migrateExample('image-build-beacon');
  });

  const measureBeacon = (b: Builder) =>
    measureTiming({
      repo: 'example/image-build-beacon',
      sections: [exampleSection(ex)],
      platforms: [...PLATFORMS],
      buildArgs: LOCAL_BUILD_ARGS,
      timeoutMs: TIMEOUT_MS,
      builder: b,
      store: new FileTimingStore(STORE),
      onProgress: (l) => process.stderr.write(l + '\n'),
    });

  it('the bot changed the Dockerfile to cross-compile with the local xx image', () => {
    expect(ex.after).not.toBe(ex.before);
    // What the timing gives both variants from the Makefile (`--build-arg TAG=$(TAG)`), as the CLI does.
    expect(ex.buildArgs).toEqual({ before: { TAG: 'v1.3.0' }, after: { TAG: 'v1.3.0' } });
    expect(ex.after).toContain(`FROM --platform=$BUILDPLATFORM ${LOCAL_IMAGES.xx} AS xx`);
    expect(ex.after).toContain('xx-go --wrap');
  });

  for (const platform of PLATFORMS) {
    it(`after, ${platform}: the final image holds a stripped ${MACHINE[platform]} binary that runs on the target platform`, async () => {
      const arch = platform.split('/')[1];
      const finalTag = `ibm-e2e/beacon:after-${arch}`;
      const builderTag = `ibm-e2e/beacon:after-builder-${arch}`;
      await build(ex.dir, ex.after, platform, { tag: finalTag });
      await build(ex.dir, ex.after, platform, { tag: builderTag, target: 'builder' });

      const shipped = await fileFromImage(builder.info.client, finalTag, '/usr/local/bin/beacon');
      const unstripped = await fileFromImage(builder.info.client, builderTag, '/usr/local/bin/beacon');
      expect(elfMachine(shipped)).toBe(MACHINE[platform]);
      expect(elfMachine(unstripped)).toBe(MACHINE[platform]);
      expect(shipped.length).toBeLessThan(unstripped.length);

      const run = await runProcess(builder.info.client, ['run', '--rm', '--platform', platform, finalTag, '--version'], { timeoutMs: 120_000 });
      expect(run.stderr).toBe('');
      expect(run.stdout.trim()).toMatch(new RegExp(`^beacon v1\\.3\\.0 \\(commit unknown, ${platform}, go1\\.19\\.\\d+\\)$`));
    });
  }

  it('cold timings: arm64 after is faster than arm64 before; the result validates and renders', async () => {
    result = await measureBeacon(builder);
    for (const m of result.measurements) expect({ variant: m.variant, platform: m.platform, status: m.status }).toEqual({ variant: m.variant, platform: m.platform, status: 'ok' });
    const beforeArm = measurement(result, 'before', 'linux/arm64')!;
    const afterArm = measurement(result, 'after', 'linux/arm64')!;
    expect(afterArm.wallSeconds).toBeLessThan(beforeArm.wallSeconds);
    // The slowest step before is the emulated compile; after, the compile runs natively.
    expect(beforeArm.slowestSteps[0].name).toMatch(/go build/);
    const table = renderTimingTable(result);
    process.stderr.write(table);
    expect(table).toMatch(/^\| linux\/arm64 \| \S+ \| \S+ \| \d+\.\dx \| \d\.\d\d \|$/m);
  });

  it('an unchanged pair is not rebuilt: the stored result is reused by digest', async () => {
    const again = await measureBeacon({ info: builder.info, build: () => Promise.reject(new Error('must not build: the digest is unchanged')) });
    expect(again.reused).toBe(true);
    expect(again.digest).toBe(result.digest);
    expect(again.measurements).toEqual(result.measurements);
  });

  it('migrate --local DIR --timing prints the table (here from the stored result: same files, same digest)', async () => {
    const checkout = path.join(scratch, 'cli', 'image-build-beacon');
    await cp(path.join(ROOT, 'examples/repos/image-build-beacon'), checkout, { recursive: true });
    const out = new Sink();
    const err = new Sink();
    const buildArgs = Object.entries(LOCAL_BUILD_ARGS).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]);
    const code = await main(['migrate', '--local', checkout, '--dry-run', '--xx-image', LOCAL_IMAGES.xx, '--timing', '--timing-store', STORE, ...buildArgs], out as never, err as never);
    expect(err.text).toContain('timing: reusing the result stored for');
    expect(code).toBe(0);
    expect(out.text).toContain('| platform | before | after | speedup | parity |');
    expect(out.text).toMatch(/^\| linux\/arm64 \| \S+ \| \S+ \| \d+\.\dx \| \d\.\d\d \|$/m);
    expect(out.text).toContain(`reused: nothing changed since; ${result.digest.slice(0, 19)}`);
    // Dry run: the checkout is as it was.
    expect(await readFile(path.join(checkout, 'Dockerfile'), 'utf8')).toBe(ex.before);
  });
});

class Sink {
  text = '';
  write(s: string) {
    this.text += s;
    return true;
  }
}

// Debian trixie's docker-buildx (0.13, installed by local-buildkit.sh in its own DOCKER_CONFIG)
// against this dockerd 20.10: the docker driver, --progress=rawjson (indented JSON in 0.13),
// --output type=cacheonly and `buildx prune` all work, so the production back end is measured
// here too. (No build history before buildx 0.20: wall time only.)
describe('the buildx back end, against this engine', () => {
  let bx: Builder;
  let beacon: MigratedExample;

  beforeAll(async () => {
    bx = await probeBuilder({ env: BUILDX_ENV, clients: [builder.info.client] });
    beacon = await migrateExample('image-build-beacon');
  });

  it('the probe picks buildx where the plugin is installed', () => {
    expect(bx.info).toMatchObject({ kind: 'buildx', client: builder.info.client, engine: builder.info.engine });
    expect(bx.info.version).toMatch(/^0\.(1[2-9]|[2-9]\d)\./);
  });

  for (const platform of PLATFORMS) {
    it(`a cold build of beacon after, ${platform}, exporting nothing: ok, with its steps read from rawjson`, async () => {
      const dockerfile = path.join(scratch, `beacon-buildx-${platform.replace('/', '-')}.Dockerfile`);
      await writeFile(dockerfile, beacon.after);
      const o = await bx.build({ contextDir: beacon.dir, dockerfile, platform, buildArgs: LOCAL_BUILD_ARGS, timeoutMs: TIMEOUT_MS, cold: true });
      if (o.status !== 'ok') throw new Error(`buildx build ${o.status} at ${o.failedStep}: ${o.error}\n${o.logTail.join('\n')}`);
      expect(o.wallSeconds).toBeGreaterThan(1);
      expect(o.steps.filter((s) => s.status !== 'done' && s.status !== 'cached')).toEqual([]);
      // --no-cache after a prune: every RUN ran.
      expect(o.steps.filter((s) => /\bRUN\b/.test(s.name) && s.status === 'cached')).toEqual([]);
      const compile = o.steps.find((s) => /RUN xx-go --wrap && CGO_ENABLED=0 go build/.test(s.name))!;
      expect(compile).toMatchObject({ status: 'done', stage: 'builder', total: 13 });
      expect(slowest(o.steps)[0].id).toBe(compile.id);
      expect(compile.seconds!).toBeGreaterThan(0.5 * o.wallSeconds);
      expect(o.steps.map((s) => s.name)).toEqual(expect.arrayContaining(['[builder 10/13] RUN xx-verify --static bin/beacon', '[strip_binary 3/3] RUN strip /usr/local/bin/beacon']));
      // The steps' output, decoded: the binary runs its --version only where it is native.
      if (platform === 'linux/amd64') expect(o.log).toMatch(/RUN if ! xx-info is-cross; then beacon --version; fi: beacon v1\.3\.0 \(commit unknown, linux\/amd64, go1\.19\.\d+\)/);
      else expect(o.log).not.toContain('beacon v1.3.0');
    });
  }

  it('a failing build: status failed, the failing step, its error and the last lines of its output', async () => {
    const dir = path.join(scratch, 'buildx-fails');
    await mkdir(dir, { recursive: true });
    const dockerfile = path.join(dir, 'Dockerfile');
    await writeFile(dockerfile, 'ARG RUNTIME_IMAGE\nFROM ${RUNTIME_IMAGE}\nRUN echo "about to fail on $(uname -m)" && exit 3\n');
    const o = await bx.build({ contextDir: dir, dockerfile, platform: 'linux/arm64', buildArgs: { RUNTIME_IMAGE: LOCAL_IMAGES.runtime }, timeoutMs: TIMEOUT_MS, cold: false });
    expect(o.status).toBe('failed');
    expect(o.failedStep).toBe('[2/2] RUN echo "about to fail on $(uname -m)" && exit 3');
    expect(o.error).toMatch(/exit code: 3/);
    expect(o.logTail).toContain('about to fail on aarch64');
  });
});

describe('BuildKit facts the migration relies on (MIGRATION-SPEC)', () => {
  it('a default on TARGETARCH wins over the platform: ARG TARGETARCH=amd64 prints amd64 for linux/arm64, no default prints arm64', async () => {
    const dir = path.join(scratch, 'targetarch');
    await mkdir(dir, { recursive: true });
    const printed = async (arg: string) => {
      const o = await build(dir, `ARG RUNTIME_IMAGE\nFROM \${RUNTIME_IMAGE}\n${arg}\nRUN echo "arch=$TARGETARCH"\n`, 'linux/arm64', { cold: true });
      // The step's output line (plain: `#5 0.123 arch=arm64`; rawjson: `[2/2] RUN ...: arch=arm64`).
      return [...o.log.matchAll(/(?:^#\d+ \d+\.\d+ |: )arch=(\S*)$/gm)].map((m) => m[1]);
    };
    expect(await printed('ARG TARGETARCH=amd64')).toEqual(['amd64']);
    expect(await printed('ARG TARGETARCH')).toEqual(['arm64']);
  });
});

/**
 * ARG scope, which argInScope (src/dockerfile/model.ts) and every rule and recipe follow: a
 * `FROM <stage>` child inherits the ARGs in scope at the end of its parent (transitively), a bare
 * re-declaration keeps the parent's value unless the name is a global ARG's, and `FROM <image>`
 * starts with none. A child that inherits a target ARG runs once per platform. Both back ends of
 * this machine must agree; a nonce in each RUN keeps it uncached without pruning anything.
 */
describe('BuildKit facts: ARG scope across FROM <stage>', () => {
  const nonce = Math.random().toString(36).slice(2, 10);
  const INHERIT = [
    'ARG RUNTIME_IMAGE',
    'ARG G=global',
    'FROM --platform=$BUILDPLATFORM ${RUNTIME_IMAGE} AS base',
    'ARG TARGETARCH',
    'ARG TARGETPLATFORM',
    'ARG X=from-parent',
    'ARG G=parent-g',
    'FROM base AS child',
    `RUN echo "child TARGETARCH=[$TARGETARCH] TARGETPLATFORM=[$TARGETPLATFORM] X=[$X] G=[$G] ${nonce}" > /child`,
    'FROM base AS child2',
    'ARG X',
    'ARG G',
    `RUN echo "child2 X=[$X] G=[$G] ${nonce}" > /child2`,
    'FROM child AS grand',
    `RUN echo "grand TARGETARCH=[$TARGETARCH] X=[$X] ${nonce}" > /grand`,
    'FROM ${RUNTIME_IMAGE} AS image',
    `RUN echo "image TARGETARCH=[$TARGETARCH] X=[$X] ${nonce}" > /image`,
    'FROM scratch',
    'COPY --from=child /child /',
    'COPY --from=child2 /child2 /',
    'COPY --from=grand /grand /',
    'COPY --from=image /image /',
    '',
  ].join('\n');
  const EXPECTED = [
    `child TARGETARCH=[arm64] TARGETPLATFORM=[linux/arm64] X=[from-parent] G=[parent-g] ${nonce}`,
    `child2 X=[from-parent] G=[global] ${nonce}`,
    `grand TARGETARCH=[arm64] X=[from-parent] ${nonce}`,
    `image TARGETARCH=[] X=[] ${nonce}`,
  ];
  let engines: [string, Builder][] = [];

  beforeAll(async () => {
    engines = [
      ['DOCKER_BUILDKIT=1 docker build', builder],
      ['docker buildx build', await probeBuilder({ env: BUILDX_ENV, clients: [builder.info.client] })],
    ];
  });

  it('both back ends are here', () => {
    expect(engines.map(([, b]) => b.info.kind).sort()).toEqual(['buildx', 'docker']);
  });

  for (const i of [0, 1]) {
    it(`${i === 0 ? 'docker build' : 'buildx'}: for linux/arm64 a child inherits its parent's ARGs (grandchild too), FROM <image> gets none`, async () => {
      const [name, b] = engines[i]!;
      const dir = path.join(scratch, `arg-scope-${i}`);
      await mkdir(dir, { recursive: true });
      const tag = `ibm-e2e/arg-scope:${nonce}-${i}`;
      const dockerfile = path.join(dir, 'Dockerfile');
      await writeFile(dockerfile, INHERIT);
      tags.push(tag);
      const o = await b.build({ contextDir: dir, dockerfile, platform: 'linux/arm64', buildArgs: { RUNTIME_IMAGE: LOCAL_IMAGES.runtime }, timeoutMs: TIMEOUT_MS, cold: false, tag });
      if (o.status !== 'ok') throw new Error(`${name}: ${o.status} at ${o.failedStep}: ${o.error}\n${o.logTail.join('\n')}`);
      // What each stage wrote, read back from the image (not from the progress output).
      const printed = await Promise.all(['/child', '/child2', '/grand', '/image'].map(async (f) => (await fileFromImage(b.info.client, tag, f)).toString('utf8').trim()));
      expect(printed).toEqual(EXPECTED);
    });
  }

  it('a child of a stage that declared ARG TARGETPLATFORM runs again for the next platform; a child of one without it is cached', async () => {
    const dir = path.join(scratch, 'arg-fork');
    await mkdir(dir, { recursive: true });
    const text = [
      'ARG RUNTIME_IMAGE',
      'FROM --platform=$BUILDPLATFORM ${RUNTIME_IMAGE} AS forked',
      'ARG TARGETPLATFORM',
      'FROM forked AS child',
      `RUN echo forked-${nonce} > /f`,
      'FROM --platform=$BUILDPLATFORM ${RUNTIME_IMAGE} AS shared',
      'FROM shared AS child2',
      `RUN echo shared-${nonce} > /f`,
      'FROM scratch',
      'COPY --from=child /f /a',
      'COPY --from=child2 /f /b',
      '',
    ].join('\n');
    const status = async (platform: string) => {
      const o = await build(dir, text, platform);
      const step = (word: string) => o.steps.find((s) => s.name.includes(`RUN echo ${word}-${nonce}`))?.status;
      return { forked: step('forked'), shared: step('shared') };
    };
    expect(await status('linux/arm64')).toEqual({ forked: 'done', shared: 'done' });
    expect(await status('linux/amd64')).toEqual({ forked: 'done', shared: 'cached' });
  });
});

/**
 * What each example ships, per final stage: the binaries and what `--version` prints. Every
 * example with a Go builder must be listed (the test fails on one that is not).
 */
const SHIPPED: Record<string, { target?: string; binary: string; version: (platform: string) => RegExp }[]> = {
  'image-build-beacon': [{ binary: '/usr/local/bin/beacon', version: (p) => new RegExp(`^beacon v1\\.3\\.0 \\(commit unknown, ${p}, go1\\.19\\.\\d+\\)$`) }],
  // go-build-static.sh (widget, sprocket) builds with BoringCrypto where Go 1.19 has it
  // (linux/amd64); widget's Dockerfile checks it there with go-assert-boring.sh.
  'image-build-widget': [{ binary: '/usr/local/bin/widgetd', version: (p) => new RegExp(`^widgetd v0\\.4\\.2 \\(go1\\.19\\.\\d+${p === 'linux/amd64' ? ' X:boringcrypto' : ''}, ${p}, \\d+ TLS suites\\)$`) }],
  'image-build-gizmo-operator': [
    { target: 'operator', binary: '/usr/bin/gizmo-operator', version: (p) => new RegExp(`^gizmo-operator v1\\.2\\.0 \\(go1\\.19\\.\\d+, ${p}\\)$`) },
    { target: 'webhook', binary: '/usr/bin/gizmo-webhook', version: (p) => new RegExp(`^gizmo-webhook v1\\.2\\.0 \\(go1\\.19\\.\\d+, ${p}\\)$`) },
  ],
  'image-build-sprocket': [{ binary: '/usr/local/bin/sprocket', version: (p) => new RegExp(`^sprocket v2\\.0\\.1 \\(go1\\.19\\.\\d+${p === 'linux/amd64' ? ' X:boringcrypto' : ''}, ${p}, crc32c\\("sprocket"\\)=[0-9a-f]{8}\\)$`) }],
};

// Those that fetch their upstream sources (git clone of github.com, go install ...@version) get
// them from the build world's stand-in git daemon and module proxy (scripts/local-buildkit.sh).
describe('every example repository with a Go builder, after migration, for both platforms', () => {
  const repos = readdirSync(path.join(ROOT, 'examples/repos')).filter((name) => {
    let text = '';
    try {
      text = readFileSync(path.join(ROOT, 'examples/repos', name, 'Dockerfile'), 'utf8');
    } catch {
      return false; // no Dockerfile: not an image repository
    }
    return /GO_IMAGE|golang|hardened-build-base/.test(text.replace(/^\s*#.*$/gm, ''));
  });

  it('finds them, and knows what each ships', () => {
    expect(repos).toEqual(expect.arrayContaining(['image-build-beacon', 'image-build-widget', 'image-build-gizmo-operator', 'image-build-sprocket']));
    expect(repos.filter((r) => !SHIPPED[r])).toEqual([]);
  });

  for (const name of repos) {
    for (const platform of PLATFORMS) {
      it(`${name} builds for ${platform}; its final images ship ${MACHINE[platform]} binaries that run there`, async () => {
        const ex = await migrateExample(name);
        expect(await readFile(path.join(ex.dir, 'Dockerfile'), 'utf8')).toBe(ex.after);
        const arch = platform.split('/')[1];
        const shipped = SHIPPED[name];
        if (!shipped) throw new Error(`${name}: add what it ships to SHIPPED`);
        for (const s of shipped) {
          const tag = `ibm-e2e/${name.replace(/^image-build-/, '')}:after-${s.target ?? 'final'}-${arch}`;
          await build(ex.dir, ex.after, platform, { tag, target: s.target });
          const bin = await fileFromImage(builder.info.client, tag, s.binary);
          expect({ binary: s.binary, machine: elfMachine(bin) }).toEqual({ binary: s.binary, machine: MACHINE[platform] });
          const run = await runProcess(builder.info.client, ['run', '--rm', '--platform', platform, tag, '--version'], { timeoutMs: 120_000 });
          expect(run.stderr).toBe('');
          expect(run.stdout.trim()).toMatch(s.version(platform));
        }
      });
    }
  }
});
