/**
 * `migrate --local DIR`: in place, --dry-run, --json, exit codes, and bad input that must leave
 * the checkout untouched with a message naming the file (and line).
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { Capture } from '../helpers/streams.ts';

const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));
const P1 = path.resolve('test/fixtures/patterns/P01-classic-builder');

function checkout(files: Record<string, string | Buffer> = {}, from?: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ibm-cli-'));
  temps.push(dir);
  if (from) cpSync(from, dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = `${st.mtimeMs}:${readFileSync(p).toString('base64')}`;
    }
  };
  walk(dir);
  return out;
}

async function run(...args: string[]) {
  const out = new Capture();
  const err = new Capture();
  const code = await main(['migrate', ...args], out, err);
  return { code, out: out.text, err: err.text };
}

describe('migrate --local', () => {
  it('rewrites the checkout in place and prints what changed and why', async () => {
    const dir = checkout({}, path.join(P1, 'before'));
    const r = await run('--local', dir);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(dir, 'Dockerfile'), 'utf8')).toBe(readFileSync(path.join(P1, 'after', 'Dockerfile'), 'utf8'));
    expect(r.out).toMatch(/Dockerfile: changed/);
    expect(r.out).toMatch(/\[xx-go-wrap\] xx-go --wrap makes/);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp'))).toEqual([]);
  });

  it('--dry-run prints a unified diff and writes nothing', async () => {
    const dir = checkout({}, path.join(P1, 'before'));
    const before = snapshot(dir);
    const r = await run('--local', dir, '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^--- a\/Dockerfile\n\+\+\+ b\/Dockerfile\n@@ /m);
    expect(r.out).toContain('+RUN xx-verify --static bin/widget');
    expect(snapshot(dir)).toEqual(before);
  });

  it('--json prints the report: edits with recipe ids and reasons, skips, warnings', async () => {
    const dir = checkout({}, path.resolve('test/fixtures/patterns/P10-c-stage-emulated/before'));
    const r = await run('--local', dir, '--dry-run', '--json');
    const report = JSON.parse(r.out);
    expect(report.outcome).toBe('changed');
    const file = report.files[0];
    expect(file.path).toBe('Dockerfile');
    expect(file.edits.every((e: { recipe: string; reason: string; line: number }) => e.recipe && e.reason && e.line > 0)).toBe(true);
    expect(file.skips.some((s: { reason: string }) => /bpf.*kept emulated/.test(s.reason))).toBe(true);
    expect(Array.isArray(file.warnings)).toBe(true);
  });

  it('exits 0 with nothing to do on an already migrated checkout', async () => {
    const dir = checkout({}, path.resolve('test/fixtures/patterns/P13-already-migrated/before'));
    const r = await run('--local', dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/already migrated/);
  });

  it('settings from the command line: xx image, Dockerfile path, emulated stage', async () => {
    const text = readFileSync(path.join(P1, 'before', 'Dockerfile'), 'utf8');
    const dir = checkout({ 'build/Dockerfile.widget': text });
    const r = await run('--local', dir, '--dockerfile', 'build/Dockerfile.widget', '--xx-image', 'registry.example.com/xx:1.5.0', '--emulate', 'builder=needs a target toolchain we cannot cross');
    expect(r.code).toBe(0);
    const out = readFileSync(path.join(dir, 'build/Dockerfile.widget'), 'utf8');
    expect(out).toMatch(/^# kept emulated: needs a target toolchain we cannot cross\nFROM \$\{GO_IMAGE\} AS builder$/m);
    expect(out).not.toContain('BUILDPLATFORM');
  });

  it('exits 1 and writes nothing when the file cannot be migrated safely', async () => {
    const dir = checkout({
      Dockerfile: [
        'FROM golang:1.23-alpine AS builder',
        'COPY . /src',
        'WORKDIR /src',
        'RUN go build -o /out/app ./cmd/app',
        'RUN go generate ./...',
        'FROM scratch',
        'COPY --from=builder /out/app /app',
        '',
      ].join('\n'),
    });
    const before = snapshot(dir);
    const r = await run('--local', dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Dockerfile:4: the compile at line 4 runs before the native Go step at line 5/);
    expect(r.err).toMatch(/what to do: /);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('bad input leaves the checkout untouched and names the file', () => {
  const cases: [string, Record<string, string | Buffer>, RegExp][] = [
    ['missing Dockerfile', { 'README.md': 'hello\n' }, /Dockerfile: no such file/],
    ['empty file', { Dockerfile: '' }, /Dockerfile:1: is empty/],
    ['whitespace only', { Dockerfile: '\n\n  \n' }, /Dockerfile:1: is empty/],
    ['binary file', { Dockerfile: Buffer.from([0x46, 0x52, 0x4f, 0x4d, 0x0a, 0x00, 0x01, 0x02]) }, /Dockerfile:2: is a binary file/],
    ['unknown instruction', { Dockerfile: 'FROM golang:1.23 AS b\nRUN go build .\nFORM scratch\n' }, /Dockerfile:3: unknown instruction "FORM"/],
    ['instruction before FROM', { Dockerfile: 'RUN echo hi\nFROM scratch\n' }, /Dockerfile:1: RUN before the first FROM/],
    ['no FROM', { Dockerfile: 'ARG X=1\n' }, /Dockerfile:1: no FROM instruction/],
    ['several MB', { Dockerfile: 'FROM scratch\n' + '# padding\n'.repeat(400_000) }, /Dockerfile: is 3\.8 MB/],
  ];
  for (const [name, files, message] of cases) {
    it(name, async () => {
      const dir = checkout(files);
      const before = snapshot(dir);
      const r = await run('--local', dir);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(snapshot(dir)).toEqual(before);
    });
  }

  it('a symlinked Dockerfile pointing outside the checkout is refused', async () => {
    const outside = checkout({ Dockerfile: readFileSync(path.join(P1, 'before', 'Dockerfile'), 'utf8') });
    const dir = checkout({});
    symlinkSync(path.join(outside, 'Dockerfile'), path.join(dir, 'Dockerfile'));
    const before = snapshot(outside);
    const r = await run('--local', dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Dockerfile: is a symlink to .*outside the checkout/);
    expect(snapshot(outside)).toEqual(before);
  });

  it('a checkout folder that does not exist', async () => {
    const r = await run('--local', path.join(tmpdir(), 'no-such-checkout-ibm'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/checkout folder does not exist/);
  });

  it('bad usage exits 2', async () => {
    expect((await run('--local', '.', '--concurrency', 'x')).code).toBe(2);
    expect((await run('--local', '.', '--emulate', 'nostage')).code).toBe(2);
    const out = new Capture();
    const err = new Capture();
    expect(await main(['frobnicate'], out, err)).toBe(2);
  });
});

describe('Dockerfile syntax the migration must keep working with', () => {
  it('escape directive with backtick continuations', async () => {
    const dir = checkout({
      Dockerfile: '# escape=`\nARG GO_IMAGE=golang:1.23-alpine\nFROM ${GO_IMAGE} AS builder\nRUN apk add --no-cache git `\n    file\nCOPY . /src\nWORKDIR /src\nRUN CGO_ENABLED=0 `\n    go build -o /out/esc ./cmd/esc\nFROM scratch\nCOPY --from=builder /out/esc /esc\n',
    });
    const r = await run('--local', dir);
    expect(r.code).toBe(0);
    const out = readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
    expect(out).toContain('RUN xx-go --wrap && CGO_ENABLED=0 `\n    go build -o /out/esc ./cmd/esc\n');
    expect(out).toContain('RUN apk add --no-cache git `\n    file\n');
  });

  it('a file without a final newline', async () => {
    const dir = checkout({ Dockerfile: 'FROM golang:1.23-alpine AS b\nRUN CGO_ENABLED=0 go build -o /out/x .\nFROM scratch\nCOPY --from=b /out/x /x' });
    const r = await run('--local', dir);
    expect(r.code).toBe(0);
    const out = readFileSync(path.join(dir, 'Dockerfile'), 'utf8');
    expect(out.endsWith('COPY --from=b /out/x /x')).toBe(true);
    expect(out).toContain('RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/x . && xx-verify --static /out/x\nFROM scratch');
  });
});

describe('settings from repos.yaml', () => {
  it('applies global defaults and the per-repository entry named like the folder; flags win', async () => {
    const text = readFileSync(path.join(P1, 'before', 'Dockerfile'), 'utf8');
    const parent = checkout({});
    const dir = path.join(parent, 'image-build-widget');
    mkdirSync(path.join(dir, 'build'), { recursive: true });
    writeFileSync(path.join(dir, 'build', 'widget.Dockerfile'), text);
    const reposFile = path.join(parent, 'repos.yaml');
    writeFileSync(
      reposFile,
      [
        'version: 1',
        'defaults:',
        '  xxImage: registry.example.com/mirror/xx:1.6.1',
        'repos:',
        '  example/image-build-widget:',
        '    dockerfiles: [build/widget.Dockerfile]',
        '',
      ].join('\n'),
    );
    const r = await run('--local', dir, '--repos', reposFile, '--dry-run');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('+FROM --platform=$BUILDPLATFORM registry.example.com/mirror/xx:1.6.1 AS xx');
    expect(r.out).toContain('--- a/build/widget.Dockerfile');
    const flagged = await run('--local', dir, '--repos', reposFile, '--dry-run', '--xx-image', 'registry.example.com/other/xx:1.6.1');
    expect(flagged.out).toContain('registry.example.com/other/xx:1.6.1 AS xx');
  });

  it('a malformed repos.yaml is bad input: exit 2 with file and line', async () => {
    const parent = checkout({ 'repos.yaml': 'version: 1\nrepos:\n  example/x:\n    dockerfilez: [a]\n' });
    const r = await run('--local', parent, '--repos', path.join(parent, 'repos.yaml'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/repos\.yaml:4/);
  });
});
