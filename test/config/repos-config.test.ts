import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadReposConfig, migrateOptionsFor, parseReposConfig } from '../../src/config/repos-config.ts';
import { DEFAULT_XX_IMAGE } from '../../src/migrate/types.ts';
import { removeDir, tempDir } from '../helpers/repos.ts';

const root = path.resolve(import.meta.dirname, '../..');

function errorOf(text: string): ConfigError {
  try {
    parseReposConfig(text, 'repos.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('repos.yaml schema', () => {
  it('fills defaults for an almost empty file', () => {
    const c = parseReposConfig('version: 1\n', 'repos.yaml');
    expect(c.namePattern).toBe('image-build-*');
    expect(c.defaults).toEqual({ xxImage: DEFAULT_XX_IMAGE, concurrency: 4, labels: [], reviewers: [], signOff: false, platforms: ['linux/amd64', 'linux/arm64'] });
    expect(c.source).toEqual({ type: 'github', list: 'none' });
  });

  it('names the line, the key path and a suggestion for an unknown key', () => {
    const e = errorOf('version: 1\nsource:\n  type: github\n  list:\n    repo: rancher/ecm-distro-tools\n    path: docs/rke2-dependencies.md\n    formt: markdown\n');
    expect(e.issues).toHaveLength(1);
    expect(e.line).toBe(7);
    expect(e.keyPath).toBe('source.list.formt');
    expect(e.message).toMatch(/^repos\.yaml:7:5: source\.list\.formt: unknown key \(did you mean `format`\?\)/);
  });

  it('rejects unknown keys in a per-repository block, with the repository in the path', () => {
    const e = errorOf('repos:\n  rancher/image-build-calico:\n    dockerfile: [Dockerfile]\n');
    expect(e.line).toBe(3);
    expect(e.keyPath).toBe('repos["rancher/image-build-calico"].dockerfile');
    expect(e.message).toContain('did you mean `dockerfiles`');
  });

  it('points a missing required key at its parent line and says to add it', () => {
    const e = errorOf('repos:\n  rancher/image-build-calico:\n    emulatedStages:\n      - stage: bpf\n');
    expect(e.keyPath).toBe('repos["rancher/image-build-calico"].emulatedStages[0].reason');
    expect(e.line).toBe(4);
    expect(e.message).toContain('add it');
  });

  it('reports a wrong type at the value line', () => {
    const e = errorOf('defaults:\n  concurrency: four\n');
    expect(e.line).toBe(2);
    expect(e.keyPath).toBe('defaults.concurrency');
  });

  it('reports every problem, sorted by line', () => {
    const e = errorOf('namePatern: x\ndefaults:\n  concurrency: 0\nrepos:\n  a/b:\n    skip: ""\n');
    expect(e.issues.map((i) => i.line)).toEqual([1, 3, 6]);
  });

  it('reports malformed YAML with file:line', () => {
    const e = errorOf('include:\n  - rancher/image-build-a\n  - [unclosed\nexclude: []\n');
    expect(e.line).toBeGreaterThanOrEqual(3);
    expect(e.message).toMatch(/^repos\.yaml:\d+:\d+: .*fix the YAML syntax/);
  });

  it('rejects duplicate keys', () => {
    const e = errorOf('namePattern: a\nnamePattern: b\n');
    expect(e.line).toBe(2);
  });

  it('rejects an unknown source type and a Dockerfile path that escapes the repository', () => {
    expect(errorOf('source:\n  type: gitlab\n').keyPath).toBe('source.type');
    const e = errorOf('repos:\n  a/b:\n    dockerfiles: [../../etc/passwd]\n');
    expect(e.keyPath).toBe('repos["a/b"].dockerfiles[0]');
    expect(e.line).toBe(3);
  });

  it('says what to do when the file is missing', async () => {
    await expect(loadReposConfig('/nonexistent/repos.yaml')).rejects.toThrow(/file not found/);
  });
});

describe('migrateOptionsFor', () => {
  const c = parseReposConfig(
    `defaults:
  xxImage: registry.example/xx:9
repos:
  rancher/image-build-calico:
    dockerfiles: [Dockerfile, Dockerfile.bpf]
    emulatedStages:
      - stage: bpf-builder
        reason: builds BPF programs with clang for the target
  image-build-multus:
    xxImage: registry.example/xx:10
`,
    'repos.yaml',
  );

  it('merges defaults and per-repository overrides', () => {
    expect(migrateOptionsFor(c, 'rancher/image-build-calico')).toEqual({
      xxImage: 'registry.example/xx:9',
      dockerfiles: ['Dockerfile', 'Dockerfile.bpf'],
      // Each entry knows its line, for messages about it (a stage no Dockerfile has).
      emulatedStages: [{ stage: 'bpf-builder', reason: 'builds BPF programs with clang for the target', source: 'repos.yaml:7' }],
      dryRun: false,
    });
  });

  it('matches case-insensitively, by name alone for --local, and keys without owner', () => {
    expect(migrateOptionsFor(c, 'Rancher/Image-Build-Calico').dockerfiles).toHaveLength(2);
    expect(migrateOptionsFor(c, 'image-build-calico').dockerfiles).toHaveLength(2);
    expect(migrateOptionsFor(c, 'rancher/image-build-multus').xxImage).toBe('registry.example/xx:10');
    expect(migrateOptionsFor(c, 'rancher/image-build-other')).toEqual({ xxImage: 'registry.example/xx:9', dockerfiles: ['Dockerfile'], emulatedStages: [], dryRun: false });
  });

  it('does not share arrays with the config', () => {
    const o = migrateOptionsFor(c, 'rancher/image-build-calico');
    o.dockerfiles.push('x');
    expect(migrateOptionsFor(c, 'rancher/image-build-calico').dockerfiles).toHaveLength(2);
  });
});

describe('the repository files', () => {
  const dir = tempDir();
  afterAll(() => removeDir(dir));

  it('repos.yaml lists the 21 image-build repositories, with image-build-base skipped', async () => {
    const c = await loadReposConfig(path.join(root, 'repos.yaml'));
    const repos = c.include.filter((r) => r.startsWith('rancher/image-build-'));
    expect(new Set(repos).size).toBe(21);
    expect(c.source).toMatchObject({ type: 'github', list: { repo: 'rancher/ecm-distro-tools', path: 'docs/rke2-dependencies.md', format: 'markdown' } });
    expect(c.repos['rancher/image-build-base']?.skip).toMatch(/base image/);
    expect(c.include).not.toContain('rancher/ingress-nginx');
  });

  it('examples/repos.yaml is a local source', async () => {
    const c = await loadReposConfig(path.join(root, 'examples/repos.yaml'));
    expect(c.source).toEqual({ type: 'local', path: 'repos', owner: 'example' });
  });

  it('keeps the file name the user gave in messages', async () => {
    const f = path.join(dir, 'bad.yaml');
    writeFileSync(f, 'version: 2\n');
    await expect(loadReposConfig(f)).rejects.toThrow(`${f}:1:10: version: version must be 1`);
  });
});
