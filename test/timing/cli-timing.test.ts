import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { parseBuildArgs, parsePlatforms } from '../../src/timing/migration-timing.ts';

class Sink {
  text = '';
  write(s: string) {
    this.text += s;
    return true;
  }
}

async function cli(...argv: string[]) {
  const out = new Sink();
  const err = new Sink();
  const code = await main(argv, out as unknown as NodeJS.WritableStream, err as unknown as NodeJS.WritableStream);
  return { code, out: out.text, err: err.text };
}

describe('migrate --timing options', () => {
  it('refuses timing options without --timing, before touching anything', async () => {
    const r = await cli('migrate', '--local', '/nonexistent-checkout', '--platforms', 'linux/arm64');
    expect(r.code).toBe(2);
    expect(r.err).toBe('error: --platforms, --build-arg, --timing-store and --timing-budget go with --timing\n');
  });

  it('names a bad platform or build-arg', async () => {
    const p = await cli('migrate', '--local', '/nonexistent-checkout', '--timing', '--platforms', 'linux/amd64,arm64');
    expect(p.code).toBe(2);
    expect(p.err).toBe('error: --platforms: "arm64" is not a platform like linux/arm64\n');
    const b = await cli('migrate', '--local', '/nonexistent-checkout', '--timing', '--build-arg', 'GO_IMAGE');
    expect(b.code).toBe(2);
    expect(b.err).toBe('error: --build-arg "GO_IMAGE" is not NAME=VALUE\n');
  });

  it('parses lists', () => {
    expect(parsePlatforms(' linux/amd64, linux/arm/v7 ')).toEqual(['linux/amd64', 'linux/arm/v7']);
    expect(parsePlatforms(undefined)).toBeUndefined();
    expect(parseBuildArgs(['A=1', 'B=x=y', 'C='])).toEqual({ A: '1', B: 'x=y', C: '' });
  });
});
