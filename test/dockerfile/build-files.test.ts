/**
 * The one reader of a checkout's build files: the migration (final stages, build-args to drop)
 * and the review (stale build-args, final stages) ask it, so they cannot disagree.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recipes } from '../../migrations/index.ts';
import { buildArgValues, buildTargets, makefileFacts, makeVariables, scanBuildFile, workflowEnv } from '../../src/dockerfile/build-files.ts';
import { migrateCheckout } from '../../src/migrate/checkout.ts';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { DEFAULT_OPTIONS } from '../../src/migrate/types.ts';
import { readRepoHints } from '../../src/review/checkout.ts';
import { reviewText, type Finding } from '../../src/review/review.ts';
import { runReview } from '../../src/review/cli.ts';
import { PassThrough } from 'node:stream';
import { removeDir, tempDir, writeFiles } from '../helpers/repos.ts';

const workflow = ['jobs:', '  build:', '    steps:', '      - uses: docker/build-push-action@v6', '        with:', '          target: dev # the developer image', '          build-args: |', '            VERSION=1.2.3', '            ARCH=amd64', ''].join('\n');

describe('scanBuildFile', () => {
  it('reads a workflow target with a trailing comment, and block build-args, with their lines', () => {
    const h = scanBuildFile({ path: '.github/workflows/build.yml', text: workflow, kind: 'workflow' });
    expect(h.targets).toEqual([{ name: 'dev', file: '.github/workflows/build.yml', line: 6, column: 19 }]);
    expect(h.buildArgs.map((b) => [b.name, b.line])).toEqual([['VERSION', 8], ['ARCH', 9]]);
  });

  it('reads Makefile flags in both spellings, and no YAML keys in a Makefile', () => {
    const text = 'image:\n\tdocker buildx build --target=operator --build-arg ARCH=$(ARCH) \\\n\t\t--target webhook --build-arg=TAG .\ntarget: nothing\n';
    const h = scanBuildFile({ path: 'Makefile', text, kind: 'makefile' });
    expect(h.targets.map((t) => [t.name, t.line])).toEqual([['operator', 2], ['webhook', 3]]);
    expect(h.buildArgs.map((b) => [b.name, b.line])).toEqual([['ARCH', 2], ['TAG', 3]]);
    expect(buildTargets({ path: 'Makefile', text, kind: 'makefile' })).toEqual(['operator', 'webhook']);
  });
});

describe('the migration and the review read the same targets', () => {
  const root = tempDir();
  afterAll(() => removeDir(root));

  it('a "target: dev # comment" stage stays on the target platform in the migration, and the review of the result agrees', async () => {
    const dockerfile = [
      'ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1',
      'FROM ${GO_IMAGE} AS builder',
      'RUN apk add --no-cache git make',
      'COPY . /src',
      'WORKDIR /src',
      'RUN CGO_ENABLED=0 go build -o bin/lever ./cmd/lever',
      '',
      'FROM builder AS dev',
      'RUN go install github.com/go-delve/delve/cmd/dlv@v1.23.0',
      '',
      'FROM scratch',
      'COPY --from=builder /src/bin/lever /lever',
      '',
    ].join('\n');
    const work = path.join(root, 'dev-target');
    writeFiles(work, { Dockerfile: dockerfile, '.github/workflows/build.yml': workflow });
    const hints = await readRepoHints(work);
    const targets = hints.targets.map((t) => t.name);
    expect(targets).toEqual(['dev']);
    const report = await migrateCheckout(work, { ...DEFAULT_OPTIONS, dryRun: false }, recipes);
    expect(report.outcome).toBe('changed');
    const { readFileSync } = await import('node:fs');
    const out = readFileSync(path.join(work, 'Dockerfile'), 'utf8');
    expect(parseDockerfile(out).stages.find((s) => s.name === 'dev')!.platform).toBe('target');
    expect(reviewText(out, 'Dockerfile', { targets }).filter((f) => f.severity === 'error')).toEqual([]);
    // The review CLI of the folder reads the workflow itself: no error either.
    expect((await reviewFolder(work)).findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('a Makefile build-arg that turns a finding on: `review` of the folder reports what the migration fixes, the file alone does not, and the migrated folder passes', async () => {
    const dockerfile = [
      'FROM --platform=$BUILDPLATFORM rancher/mirrored-tonistiigi-xx:1.6.1 AS xx',
      '',
      'FROM --platform=$BUILDPLATFORM golang:1.23-alpine AS builder',
      'COPY --from=xx / /',
      'RUN apk add --no-cache clang lld file',
      'ARG CGO_ENABLED',
      'COPY . /src',
      'WORKDIR /src',
      'ARG TARGETPLATFORM',
      'RUN xx-go --wrap && go build -o /out/lever ./cmd/lever',
      'RUN xx-verify /out/lever',
      '',
      'FROM scratch',
      'COPY --from=builder /out/lever /lever',
      '',
    ].join('\n');
    const makefile = 'image:\n\tdocker buildx build --platform linux/amd64,linux/arm64 --build-arg CGO_ENABLED=1 -t example/lever .\n';
    const work = path.join(root, 'cgo-build-arg');
    writeFiles(work, { Dockerfile: dockerfile, Makefile: makefile });

    const before = await reviewFolder(work);
    const errors = before.findings.filter((f) => f.severity === 'error').map((f) => `${f.rule}:${f.line}`);
    expect(errors).toEqual(['cgo-without-target-libs:10']);
    expect(before.code).toBe(1);
    // The same Dockerfile without its build files: CGO_ENABLED comes from nowhere, cgo is off.
    expect(reviewText(dockerfile, 'Dockerfile').filter((f) => f.severity === 'error')).toEqual([]);

    const dry = await migrateCheckout(work, { ...DEFAULT_OPTIONS, dryRun: true }, recipes);
    expect(dry.outcome).toBe('changed');
    expect(dry.files[0]!.edits.map((e) => e.reason).filter((r) => r.includes('(fixes cgo-without-target-libs, line 10)')).length).toBeGreaterThan(0);
    await migrateCheckout(work, { ...DEFAULT_OPTIONS, dryRun: false }, recipes);
    const after = await reviewFolder(work);
    expect(after.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(after.code).toBe(0);
  });
});

/** `review --format json` of a folder, as the CLI runs it. */
async function reviewFolder(dir: string): Promise<{ code: number; findings: Finding[] }> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c) => (text += c));
  const code = await runReview({ paths: [dir], format: 'json' }, out, new PassThrough());
  const parsed = JSON.parse(text) as { findings: Finding[] } | Finding[];
  return { code, findings: Array.isArray(parsed) ? parsed : parsed.findings };
}

describe('the build files\' environment', () => {
  const makefile = { path: 'Makefile', kind: 'makefile' as const, text: 'CGO ?= 0\nexport GOFLAGS = -mod=vendor\nGOFLAGS ?= -trimpath\nTAG := v1 # the release\n\nimage:\n\tCGO=1 docker build --build-arg CGO_ENABLED=$(CGO) --build-arg GOFLAGS --build-arg VERSION=$(TAG) --build-arg COMMIT=$(shell git rev-parse HEAD) .\n' };
  const workflow = { path: '.github/workflows/build.yml', kind: 'workflow' as const, text: 'env:\n  GOPROXY: direct\njobs:\n  image:\n    env:\n      DEBUG: 0\n    steps:\n      - uses: docker/build-push-action@v6\n        env:\n          LEVEL: 3\n        with:\n          build-args: |\n            DEBUG=${{ env.DEBUG }}\n            LEVEL=${{ env.LEVEL }}\n' };

  it('reads the Makefile\'s top-level variables as make does: the last assignment wins, ?= only fills a gap, recipe lines are shell', () => {
    const vars = makeVariables([makefile]);
    expect(Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, [v.value, v.ifUnset, v.exported, v.line]]))).toEqual({
      CGO: ['0', true, false, 1],
      GOFLAGS: ['-mod=vendor', false, true, 2],
      TAG: ['v1', false, false, 4],
    });
  });

  it('reads the env of a workflow, its jobs and its steps', () => {
    expect(workflowEnv(workflow)).toEqual({ GOPROXY: 'direct', DEBUG: '0', LEVEL: '3' });
    expect(workflowEnv(makefile)).toEqual({});
  });

  it('resolves build-arg values through those variables; a bare --build-arg takes an exported variable; what the files do not say is left out', () => {
    expect(buildArgValues([makefile, workflow])).toEqual({ CGO_ENABLED: '0', GOFLAGS: '-mod=vendor', VERSION: 'v1', DEBUG: '0', LEVEL: '3' });
  });
});

describe('makefileFacts: the goals that reach a go install with GOBIN set (issue 17 item 2)', () => {
  const of = (text: string) => makefileFacts([{ path: 'Makefile', text, kind: 'makefile' }])!.gobinInstalls;

  it('an export of GOBIN in the recipe line, a GOBIN= prefix, a target-specific export, a global export', () => {
    expect(of('CGO_ENABLED ?= 0\n\nbuild:\n\texport GOBIN=/out && go install -trimpath ./cmd/ripple\n\nimage:\n\tdocker build -t ripple .\n')).toEqual({ build: { file: 'Makefile', line: 4 }, '': { file: 'Makefile', line: 4 } });
    expect(of('build: export GOBIN := /out\nbuild:\n\t@$(GO) install \\\n\t  ./cmd/x\n')).toEqual({ build: { file: 'Makefile', line: 3 }, '': { file: 'Makefile', line: 3 } });
    expect(of('export GOBIN = $(CURDIR)/bin\n\nall: build\n\nbuild: tools\n\tgo build -o bin/x ./cmd/x\n\ntools:\n\tgo install golang.org/x/tools/cmd/stringer@v0.1.0\n')).toEqual({
      all: { file: 'Makefile', line: 9 },
      build: { file: 'Makefile', line: 9 },
      tools: { file: 'Makefile', line: 9 },
      '': { file: 'Makefile', line: 9 },
    });
  });

  it('through $(MAKE) <goal>; a GOBIN make does not export, and goals that never reach one, are left out', () => {
    expect(of('release:\n\t$(MAKE) install-bin\ninstall-bin:\n\tGOBIN=$(PWD)/bin go install ./cmd/x\nbuild:\n\tgo build ./cmd/x\n')).toEqual({ release: { file: 'Makefile', line: 4 }, 'install-bin': { file: 'Makefile', line: 4 }, '': { file: 'Makefile', line: 4 } });
    expect(of('GOBIN := /out\n\nbuild:\n\tgo install ./cmd/x\n')).toEqual({});
  });
});
