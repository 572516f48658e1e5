/**
 * Edits the migration used to make that broke working builds (issue 7, items 1-10). Each case
 * has a fixture of our own in test/fixtures/wrong-edits/ (before and after, in the style of the
 * fleet) and a check that runs the code on the output: the parsed model, the review, the paths
 * the final images copy.
 */
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recipes } from '../../migrations/index.ts';
import { scanBuildFile } from '../../src/dockerfile/build-files.ts';
import { migrateCheckout } from '../../src/migrate/checkout.ts';
import { removeDir, tempDir } from '../helpers/repos.ts';
import { analyze, compileTarget } from '../../src/dockerfile/analysis.ts';
import { packageInstall } from '../../src/dockerfile/commands.ts';
import { argInScope, parseDockerfile, type DockerfileModel } from '../../src/dockerfile/model.ts';
import { migrateDockerfile, type DockerfileMigration } from '../../src/migrate/engine.ts';
import { reviewModel } from '../../src/review/review.ts';
import { DEFAULT_OPTIONS } from './options.ts';
import { shipped } from '../helpers/shipped-paths.ts';
import { stageFiles } from '../../src/dockerfile/shipped.ts';
import { UnsafeMigrationError } from '../../src/migrate/recipe.ts';

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
      expect(reviewModel(out).filter((f) => f.severity === 'error')).toEqual([]);
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
  it('has ARG TARGETARCH in scope before every use: declared in the stage, or in the stage it is built FROM (declared once there)', () => {
    const { out } = migrate('08-targetarch-copy-path');
    for (const stage of out.stages) {
      for (const instr of stage.instructions) {
        const uses = instr.shell ? instr.shell.varRefs.filter((r) => r.name === 'TARGETARCH') : instr.keyword === 'ARG' ? [] : instr.vars.filter((v) => v.name === 'TARGETARCH');
        if (uses.length === 0) continue;
        expect(argInScope(stage, 'TARGETARCH', instr.start), `line ${instr.line}`).toBeDefined();
      }
    }
    // bundle, built FROM builder, inherits builder's: no second declaration.
    expect(out.stages.map((s) => s.args.filter((a) => a.name === 'TARGETARCH').length)).toEqual([0, 1, 0, 0]);
    expect(out.source.text).not.toMatch(/\$\{?ARCH\b/);
  });
});

describe('1: xx-verify given a folder', () => {
  it('verifies the binaries a later step names, never the folder; without a name, no xx-verify and a note why', () => {
    const { out, m } = migrate('01-verify-folder-output');
    const verified = out.instructions.flatMap((i) => (i.shell?.commands ?? []).filter((c) => c.name === 'xx-verify').map((c) => ({ stage: i.stage!.name, args: c.args.map((a) => a.value).filter((v) => !v.startsWith('-')) })));
    // One call per binary: xx-verify --static checks only its first file (xx up to v1.9.0).
    expect(verified).toEqual([
      { stage: 'builder', args: ['/go/src/kestrel/kestrel-agent'] },
      { stage: 'builder', args: ['/go/src/kestrel/kestrel-ctl'] },
    ]);
    // Each verified path is a file the final image copies out of that stage.
    const copied = new Set(out.stages.flatMap((s) => s.refs.filter((r) => r.stage?.name === 'builder').flatMap((r) => r.instruction.args.trim().split(/\s+/).slice(0, -1))));
    for (const p of verified.flatMap((v) => v.args)) expect(copied.has(p), p).toBe(true);
    expect(m.warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/^stage "plugins": no xx-verify added: the compile writes into the folder bin\/ and no later step names the binaries in it/));
  });
});

describe('10: ARGs the Dockerfile loses leave the build files; reasons are true', () => {
  const root = tempDir();
  afterAll(() => removeDir(root));
  const fixture = path.join(dir, '10-lost-go-args');

  it('GOOS and GOARCH leave the Makefile and the workflow; CGO_ENABLED is what the build passes, not guessed', async () => {
    const work = path.join(root, 'checkout');
    cpSync(path.join(fixture, 'before'), work, { recursive: true });
    const report = await migrateCheckout(work, { ...DEFAULT_OPTIONS, dryRun: false }, recipes);
    expect(report.outcome).toBe('changed');
    for (const f of ['Dockerfile', 'Makefile', '.github/workflows/build.yml']) {
      expect(readFileSync(path.join(work, f), 'utf8'), f).toBe(readFileSync(path.join(fixture, 'after', f), 'utf8'));
    }
    const passed = (f: string, kind: 'makefile' | 'workflow') => scanBuildFile({ path: f, text: readFileSync(path.join(work, f), 'utf8'), kind }).buildArgs.map((b) => b.name);
    expect(passed('Makefile', 'makefile')).toEqual(['CGO_ENABLED']);
    expect(passed('.github/workflows/build.yml', 'workflow')).toEqual(['CGO_ENABLED']);
    const out = parseDockerfile(readFileSync(path.join(work, 'Dockerfile'), 'utf8'));
    expect(out.stages.flatMap((s) => s.args).map((a) => a.name)).toEqual(['CGO_ENABLED', 'TARGETPLATFORM']);
    const reasons = report.files.flatMap((f) => f.edits.map((e) => e.reason));
    expect(reasons.filter((r) => /linked with cgo|CGO_ENABLED=1/.test(r))).toEqual([]);
    const listed = report.files.flatMap((f) => f.edits.map((e) => `${f.path}:${e.line}:${e.recipe}:${e.reason}`));
    expect(listed.length).toBe(new Set(listed).size);
  });
});

describe('9: a build tool downloaded for the arch in a stage now on the build platform', () => {
  it('is chosen by BUILDARCH and downloaded above the target ARG, once for all platforms', () => {
    const { out } = migrate('09-build-tool-download');
    const builder = out.stages.find((s) => s.name === 'builder')!;
    const download = builder.instructions.find((i) => i.shell?.commands.some((c) => c.name === 'curl'))!;
    const refs = download.shell!.varRefs.map((r) => r.name);
    expect(refs).toContain('BUILDARCH');
    expect(refs).not.toContain('TARGETARCH');
    expect(builder.args.some((a) => a.name === 'BUILDARCH' && a.instruction.index < download.index)).toBe(true);
    const firstTarget = builder.args.find((a) => a.name.startsWith('TARGET'))!;
    expect(download.index).toBeLessThan(firstTarget.instruction.index);
  });
});

describe('4: the final images ship exactly the files they shipped before', () => {
  it('the strip stage takes the named binaries out of a system folder, not the folder with xx\'s clang links', () => {
    const { before, out } = migrate('04-final-image-files');
    const input = parseDockerfile(before);
    const finalOf = (m: DockerfileModel) => m.stages.at(-1)!;
    expect(shipped(input, finalOf(input))).toEqual(['${GO_IMAGE}:/usr/local/bin', '/usr/local/bin/anvil', '/usr/local/bin/anvilctl']);
    expect(shipped(out, finalOf(out))).toEqual(shipped(input, finalOf(input)));
  });
});

describe('4: a glob installed stripped into a system folder that the final image copies whole', () => {
  const finals = (m: DockerfileModel) => analyze(m).finalStages;
  it('the strip stage takes the binaries the build names (-o outputs), not the folder with xx\'s clang links', () => {
    const { before, out } = migrate('04-glob-install-strip');
    const input = parseDockerfile(before);
    // When the install ran, bin/ held what the two go-build-static.sh -o wrote.
    const globs = { 'bin/*': ['bin/ternd', 'bin/ternctl'] };
    const inputFinals = [...finals(input)];
    expect(inputFinals.map((s) => shipped(input, s, globs))).toEqual([['${GO_IMAGE}:/usr/local/bin', '/usr/local/bin/ternctl', '/usr/local/bin/ternd']]);
    expect([...finals(out)].map((s) => shipped(out, s, globs))).toEqual(inputFinals.map((s) => shipped(input, s, globs)));
    // And it is cross-compiled: the builder runs on the build platform.
    expect(out.stages.find((s) => s.name === 'builder')!.platform).toBe('build');
  });

  it('without a name for the binaries, the stage keeps its shape, emulated, with a note saying why', () => {
    const { before, out, m } = migrate('04-glob-install-unnamed');
    const input = parseDockerfile(before);
    const globs = { 'bin/*': ['bin/ternd', 'bin/ternctl'] };
    expect([...finals(out)].map((s) => shipped(out, s, globs))).toEqual([...finals(input)].map((s) => shipped(input, s, globs)));
    const builder = out.stages.find((s) => s.name === 'builder')!;
    expect(builder.platform).toBe('target');
    expect(builder.leadingComments.at(-1)!.text).toBe('# kept emulated: "install -s bin/*" names no binary, and /usr/local/bin is copied whole');
    expect(m.emulated.map((e) => e.reason).join()).toMatch(/no step names those binaries/);
    expect(m.emulated.map((e) => e.stage)).toEqual(['builder']);
    // Nothing copies a system folder out of a stage that runs xx-go.
    expect(out.instructions.some((i) => i.shell?.commands.some((c) => c.name === 'xx-go'))).toBe(false);
  });
});

// Issue 17, item 1: a file the image shipped goes missing.
describe('1: every final stage ships the same paths, files and links, before and after', () => {
  it('the link the builder made next to the binary (the entrypoint) is made again in the strip stage', () => {
    const { before, out, m } = migrate('13-link-entrypoint');
    const paths = (model: DockerfileModel) => [...stageFiles(model.stages.at(-1)!).values()].map((f) => `${f.path} ${f.kind}${f.stripped ? ' stripped' : ''}`).sort();
    expect(paths(parseDockerfile(before))).toEqual(['/usr/local/bin/cloud-controller-manager link', '/usr/local/bin/tidewater file stripped']);
    expect(paths(out)).toEqual(paths(parseDockerfile(before)));
    const strip = out.stages.find((s) => s.name === 'strip_binary')!;
    expect(out.source.text.slice(strip.from.start, strip.end)).toContain('\nRUN ln -s /usr/local/bin/tidewater /usr/local/bin/cloud-controller-manager\n');
    expect(m.edits.filter((e) => e.recipe === 'strip-on-target').length).toBeGreaterThan(0);
  });
});

// Issue 17, item 4: stripping is never silently dropped.
describe('4: what install -s stripped is stripped after, on the target platform, or the file is not migrated', () => {
  it('a stripped folder shipped through a copy of its parent folder gets a strip stage', () => {
    const { before, out } = migrate('12-strip-parent-folder');
    const strippedIn = (model: DockerfileModel) => [...stageFiles(model.stages.at(-1)!).values()].filter((f) => f.stripped).map((f) => f.path);
    expect(strippedIn(parseDockerfile(before))).toEqual(['/opt/cni/bin/*']);
    expect(strippedIn(out)).toEqual(['/opt/cni/bin/*']);
    const strip = out.stages.find((s) => s.name === 'strip_binary')!;
    expect(strip.platform).toBe('target');
    expect(out.stages.at(-1)!.refs.map((r) => r.stage?.name)).toEqual(['strip_binary']);
  });

  it('a stripped file whose copy the bot cannot match to it is refused, naming the copy, not shipped unstripped', () => {
    const text = [
      'ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1',
      'FROM ${GO_IMAGE} AS builder',
      'RUN apk --no-cache add file git make',
      'WORKDIR $GOPATH/src/spool',
      'COPY . .',
      'RUN go-build-static.sh -o bin/ ./plugins/spool-bridge ./plugins/spool-ipam',
      'RUN install -D -s bin/* dist/',
      'FROM scratch',
      'COPY --from=builder /go/src/spool/dist/ /opt/cni/bin/',
      '',
    ].join('\n');
    let err: unknown;
    try {
      migrateDockerfile(text, 'Dockerfile', DEFAULT_OPTIONS);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsafeMigrationError);
    const u = err as UnsafeMigrationError;
    expect(u.line).toBe(9);
    expect(u.problem).toBe('line 9: "/go/src/spool/dist/" may copy $GOPATH/src/spool/dist/*, which stage "builder" strips, and the bot cannot tell: without -s and with no strip stage for it the image would ship it unstripped');
  });
});

describe('4: a file that already cross-compiles, with a glob whose binaries no step names', () => {
  it('comes out byte-identical: the host strip is left for the owner with a note why, no folder copied', () => {
    const before = readFileSync('migrations/strip-on-target/fixtures/glob-unnamed.before.Dockerfile', 'utf8');
    const m = migrateDockerfile(before, 'Dockerfile', DEFAULT_OPTIONS);
    expect(m.output).toBe(before);
    expect(m.warnings.map((w) => w.message)).toEqual([
      'stage "builder": not stripped on the target platform: "install -s bin/*" fills /usr/local/bin, which line 22 copies whole, and no step names those binaries; copying the folder would ship xx-go\'s clang links: install or copy the binaries by name',
      expect.stringMatching(/^review error the migration cannot fix, left for the owner: host-strip-cross-output: /),
    ]);
  });
});

describe('5: code generation and a lineage of stages', () => {
  it('codegen stays native before the wrap and the target ARG; the helpers and CGO_ENABLED come once, in the base', () => {
    const { out } = migrate('05-codegen-lineage');
    const xxCopies = out.instructions.filter((i) => i.keyword === 'COPY' && i.flags.some((f) => f.name.toLowerCase() === 'from' && f.value === 'xx'));
    expect(xxCopies.map((i) => i.stage!.name)).toEqual(['base']);
    const cgo = out.instructions.filter((i) => i.keyword === 'ENV' && /CGO_ENABLED/.test(i.args));
    expect(cgo.map((i) => i.stage!.name)).toEqual(['base']);
    const builder = out.stages.find((s) => s.name === 'builder')!;
    const index = (pred: (t: string) => boolean) => builder.instructions.findIndex((i) => pred(out.source.text.slice(i.start, i.end)));
    const wrap = index((t) => t.includes('xx-go --wrap'));
    const targetArg = builder.instructions.indexOf(builder.args.find((a) => a.name.startsWith('TARGET'))!.instruction);
    for (const gen of ['make WHAT=cmd/gen-openapi', 'go generate ./pkg/...']) {
      const at = index((t) => t.includes(gen));
      expect(at, gen).toBeGreaterThanOrEqual(0);
      expect(at, gen).toBeLessThan(targetArg);
      expect(at, gen).toBeLessThan(wrap);
    }
  });
});

describe('speed: target-independent steps the input placed after a target-dependent one', () => {
  it('the clone and the module download move above the target ARG and the tarball, once for all platforms', () => {
    const { out, m } = migrate('11-target-independent-after-add');
    const builder = out.stages.find((s) => s.name === 'builder')!;
    const at = (needle: string) => builder.instructions.findIndex((i) => out.source.text.slice(i.start, i.end).includes(needle));
    const firstTarget = builder.instructions.indexOf(builder.args.find((a) => a.name.startsWith('TARGET'))!.instruction);
    for (const step of ['git clone', 'go mod download', 'WORKDIR /go/src/kube-huge']) {
      expect(at(step), step).toBeGreaterThanOrEqual(0);
      expect(at(step), step).toBeLessThan(firstTarget);
    }
    expect(at('cni-plugins-linux-${TARGETARCH}')).toBeGreaterThan(firstTarget);
    expect(m.edits.filter((e) => e.recipe === 'target-independent-first')).toHaveLength(1);
  });

  it('in a file that already cross-compiles it stays a warning, with the fix in its hint', () => {
    const text = readFileSync(path.join(dir, '11-target-independent-after-add.after.Dockerfile'), 'utf8');
    const moved = text.replace(/(RUN git clone[^\n]*\nWORKDIR [^\n]*\nRUN go mod download\n)(ARG TARGETPLATFORM\nARG TARGETARCH\nADD [^\n]*\n)/, '$2$1');
    expect(moved).not.toBe(text);
    const m = migrateDockerfile(moved, 'Dockerfile', DEFAULT_OPTIONS);
    expect(m.output).toBe(moved);
    const found = reviewModel(parseDockerfile(moved)).filter((f) => f.rule === 'work-after-target-arg');
    // The clone and the download have one cause, the ARG above them: one finding naming both.
    expect(found.map((f) => [f.severity, f.hint.startsWith('move them before line')])).toEqual([['warning', true]]);
    expect(found[0]!.message).toMatch(/^"git clone" \(line \d+\), "go mod download" \(line \d+\) run after ARG/);
  });
});

describe('issue 17 item 5: a generator stage that builds for the build machine, and its child', () => {
  const stageText = (out: DockerfileModel, name: string) => {
    const s = out.stages.find((x) => x.name === name)!;
    return s.instructions.map((i) => out.source.text.slice(i.start, i.end));
  };

  it('the host builds stay as written, before any target ARG, unwrapped, without the target\'s CGO_ENABLED, and keep the native gcc they link with', () => {
    const { out } = migrate('14-host-generate-stage');
    const generate = out.stages.find((s) => s.name === 'generate')!;
    expect(generate.args.filter((a) => a.name.startsWith('TARGET'))).toEqual([]);
    expect(analyze(out).facts.get(generate)!.wraps).toEqual([]);
    expect(stageText(out, 'generate')).toEqual([
      'COPY --from=xx / /',
      'RUN apk --no-cache add bash file gcc git make musl-dev rsync clang lld',
      'RUN git clone --depth=1 --branch=v1.31.2 https://github.com/example-org/kube-lite.git /go/src/kube-lite',
      'WORKDIR /go/src/kube-lite',
      'RUN export GOOS=linux GOARCH=$(go env GOHOSTARCH) && make generated_files',
      'RUN export GOOS=linux GOARCH=$(go env GOHOSTARCH) && make WHAT=cmd/kube-apiserver-lite',
    ]);
    expect(stageText(out, 'builder').slice(0, 5)).toEqual([
      'ENV GO_LDFLAGS="-linkmode=external"',
      'ARG TARGETPLATFORM',
      'RUN xx-apk --no-cache add musl-dev gcc',
      'ENV CGO_ENABLED=1',
      'RUN xx-go --wrap && make WHAT=cmd/kubelet-lite',
    ]);
  });

  it('a child of a stage that cross-compiles repeats none of its xx-apk, CGO_ENABLED or xx-go --wrap', () => {
    const { out } = migrate('15-parent-child-compile');
    expect(stageText(out, 'builder')).toEqual(['RUN make WHAT=cmd/kubelet-lite && xx-verify /go/src/kube-lite/_output/bin/kubelet-lite']);
    const builder = out.stages.find((s) => s.name === 'builder')!;
    expect(analyze(out).facts.get(builder)!.compiles.map((c) => compileTarget(builder, c, analyze(out).facts).cross)).toEqual([true]);
  });
});
