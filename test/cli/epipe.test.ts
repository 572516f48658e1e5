/**
 * Issue 17, presentation: `review examples/ | head -1` printed an EPIPE stack trace. The CLI is
 * spawned with its stdout closed before it writes.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the CLI piped into a reader that stops early', () => {
  it('exits without an EPIPE trace', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'review', 'examples/'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Closed before the first write, as `| true` does: every write the CLI makes hits EPIPE.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|internal error|at .*\.ts:\d+/);
    expect(code).not.toBeNull();
  }, 60_000);
});
