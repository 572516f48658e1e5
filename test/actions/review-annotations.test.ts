/**
 * `npm run review -- --format github` as a step of a workflow: the annotations come from
 * @actions/core and say what the hand-written workflow commands say (same file, lines, title,
 * message), and the step summary gets the count.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.ts';
import { removeDir, tempDir } from '../helpers/repos.ts';
import { Capture } from '../helpers/streams.ts';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const fixture = 'test/fixtures/hand-migrations/b06-coredns-arch-default.Dockerfile';

/** `::level k=v,k=v::message` -> a comparable record (property order is not meaningful). */
function parseCommands(text: string) {
  return text
    .split('\n')
    .filter((l) => l.startsWith('::'))
    .map((l) => {
      const m = /^::(\w+) ([^:]*)::(.*)$/.exec(l)!;
      expect(m, l).not.toBeNull();
      // Keys sorted, so that the sort below orders both lists alike whatever order each writer uses.
      const props = m[2]!.split(',').map((kv) => kv.split('=') as [string, string]).sort(([a], [b]) => a.localeCompare(b));
      return { level: m[1], props: Object.fromEntries(props), message: m[3] };
    })
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

describe('review --format github inside Actions', () => {
  const dir = tempDir();
  afterAll(() => removeDir(dir));

  it('emits through @actions/core what the text formatter writes, plus a step summary', async () => {
    const captured = new Capture();
    const code = await main(['review', fixture, '--format', 'github'], captured, new Capture());
    expect(code).toBe(1);
    const expected = parseCommands(captured.text);
    expect(expected.length).toBeGreaterThan(2);

    const summary = path.join(dir, 'summary.md');
    writeFileSync(summary, '');
    const env = { ...process.env, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary };
    const run = await exec('npx', ['tsx', 'src/cli.ts', 'review', fixture, '--format', 'github'], { cwd: root, env }).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(run.code).toBe(1);
    expect(parseCommands(run.stdout)).toEqual(expected);
    const errors = expected.filter((e) => e.level === 'error').length;
    expect(readFileSync(summary, 'utf8')).toBe(`**Dockerfile review:** 1 Dockerfile reviewed, ${errors} error${errors === 1 ? '' : 's'}, ${expected.length - errors} warning${expected.length - errors === 1 ? '' : 's'}.\n`);
  }, 30_000);
});
