/**
 * Filesystem failures as one line a human can act on: the path, what failed, and what to do.
 * Never a stack: the operator needs the path and the remedy, not our call chain.
 */

/** A filesystem failure that has been turned into a message; `exitCode` 2 is bad input, 1 otherwise. */
export class FileError extends Error {
  constructor(
    readonly path: string,
    message: string,
    readonly exitCode: 1 | 2 = 1,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'FileError';
  }
}

const REMEDY: Record<string, [string, string]> = {
  ENOSPC: ['no space left on the device', 'free some space (or point the path at another disk) and run again'],
  EDQUOT: ['disk quota exceeded', 'free some space within your quota and run again'],
  EACCES: ['permission denied', 'check the owner and mode of the file and its folder'],
  EPERM: ['operation not permitted', 'check that the file is not immutable (lsattr) or locked, and the folder is writable'],
  EROFS: ['read-only file system', 'use a writable location'],
  EEXIST: ['already exists', 'remove it, or choose another path'],
  ENOTDIR: ['a part of the path is not a folder', 'fix the path'],
  EISDIR: ['is a folder, not a file', 'give a file path'],
  ENOENT: ['no such file or directory', 'check the path'],
  ELOOP: ['symlink loop', 'fix the symlinks on the path'],
  EMFILE: ['too many open files', 'raise the open-file limit (ulimit -n) or lower --concurrency'],
  ENFILE: ['too many open files on the system', 'lower --concurrency'],
  EBUSY: ['resource busy', 'close what holds the file and run again'],
  ETXTBSY: ['file busy', 'close what holds the file and run again'],
  ENAMETOOLONG: ['path too long', 'use a shorter path'],
  EXDEV: ['crosses file systems', 'keep the file and its folder on one disk'],
  EIO: ['input/output error', 'check the disk'],
};

export function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((err as NodeJS.ErrnoException).code!);
}

/** `cannot <action> <path>: <what> (CODE); <what to do>` for any errno error. */
export function describeFsError(err: unknown, action?: string, file?: string): string {
  const e = err as NodeJS.ErrnoException;
  const where = file ?? e?.path ?? 'a file';
  const verb = action ?? SYSCALL_ACTION[e?.syscall ?? ''] ?? 'access';
  let [what, todo] = REMEDY[e?.code ?? ''] ?? [firstLine(e?.message ?? String(err)), 'check the path and run again'];
  if (e?.code === 'EEXIST' && e.syscall === 'mkdir') [what, todo] = ['exists and is not a folder', 'remove it, or choose another path'];
  return `cannot ${verb} ${where}: ${what}${e?.code ? ` (${e.code})` : ''}; ${todo}`;
}

/** Wrap an errno error into a FileError with its one-line message; anything else is rethrown as is. */
export function toFileError(err: unknown, action?: string, file?: string, exitCode: 1 | 2 = 1): unknown {
  if (err instanceof FileError || !isErrno(err)) return err;
  return new FileError(file ?? err.path ?? '', describeFsError(err, action, file), exitCode, err.code);
}

const SYSCALL_ACTION: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  rename: 'replace',
  mkdir: 'create the folder',
  mkdtemp: 'create a folder in',
  rmdir: 'remove',
  unlink: 'remove',
  stat: 'read',
  lstat: 'read',
  scandir: 'list',
  copyfile: 'copy',
  link: 'link',
  chmod: 'set the mode of',
  realpath: 'resolve',
};

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 200);
}
