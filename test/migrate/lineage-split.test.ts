/**
 * Issue 7, item 6: one child of a shared builder must stay on the target (it builds libbpf with
 * make/gcc for the target and links it with cgo) while its siblings cross-compile. The lineage is
 * split: the builder clones and fetches once on the build platform, the four Go siblings
 * cross-compile from it, and the C child is re-rooted on the builder image for the target, copying
 * the source. A C program (runit-like) in its own stage stays emulated too. Fixture:
 * test/fixtures/patterns/P10-shared-builder-split (ours).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, compileTarget } from '../../src/dockerfile/analysis.ts';
import { argInScope, parseDockerfile, type DockerfileModel } from '../../src/dockerfile/model.ts';
import { migrateDockerfile } from '../../src/migrate/engine.ts';
import { reviewModel } from '../../src/review/review.ts';
import { shipped } from '../helpers/shipped-paths.ts';
import { DEFAULT_OPTIONS } from './options.ts';

const dir = 'test/fixtures/patterns/P10-shared-builder-split';
const before = readFileSync(path.join(dir, 'before', 'Dockerfile'), 'utf8');
const targets = ['gantry-agent', 'gantry-operator'];
const options = { ...DEFAULT_OPTIONS, targets };

function run() {
  const m = migrateDockerfile(before, 'Dockerfile', options);
  return { m, out: parseDockerfile(m.output, 'Dockerfile') };
}

const stage = (model: DockerfileModel, name: string) => model.stages.find((s) => s.name === name)!;
const commands = (model: DockerfileModel, name: string) => model.instructions.flatMap((i) => (i.shell?.commands ?? []).filter((c) => c.name === name).map((c) => ({ c, i })));

describe('a shared builder with one child that must stay on the target', () => {
  it('is migrated, not refused, into the checked-in after file, with no review error', () => {
    const { m, out } = run();
    expect(m.output).toBe(readFileSync(path.join(dir, 'after', 'Dockerfile'), 'utf8'));
    expect(reviewModel(out, { targets }).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('cross-compiles the four Go siblings from the build-platform builder', () => {
    const { out } = run();
    const a = analyze(out, { targets });
    for (const name of ['operator', 'cni', 'relay', 'cli']) {
      const s = stage(out, name);
      expect(s.base?.name, name).toBe('builder');
      expect(s.platform, name).toBe('build');
      const f = a.facts.get(s)!;
      expect(f.compiles.length, name).toBeGreaterThan(0);
      for (const c of f.compiles) expect(compileTarget(s, c, a.facts).cross, `${name} line ${c.instruction.line}`).toBe(true);
    }
  });

  it('keeps the libbpf child and the C program emulated, each with its reason, really on the target platform', () => {
    const { m, out } = run();
    expect(m.emulated.map((e) => [e.stage, e.reason])).toEqual([
      ['agent', 'builds C code (make) for the target, which xx-go does not cross-compile'],
      ['supervise', 'builds C code (make) for the target, which xx-go does not cross-compile'],
    ]);
    // A "kept emulated" comment is true: the stage under it runs on the target.
    const marked = out.stages.filter((s) => s.leadingComments.some((c) => /kept emulated/i.test(c.text)));
    expect(marked.map((s) => s.name)).toEqual(['agent', 'supervise']);
    for (const s of marked) {
      expect(s.platform, s.name).toBe('target');
      expect(s.platformFlag, s.name).toBeUndefined();
      expect(s.image, s.name).toBe('${GO_IMAGE}');
    }
    // No xx in the emulated stages: their compilers are the target's own.
    for (const s of marked) expect(s.instructions.some((i) => /xx-|--from=xx/.test(out.source.text.slice(i.start, i.end))), s.name).toBe(false);
  });

  it('clones and downloads modules once, in an arch-independent builder the emulated child copies the source from', () => {
    const { out } = run();
    expect(commands(out, 'git').filter(({ c }) => c.args[0]?.value === 'clone').map(({ i }) => i.stage!.name)).toEqual(['builder']);
    expect(commands(out, 'go').filter(({ c }) => c.args[0]?.value === 'mod').map(({ i }) => i.stage!.name)).toEqual(['builder']);
    const builder = stage(out, 'builder');
    expect(builder.platform).toBe('build');
    expect(builder.args.filter((a) => a.name.startsWith('TARGET'))).toEqual([]);
    expect(builder.instructions.some((i) => i.shell?.commands.some((c) => c.name === 'xx-apk'))).toBe(false);
    const agent = stage(out, 'agent');
    const copied = agent.refs.filter((r) => r.kind === 'copy').map((r) => [r.stage?.name, out.source.text.slice(r.instruction.argsStart, r.instruction.argsEnd)]);
    expect(copied).toEqual([
      ['builder', '$GOPATH/src/${PKG} $GOPATH/src/${PKG}'],
      ['builder', '$GOPATH/pkg/mod $GOPATH/pkg/mod'],
    ]);
    // The child still has what the builder gave it: its packages (for the target), ARGs and WORKDIR.
    const input = parseDockerfile(before);
    const text = (m: DockerfileModel, i: { start: number; end: number }) => m.source.text.slice(i.start, i.end);
    const inputBuilder = stage(input, 'builder');
    for (const i of inputBuilder.instructions.filter((x) => x.keyword === 'ARG' || x.keyword === 'WORKDIR' || x.shell?.commands.some((c) => c.name === 'apk'))) {
      expect(agent.instructions.map((x) => text(out, x)), text(input, i)).toContain(text(input, i));
    }
    // Re-rooted FROM the image, the child no longer inherits the builder's ARGs: each one it had
    // from the builder is in scope again (redone), with the same value, before its own first step.
    const inputAgent = stage(input, 'agent');
    const inherited = inputBuilder.args.map((a) => a.name);
    expect(inherited.length).toBeGreaterThan(0);
    const firstOwn = agent.instructions.find((x) => text(out, x) === text(input, inputAgent.instructions[0]!))!;
    for (const name of inherited) {
      const was = argInScope(inputAgent, name, inputAgent.instructions[0]!.start);
      const now = argInScope(agent, name, firstOwn.start);
      expect(now?.decl.instruction.stage, name).toBe(agent);
      expect(now?.value, name).toBe(was?.value);
    }
  });

  it('ships the same paths from each final stage as before', () => {
    const { out } = run();
    const input = parseDockerfile(before);
    for (const name of targets) {
      const was = shipped(input, stage(input, name));
      expect(was.length, name).toBeGreaterThan(1);
      expect(shipped(out, stage(out, name)), name).toEqual(was);
    }
  });

  it('changes nothing when run again', () => {
    const { m } = run();
    expect(migrateDockerfile(m.output, 'Dockerfile', options).output).toBe(m.output);
  });
});

describe('a shared builder that cannot be split', () => {
  // The builder downloads a generator into /usr/local/bin that the C child runs: re-rooted on the
  // target, the child would miss it.
  const input = readFileSync('migrations/split-lineage/fixtures/unsplittable-builder.before.Dockerfile', 'utf8');

  it('keeps the whole lineage on the target, each stage saying why, instead of refusing or lying', () => {
    const m = migrateDockerfile(input, 'Dockerfile', DEFAULT_OPTIONS);
    const out = parseDockerfile(m.output);
    for (const s of out.stages) expect(s.platform, s.name).toBe('target');
    expect(m.emulated.map((e) => e.stage)).toEqual(['probe', 'exporter']);
    expect(m.emulated[1]!.reason).toBe('it shares the base stage "builder" with "probe", which stays on the target, and "builder" cannot be split: its step "RUN curl ..." is not a package install or a source fetch that "probe" could redo or copy');
    // The comment holds the long reason's short form, on one line; the report says it whole.
    expect(stage(out, 'probe').leadingComments.at(-1)!.text).toBe(`# kept emulated: ${m.emulated[0]!.reason}`);
    expect(stage(out, 'exporter').leadingComments.at(-1)!.text).toBe('# kept emulated: its base "builder" is shared with "probe", which stays emulated, and cannot be split');
    expect(reviewModel(out).filter((f) => f.severity === 'error')).toEqual([]);
    expect(migrateDockerfile(m.output, 'Dockerfile', DEFAULT_OPTIONS).output).toBe(m.output);
  });
});

describe('a child configured to stay emulated (cgo that cannot be cross-compiled)', () => {
  it('is split off the shared builder like the C child, and its siblings still cross-compile', () => {
    const emulatedStages = [{ stage: 'relay', reason: 'cgo links a library that has no xx-apk package' }];
    const m = migrateDockerfile(before, 'Dockerfile', { ...options, emulatedStages });
    const out = parseDockerfile(m.output);
    expect(m.emulated.map((e) => e.stage)).toEqual(['agent', 'relay', 'supervise']);
    const relay = stage(out, 'relay');
    expect([relay.platform, relay.image, relay.leadingComments.at(-1)?.text]).toEqual(['target', '${GO_IMAGE}', '# kept emulated: cgo links a library that has no xx-apk package']);
    expect(relay.refs.map((r) => r.stage?.name)).toEqual(['builder', 'builder']);
    for (const name of ['operator', 'cni', 'cli']) expect(stage(out, name).platform, name).toBe('build');
    expect(reviewModel(out, { targets, emulatedStages }).filter((f) => f.severity === 'error')).toEqual([]);
  });
});
