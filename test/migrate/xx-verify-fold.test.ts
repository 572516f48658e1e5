/**
 * Where the xx-verify recipe ends the compile's own RUN with `&& xx-verify ...` and where it adds
 * a RUN of its own: the fold must mean what the separate RUN meant, or it is not made.
 */
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../src/dockerfile/model.ts';
import { migrateDockerfile } from '../../src/migrate/engine.ts';
import { reviewModel } from '../../src/review/review.ts';
import { DEFAULT_OPTIONS } from './options.ts';

const builder = (compile: string) =>
  ['FROM golang:1.23-alpine AS builder', 'RUN apk add --no-cache git file', 'WORKDIR /src', 'COPY . .', compile, 'FROM scratch', 'COPY --from=builder /out/app /app', ''].join('\n');

const migrate = (compile: string) => migrateDockerfile(builder(compile), 'Dockerfile', DEFAULT_OPTIONS);

describe('xx-verify folded into the compile', () => {
  it('a one-line compile: the calls end its RUN, the review finds no error, a second run changes nothing', () => {
    const m = migrate('RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app');
    expect(m.output).toContain('\nRUN xx-go --wrap && CGO_ENABLED=0 go build -o /out/app ./cmd/app && xx-verify --static /out/app\nFROM scratch');
    expect(m.output).not.toMatch(/^RUN xx-verify/m);
    expect(reviewModel(parseDockerfile(m.output, 'Dockerfile')).filter((f) => f.severity === 'error')).toEqual([]);
    expect(migrateDockerfile(m.output, 'Dockerfile', DEFAULT_OPTIONS).output).toBe(m.output);
  });

  it('trailing blanks stay after the added calls', () => {
    expect(migrate('RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app  ').output).toContain('./cmd/app && xx-verify --static /out/app  \n');
  });

  for (const [name, compile] of [
    ['a # in the RUN (a comment would swallow the calls)', 'RUN CGO_ENABLED=0 go build -ldflags "-X main.tag=#1" -o /out/app ./cmd/app'],
    ['a trailing ; (&& cannot follow it)', 'RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app;'],
    ['a trailing & (&& cannot follow it)', 'RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app &'],
    ['a cd after the compile (the relative path would move)', 'RUN CGO_ENABLED=0 go build -o out/app ./cmd/app && cd /'],
    ['a compile over two lines', 'RUN CGO_ENABLED=0 \\\n    go build -o /out/app ./cmd/app'],
  ]) {
    it(`not folded: ${name}; a RUN of its own after it`, () => {
      const m = migrate(compile!);
      expect(m.output).toMatch(/^RUN xx-verify --static \/?out\/app$/m);
      expect(m.output).not.toMatch(/&& xx-verify/);
    });
  }
});
