/**
 * Issue 17 item 13: a refusal "Dockerfile:12 ... add ARG TARGETARCH in this stage before line 12"
 * cited a line that exists only in the migrated file, for an ARG the bot's own xx-verify edit
 * needed. The edit now declares what it uses; a refusal that does occur cites the user's lines
 * and says when the line is the migration's own.
 */
import { describe, expect, it } from 'vitest';
import { insertLinesAfter } from '../../src/edits/edit.ts';
import { InvariantError, migrateDockerfile } from '../../src/migrate/engine.ts';
import type { DockerfileRecipe } from '../../src/migrate/recipe.ts';
import { DEFAULT_OPTIONS } from './options.ts';

// The runtime picks the binary by ARCH (TARGETARCH once migrated); make names no outputs, so
// xx-verify checks the path the runtime copies.
const dockerfile = [
  'ARG ARCH=amd64',
  'FROM golang:1.23-alpine AS builder',
  'RUN apk add --no-cache git make',
  'WORKDIR /src',
  'COPY . .',
  'RUN make build',
  '',
  'FROM alpine:3.20',
  'ARG ARCH',
  'COPY --from=builder /src/bin/tally-${ARCH} /usr/bin/tally',
  'ENTRYPOINT ["tally"]',
  '',
].join('\n');

describe('refusals never blame the user for the migration’s own edits', () => {
  it('xx-verify of a path with ${TARGETARCH} declares ARG TARGETARCH in the builder: no refusal', () => {
    const m = migrateDockerfile(dockerfile, 'Dockerfile', DEFAULT_OPTIONS);
    expect(m.output).toMatch(/RUN xx-go --wrap && make build\nARG TARGETARCH\nRUN xx-verify --static \/src\/bin\/tally-\$\{TARGETARCH\}\n/);
    expect((m.findings ?? []).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('a refusal caused by a line the migration wrote cites the user’s line and names the edit', () => {
    // A recipe with the old bug: a step using $TARGETARCH in a stage that declares only TARGETPLATFORM.
    const buggy: DockerfileRecipe = {
      id: 'buggy-echo',
      title: 'test only',
      phase: 4,
      fixes: [],
      apply(ctx) {
        const b = ctx.model.stages.find((s) => s.name === 'builder')!;
        const compile = b.instructions.find((i) => i.shell?.commands.some((c) => c.name === 'make'))!;
        return [insertLinesAfter(ctx.source, compile.endLine, ['RUN echo "built for $TARGETARCH"'], 'say the arch')];
      },
    };
    let err: unknown;
    try {
      migrateDockerfile(dockerfile, 'Dockerfile', { ...DEFAULT_OPTIONS, recipes: [...DEFAULT_OPTIONS.recipes, buggy] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvariantError);
    const e = err as InvariantError;
    // Line 7 of the user's file (the blank line after the compile on line 6), not the migrated file's 14.
    expect(e.line).toBe(7);
    expect(e.message).toMatch(/^the migration's own edit above line 7 of your file \(buggy-echo: say the arch\) would break "platform-arg-undeclared"/);
    expect(e.hint).toMatch(/not caused by your file: report this as a bug/);
    expect(e.hint).toMatch(/before line 7\)$/);
  });
});
