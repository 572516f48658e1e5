/**
 * Issue 17, item 6: a shared builder whose installs and fetches come after `set -x &&`, `set -eux;`
 * or in one `&&` / `;` chain was "not a package install or a source fetch", so it could not be
 * split and every Go component under it stayed emulated. Fixture:
 * test/fixtures/patterns/P10-set-x-shared-builder (ours, shaped like the fleet's longest build).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, compileTarget } from '../../src/dockerfile/analysis.ts';
import { isShellOption } from '../../src/dockerfile/commands.ts';
import { splitOf } from '../../src/dockerfile/lineage-split.ts';
import { parseDockerfile, type DockerfileModel } from '../../src/dockerfile/model.ts';
import { migrateDockerfile } from '../../src/migrate/engine.ts';
import { DEFAULT_OPTIONS } from './options.ts';

const dir = 'test/fixtures/patterns/P10-set-x-shared-builder';
const before = readFileSync(path.join(dir, 'before', 'Dockerfile'), 'utf8');
const stage = (model: DockerfileModel, name: string) => model.stages.find((s) => s.name === name)!;

/** A builder with `install` and `fetch` RUNs and a C child built FROM it: the split of that child. */
function split(install: string, fetch = 'RUN git clone --depth=1 https://github.com/example-org/quill.git /src/quill') {
  const model = parseDockerfile(
    ['ARG GO_IMAGE=rancher/hardened-build-base:v1.23.4b1', 'FROM ${GO_IMAGE} AS builder', install, fetch, 'WORKDIR /src/quill', 'FROM builder AS native', 'RUN make -C csrc', ''].join('\n'),
    'Dockerfile',
  );
  const r = splitOf(stage(model, 'native'));
  return { model, r, replay: 'child' in r ? r.replay.map((x) => x.text ?? model.source.text.slice(x.instruction.start, x.instruction.end)) : undefined };
}

describe('shell options in front of installs and fetches', () => {
  it('set with options only is a shell option; set with operands is not', () => {
    const cmd = (run: string) => parseDockerfile(`FROM x\nRUN ${run}\n`, 'Dockerfile').instructions[1]!.shell!.commands[0]!;
    for (const run of ['set -x', 'set -eux', 'set -ex', 'set -o pipefail', 'set -e -o pipefail', 'set +x']) expect(isShellOption(cmd(run)), run).toBe(true);
    for (const run of ['set', 'set -- a b', 'setx -x']) expect(isShellOption(cmd(run)), run).toBe(false);
  });

  it.each([
    ['RUN set -x && apk --no-cache add file gcc git make musl-dev'],
    ['RUN set -eux; apk --no-cache add file gcc git make musl-dev'],
    ['RUN set -ex && \\\n    apk --no-cache add \\\n    file \\\n    gcc'],
    ['RUN set -o pipefail && apk update && apk --no-cache add file gcc'],
  ])('%s: the child redoes that install as written', (install) => {
    const { r, replay } = split(install);
    expect('child' in r ? r.folders : r.cannot).toEqual(['/src/quill']);
    expect(replay).toEqual([install]);
  });

  it('a fetch after set -eux, in a ; chain, is a fetch', () => {
    const { r } = split('RUN apk --no-cache add git make', 'RUN set -eux; mkdir -p /src; git clone https://github.com/example-org/quill.git /src/quill');
    expect('child' in r ? r.folders : r.cannot).toEqual(['/src/quill']);
  });

  it('an install and a fetch in one chain: the child redoes the install part only, and copies the clone', () => {
    const { r, replay } = split('RUN apk --no-cache add make', 'RUN set -eux; \\\n    apk --no-cache add git patch; \\\n    git clone https://github.com/example-org/quill.git /src/quill');
    expect('child' in r ? r.folders : r.cannot).toEqual(['/src/quill']);
    expect(replay).toEqual(['RUN apk --no-cache add make', 'RUN set -eux && apk --no-cache add git patch']);
  });

  it('a chain it cannot take apart is named by its install, not by the set in front of it', () => {
    const { r } = split('RUN set -x && apk --no-cache add git || git clone https://github.com/example-org/quill.git /src/quill', 'RUN true');
    expect('cannot' in r ? r.cannot : 'split').toBe('its step "RUN apk ..." installs packages and fetches in one step that cannot be taken apart');
  });
});

describe('the fleet-shaped build with a `set -x && apk add` builder', () => {
  const m = migrateDockerfile(before, 'Dockerfile', DEFAULT_OPTIONS);
  const out = parseDockerfile(m.output, 'Dockerfile');

  it('cross-compiles the four Go components from the builder on the build platform', () => {
    const a = analyze(out);
    expect(stage(out, 'builder').platform).toBe('build');
    for (const name of ['controller', 'agent', 'cni', 'cli']) {
      const s = stage(out, name);
      expect(s.base?.name, name).toBe('builder');
      const compiles = a.facts.get(s)!.compiles;
      expect(compiles.length, name).toBeGreaterThan(0);
      for (const c of compiles) expect(compileTarget(s, c, a.facts).cross, name).toBe(true);
    }
  });

  it('keeps only the two C stages emulated, and the C child redoes the builder\'s installs, set -x included', () => {
    expect(m.emulated.map((e) => e.stage)).toEqual(['datapath', 'runsv']);
    const datapath = stage(out, 'datapath');
    expect(datapath.platform).toBe('target');
    const text = m.output.slice(datapath.from.start, datapath.end);
    expect(text).toContain('RUN set -x && \\\n    apk --no-cache add \\\n    bash \\\n');
    expect(text).toContain('\nRUN set -eux && apk --no-cache add patch\n');
    expect(text).toContain('\nCOPY --from=builder $GOPATH/src/${PKG} $GOPATH/src/${PKG}\n');
    expect(text).not.toMatch(/git clone/);
  });
});
