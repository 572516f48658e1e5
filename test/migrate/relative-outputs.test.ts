/**
 * Issue 17 item 7: a builder kept emulated with "no step names those binaries" while its compiles
 * named them with `-o` paths relative to the folder they ran in (`../bin/x`, after a `cd`).
 */
import { describe, expect, it } from 'vitest';
import { applyRecipes } from '../../src/migrate/apply.ts';
import { DEFAULT_OPTIONS } from './options.ts';

const migrate = (text: string) => applyRecipes(text, 'Dockerfile', { ...DEFAULT_OPTIONS });
const file = (compile: string[], tail: string[] = []) =>
  [
    'FROM golang:1.23-alpine AS builder',
    'RUN apk add --no-cache git make',
    'WORKDIR /src',
    'COPY . .',
    ...compile,
    ...tail,
    'RUN install -s bin/* /usr/local/bin/',
    '',
    'FROM alpine:3.20',
    'COPY --from=builder /usr/local/bin/ /usr/local/bin/',
    'ENTRYPOINT ["pylond"]',
    '',
  ].join('\n');

describe('-o outputs relative to the folder the compile ran in', () => {
  it('two cds in one chain: each -o is taken from the folder of its own cd', () => {
    const r = migrate(file(['RUN cd daemon && go build -o ../bin/pylond . && \\', '    cd ../cli && go build -o ../bin/pylonctl .']));
    expect(r.emulated).toEqual([]);
    // From /src, where the xx-verify RUN runs: bin/pylonctl, not ../bin/pylonctl (/bin/pylonctl).
    expect(r.output).toMatch(/xx-verify --static bin\/pylond && \\\n\s+xx-verify --static bin\/pylonctl\n/);
    expect(r.output).toContain('RUN strip /usr/local/bin/pylond /usr/local/bin/pylonctl');
  });

  it('a compile in a subfolder WORKDIR, the install back in the top folder', () => {
    const r = migrate(file(['WORKDIR /src/daemon', 'RUN go build -o ../bin/pylond .'], ['WORKDIR /src']));
    expect(r.emulated).toEqual([]);
    expect(r.output).toContain('COPY --from=builder /usr/local/bin/pylond /usr/local/bin/');
  });

  it('a cd to a folder the file does not say (a variable) still keeps the stage as it is, with the reason', () => {
    const r = migrate(file(['ARG D', 'RUN cd $D && go build -o ../bin/pylond .']));
    expect(r.emulated.map((e) => e.reason).join()).toMatch(/no step names those binaries/);
  });
});
