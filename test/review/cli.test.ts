import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { runReview, type ReviewArgs } from '../../src/review/cli.ts';
import { GOOD } from './helpers.ts';

async function run(args: Partial<ReviewArgs> & { paths: string[] }): Promise<{ code: number; out: string; err: string }> {
  const stream = new PassThrough();
  const errStream = new PassThrough();
  let out = '';
  let err = '';
  stream.on('data', (c) => (out += c));
  errStream.on('data', (c) => (err += c));
  const code = await runReview({ format: 'text', ...args }, stream, errStream);
  return { code, out, err };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'review-cli-'));
  writeFileSync(join(dir, 'good.Dockerfile'), GOOD);
  writeFileSync(join(dir, 'bad.Dockerfile'), GOOD.replace('xx-go --wrap &&', 'xx-go --wrap'));
  writeFileSync(join(dir, 'broken.Dockerfile'), 'FROM alpine\nFORM alpine\n');
  // a repository folder
  const repo = join(dir, 'repo');
  mkdirSync(join(repo, '.github', 'workflows'), { recursive: true });
  mkdirSync(join(repo, 'images', 'agent'), { recursive: true });
  mkdirSync(join(repo, 'node_modules', 'x'), { recursive: true });
  mkdirSync(join(repo, 'vendor'), { recursive: true });
  writeFileSync(join(repo, 'Dockerfile'), GOOD.replace('FROM scratch\nCOPY --from=builder', 'FROM builder AS binaries\nFROM scratch\nCOPY --from=binaries'));
  writeFileSync(join(repo, 'images', 'agent', 'Dockerfile.agent'), 'FROM alpine:3.20\n');
  writeFileSync(join(repo, 'node_modules', 'x', 'Dockerfile'), 'FORM nothing\n');
  writeFileSync(join(repo, 'vendor', 'Dockerfile'), 'FORM nothing\n');
  writeFileSync(
    join(repo, 'Makefile'),
    'image:\n\tdocker buildx build --platform linux/amd64,linux/arm64 \\\n\t\t--build-arg ARCH=$(ARCH) --build-arg GO_IMAGE=$(GO_IMAGE) --target binaries .\n',
  );
  writeFileSync(
    join(repo, '.github', 'workflows', 'release.yml'),
    'jobs:\n  build:\n    steps:\n      - uses: docker/build-push-action@v5\n        with:\n          build-args: |\n            ARCH=amd64\n            TAG=v1\n          target: binaries\n',
  );
});

describe('runReview', () => {
  it('exits 0 on a correct file', async () => {
    const r = await run({ paths: [join(dir, 'good.Dockerfile')] });
    expect(r.code).toBe(0);
    expect(r.out).toContain('1 Dockerfile reviewed: 0 errors, 0 warnings');
  });

  it('exits 1 on an error finding, naming file and line', async () => {
    const r = await run({ paths: [join(dir, 'good.Dockerfile'), join(dir, 'bad.Dockerfile')] });
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${join(dir, 'bad.Dockerfile')}:8:5: error xx-go-wrap-swallows-command`);
  });

  it('reports a Dockerfile that does not parse as a parse error on its line', async () => {
    const r = await run({ paths: [join(dir, 'broken.Dockerfile')], format: 'json' });
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.out);
    expect(parsed.findings).toEqual([expect.objectContaining({ rule: 'parse', severity: 'error', line: 2 })]);
  });

  it('exits 2 with a message naming a missing path or an unreadable file', async () => {
    const missing = await run({ paths: [join(dir, 'nope.Dockerfile')] });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`cannot read ${join(dir, 'nope.Dockerfile')}: no such file or directory`);
    expect(missing.out).toBe('');
    expect((await run({ paths: [] })).code).toBe(2);
    expect((await run({ paths: [join(dir, 'good.Dockerfile')], format: 'xml' as never })).code).toBe(2);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked.Dockerfile');
      writeFileSync(locked, GOOD);
      chmodSync(locked, 0o000);
      const r = await run({ paths: [locked] });
      expect(r.code).toBe(2);
      expect(r.err).toContain(locked);
    }
  });

  it('reviews a repository folder: Dockerfile*, *.Dockerfile, skipping node_modules/vendor, with targets and build-args', async () => {
    const repo = join(dir, 'repo');
    const r = await run({ paths: [repo], format: 'json' });
    const parsed = JSON.parse(r.out);
    expect(parsed.reviewed).toBe(2);
    const rules = parsed.findings.map((f: { rule: string; file: string; line: number }) => `${f.rule}@${f.file.slice(repo.length + 1)}:${f.line}`);
    // "binaries" is a --target of the Makefile and the workflow: a final stage on the build platform.
    expect(rules).toContain('final-stage-on-build-platform@Dockerfile:11');
    expect(rules).toContain('stale-build-arg@Makefile:3');
    expect(rules).toContain('stale-build-arg@.github/workflows/release.yml:7');
    expect(rules).toContain('stale-build-arg@.github/workflows/release.yml:8');
    expect(rules.some((x: string) => x.includes('node_modules') || x.includes('vendor'))).toBe(false);
    expect(r.code).toBe(1);
  });

  it('exits 2 for a folder without Dockerfiles', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'review-empty-'));
    const r = await run({ paths: [empty] });
    expect(r.code).toBe(2);
    expect(r.err).toContain(empty);
  });

  it('root: paths are read relative to it and named as given (the review action runs from its own folder)', async () => {
    const file = await run({ paths: ['bad.Dockerfile'], root: dir, format: 'github' });
    expect(file.code).toBe(1);
    expect(file.out).toMatch(/^::error file=bad\.Dockerfile,line=8,/m);
    const folder = await run({ paths: ['repo'], root: dir, format: 'json' });
    const files = new Set(JSON.parse(folder.out).findings.map((f: { file: string }) => f.file));
    expect(files).toContain('repo/Dockerfile');
    expect(files).toContain('repo/Makefile');
    const missing = await run({ paths: ['nope.Dockerfile'], root: dir });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot read nope.Dockerfile');
    expect(missing.err).not.toContain(dir);
  });

  it('formats github annotations and sarif', async () => {
    const gh = await run({ paths: [join(dir, 'bad.Dockerfile')], format: 'github' });
    expect(gh.out).toMatch(/^::error file=.*bad\.Dockerfile,line=8,col=5,endLine=9,title=xx-go-wrap-swallows-command::/);
    const sarif = await run({ paths: [join(dir, 'bad.Dockerfile')], format: 'sarif' });
    expect(JSON.parse(sarif.out).runs[0].results[0].locations[0].physicalLocation.region.startLine).toBe(8);
  });
});

describe('cli-main through tsx', () => {
  const exec = promisify(execFile);
  const main = async (args: string[]) => {
    try {
      const { stdout, stderr } = await exec('npx', ['tsx', 'src/review/cli-main.ts', ...args], { cwd: join(import.meta.dirname, '..', '..') });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  it('returns 0, 1 and 2', async () => {
    const [ok, bad, usage] = await Promise.all([
      main([join(dir, 'good.Dockerfile')]),
      main(['--format=github', join(dir, 'bad.Dockerfile')]),
      main(['--format', 'text', join(dir, 'missing')]),
    ]);
    expect(ok.code).toBe(0);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('::error ');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('missing');
    expect(usage.stdout).toBe('');
  }, 30_000);
});
