/**
 * Run a build client with an argument array (never a shell string), keep its output, and stop
 * its whole process group at the deadline: a killed client makes the engine cancel the build.
 */
import { spawn } from 'node:child_process';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  timedOut: boolean;
  /** spawn itself failed (e.g. the client is not installed). */
  spawnError?: string;
}

export function runProcess(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let spawnError: string | undefined;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    // A client that exits without reading its input (or never started) closes the pipe first.
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          kill(child.pid, 'SIGTERM');
          setTimeout(() => kill(child.pid, 'SIGKILL'), 5000).unref();
        }, opts.timeoutMs)
      : undefined;
    // Ctrl-C of the run must not leave a build running in the engine.
    const onExit = () => kill(child.pid, 'SIGTERM');
    process.once('exit', onExit);
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      process.removeListener('exit', onExit);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        seconds: Number(process.hrtime.bigint() - start) / 1e9,
        timedOut,
        spawnError,
      });
    });
  });
}

function kill(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
