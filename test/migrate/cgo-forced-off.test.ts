/**
 * Issue 17 item 12: a make build whose Makefile forces cgo off (`GO_BUILD_OPTS ?= CGO_ENABLED=0`)
 * got `CGO_ENABLED=1` "because the old native build linked with cgo" and target C libraries,
 * only because gcc was installed in the image.
 */
import { describe, expect, it } from 'vitest';
import { applyRecipes } from '../../src/migrate/apply.ts';
import { buildFacts } from '../../src/dockerfile/build-files.ts';
import { DEFAULT_OPTIONS } from './options.ts';

// gcc is in the image (so the old guess was "cgo on"), but the Makefile decides.
const dockerfile = [
  'FROM golang:1.23-alpine AS builder',
  'RUN apk --no-cache add make gcc musl-dev git',
  'WORKDIR /src',
  'COPY . .',
  'RUN make build',
  '',
  'FROM alpine:3.20',
  'COPY --from=builder /src/bin/app /usr/local/bin/app',
  '',
].join('\n');
const migrate = (makefile: string) =>
  applyRecipes(dockerfile, 'Dockerfile', { ...DEFAULT_OPTIONS, ...buildFacts([{ path: 'Makefile', text: makefile, kind: 'makefile' }]) });

describe('cgo of a make build the Makefile forces off', () => {
  it.each([
    ['GO_BUILD_OPTS ?= CGO_ENABLED=0\n\nbuild:\n\t$(GO_BUILD_OPTS) go build -o bin/app ./cmd/app\n'],
    ['BUILD_ENV := GOFLAGS=-mod=vendor CGO_ENABLED=0\n\nbuild:\n\t$(BUILD_ENV) go build -o bin/app .\n'],
  ])('%j: cgo off, no target C libraries, no false reason', (makefile) => {
    const r = migrate(makefile);
    expect(r.output).toMatch(/CGO_ENABLED=0/);
    expect(r.output).not.toMatch(/CGO_ENABLED=1/);
    expect(r.output).not.toMatch(/xx-apk[^\n]*(gcc|musl-dev)/);
    expect(r.edits.map((e) => e.reason).join('\n')).not.toMatch(/linked with cgo|no C compiler/);
  });

  it('with nothing in the Makefile about cgo, the gcc in the image still means cgo on', () => {
    const r = migrate('build:\n\tgo build -o bin/app .\n');
    expect(r.output).toMatch(/CGO_ENABLED=1/);
  });
});
