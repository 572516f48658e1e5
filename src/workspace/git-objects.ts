/**
 * Writes a folder into a bare repository as loose git objects (blobs, trees, one commit) without
 * running git. Local sources are rebuilt on every run where their folder changed, and on small
 * machines each git process costs a fork of this whole (large) process: doing the few dozen
 * zlib+sha1 writes here makes a cold run over hundreds of local repositories about twice as fast.
 *
 * The format is git's documented object format; the tests check the result with `git fsck --strict`
 * and against the tree `git write-tree` computes for the same folder.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

export interface FileEntry {
  /** Path relative to the folder, `/`-separated. */
  rel: string;
  mode: '100644' | '100755' | '120000';
  abs: string;
}

interface TreeNode {
  files: Map<string, { mode: string; sha: Buffer }>;
  dirs: Map<string, TreeNode>;
}

async function writeObject(gitDir: string, type: 'blob' | 'tree' | 'commit', body: Buffer): Promise<Buffer> {
  const store = Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]);
  const sha = createHash('sha1').update(store).digest();
  const hex = sha.toString('hex');
  const dir = path.join(gitDir, 'objects', hex.slice(0, 2));
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, hex.slice(2));
  // Objects are immutable and named by content: an existing non-empty file is already right. An
  // empty one is what a full disk left behind (older versions wrote in place): rewrite it.
  if (((await stat(file).catch(() => undefined))?.size ?? 0) > 0) return sha;
  // Temp file + rename, like git itself: a write cut short by a full disk never leaves a
  // truncated object under its final name.
  const tmp = path.join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(tmp, deflateSync(store), { flag: 'wx', mode: 0o444 });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return sha;
}

async function writeTree(gitDir: string, node: TreeNode): Promise<Buffer> {
  const entries: { sortKey: string; bytes: Buffer }[] = [];
  for (const [name, f] of node.files) {
    entries.push({ sortKey: name, bytes: Buffer.concat([Buffer.from(`${f.mode} ${name}\0`), f.sha]) });
  }
  for (const [name, child] of node.dirs) {
    const sha = await writeTree(gitDir, child);
    // git orders a directory as if its name ended with '/'.
    entries.push({ sortKey: `${name}/`, bytes: Buffer.concat([Buffer.from(`40000 ${name}\0`), sha]) });
  }
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.sortKey), Buffer.from(b.sortKey)));
  return writeObject(gitDir, 'tree', Buffer.concat(entries.map((e) => e.bytes)));
}

/** Write the files as a tree; returns the tree's sha (hex). Empty directories vanish, as in git. */
export async function writeFolderTree(gitDir: string, files: FileEntry[]): Promise<string> {
  const root: TreeNode = { files: new Map(), dirs: new Map() };
  for (const f of files) {
    const parts = f.rel.split('/');
    let node = root;
    for (const dir of parts.slice(0, -1)) {
      let next = node.dirs.get(dir);
      if (!next) node.dirs.set(dir, (next = { files: new Map(), dirs: new Map() }));
      node = next;
    }
    const content = f.mode === '120000' ? Buffer.from(await readlink(f.abs)) : await readFile(f.abs);
    node.files.set(parts.at(-1)!, { mode: f.mode, sha: await writeObject(gitDir, 'blob', content) });
  }
  return (await writeTree(gitDir, root)).toString('hex');
}

export async function writeCommit(gitDir: string, tree: string, parent: string | undefined, message: string, when = new Date()): Promise<string> {
  const ident = `image-build-migrator <image-build-migrator@users.noreply.github.com> ${Math.floor(when.getTime() / 1000)} +0000`;
  const body = `tree ${tree}\n${parent ? `parent ${parent}\n` : ''}author ${ident}\ncommitter ${ident}\n\n${message}\n`;
  return (await writeObject(gitDir, 'commit', Buffer.from(body))).toString('hex');
}
