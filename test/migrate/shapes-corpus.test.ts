/**
 * Robustness: the migration runs on real-world Dockerfiles that are not in this repository. The
 * corpus under test/fixtures/shapes/ is written by us in the style of rancher image-build repos
 * and common Go projects. For each file we assert properties, not exact output:
 *
 * - migrateDockerfile succeeds, or throws a clear DockerfileError / UnsafeMigrationError /
 *   InvariantError (never a TypeError or any other crash), and the outcome is the one we expect
 *   for that file (migrated / unchanged / skipped / refused);
 * - on success: the output parses, has no error-level review finding, is idempotent; leaf stages
 *   keep their platform flag, name, COPY destinations and ENTRYPOINT/CMD/LABEL/EXPOSE/USER; the
 *   last stage (the default build target) stays last; global ARGs other than ARCH are kept;
 *   parser directives (# syntax=, # escape=, # check=) stay directives; every line outside the
 *   reported edits is unchanged (lines that only moved are allowed), lines it wrote have no
 *   trailing blanks, and every instruction outside the edits is still the same instruction;
 *   COPY --from keeps naming the same stage; in stages the migration moved to the build
 *   platform, no target-independent RUN/COPY/ADD follows the first target ARG (spec item 4).
 *
 * A second part varies a few base Dockerfiles programmatically (tabs/spaces, as/AS, ${X}/$X,
 * comments and blank lines, package order, CRLF) and checks the same properties plus that the
 * migrated variants are equivalent to the migrated base modulo the variation.

 */
import { recipes } from '../../migrations/index.ts';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkMigrated, checkOutcome, opts, run, type Outcome } from './corpus-properties.ts';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { migrateDockerfile, type DockerfileMigration } from '../../src/migrate/engine.ts';
import { UnsafeMigrationError } from '../../src/migrate/recipe.ts';
import { migrateCheckout } from '../../src/migrate/checkout.ts';
import { packageInstall } from '../../src/dockerfile/commands.ts';
import { expectInOrder } from '../helpers/order.ts';

const corpusDir = path.resolve('test/fixtures/shapes');
const corpus = readdirSync(corpusDir).filter((f) => f.endsWith('.Dockerfile')).sort();


/** The one outcome that is right for each corpus file: a change from it, either way, fails. */
const EXPECTED: Record<string, Outcome> = {
  'c01-hardened-classic.Dockerfile': 'migrated',
  'c02-k8s-make-what.Dockerfile': 'migrated',
  'c03-cni-build-linux.Dockerfile': 'migrated',
  'c04-arch-in-from.Dockerfile': 'migrated',
  'c05-download-urls.Dockerfile': 'migrated',
  'c06-heredoc-cache.Dockerfile': 'migrated',
  'c07-debian-apt.Dockerfile': 'migrated',
  'c08-scratch-static.Dockerfile': 'migrated',
  // The builder is also the base of the `test` leaf: kept emulated, with the P10 note.
  'c09-test-stage.Dockerfile': 'migrated',
  'c10-already-migrated-braces.Dockerfile': 'unchanged',
  // A compile in exec form cannot be wrapped: kept emulated with a note, or refused; not "no compile".
  'c11-exec-form.Dockerfile': 'migrated',
  'c12-crlf.Dockerfile': 'migrated',
  // The compile RUN does not parse: refusing is the only safe answer.
  'c13-shell-syntax-error.Dockerfile': 'refused',
  'c14-lowercase.Dockerfile': 'migrated',
  'c15-odd-stage-casing.Dockerfile': 'migrated',
  'c16-operator-leaves.Dockerfile': 'migrated',
  'c17-bci-zypper.Dockerfile': 'migrated',
  'c18-mirror-only.Dockerfile': 'skipped',
  'c19-codegen.Dockerfile': 'migrated',
  'c20-protoc-targetarch.Dockerfile': 'migrated',
  'c21-partial.Dockerfile': 'migrated',
  // One run of the built binary writes a file the image copies: it cannot just be skipped (P5).
  'c22-run-binary.Dockerfile': 'refused',
  'c23-c-and-go.Dockerfile': 'migrated',
  'c24-arch-shapes.Dockerfile': 'migrated',
  'c25-comments-everywhere.Dockerfile': 'migrated',
  'c26-escape-backtick.Dockerfile': 'migrated',
  'c27-stale-go-env.Dockerfile': 'migrated',
  'c28-wrapper-script.Dockerfile': 'migrated',
  'c29-docs-style-cross.Dockerfile': 'unchanged',
  // Already cross-compiles with `xx-go build`: nothing to change (but it is a compile repo, not P14).
  'c30-xx-go-build.Dockerfile': 'unchanged',
  'c31-numeric-stage-refs.Dockerfile': 'migrated',
  'c32-env-continuation.Dockerfile': 'migrated',
  'c33-numeric-from-0.Dockerfile': 'migrated',
  'c34-go-build-o-dir.Dockerfile': 'migrated',
  'c35-arg-arch-inherited.Dockerfile': 'migrated',
  // `go install ./cmd/x` is the compile of the project: migrate it (or refuse), never "no compile".
  'c36-go-install-local.Dockerfile': 'refused',
  'c37-shared-base-two-builders.Dockerfile': 'migrated',
  'c38-arg-goos-goarch.Dockerfile': 'migrated',
  // A hand migration with the swallowed-command bug of spec item 5: fix it or refuse, not "no compile".
  'c39-wrap-swallows-make.Dockerfile': 'migrated',
  'c40-strip-debug-only.Dockerfile': 'migrated',
  'c41-strip-mount-consumer.Dockerfile': 'refused',
  'c42-strip-package-stage.Dockerfile': 'refused',
  'c43-go-test-then-build.Dockerfile': 'migrated',
  'c44-go-test-after-build.Dockerfile': 'migrated',
  // `make generate build`: codegen and compile in one make call, no place for the wrap (P7).
  'c45-make-generate-build.Dockerfile': 'refused',
  // `-o ../bin/x` from a subfolder WORKDIR and after a cd: the install's bin/* (issue 17 item 7).
  'c46-relative-outputs.Dockerfile': 'migrated',
};

describe('corpus', () => {
  it('every corpus file has an expected outcome, and every expectation a file', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(25);
    expect(Object.keys(EXPECTED).sort()).toEqual(corpus);
  });

  for (const file of corpus) {
    it(file, () => {
      const input = readFileSync(path.join(corpusDir, file), 'utf8');
      const r = run(input, file);
      checkOutcome(file, input, r, EXPECTED[file]);
    });
  }
});

/** Spec-level expectations on particular corpus files, beyond the generic properties. */
describe('corpus: what particular files must show', () => {
  const migrate = (file: string) => migrateDockerfile(readFileSync(path.join(corpusDir, file), 'utf8'), file, opts);

  it('c01: ARCH becomes TARGETARCH for the boring check; the smoke test is guarded; strip moves to the target', () => {
    const t = migrate('c01-hardened-classic.Dockerfile').output;
    expect(t).not.toMatch(/\$\{?ARCH\}?/);
    expect(t).toMatch(/^ARG TARGETARCH\nRUN if \[ "\$\{TARGETARCH\}" = "amd64" \]; then \\\n\s+go-assert-boring\.sh/m);
    expect(t).toContain('if ! xx-info is-cross; then tally --version; fi');
    expect(t).toMatch(/^RUN install bin\/\* \/usr\/local\/bin$/m);
    expect(t).toMatch(/^COPY --from=strip_binary \/usr\/local\/bin\/tally \/usr\/local\/bin\/tally$/m);
    // The clone and go mod download happen before the target ARG: once for all platforms.
    expectInOrder(t, ['go mod download', 'ARG TARGETPLATFORM']);
  });

  it('c03: xx-verify keeps --static: the old build was static (-extldflags "-static", go-assert-static.sh)', () => {
    const t = migrate('c03-cni-build-linux.Dockerfile').output;
    expect(t).toMatch(/^RUN xx-verify --static /m);
  });

  it('c34: xx-verify names the binaries, not the -o folder (xx-verify on a directory fails the build) [BUG-13]', () => {
    const t = migrate('c34-go-build-o-dir.Dockerfile').output;
    expect(t).not.toMatch(/^RUN xx-verify( --static)? bin$/m);
    expect(t).toMatch(/^RUN xx-go --wrap && go-build-static\.sh -o bin \.\/cmd\/proxy \.\/cmd\/agent && xx-verify --static bin\/proxy && xx-verify --static bin\/agent$/m);
  });

  it('c40: strip --strip-debug stays --strip-debug on the target platform (spec 7: same stripping semantics) [BUG-24]', () => {
    const t = migrate('c40-strip-debug-only.Dockerfile').output;
    expect(t).toMatch(/^RUN strip --strip-debug \/src\/bin\/anvil$/m);
  });

  /** The refusal of a file whose one right outcome is a refusal (the pattern is the input's). */
  const refusal = (file: string) => {
    const r = run(readFileSync(path.join(corpusDir, file), 'utf8'), file);
    if (r.outcome !== 'refused') throw new Error(`${file}: expected a refusal, got ${r.outcome}`);
    return r.error as Error & { line?: number };
  };

  it('c41: install -s consumed through RUN --mount=from is refused on the mount line: a stripped binary cannot reach it [BUG-25]', () => {
    const e = refusal('c41-strip-mount-consumer.Dockerfile');
    expect(e.line).toBe(10);
    expect(e.message).toMatch(/RUN --mount from "builder" uses files that were stripped on install/);
  });

  it('c42: a stage built FROM the builder that packages the installed binary is refused: it would package an unstripped one [BUG-26]', () => {
    const e = refusal('c42-strip-package-stage.Dockerfile');
    expect(e.line).toBe(9);
    expect(e.message).toMatch(/stage "package" is built on "builder" and uses the files stripped there/);
  });

  it('c43: go test runs natively, before the wrap (after it, it builds and runs target test binaries) [BUG-27]', () => {
    const t = migrate('c43-go-test-then-build.Dockerfile').output;
    expectInOrder(t, ['go test', 'xx-go --wrap']);
  });

  it('c44: go test after the wrapped compile is guarded or moved (it runs foreign test binaries) [BUG-27]', () => {
    const t = migrate('c44-go-test-after-build.Dockerfile').output;
    expect(t).toMatch(/if ! xx-info is-cross; then[^\n]*go test/);
  });

  it('c46: -o ../bin/x relative to the WORKDIR and a cd names what install -s bin/* takes: cross-compiled, stripped by name (issue 17 item 7)', () => {
    const m = migrate('c46-relative-outputs.Dockerfile');
    expect(m.emulated).toEqual([]);
    expect(m.output).toMatch(/xx-go --wrap && go build/);
    expect(m.output).toContain('COPY --from=builder /usr/local/bin/ledgerd /usr/local/bin/ledgerctl /usr/local/bin/');
    expect(m.output).toContain('RUN strip /usr/local/bin/ledgerd /usr/local/bin/ledgerctl');
    // Both from the server folder, where the xx-verify RUN runs.
    expect(m.output).toMatch(/xx-verify \.\.\/bin\/ledgerd && \\\n\s+xx-verify \.\.\/bin\/ledgerctl\n/);
  });

  it('c05: the tool run during the build is BUILDARCH, the tarball shipped in the image TARGETARCH', () => {
    const out = migrate('c05-download-urls.Dockerfile').output;
    expect(out).toContain('kustomize_v5.4.1_linux_${BUILDARCH}.tar.gz');
    expect(out).toContain('plugins-linux-${TARGETARCH}.tgz');
  });

  it('c09: the report gives the reason once, without a doubled "kept emulated:" prefix [BUG-15]', () => {
    const m = migrate('c09-test-stage.Dockerfile');
    expect(m.output).toMatch(/^# kept emulated: [^\n]+\nFROM \$\{GO_IMAGE\} AS builder$/m);
    expect(m.emulated.map((e) => e.stage)).toEqual(['builder']);
  });

  it('c09: emulated[].reason is the reason, not the marker comment (checkout.ts prefixes "kept emulated:" again) [BUG-15]', () => {
    const m = migrate('c09-test-stage.Dockerfile');
    for (const e of m.emulated) expect(e.reason).not.toMatch(/^kept emulated/i);
  });

  it('c13: a RUN that does not parse is refused with its line', () => {
    expect(() => migrate('c13-shell-syntax-error.Dockerfile')).toThrow(UnsafeMigrationError);
    try {
      migrate('c13-shell-syntax-error.Dockerfile');
    } catch (err) {
      expect((err as UnsafeMigrationError).line).toBe(5);
    }
  });

  it('c12: a CRLF file stays CRLF, inserted lines included', () => {
    const t = migrate('c12-crlf.Dockerfile').output;
    expect(t.split('\n').slice(0, -1).every((l) => l.endsWith('\r'))).toBe(true);
  });

  it('c16: every leaf keeps the target platform', () => {
    for (const f of ['c16-operator-leaves.Dockerfile']) {
      const model = parseDockerfile(migrate(f).output);
      for (const s of model.stages.filter((x) => x.isLeaf)) expect(s.platform, `${f} ${s.name}`).toBe('target');
    }
  });

  it('c19: code generators run before the wrap', () => {
    const t = migrate('c19-codegen.Dockerfile').output;
    for (const native of ['go install sigs.k8s.io', 'make generate manifests', 'go generate ./pkg/...']) {
      expectInOrder(t, [native, 'xx-go --wrap']);
    }
  });

  it('c22: a run of the built binary that writes a file the final image copies is refused, not guarded away [BUG-16]', () => {
    const e = refusal('c22-run-binary.Dockerfile');
    expect(e.line).toBe(9);
    expect(e.message).toMatch(/the built binary "\.\/bin\/vault-lite" writes \/etc\/bash_completion\.d\/vault-lite/);
  });

  it('c23: the C stage stays emulated with a note, the Go stage cross-compiles', () => {
    const m = migrate('c23-c-and-go.Dockerfile');
    expect(m.output).toMatch(/^# kept emulated: [^\n]*\nFROM \$\{ALPINE\} AS libtrace$/m);
    expect(m.output).toMatch(/^FROM --platform=\$BUILDPLATFORM \$\{GO_IMAGE\} AS builder$/m);
  });
});

// ---------------------------------------------------------------------------------------------
// A checkout with a Makefile and a workflow passing the ARCH build-arg
// ---------------------------------------------------------------------------------------------

describe('corpus checkout: Makefile and workflow build-args follow the Dockerfile', () => {
  const temps: string[] = [];
  afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

  it('k01: no ARCH in the Dockerfile, so no --build-arg ARCH / ARCH= build-arg left', async () => {
    const src = path.join(corpusDir, 'checkouts', 'k01-make-arch');
    const work = mkdtempSync(path.join(tmpdir(), 'ibm-corpus-'));
    temps.push(work);
    cpSync(src, work, { recursive: true });
    const report = await migrateCheckout(work, { ...opts, dryRun: false }, recipes);
    expect(report.outcome, report.summary).toBe('changed');
    const docker = readFileSync(path.join(work, 'Dockerfile'), 'utf8');
    const make = readFileSync(path.join(work, 'Makefile'), 'utf8');
    const wf = readFileSync(path.join(work, '.github/workflows/image.yml'), 'utf8');
    expect(docker).not.toMatch(/^\s*ARG ARCH\b/m);
    expect(make).not.toMatch(/--build-arg[ =]ARCH/);
    expect(wf).not.toMatch(/^\s*ARCH=/m);
    // Other uses of ARCH (tags, platforms) stay.
    expect(make).toContain('--platform=linux/$(ARCH)');
    expect(make).toContain('--build-arg TAG=');
    expect(wf).toContain('TAG=${{ github.ref_name }}');
    expect(existsSync(path.join(work, 'Makefile'))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Programmatic variations of base Dockerfiles
// ---------------------------------------------------------------------------------------------

/** Tab indentation: continuation lines get a tab instead of spaces; instruction lines a tab prefix. */
function tabs(text: string): string {
  return text
    .split('\n')
    .map((l) => (/^ +\S/.test(l) ? l.replace(/^ +/, '\t') : /^[A-Z]/.test(l) && !l.startsWith('FROM') ? `\t${l}` : l))
    .join('\n');
}

/** The other casing of the AS keyword in every `FROM x AS y` line (`AS` <-> `as`). */
function flipAs(text: string): string {
  return text.replace(/^(FROM\s.*\s)(AS|as)(\s+\S+\s*)$/gm, (_m, a: string, as: string, b: string) => `${a}${as === 'AS' ? 'as' : 'AS'}${b}`);
}

/** `${NAME}` -> `$NAME` wherever the next character cannot continue the name. */
function debrace(text: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}(?![A-Za-z0-9_])/g, '$$$1');
}

/** Extra comments before instructions and blank lines before stages. */
function comments(text: string): string {
  let n = 0;
  return text
    .split('\n')
    .flatMap((l) => {
      if (/^FROM\s/.test(l)) return ['', `# ---- stage ${++n} ----`, l];
      if (/^(RUN|COPY|WORKDIR|ARG)\s/.test(l)) return [`# step ${++n}`, l];
      return [l];
    })
    .join('\n');
}

/** Package lists of apk/apt-get installs in reverse order (layout kept). */
function reversePackages(text: string): string {
  const model = parseDockerfile(text);
  const edits: { start: number; end: number; text: string }[] = [];
  for (const i of model.instructions) {
    for (const c of i.shell?.commands ?? []) {
      const p = packageInstall(c);
      if (!p || p.packages.length < 2) continue;
      const words = p.packages;
      words.forEach((w, k) => edits.push({ start: w.start, end: w.end, text: words[words.length - 1 - k]!.raw }));
    }
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

const dropComments = (t: string) => t.split('\n').filter((l) => l.trim() !== '' && !/^\s*#/.test(l)).join('\n');
const stripIndent = (t: string) => t.split('\n').map((l) => l.replace(/^[ \t]+/, '')).join('\n');
/** Logical lines (continuations joined), each as its sorted words: equal when only word order differs. */
const wordsPerLine = (t: string) =>
  t
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim().split(/\s+/).sort().join(' '))
    .join('\n');
const upperAs = (t: string) => t.replace(/^([ \t]*FROM\s.*\s)as(\s+\S+\s*)$/gim, '$1AS$2');
const normalizeAll = (t: string) => wordsPerLine(debrace(upperAs(stripIndent(dropComments(t.replace(/\r\n/g, '\n'))))));

interface Variation {
  name: string;
  vary: (t: string) => string;
  /** Both outputs normalized this way must be equal. */
  same: (baseOut: string, variantOut: string) => [string, string];
  /** Recipes whose use depends on the variation itself (from-as-casing when the casing flips). */
  ignoreRecipes?: string[];
}

const VARIATIONS: Variation[] = [
  { name: 'CRLF line endings', vary: crlf, same: (b, v) => [crlf(b), v] },
  { name: 'tab indentation', vary: tabs, same: (b, v) => [stripIndent(b), stripIndent(v)] },
  { name: 'as/AS flipped', vary: flipAs, same: (b, v) => [b, v], ignoreRecipes: ['from-as-casing'] },
  { name: '$X instead of ${X}', vary: debrace, same: (b, v) => [debrace(b), v] },
  { name: 'extra comments and blank lines', vary: comments, same: (b, v) => [dropComments(b), dropComments(v)] },
  { name: 'package order', vary: reversePackages, same: (b, v) => [wordsPerLine(b), wordsPerLine(v)] },
  {
    name: 'all of them at once',
    vary: (t) => crlf(comments(tabs(flipAs(debrace(reversePackages(t)))))),
    same: (b, v) => [normalizeAll(b), normalizeAll(v)],
    ignoreRecipes: ['from-as-casing'],
  },
];

const BASES = ['c01-hardened-classic.Dockerfile', 'c07-debian-apt.Dockerfile', 'c16-operator-leaves.Dockerfile', 'c17-bci-zypper.Dockerfile'];

describe.each(BASES)('variations of %s', (base) => {
  const input = readFileSync(path.join(corpusDir, base), 'utf8');
  const baseResult = migrateDockerfile(input, base, opts);
  const recipesOf = (m: DockerfileMigration) => [...new Set(m.edits.map((e) => e.recipe))].sort();

  it('the base itself migrates and passes the properties', () => {
    checkMigrated(input, base, baseResult);
  });

  it.each(VARIATIONS.map((v) => [v.name, v] as const))('%s', (_n, v) => {
    const text = v.vary(input);
    expect(text, 'the variation changes the text').not.toBe(input);
    const r = run(text, base);
    expect(r.outcome).toBe('migrated');
    if (r.outcome !== 'migrated') return;
    checkMigrated(text, base, r.m);
    // Same recipes applied, same stage structure, same output modulo the variation.
    const ignored = (ids: string[]) => ids.filter((id) => !(v.ignoreRecipes ?? []).includes(id));
    expect(ignored(recipesOf(r.m))).toEqual(ignored(recipesOf(baseResult)));
    const shape = (t: string) => parseDockerfile(t).stages.map((s) => `${s.name?.toLowerCase() ?? '-'}@${s.platform}`);
    expect(shape(r.m.output)).toEqual(shape(baseResult.output));
    const [a, b] = v.same(baseResult.output, r.m.output);
    expect(b).toBe(a);
  });
});
