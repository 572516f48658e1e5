/**
 * Every file the tool writes goes through here, so that a crash, a full disk, an immutable file
 * or a planted symlink never leaves a half-written or misdirected file:
 *
 * - temp files are created exclusively (`wx`, O_EXCL: an existing name, symlink included, is never
 *   followed) with a random suffix, in the target's own folder (so the rename is atomic);
 * - a set of files is one transaction: every temp file (and a copy of every original) is prepared
 *   first, then the renames; if any step fails, the files already replaced get their original
 *   back, so the set is either entirely before or entirely after;
 * - appends (GITHUB_STEP_SUMMARY) never follow a symlink and are truncated back on failure.
 *
 * Failures are `FileError`s: one line naming the path, what failed and what to do.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { describeFsError, FileError } from './fs-errors.ts';

export interface PlannedWrite {
  /** Absolute path of the file to create or replace (its folder must exist). */
  path: string;
  content: string | Buffer;
  /** Mode for a new file; an existing file keeps its own mode. */
  mode?: number;
  /**
   * A symlink at `path` is followed and its target replaced (checkout files whose link was checked
   * to stay inside the checkout). Otherwise the link itself is replaced and its target never touched.
   */
  followSymlink?: boolean;
}

/** Marks our temp files, so a stray one is recognisable (and tests can look for them). */
export const TEMP_MARK = '.ibm-tmp-';

export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}${TEMP_MARK}${randomBytes(6).toString('hex')}`);
}

/** Create `content` at a fresh temp name next to `file`, exclusively; returns the temp path. */
async function writeTemp(file: string, content: string | Buffer, mode: number, sync = true): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const tmp = tempNameFor(file);
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 3) continue;
      throw new FileError(file, describeFsError(err, 'create a temporary file next to', file), 1, (err as NodeJS.ErrnoException).code);
    }
    try {
      await handle.writeFile(content);
      // The umask does not apply to chmod: the file gets exactly the original's mode.
      await handle.chmod(mode & 0o7777);
      if (sync) await handle.sync();
      await handle.close();
      return tmp;
    } catch (err) {
      await handle.close().catch(() => {});
      await fs.rm(tmp, { force: true });
      throw new FileError(file, describeFsError(err, 'write', file), 1, (err as NodeJS.ErrnoException).code);
    }
  }
}

interface Prepared {
  target: string;
  tmp: string;
  /** Copy of the original (same folder), absent for a new file. */
  backup?: string;
  replaced: boolean;
}

/**
 * Write all files or none (see `followSymlink` for symlinked targets).
 * Throws a FileError; on failure every target has its original content and mode.
 */
export interface WriteOptions {
  /** fsync each temp file before the renames (default true; caches skip it). */
  sync?: boolean;
}

export async function writeFilesAtomically(files: PlannedWrite[], opts: WriteOptions = {}): Promise<void> {
  const prepared: Prepared[] = [];
  try {
    for (const f of files) {
      const target = !f.followSymlink
        ? path.resolve(f.path)
        : await fs.realpath(f.path).catch((err: NodeJS.ErrnoException) => {
            if (err.code === 'ENOENT') return f.path;
            throw new FileError(f.path, describeFsError(err, 'resolve', f.path), 1, err.code);
          });
      let st = await fs.lstat(target).catch(() => undefined);
      if (st?.isSymbolicLink()) st = undefined;
      if (st && !st.isFile()) throw new FileError(f.path, `cannot write ${f.path}: not a regular file; remove what is there or choose another path`, 1);
      const mode = st ? st.mode : (f.mode ?? 0o644);
      const entry: Prepared = { target, tmp: await writeTemp(target, f.content, mode, opts.sync ?? true), replaced: false };
      prepared.push(entry);
      // One file needs no copy: its rename is the whole transaction.
      if (st && files.length > 1) entry.backup = await copyOriginal(target, st.mode);
    }
    for (const p of prepared) {
      try {
        await fs.rename(p.tmp, p.target);
      } catch (err) {
        throw new FileError(p.target, describeFsError(err, 'replace', p.target), 1, (err as NodeJS.ErrnoException).code);
      }
      p.replaced = true;
    }
  } catch (err) {
    const lost = await rollBack(prepared);
    if (lost.length) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new FileError(lost[0]!, `${msg}; and could not restore ${lost.join(', ')}: the originals are kept next to them as ${lost.map((l) => `${path.basename(l)}${TEMP_MARK}*`).join(', ')}`, 1);
    }
    throw err instanceof FileError ? err : new FileError('', describeFsError(err), 1);
  }
  await Promise.all(prepared.map((p) => (p.backup ? fs.rm(p.backup, { force: true }) : undefined)));
}

async function copyOriginal(target: string, mode: number): Promise<string> {
  const content = await fs.readFile(target).catch((err: NodeJS.ErrnoException) => {
    throw new FileError(target, describeFsError(err, 'read', target), 1, err.code);
  });
  return writeTemp(target, content, mode);
}

/** Undo the renames done so far, remove every temp file; returns the targets that could not be restored. */
async function rollBack(prepared: Prepared[]): Promise<string[]> {
  const lost: string[] = [];
  for (const p of prepared) {
    if (p.replaced) {
      try {
        if (p.backup) await fs.rename(p.backup, p.target);
        else await fs.rm(p.target, { force: true });
        p.backup = undefined;
      } catch {
        lost.push(p.target);
        continue;
      }
    } else {
      await fs.rm(p.tmp, { force: true }).catch(() => {});
    }
    if (p.backup) await fs.rm(p.backup, { force: true }).catch(() => {});
  }
  return lost;
}

/** One file, atomically: `writeFilesAtomically` of one. Its folder must exist (never created). */
export async function writeFileAtomically(file: string, content: string | Buffer, mode = 0o644, opts: WriteOptions = {}): Promise<void> {
  const abs = path.resolve(file);
  await requireFolder(abs);
  await writeFilesAtomically([{ path: abs, content, mode }], opts);
}

/** The folder of `file` must exist (a typo in a path must not create folders anywhere) and `file` must not be a folder. */
export async function requireFolder(file: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const st = await fs.stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new FileError(file, `cannot write ${file}: no such directory ${dir}; create it first or choose another path`, 2, 'ENOENT');
    throw new FileError(file, describeFsError(err, 'use the folder of', file), 2, err.code);
  });
  if (!st.isDirectory()) throw new FileError(file, `cannot write ${file}: ${dir} is not a directory; choose another path`, 2, 'ENOTDIR');
  const target = await fs.lstat(file).catch(() => undefined);
  if (target?.isDirectory()) throw new FileError(file, `cannot write ${file}: it is a directory; give a file path`, 2, 'EISDIR');
}

/**
 * Append to an existing or new regular file without following a symlink; on a failed write the
 * file is cut back to its previous length, so a reader never sees half an append.
 */
export async function appendFileSafely(file: string, content: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new FileError(file, `cannot append to ${file}: it is a symlink, refused; give the path of a regular file`, 1, 'ELOOP');
    throw new FileError(file, describeFsError(err, 'open', file), 1, (err as NodeJS.ErrnoException).code);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new FileError(file, `cannot append to ${file}: not a regular file; give the path of a regular file`, 1);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } catch (err) {
      await handle.truncate(st.size).catch(() => {});
      throw new FileError(file, describeFsError(err, 'append to', file), 1, (err as NodeJS.ErrnoException).code);
    }
  } finally {
    await handle.close().catch(() => {});
  }
}
