/**
 * Every Dockerfile of every corpus we have, migrated: how many are refused, and why. A refusal
 * names a problem of the input (a pattern the migration will not guess at); never one caused by
 * the tool's own edits ("the migrated file would break ..." is an InvariantError: there are none).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DockerfileError } from '../../src/dockerfile/errors.ts';
import { InvariantError, migrateDockerfile } from '../../src/migrate/engine.ts';
import { UnsafeMigrationError } from '../../src/migrate/recipe.ts';
import { DEFAULT_OPTIONS } from './options.ts';

const ROOTS = ['test/fixtures', 'test/review/fixtures', 'examples/repos', 'examples/faults/repos'];

/** Inputs, not expected outputs: no `after` file or folder. */
function inputs(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) {
      if (e !== 'after') out.push(...inputs(p));
    } else if (/(^|[.-])Dockerfile$/.test(e) && !e.includes('.after.')) out.push(p);
  }
  return out;
}

/** The refusals, each with what it says about the input. */
const EXPECTED_REFUSALS: Record<string, RegExp> = {
  'examples/faults/repos/image-build-broken/Dockerfile': /unknown instruction "RUNN"/,
  'test/fixtures/shapes/c13-shell-syntax-error.Dockerfile': /the shell command at line 5 does not parse/,
  'test/fixtures/shapes/c22-run-binary.Dockerfile': /the built binary "\.\/bin\/vault-lite" writes \/etc\/bash_completion\.d\/vault-lite/,
  'test/fixtures/shapes/c36-go-install-local.Dockerfile': /"go install" of the repository's own package puts a cross-compiled binary in \$GOPATH\/bin\/linux_<arch>\//,
  'test/fixtures/shapes/c41-strip-mount-consumer.Dockerfile': /RUN --mount from "builder" uses files that were stripped on install/,
  'test/fixtures/shapes/c42-strip-package-stage.Dockerfile': /stage "package" is built on "builder" and uses the files stripped there/,
  'test/fixtures/shapes/c45-make-generate-build.Dockerfile': /"make generate build" generates code and compiles in one call/,
  'test/fixtures/hand-migrations/b19-calico-find-exec-strip.Dockerfile': /"find \.\.\. strip" strips files found at build time/,
  'test/fixtures/hand-migrations/b21-etcd-xargs-strip.Dockerfile': /"xargs \.\.\. strip" strips files found at build time/,
};

describe('refusals across all corpora', () => {
  const files = ROOTS.flatMap(inputs);
  const refused = new Map<string, Error>();
  for (const f of files) {
    try {
      migrateDockerfile(readFileSync(f, 'utf8'), f, DEFAULT_OPTIONS);
    } catch (err) {
      if (!(err instanceof UnsafeMigrationError || err instanceof InvariantError || err instanceof DockerfileError)) throw err;
      refused.set(f, err);
    }
  }

  it(`refuses ${Object.keys(EXPECTED_REFUSALS).length} of the corpus files, each for a problem of its input`, () => {
    expect(files.length).toBeGreaterThan(150);
    expect([...refused.keys()].sort()).toEqual(Object.keys(EXPECTED_REFUSALS).sort());
    for (const [f, err] of refused) {
      expect(err.message, f).toMatch(EXPECTED_REFUSALS[f]!);
      const msg = err instanceof DockerfileError ? err.problem : err.message;
      expect(msg, f).toMatch(EXPECTED_REFUSALS[f]!);
    }
  });

  it('none is caused by the tool\'s own edits', () => {
    const own = [...refused].filter(([, err]) => err instanceof InvariantError).map(([f, err]) => `${f}: ${err.message}`);
    expect(own).toEqual([]);
  });
});
