/**
 * Adversarial Dockerfile syntax and input handling: inputs that real repositories contain
 * and our fixtures do not (heredocs, --mount over continuations, `# escape=`, tabs, keyword casing,
 * BOM, CR/CRLF/LF mixes, trailing blanks after a continuation backslash, huge files...).
 *
 * For each input the migration either succeeds and the output has the properties of
 * corpus-properties.ts's `checkMigrated` (plus one or two spec expectations: where the wrap goes,
 * what stays byte-identical), or it refuses with DockerfileError / UnsafeMigrationError /
 * InvariantError naming a line. Any other exception is a crash and fails the test.
 */
import { closeSync, constants, chmodSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkMigrated, opts, run, type RunResult } from './corpus-properties.ts';
import { linesChangedOutsideEdits } from '../helpers/edited-lines.ts';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { migrateDockerfile, type DockerfileMigration } from '../../src/migrate/engine.ts';
import { reviewModel } from '../../src/review/review.ts';
import { main } from '../../src/cli.ts';
import { Capture } from '../helpers/streams.ts';

const F = 'Dockerfile';

/** A Go builder stage with `body` as its compile part, and a scratch final image copying /out/app. */
function builder(body: string, final = 'FROM scratch\nCOPY --from=builder /out/app /app\nENTRYPOINT ["/app"]\n'): string {
  return `FROM golang:1.23-alpine AS builder\nRUN apk add --no-cache git file\nWORKDIR /src\nCOPY . .\n${body}\n${final}`;
}

/** Runs the migration; fails on a crash (run() rethrows anything but the three clear errors). */
function migrated(text: string, file = F): DockerfileMigration {
  const r = run(text, file);
  if (r.outcome === 'refused') expect.fail(`refused: ${r.error.name}: ${r.error.message}`);
  expect(r.outcome, r.outcome === 'skipped' ? `skipped: ${JSON.stringify(r.m.skipped)}` : '').toBe('migrated');
  checkMigrated(text, file, r.m);
  return r.m;
}

function refused(text: string, file = F): Extract<RunResult, { outcome: 'refused' }>['error'] {
  const r = run(text, file);
  expect(r.outcome, r.outcome !== 'refused' ? `expected a refusal, got ${r.outcome}:\n${r.m.output}` : '').toBe('refused');
  const e = (r as Extract<RunResult, { outcome: 'refused' }>).error;
  expect(e.line, `a refusal names a line: ${e.message}`).toEqual(expect.any(Number));
  return e;
}

/** The stage text of `name` in `text`. */
const stage = (text: string, name: string) => {
  const m = parseDockerfile(text, F);
  const s = m.stages.find((x) => x.name?.toLowerCase() === name.toLowerCase())!;
  return text.slice(s.from.start, s.end);
};

describe('RUN heredocs', () => {
  it('RUN <<EOF: the wrap goes in front of the compile line inside the heredoc', () => {
    const m = migrated(builder('RUN <<EOF\nset -e\necho "building"\nCGO_ENABLED=0 go build -o /out/app ./cmd/app\nEOF'));
    expect(m.output).toContain('ARG TARGETPLATFORM\nRUN <<EOF\nset -e\necho "building"\nxx-go --wrap && CGO_ENABLED=0 go build -o /out/app ./cmd/app\nEOF\nRUN xx-verify --static /out/app\n');
  });

  it('RUN <<-EOT bash with tab-indented body and terminator: tabs kept, wrap after them', () => {
    const m = migrated(builder('RUN <<-EOT bash\n\tset -euo pipefail\n\tCGO_ENABLED=0 go build -o /out/app ./cmd/app\n\tEOT'));
    expect(m.output).toContain('RUN <<-EOT bash\n\tset -euo pipefail\n\txx-go --wrap && CGO_ENABLED=0 go build -o /out/app ./cmd/app\n\tEOT\n');
  });

  it("quoted delimiter, --mount flag and a compile continued over lines inside the heredoc", () => {
    const m = migrated(builder("RUN --mount=type=cache,target=/root/.cache/go-build <<'EOF'\nset -e\nCGO_ENABLED=0 go build \\\n  -o /out/app \\\n  ./cmd/app\nEOF"));
    expect(m.output).toContain("RUN --mount=type=cache,target=/root/.cache/go-build <<'EOF'\nset -e\nxx-go --wrap && CGO_ENABLED=0 go build \\\n  -o /out/app \\\n  ./cmd/app\nEOF\n");
  });

  it('a python heredoc that merely mentions "go build" is not wrapped and stays before the target ARG', () => {
    const m = migrated(builder('RUN <<EOF python3\nprint("go build -o /out/app")\nEOF\nRUN CGO_ENABLED=0 go build -o /out/app ./cmd/app'));
    expect(m.output).toContain('RUN <<EOF python3\nprint("go build -o /out/app")\nEOF\nARG TARGETPLATFORM\nRUN xx-go --wrap && CGO_ENABLED=0 go build');
  });

  it('non-ASCII text before the compile in the same RUN does not shift the insertion point', () => {
    const m = migrated(builder('RUN <<EOF\necho "déjà vu 🚀🚀 ✓"\nCGO_ENABLED=0 go build -o /out/app ./cmd/app\nEOF\nRUN echo "ünïcode 🚀" && CGO_ENABLED=0 go build -o /out/app2 ./cmd/app2'));
    expect(m.output).toContain('echo "déjà vu 🚀🚀 ✓"\nxx-go --wrap && CGO_ENABLED=0 go build -o /out/app ./cmd/app\nEOF\n');
    // The heredoc's wrap holds for the rest of the stage: the second compile is not wrapped again.
    expect(m.output).toContain('EOF\nRUN echo "ünïcode 🚀" && CGO_ENABLED=0 go build -o /out/app2 ./cmd/app2 && xx-verify --static /out/app && xx-verify --static /out/app2\n');
  });
});

describe('flags and continuations', () => {
  it('several --mount flags over continuation lines: flags byte-identical, wrap in front of the command', () => {
    const run = 'RUN --mount=type=cache,target=/root/.cache/go-build \\\n    --mount=type=cache,target=/go/pkg/mod \\\n    --mount=type=bind,source=.,target=/src2 \\\n';
    const m = migrated(builder(`${run}    CGO_ENABLED=0 go build -o /out/app ./cmd/app`));
    expect(m.output).toContain(`${run}    xx-go --wrap && CGO_ENABLED=0 go build -o /out/app ./cmd/app\n`);
  });

  it('comments between continuation lines (column 0 and indented) are kept', () => {
    const m = migrated(builder('RUN CGO_ENABLED=0 \\\n# a column-0 comment\n    go build \\\n    # an indented comment\n    -o /out/app ./cmd/app'));
    expect(m.output).toContain('RUN xx-go --wrap && CGO_ENABLED=0 \\\n# a column-0 comment\n    go build \\\n    # an indented comment\n    -o /out/app ./cmd/app\n');
  });

  it('an empty line inside a continuation (BuildKit skips it)', () => {
    const m = migrated(builder('RUN CGO_ENABLED=0 \\\n\n    go build -o /out/app ./cmd/app'));
    expect(m.output).toContain('RUN xx-go --wrap && CGO_ENABLED=0 \\\n\n    go build -o /out/app ./cmd/app\n');
  });

  // BuildKit's continuation is `\` followed by optional blanks ([ \t]*$), so `\   ` + newline joins
  // the lines: the shell sees `CGO_ENABLED=0 go build ...`. Wrapping at "go" puts CGO_ENABLED=0
  // on xx-go and drops it from the compile.
  it('backslash followed by trailing blanks is a continuation: the wrap goes before CGO_ENABLED=0', () => {
    const m = migrated(builder('RUN CGO_ENABLED=0 \\   \n    go build -o /out/app ./cmd/app'));
    expect(m.output).toContain('RUN xx-go --wrap && CGO_ENABLED=0 \\   \n    go build -o /out/app ./cmd/app\n');
    expect(m.output).not.toContain('CGO_ENABLED=0 \\   \n    xx-go --wrap');
  });

  it('backslash followed by a tab is a continuation too', () => {
    const m = migrated(builder('RUN CGO_ENABLED=0 \\\t\n    go build -o /out/app ./cmd/app'));
    expect(m.output).toContain('RUN xx-go --wrap && CGO_ENABLED=0 \\\t\n    go build -o /out/app ./cmd/app\n');
  });

  it('a compile after `&& \\ ` (blank after the backslash) is still a compile, not "nothing to compile"', () => {
    const m = migrated(builder('RUN go mod download && \\ \n    CGO_ENABLED=0 go build -o /out/app ./cmd/app'));
    expect(m.output).toContain('xx-go --wrap');
  });

  it('a trailing backslash on the last line of a RUN followed by a blank line and FROM', () => {
    // BuildKit joins the FROM into the RUN (empty continuation lines are skipped); the RUN itself
    // must stay as it was.
    const text = builder('RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app \\\n', 'FROM scratch\nCOPY --from=builder /out/app /app\n');
    const r = run(text, F);
    expect(r.outcome).toBe('migrated');
    if (r.outcome === 'migrated') {
      checkMigrated(text, F, r.m);
      expect(r.m.output).toContain('RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app \\\n\nFROM scratch\n');
    }
  });

  it('a trailing backslash on the very last line of the file (no newline)', () => {
    const text = 'FROM golang:1.23-alpine AS builder\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app ./cmd/app\nFROM golang:1.23-alpine\nCOPY --from=builder /out/app /app\nRUN /app --selftest \\';
    const m = migrated(text);
    expect(m.output.endsWith('\nRUN /app --selftest \\')).toBe(true);
  });

  it('FROM split over continuation lines gets --platform in the right place', () => {
    const m = migrated('FROM \\\n    golang:1.23-alpine \\\n    AS builder\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app ./cmd/app\nFROM scratch\nCOPY \\\n  --from=builder \\\n  /out/app /app\n');
    expect(m.output).toContain('FROM \\\n    --platform=$BUILDPLATFORM golang:1.23-alpine \\\n    AS builder\n');
    expect(m.output.endsWith('FROM scratch\nCOPY \\\n  --from=builder \\\n  /out/app /app\n')).toBe(true);
  });
});

describe('escape directive and Windows-ish paths', () => {
  it('# escape=` with backtick continuations and backslash paths', () => {
    const text = '# escape=`\nFROM golang:1.23-alpine AS builder\nENV GOPATH=C:\\gopath `\n    GOBIN=C:\\gopath\\bin\nWORKDIR C:\\src\\app\nCOPY . .\nRUN CGO_ENABLED=0 `\n    go build `\n    -o /out/app ./cmd/app\nFROM scratch\nCOPY --from=builder /out/app /app\n';
    const m = migrated(text);
    expect(m.output.startsWith('# escape=`\n')).toBe(true);
    expect(m.output).toContain('ENV GOPATH=C:\\gopath `\n    GOBIN=C:\\gopath\\bin\nWORKDIR C:\\src\\app\n');
    expect(m.output).toContain('RUN xx-go --wrap && CGO_ENABLED=0 `\n    go build `\n    -o /out/app ./cmd/app\n');
  });

  it('"# escape=`" after a comment is not a directive: backslash stays the escape', () => {
    const m = migrated('# hello\n# escape=`\nFROM golang:1.23-alpine AS builder\nCOPY . .\nRUN CGO_ENABLED=0 \\\n  go build -o /out/app ./cmd/app\nFROM scratch\nCOPY --from=builder /out/app /app\n');
    expect(m.output).toContain('RUN xx-go --wrap && CGO_ENABLED=0 \\\n  go build -o /out/app ./cmd/app\n');
  });

  it('syntax, escape and check directives together stay directives, on top', () => {
    const head = '# syntax=docker/dockerfile:1.7\n#  escape = `\n# check=skip=JSONArgsRecommended\n';
    const m = migrated(`${head}FROM golang:1.23-alpine AS builder\nCOPY . .\nRUN CGO_ENABLED=0 \`\n  go build -o /out/app ./cmd/app\nFROM scratch\nCOPY --from=builder /out/app /app\n`);
    expect(m.output.startsWith(head)).toBe(true);
    expect(m.output).toContain('RUN xx-go --wrap && CGO_ENABLED=0 `\n  go build');
  });
});

describe('whitespace and keyword casing', () => {
  it('tabs everywhere', () => {
    const m = migrated('FROM\tgolang:1.23-alpine\tAS\tbuilder\nRUN\tapk add --no-cache git file\nWORKDIR\t/src\nCOPY\t.\t.\nRUN\tCGO_ENABLED=0\tgo\tbuild\t-o\t/out/app\t./cmd/app\nFROM\tscratch\nCOPY\t--from=builder\t/out/app\t/app\n');
    expect(m.output).toContain('RUN\txx-go --wrap && CGO_ENABLED=0\tgo\tbuild\t-o\t/out/app\t./cmd/app && xx-verify --static /out/app\n');
    expect(m.output.endsWith('FROM\tscratch\nCOPY\t--from=builder\t/out/app\t/app\n')).toBe(true);
  });

  it('lowercase keywords: inserted lines follow the file', () => {
    const m = migrated('from golang:1.23-alpine as builder\nrun apk add --no-cache git file\nworkdir /src\ncopy . .\nrun CGO_ENABLED=0 go build -o /out/app ./cmd/app\nfrom scratch\ncopy --from=builder /out/app /app\nentrypoint ["/app"]\n');
    expect(m.output).toContain('run xx-go --wrap && CGO_ENABLED=0 go build -o /out/app ./cmd/app && xx-verify --static /out/app\n');
    expect(m.output).toMatch(/^from --platform=\$BUILDPLATFORM golang:1\.23-alpine as builder$/m);
  });

  it('MixedCase keywords and indented instructions', () => {
    const m = migrated('From golang:1.23-alpine As builder\nRun apk add --no-cache git file\n  WorkDir /src\n  Copy . .\n    Run CGO_ENABLED=0 go build -o /out/app ./cmd/app\nFrom scratch\nCopy --from=builder /out/app /app\n');
    expect(m.output).toContain('    Run xx-go --wrap && CGO_ENABLED=0 go build -o /out/app ./cmd/app && xx-verify --static /out/app\n');
  });
});

describe('platforms, ARGs, stage names', () => {
  // ${BUILDPLATFORM:-linux/amd64} is always BUILDPLATFORM (BuildKit sets it): a half-migrated
  // builder, like `--platform=$BUILDPLATFORM` without xx, which the migration does finish (P13).
  it('FROM --platform=${BUILDPLATFORM:-linux/amd64} without xx is finished like $BUILDPLATFORM', () => {
    const text = 'FROM --platform=${BUILDPLATFORM:-linux/amd64} golang:1.23-alpine AS builder\nRUN apk add --no-cache git file\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app ./cmd/app\nFROM scratch\nCOPY --from=builder /out/app /app\n';
    const m = migrated(text);
    expect(m.output).toContain('RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/app ./cmd/app && xx-verify --static /out/app\n');
  });

  it('ARG BUILDPLATFORM redeclared globally and in the stage', () => {
    const text = 'ARG BUILDPLATFORM\nFROM golang:1.23-alpine AS builder\nARG BUILDPLATFORM\nRUN apk add --no-cache git file\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app ./cmd/app\nFROM scratch\nCOPY --from=builder /out/app /app\n';
    const m = migrated(text);
    expect(m.output.startsWith('ARG BUILDPLATFORM\n')).toBe(true);
    expect(stage(m.output, 'builder')).toMatch(/^FROM --platform=\$BUILDPLATFORM golang:1\.23-alpine AS builder\n(.*\n)*ARG BUILDPLATFORM\n/);
  });

  it('FROM ${BASE} AS builder where BASE is an ARG without default', () => {
    const m = migrated('ARG BASE\nFROM ${BASE} AS builder\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app ./cmd/app\nFROM scratch\nCOPY --from=builder /out/app /app\n');
    expect(m.output).toMatch(/^FROM --platform=\$BUILDPLATFORM \$\{BASE\} AS builder$/m);
    expect(m.output.startsWith('ARG BASE\n')).toBe(true);
  });

  it('stage names with dots, dashes, uppercase; --from in another case', () => {
    const text = 'FROM golang:1.23-alpine AS go.builder-v1\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/a ./cmd/a\nFROM golang:1.23-alpine AS Second_Builder\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/b ./cmd/b\nFROM scratch\nCOPY --from=go.builder-v1 /out/a /a\nCOPY --from=second_builder /out/b /b\n';
    const m = migrated(text);
    expect(m.output.endsWith('FROM scratch\nCOPY --from=go.builder-v1 /out/a /a\nCOPY --from=second_builder /out/b /b\n')).toBe(true);
    expect(m.output.match(/xx-go --wrap && /g)).toHaveLength(2);
  });

  it('COPY with several flags, COPY --link, HEALTHCHECK/STOPSIGNAL in the final stage: final stage untouched', () => {
    const final = 'FROM alpine:3.20\nCOPY --from=builder --chown=1000:1000 --chmod=0755 /out/app /usr/bin/app\nCOPY --link --from=builder /out/app /app2\nHEALTHCHECK --interval=30s --timeout=3s CMD ["/usr/bin/app", "health"]\nSTOPSIGNAL SIGTERM\nUSER 1000\nENTRYPOINT ["/usr/bin/app"]\n';
    const text = builder('COPY --link --chown=1000:1000 go.mod go.sum ./\nRUN CGO_ENABLED=0 go build -o /out/app ./cmd/app', final);
    const m = migrated(text);
    expect(m.output.endsWith(final)).toBe(true);
    expect(m.output).toContain('COPY --link --chown=1000:1000 go.mod go.sum ./\n');
  });

  it('ONBUILD RUN go build is a trigger for other builds: not wrapped; the real compile is', () => {
    const m = migrated(builder('ONBUILD RUN go build -o /out/app .\nRUN CGO_ENABLED=0 go build -o /out/app ./cmd/app'));
    expect(m.output).toContain('ONBUILD RUN go build -o /out/app .\n');
    expect(m.output).toContain('RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/app ./cmd/app && xx-verify --static /out/app\n');
  });

  it('a stage whose only compile is an ONBUILD trigger: nothing to cross-compile here', () => {
    const r = run('FROM golang:1.23-alpine AS builder\nWORKDIR /src\nONBUILD COPY . .\nONBUILD RUN go build -o /out/app .\n', F);
    expect(r.outcome).toBe('skipped');
  });

  it('SHELL ["/bin/bash", "-c"] before the compile', () => {
    const m = migrated(builder('SHELL ["/bin/bash", "-c"]\nRUN CGO_ENABLED=0 go build -o /out/app ./cmd/app'));
    expect(m.output).toContain('SHELL ["/bin/bash", "-c"]\n');
    expect(m.output).toContain('RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/app ./cmd/app && xx-verify --static /out/app\n');
  });
});

describe('compiles in shell constructs', () => {
  it('inside if ...; then go build ...; fi', () => {
    const m = migrated(builder('RUN if [ -f go.mod ]; then CGO_ENABLED=0 go build -o /out/app ./cmd/app; fi'));
    expect(m.output).toContain('RUN xx-go --wrap && if [ -f go.mod ]; then CGO_ENABLED=0 go build -o /out/app ./cmd/app; fi && xx-verify --static /out/app\n');
  });

  it('inside ( cd x && go build )', () => {
    const m = migrated(builder('RUN ( cd cmd/app && CGO_ENABLED=0 go build -o /out/app . )'));
    expect(m.output).toContain('RUN xx-go --wrap && ( cd cmd/app && CGO_ENABLED=0 go build -o /out/app . ) && xx-verify --static /out/app\n');
  });

  // A compile inside `bash -c "..."` is a compile: skipping the repository as "no stage compiles
  // Go" leaves it fully emulated with no note. It is wrapped (xx-go --wrap && bash -c ...), and
  // the CGO_ENABLED=0 inside the string is read as the compile's (a refusal for "cgo without
  // target libs" was the tool misreading its own edit).
  for (const [name, cmd] of [
    ['bash -c "go build ..."', 'RUN bash -c "CGO_ENABLED=0 go build -o /out/app ./cmd/app"'],
    ["sh -c 'go build ...'", "RUN sh -c 'CGO_ENABLED=0 go build -o /out/app ./cmd/app'"],
  ]) {
    it(`inside ${name}: not skipped as "nothing to compile"`, () => {
      const text = builder(cmd);
      const r = run(text, F);
      expect(r.outcome, r.outcome === 'refused' ? r.error.message : JSON.stringify(r.m.skipped)).toBe('migrated');
      if (r.outcome !== 'migrated') return;
      checkMigrated(text, F, r.m);
      expect(r.m.output).toContain(`RUN xx-go --wrap && ${cmd.slice(4)} && xx-verify --static /out/app\n`);
    });
  }

  it('go build -o=path --ldflags=...: xx-verify names the path', () => {
    const m = migrated(builder('RUN CGO_ENABLED=0 go build --ldflags="-X main.v=1 -s" -trimpath -o=/out/app ./cmd/app'));
    expect(m.output).toContain('RUN xx-go --wrap && CGO_ENABLED=0 go build --ldflags="-X main.v=1 -s" -trimpath -o=/out/app ./cmd/app && xx-verify --static /out/app\n');
  });
});

describe('encodings and line endings', () => {
  // BuildKit drops a UTF-8 BOM; editors on Windows write one. The input parses (the model strips
  // it), but the xx stage is inserted at offset 0, in front of the BOM, and the output no longer
  // parses: "unknown instruction \uFEFFFROM".
  it('a UTF-8 BOM before the first FROM: migrated, the BOM stays at byte 0', () => {
    const text = '\uFEFF' + builder('RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app');
    const m = migrated(text);
    expect(m.output.startsWith('\uFEFF')).toBe(true);
    expect(m.output.indexOf('\uFEFF', 1)).toBe(-1);
  });

  it('a UTF-8 BOM before a directive', () => {
    const text = '\uFEFF# escape=`\n' + 'FROM golang:1.23-alpine AS builder\nCOPY . .\nRUN CGO_ENABLED=0 `\n  go build -o /out/app ./cmd/app\nFROM scratch\nCOPY --from=builder /out/app /app\n';
    const m = migrated(text);
    expect(m.output.startsWith('\uFEFF# escape=`\n')).toBe(true);
    expect(m.output).toContain('RUN xx-go --wrap && CGO_ENABLED=0 `\n');
  });

  it('CRLF mixed with LF: each original line keeps its ending; no line outside the edits changes', () => {
    const text = builder('RUN --mount=type=cache,target=/root/.cache/go-build \\\n    CGO_ENABLED=0 go build -o /out/app ./cmd/app')
      .split('\n')
      .map((l, i, a) => (i % 2 && i < a.length - 1 ? l + '\r' : l))
      .join('\n');
    const r = run(text, F);
    if (r.outcome === 'refused') expect.fail(`refused: ${r.error.message}`);
    expect(r.outcome).toBe('migrated');
    const m = r.m;
    expect(reviewModel(parseDockerfile(m.output, F), {}).filter((f) => f.severity === 'error')).toEqual([]);
    expect(migrateDockerfile(m.output, F, opts).output, 'idempotent').toBe(m.output);
    expect(linesChangedOutsideEdits(text, m.output, m.edits)).toEqual([]);
    const outLines = m.output.split('\n');
    for (const l of text.split('\n')) if (!/go build|^FROM golang/.test(l)) expect(outLines, JSON.stringify(l)).toContain(l);
    // The compile is the sixth line, one of those given a CR.
    expect(m.output).toContain('    xx-go --wrap && CGO_ENABLED=0 go build -o /out/app ./cmd/app\r\n');
  });

  it('CRLF throughout, with a heredoc', () => {
    const text = builder('RUN <<EOF\nset -e\nCGO_ENABLED=0 go build -o /out/app ./cmd/app\nEOF').replace(/\n/g, '\r\n');
    const m = migrated(text);
    expect(m.output).toContain('RUN <<EOF\r\nset -e\r\nxx-go --wrap && CGO_ENABLED=0 go build -o /out/app ./cmd/app\r\nEOF\r\n');
  });

  // CR-only line endings: BuildKit splits lines on \n only, so this is one FROM line with many
  // arguments and fails to build. Saying "no stage compiles Go" (exit 0, skipped) hides that.
  it('CR-only line endings: refused as input, not skipped as "nothing to compile"', () => {
    const e = refused('FROM golang:1.23-alpine AS builder\rCOPY . .\rRUN CGO_ENABLED=0 go build -o /out/app ./cmd/app\rFROM scratch\rCOPY --from=builder /out/app /app\r');
    expect(e.name).toBe('DockerfileError');
  });

  it('a file that is only comments: DockerfileError at line 1', () => {
    const e = refused('# just a comment\n# another one\n\n#   and one more\n');
    expect(e.name).toBe('DockerfileError');
    expect(e.line).toBe(1);
  });
});

describe('size', () => {
  function stages(n: number, pad: number): string {
    let s = 'ARG GO_IMAGE=golang:1.23-alpine\n';
    for (let i = 0; i < n; i++) {
      s += `FROM \${GO_IMAGE} AS build-${i}\nRUN apk add --no-cache git file\nWORKDIR /src/c${i}\nCOPY . .\n`;
      s += '# generated padding: a long comment line that makes this Dockerfile big, as generated ones are\n'.repeat(pad);
      s += `RUN CGO_ENABLED=0 go build -o /out/app${i} ./cmd/app${i}\n\n`;
    }
    s += 'FROM scratch\n';
    for (let i = 0; i < n; i++) s += `COPY --from=build-${i} /out/app${i} /bin/app${i}\n`;
    return s;
  }

  // How long they take is bench:codemod's figure (its scaling lines), not a verdict here.
  it('60 stages: every builder wrapped and verified', () => {
    const m = migrated(stages(60, 0));
    expect(m.output.match(/RUN xx-go --wrap && CGO_ENABLED=0 go build/g)).toHaveLength(60);
    expect(m.output.match(/^RUN xx-go --wrap && CGO_ENABLED=0 go build -o (\/out\/app\d+) \S+ && xx-verify --static \1$/gm)).toHaveLength(60);
    expect(m.output.match(/ AS xx$/gm)).toHaveLength(1);
  }, 60_000);

  it('a 2 MB Dockerfile with 300 stages: every builder wrapped', () => {
    const text = stages(300, 70);
    expect(text.length).toBeGreaterThan(2_000_000);
    const m = migrated(text);
    expect(m.output.match(/RUN xx-go --wrap && /g)).toHaveLength(300);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------
// CLI

const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));
const SIMPLE = builder('RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app');

function tempDir(name = 'ibm-adv-'): string {
  const d = mkdtempSync(path.join(tmpdir(), name));
  temps.push(d);
  return d;
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = path.join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = st.isFile() ? `${st.mtimeMs}:${readFileSync(p).toString('base64')}` : `special:${st.mode}`;
    }
  };
  walk(dir);
  return out;
}

/** Runs the CLI; resolves to 'hang' if it has not finished within `ms`. */
async function cli(args: string[], ms = 5000): Promise<{ code: number; out: string; err: string } | 'hang'> {
  const out = new Capture();
  const err = new Capture();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), ms)));
  const r = await Promise.race([main(args, out, err).then((code) => ({ code, out: out.text, err: err.text })), hang]);
  clearTimeout(timer);
  return r;
}

/** Opens a FIFO for writing without blocking and closes it, so a blocked reader gets EOF. */
function unblock(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    /* no reader: nothing to unblock */
  }
}

describe('CLI: migrate --local on odd Dockerfile paths', () => {
  it('the Dockerfile is a directory: exit 2, names the file, nothing written', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'Dockerfile'));
    writeFileSync(path.join(dir, 'Dockerfile', 'inner'), SIMPLE);
    const before = snapshot(dir);
    const r = await cli(['migrate', '--local', dir]);
    expect(r).not.toBe('hang');
    if (r === 'hang') return;
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Dockerfile: is not a regular file/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('the Dockerfile is a FIFO: exit 2 without blocking on it', async () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'Dockerfile');
    execFileSync('mkfifo', [fifo]);
    try {
      const r = await cli(['migrate', '--local', dir]);
      expect(r, 'the CLI blocked reading the FIFO').not.toBe('hang');
      if (r === 'hang') return;
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/Dockerfile: is not a regular file/);
    } finally {
      unblock(fifo);
    }
  });

  // As root, chmod 000 does not stop reads: the case cannot be produced, so it is skipped (not faked).
  it.skipIf(process.getuid?.() === 0)('the Dockerfile is unreadable (chmod 000): exit 2 naming the file [skipped when running as root]', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'Dockerfile');
    writeFileSync(file, SIMPLE);
    chmodSync(file, 0o000);
    try {
      const r = await cli(['migrate', '--local', dir]);
      expect(r).not.toBe('hang');
      if (r === 'hang') return;
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/Dockerfile/);
    } finally {
      chmodSync(file, 0o644);
    }
  });

  it('a checkout folder and a Dockerfile path with spaces', async () => {
    const dir = path.join(tempDir(), 'my checkout');
    mkdirSync(path.join(dir, 'build dir'), { recursive: true });
    writeFileSync(path.join(dir, 'build dir', 'Docker file'), SIMPLE);
    const dry = await cli(['migrate', '--local', dir, '--dockerfile', 'build dir/Docker file', '--dry-run']);
    expect(dry).not.toBe('hang');
    if (dry === 'hang') return;
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('--- a/build dir/Docker file\n+++ b/build dir/Docker file\n');
    expect(readFileSync(path.join(dir, 'build dir', 'Docker file'), 'utf8')).toBe(SIMPLE);
    const real = await cli(['migrate', '--local', dir, '--dockerfile', 'build dir/Docker file']);
    if (real === 'hang') return void expect(real).not.toBe('hang');
    expect(real.code).toBe(0);
    expect(readFileSync(path.join(dir, 'build dir', 'Docker file'), 'utf8')).toContain('RUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/app ./cmd/app && xx-verify --static /out/app\n');
    expect(readdirSync(path.join(dir, 'build dir'))).toEqual(['Docker file']);
  });

  it('a Dockerfile with a UTF-8 BOM (Windows editors) is migrated, exit 0', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'Dockerfile'), '\uFEFF' + SIMPLE);
    const r = await cli(['migrate', '--local', dir]);
    if (r === 'hang') return void expect(r).not.toBe('hang');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(dir, 'Dockerfile'), 'utf8').startsWith('\uFEFF')).toBe(true);
  });
});

describe('CLI: review on odd paths', () => {
  it('a missing path: exit 2 naming it', async () => {
    const missing = path.join(tempDir(), 'no such', 'Dockerfile');
    const r = await cli(['review', missing, '--format', 'text']);
    if (r === 'hang') return void expect(r).not.toBe('hang');
    expect(r.code).toBe(2);
    expect(r.out + r.err).toContain(missing);
  });

  it('a folder with no Dockerfile: exit 2 naming the folder', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'README.md'), '# nothing here\n');
    mkdirSync(path.join(dir, 'src'));
    const r = await cli(['review', dir, '--format', 'json']);
    if (r === 'hang') return void expect(r).not.toBe('hang');
    expect(r.code).toBe(2);
    expect(r.out + r.err).toContain(dir);
  });

  // `review PATH` reads PATH with readFile, which blocks forever on a FIFO with no writer (and
  // holds a libuv thread-pool thread). `migrate --local` checks isFile() first; review does not.
  it('a FIFO given as the Dockerfile: does not hang (exit 2, "not a regular file")', async () => {
    const fifo = path.join(tempDir(), 'Dockerfile');
    execFileSync('mkfifo', [fifo]);
    try {
      const r = await cli(['review', fifo, '--format', 'text'], 3000);
      expect(r, 'review blocked reading the FIFO').not.toBe('hang');
      if (r === 'hang') return;
      expect(r.code).toBe(2);
      expect(r.out + r.err).toContain(fifo);
    } finally {
      unblock(fifo);
    }
  });
});
