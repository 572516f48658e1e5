/**
 * The object side of GitHub's git data API (blobs, trees, commits, refs) on a bare repository of
 * the local GitHub, with git's own plumbing: `hash-object -w`, a throw-away index for trees
 * (`read-tree` of the base tree, `update-index`, `write-tree`), `commit-tree`, `update-ref` with
 * the expected old value. What the API creates is what a push would have put there: real objects
 * that the bot (and a human) fetch back with git.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Identity {
  name: string;
  email: string;
  /** ISO 8601. */
  date: string;
}

export interface TreeEntryInput {
  path: string;
  mode: string;
  type: string;
  /** null: delete the path. */
  sha?: string | null;
  content?: string;
}

/** A request GitHub would answer with 422 (the message is GitHub's, or close to it). */
export class Unprocessable extends Error {}

const ZERO = '0000000000000000000000000000000000000000';

function run(bare: string, args: string[], o: { input?: Buffer | string; env?: Record<string, string> } = {}): Buffer {
  return execFileSync('git', args, {
    cwd: bare,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C', ...o.env },
    input: o.input,
    stdio: ['pipe', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
}

const text = (bare: string, args: string[], o: Parameters<typeof run>[2] = {}) => run(bare, args, o).toString('utf8').trim();

/** The object's type, undefined when the repository does not have it. */
export function objectType(bare: string, sha: string): string | undefined {
  if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
  try {
    return text(bare, ['cat-file', '-t', sha]);
  } catch {
    return undefined;
  }
}

export function writeBlob(bare: string, content: Buffer): string {
  return text(bare, ['hash-object', '-w', '-t', 'blob', '--stdin'], { input: content });
}

/**
 * A tree: `base` (a tree sha; undefined: empty) with `entries` applied, as GitHub's create-tree
 * does: an entry with `content` writes that blob, `sha: null` deletes the path (a folder: all of
 * it), and deleting a path the base does not have is refused, as GitHub refuses it.
 */
export function writeTree(bare: string, base: string | undefined, entries: TreeEntryInput[]): string {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'local-github-index-'));
  const env = { GIT_INDEX_FILE: path.join(tmp, 'index') };
  try {
    run(bare, base ? ['read-tree', base] : ['read-tree', '--empty'], { env });
    const lines: string[] = [];
    for (const e of entries) {
      if (!e.path || e.path.startsWith('/') || e.path.endsWith('/') || e.path.split('/').some((p) => p === '' || p === '.' || p === '..' || p === '.git')) throw new Unprocessable(`tree.path contains a malformed path component: ${JSON.stringify(e.path)}`);
      if (e.sha !== undefined && e.content !== undefined) throw new Unprocessable('Use either tree.sha or content, not both');
      if (e.sha === null) {
        const present = run(bare, ['ls-files', '-z', '--', e.path], { env }).toString('utf8').split('\0').filter(Boolean);
        if (!present.length) throw new Unprocessable(`GitRPC::BadObjectState: ${e.path} is not in the base tree`);
        for (const p of present) lines.push(`0 ${ZERO}\t${p}`);
        continue;
      }
      if (e.type === 'tree') throw new Unprocessable('tree entries of type tree are not supported by the local GitHub');
      let sha: string;
      if (e.content !== undefined) {
        if (e.type !== 'blob') throw new Unprocessable('content is only valid for blobs');
        sha = writeBlob(bare, Buffer.from(e.content, 'utf8'));
      } else {
        sha = String(e.sha ?? '');
        const type = objectType(bare, sha);
        if (e.type === 'blob' && type !== 'blob') throw new Unprocessable(`tree.sha ${sha} is not a valid blob`);
        // A submodule's commit lives in another repository: GitHub takes any sha for it.
        if (e.type === 'commit' && !/^[0-9a-f]{40}$/.test(sha)) throw new Unprocessable(`tree.sha ${sha} is not a valid commit`);
      }
      if (e.type === 'blob' && !['100644', '100755', '120000'].includes(e.mode)) throw new Unprocessable(`mode ${e.mode} is not valid for a blob`);
      if (e.type === 'commit' && e.mode !== '160000') throw new Unprocessable(`mode ${e.mode} is not valid for a commit`);
      // A file replacing a folder (or the reverse) drops what was there, as in git.
      for (const p of run(bare, ['ls-files', '-z', '--', `${e.path}/`], { env }).toString('utf8').split('\0').filter(Boolean)) lines.push(`0 ${ZERO}\t${p}`);
      lines.push(`${e.mode} ${sha}\t${e.path}`);
    }
    if (lines.length) run(bare, ['update-index', '--add', '--replace', '-z', '--index-info'], { env, input: lines.map((l) => `${l}\0`).join('') });
    return text(bare, ['write-tree'], { env });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export function writeCommit(bare: string, o: { tree: string; parents: string[]; message: string; author: Identity; committer: Identity }): string {
  const env = {
    GIT_AUTHOR_NAME: o.author.name, GIT_AUTHOR_EMAIL: o.author.email, GIT_AUTHOR_DATE: o.author.date,
    GIT_COMMITTER_NAME: o.committer.name, GIT_COMMITTER_EMAIL: o.committer.email, GIT_COMMITTER_DATE: o.committer.date,
  };
  // The message goes in as given (stdin, -F -): GitHub keeps it byte for byte, trailers included.
  return text(bare, ['commit-tree', o.tree, ...o.parents.flatMap((p) => ['-p', p]), '-F', '-'], { env, input: o.message });
}

export interface CommitObject {
  tree: string;
  parents: string[];
  author: Identity;
  committer: Identity;
  message: string;
}

function identityOf(line: string): Identity {
  const m = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!m) return { name: line, email: '', date: '1970-01-01T00:00:00Z' };
  return { name: m[1]!, email: m[2]!, date: new Date(Number(m[3]) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

export function readCommit(bare: string, sha: string): CommitObject | undefined {
  if (objectType(bare, sha) !== 'commit') return undefined;
  const raw = run(bare, ['cat-file', 'commit', sha]).toString('utf8');
  const split = raw.indexOf('\n\n');
  const head = raw.slice(0, split < 0 ? raw.length : split).split('\n');
  const field = (k: string) => head.filter((l) => l.startsWith(`${k} `)).map((l) => l.slice(k.length + 1));
  return { tree: field('tree')[0] ?? '', parents: field('parent'), author: identityOf(field('author')[0] ?? ''), committer: identityOf(field('committer')[0] ?? ''), message: split < 0 ? '' : raw.slice(split + 2) };
}

/** The top level of a tree as GitHub's create-tree answers it. */
export function listTree(bare: string, tree: string): { path: string; mode: string; type: string; sha: string; size?: number }[] {
  return text(bare, ['ls-tree', '-l', '-z', tree]).split('\0').filter(Boolean).map((line) => {
    const [meta, name] = line.split('\t') as [string, string];
    const [mode, type, sha, size] = meta.split(/\s+/) as [string, string, string, string];
    return { path: name, mode, type, sha, ...(type === 'blob' ? { size: Number(size) } : {}) };
  });
}

/**
 * Move `ref` to `sha` only if it is still at `expected` ('' = must not exist): git's own
 * compare-and-swap, so two API calls racing on one ref cannot both win. False when it moved.
 */
export function moveRef(bare: string, ref: string, sha: string, expected: string): boolean {
  try {
    run(bare, ['update-ref', ref, sha, expected || ZERO]);
    return true;
  } catch {
    return false;
  }
}

/** Is `ancestor` an ancestor of (or equal to) `sha`? */
export function isAncestor(bare: string, ancestor: string, sha: string): boolean {
  try {
    run(bare, ['merge-base', '--is-ancestor', ancestor, sha]);
    return true;
  } catch {
    return false;
  }
}

/** The files a ref update to `sha` changes: from `old`, or (a new ref) in commits no ref has yet. */
export function filesChanged(bare: string, old: string | undefined, sha: string): string[] {
  const out = old ? text(bare, ['diff', '--no-renames', '--name-only', old, sha]) : text(bare, ['log', '--format=', '--name-only', sha, '--not', '--all']);
  return [...new Set(out.split('\n').map((x) => x.trim()).filter(Boolean))];
}
