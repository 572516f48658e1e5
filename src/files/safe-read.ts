/**
 * Reading a file a repository (or a user) gave us, without trusting it: it must stay inside the
 * folder it belongs to (symlinks included), be a regular file (a FIFO would block forever, a
 * device or /proc file is not a Dockerfile), be small, and be text. Every refusal is an
 * `UnsafeInputError` naming the file and what to do; its content is never echoed.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { InputError as DockerfileError } from './input-error.ts';

/** The input cannot be used as it is: a human must fix the path or the file (exit 2, like any input error). */
export class UnsafeInputError extends DockerfileError {
  override name = 'UnsafeInputError';
}

export interface SafeReadOptions {
  /** Refuse files above this size. */
  maxBytes: number;
  /** What the file is, for messages ("Dockerfile", "Makefile"). */
  what?: string;
  /** Hint when the file does not exist. */
  missingHint?: string;
  /** Word for the containing folder in messages ("checkout", "folder"). */
  folderWord?: string;
}

export function isInside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** The real path of a folder, or an UnsafeInputError saying why it is unusable. */
export async function realFolder(dir: string): Promise<string> {
  try {
    const real = await fs.realpath(dir);
    if (!(await fs.stat(real)).isDirectory()) throw new UnsafeInputError(dir, undefined, 'is not a folder', 'give a folder');
    return real;
  } catch (err) {
    if (err instanceof UnsafeInputError) throw err;
    throw new UnsafeInputError(dir, undefined, reason(err, 'folder'), 'give an existing folder');
  }
}

function reason(err: unknown, noun: string): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ELOOP':
      return 'symlink loop';
    case 'ENOENT':
      return `no such ${noun}`;
    case 'ENOTDIR':
      return 'a part of the path is not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
  }
}

/**
 * Read `rel` (relative to, or absolute inside, the real folder `root`) as UTF-8 text.
 * `display` is how the file is named in messages (default `rel`).
 */
export async function readSafeText(root: string, rel: string, opts: SafeReadOptions, display = rel): Promise<string> {
  const what = opts.what ?? 'file';
  const folder = opts.folderWord ?? 'folder';
  const abs = path.resolve(root, rel);
  if (!isInside(root, abs)) throw new UnsafeInputError(display, undefined, `path is outside the ${folder}`, `give a path inside the ${folder}`);
  let real: string;
  try {
    real = await fs.realpath(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && (await fs.lstat(abs).catch(() => undefined))?.isSymbolicLink()) {
      throw new UnsafeInputError(display, undefined, 'is a dangling symlink', 'point it at an existing file inside the ' + folder);
    }
    throw new UnsafeInputError(display, undefined, reason(err, 'file'), code === 'ENOENT' ? (opts.missingHint ?? 'check the path') : 'fix the path');
  }
  if (!isInside(root, real)) throw new UnsafeInputError(display, undefined, `is a symlink to a file outside the ${folder}`, `refused: only files inside the ${folder} are read`);
  // O_NOFOLLOW + O_NONBLOCK: the path cannot be swapped for a symlink or a FIFO between the checks
  // and the read; the checks below are made on the opened file itself.
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    throw new UnsafeInputError(display, undefined, reason(err, 'file'), 'fix the path or the permissions');
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new UnsafeInputError(display, undefined, st.isDirectory() ? 'is not a regular file (a folder)' : 'is not a regular file', `point the path at a ${what}`);
    if (st.size > opts.maxBytes) {
      throw new UnsafeInputError(display, undefined, `is ${(st.size / 1048576).toFixed(1)} MB; the limit is ${opts.maxBytes / 1048576} MB for a ${what}`, `check that the path names the ${what}`);
    }
    // Read up to the limit + 1 whatever the size says (pseudo-files report 0).
    const buf = Buffer.alloc(opts.maxBytes + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, n, buf.length - n, null);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > opts.maxBytes) throw new UnsafeInputError(display, undefined, `is larger than the ${opts.maxBytes / 1048576} MB limit for a ${what}`, `check that the path names the ${what}`);
    }
    return decodeText(buf.subarray(0, n), display, what);
  } finally {
    await handle.close();
  }
}

/** Bytes as UTF-8 text, refusing empty, binary and non-UTF-8 content. */
export function decodeText(buf: Buffer, display: string, what = 'file'): string {
  const nul = buf.indexOf(0);
  if (nul >= 0) {
    const line = buf.subarray(0, nul).toString('latin1').split('\n').length;
    throw new UnsafeInputError(display, line, 'is a binary file (NUL byte)', `check that the path names the ${what}`);
  }
  const text = buf.toString('utf8');
  if (text.trim() === '') throw new UnsafeInputError(display, 1, 'is empty', `add the ${what} content or fix the path`);
  if (text.includes('\uFFFD') && !buf.includes(Buffer.from('\uFFFD'))) {
    const line = text.slice(0, text.indexOf('\uFFFD')).split('\n').length;
    throw new UnsafeInputError(display, line, 'is a binary file (not valid UTF-8)', `save the ${what} as UTF-8 text`);
  }
  return text;
}

/** Like readSafeText, but any refusal means "not there" (optional files: Makefile, workflows). */
export async function readSafeTextIfAny(root: string, rel: string, opts: SafeReadOptions): Promise<string | undefined> {
  try {
    return await readSafeText(root, rel, opts);
  } catch (err) {
    if (err instanceof UnsafeInputError) return undefined;
    throw err;
  }
}
