/**
 * Edits the migration used to make that broke working builds (issue 7, items 1-10). Each case
 * has a fixture of our own in test/fixtures/wrong-edits/ (before and after, in the style of the
 * fleet) and a check that runs the code on the output: the parsed model, the review, the paths
 * the final images copy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/dockerfile/analysis.ts';
import { packageInstall } from '../../src/dockerfile/commands.ts';
import { parseDockerfile, type DockerfileModel } from '../../src/dockerfile/model.ts';
import { migrateDockerfile, type DockerfileMigration } from '../../src/migrate/engine.ts';
import { reviewDockerfile } from '../../src/review/review.ts';
import { DEFAULT_OPTIONS } from './options.ts';

const dir = 'test/fixtures/wrong-edits';
const cases = readdirSync(dir).filter((f) => f.endsWith('.before.Dockerfile')).map((f) => f.replace('.before.Dockerfile', '')).sort();

function migrate(name: string): { before: string; after: string; m: DockerfileMigration; out: DockerfileModel } {
  const before = readFileSync(path.join(dir, `${name}.before.Dockerfile`), 'utf8');
  const after = readFileSync(path.join(dir, `${name}.after.Dockerfile`), 'utf8');
  const m = migrateDockerfile(before, 'Dockerfile', DEFAULT_OPTIONS);
  return { before, after, m, out: parseDockerfile(m.output, 'Dockerfile') };
}

/** Every instruction of the model, as keyword + its first line: a joined instruction shows as a keyword inside another's text. */
const KEYWORD_LINE = /^\s*(FROM|RUN|COPY|ADD|ARG|ENV|WORKDIR|ENTRYPOINT|CMD|LABEL|USER|EXPOSE)\s/i;

describe('wrong edits: every fixture migrates into exactly its after file, with no error left', () => {
  it('has the fixtures', () => expect(cases.length).toBeGreaterThanOrEqual(2));
  for (const name of cases) {
    it(name, () => {
      const { after, m, out } = migrate(name);
      expect(m.output).toBe(after);
      expect(reviewDockerfile(out).filter((f) => f.severity === 'error')).toEqual([]);
      // No edit is listed twice.
      const listed = m.edits.map((e) => `${e.line}:${e.recipe}:${e.reason}`);
      expect(listed.length).toBe(new Set(listed).size);
    });
  }
});

describe('2: cgo libraries found through pkg-config', () => {
  it('move to xx-apk while a native pkgconf stays for xx\'s <triple>-pkg-config', () => {
    const { out } = migrate('02-pkg-config-libs');
    const a = analyze(out);
    const builder = out.stages.find((s) => s.name === 'builder')!;
    const installs = a.facts.get(builder)!.packageInstalls;
    const by = (manager: string) => installs.filter((p) => p.manager === manager).flatMap((p) => p.packages.map((w) => w.value));
    expect(by('apk')).toContain('pkgconf');
    expect(by('apk')).not.toContain('libseccomp-dev');
    expect(by('xx-apk')).toContain('libseccomp-dev');
  });
});

describe('3: an emptied package list', () => {
  it('drops the command (or the RUN), never leaving a continuation that joins two instructions', () => {
    const { out } = migrate('03-emptied-package-list');
    for (const instr of out.instructions) {
      const lines = out.source.text.slice(instr.start, instr.end).split(/\r?\n/).slice(1);
      expect(lines.filter((l) => KEYWORD_LINE.test(l)), `instruction at line ${instr.line}`).toEqual([]);
    }
    // Every apk/xx-apk command left installs something.
    for (const instr of out.instructions) {
      for (const c of instr.shell?.commands ?? []) {
        const p = packageInstall(c);
        if (p) expect(p.packages.length, `install at line ${instr.line}`).toBeGreaterThan(0);
      }
    }
    // The go mod download of the emptied `apk add ... && go mod download` survives, once.
    const downloads = out.instructions.filter((i) => i.shell?.commands.some((c) => c.name === 'go' && c.args[0]?.value === 'mod'));
    expect(downloads).toHaveLength(1);
  });
});

describe('7: a default on an automatic platform ARG', () => {
  it('is dropped in a file that already cross-compiles, and that is the only edit, naming the finding', () => {
    const { out, m } = migrate('07-platform-arg-default');
    expect(m.alreadyMigrated).toBe(true);
    expect(m.edits.map((e) => [e.recipe, e.line])).toEqual([
      ['platform-arg-default', 7],
      ['platform-arg-default', 8],
    ]);
    for (const e of m.edits) expect(e.reason).toContain(`(fixes platform-arg-default, line ${e.line})`);
    const decls = out.stages.flatMap((s) => s.args).filter((a) => a.name.startsWith('TARGET'));
    expect(decls.map((a) => [a.name, a.defaultValue])).toEqual([
      ['TARGETOS', undefined],
      ['TARGETARCH', undefined],
    ]);
  });
});

describe('8: an edit that introduces a TARGETARCH use', () => {
  it('declares ARG TARGETARCH in the stage before the use, in every stage that reads it', () => {
    const { out } = migrate('08-targetarch-copy-path');
    for (const stage of out.stages) {
      for (const instr of stage.instructions) {
        const uses = instr.shell ? instr.shell.varRefs.filter((r) => r.name === 'TARGETARCH') : instr.keyword === 'ARG' ? [] : instr.vars.filter((v) => v.name === 'TARGETARCH');
        if (uses.length === 0) continue;
        expect(stage.args.some((a) => a.name === 'TARGETARCH' && a.instruction.index < instr.index), `line ${instr.line}`).toBe(true);
      }
    }
    expect(out.source.text).not.toMatch(/\$\{?ARCH\b/);
  });
});
