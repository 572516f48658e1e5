import { describe, expect, it } from 'vitest';
import { runProcess } from '../../src/timing/run-process.ts';

describe('runProcess (how builds are run and stopped)', () => {
  it('stops the whole process group at the deadline and says so', async () => {
    // The shell's child (sleep) must go too: a killed build client leaves no build running.
    const r = await runProcess('sh', ['-c', 'sleep 30 & wait'], { timeoutMs: 300 });
    expect(r.timedOut).toBe(true);
    expect(r.seconds).toBeLessThan(10);
  });

  it('keeps stdout, stderr and the exit code, with arguments passed as an array', async () => {
    const r = await runProcess('sh', ['-c', 'echo "$1"; echo err >&2; exit 3', 'sh', 'a b; $(not run)']);
    expect(r).toMatchObject({ code: 3, stdout: 'a b; $(not run)\n', stderr: 'err\n', timedOut: false });
  });

  it('reports a client that does not exist', async () => {
    const r = await runProcess('/nonexistent/docker', ['version']);
    expect(r.spawnError).toMatch(/ENOENT/);
  });
});
