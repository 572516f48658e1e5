/**
 * The context files a build reads: the context minus what `.dockerignore` leaves out (what the
 * client sends), narrowed to what the Dockerfile's COPY/ADD sources and bind mounts name
 * (src/dockerfile/context-reads.ts). A source names a file or a folder (all below it), with the
 * glob characters BuildKit takes (`*`, `?`, `[...]`, `**`).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ContextReads } from '../dockerfile/context-reads.ts';
import { globToRegExp } from '../files/glob.ts';
import { readSafeTextIfAny } from '../files/safe-read.ts';

export interface IgnoreRule {
  pattern: RegExp;
  /** `!pattern`: brings back what an earlier rule left out. */
  include: boolean;
}

/** `.dockerignore` rules: one pattern a line, `#` comments, `!` exceptions, the last match wins. */
export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const include = line.startsWith('!');
    if (include) line = line.slice(1).trim();
    const clean = cleanPath(line);
    if (clean === '') continue;
    rules.push({ pattern: globToRegExp(clean), include });
  }
  return rules;
}

/** Left out by the rules: the path or one of its folders matches the last matching rule. */
export function ignored(rel: string, rules: IgnoreRule[]): boolean {
  let out = false;
  const candidates = withAncestors(rel);
  for (const r of rules) if (candidates.some((c) => r.pattern.test(c))) out = !r.include;
  return out;
}

/** Read by a source: the path or one of its folders matches the source. */
export function readBy(rel: string, reads: ContextReads): boolean {
  if (reads.whole) return true;
  const candidates = withAncestors(rel);
  return reads.sources.some((s) => {
    const clean = cleanPath(s);
    if (clean === '' || clean === '.') return true;
    const re = globToRegExp(clean);
    return candidates.some((c) => re.test(c));
  });
}

/**
 * The ignore file the client applies to the context: `<Dockerfile>.dockerignore` beside the
 * Dockerfile when there is one (BuildKit takes it instead of the root's), else `.dockerignore`.
 * Checked on this machine's dockerd 20.10 client and buildx 0.13. Read only inside the context.
 */
export async function ignoreFileOf(contextDir: string, dockerfile?: string): Promise<{ path: string; text: string } | undefined> {
  const root = await fs.realpath(contextDir);
  const candidates = [...(dockerfile ? [`${dockerfile.replace(/\\/g, '/')}.dockerignore`] : []), '.dockerignore'];
  for (const rel of candidates) {
    const text = await readSafeTextIfAny(root, rel, { maxBytes: 1024 * 1024, what: 'ignore file', folderWord: 'context' }).catch(() => undefined);
    if (text !== undefined) return { path: rel, text };
  }
  return undefined;
}

/** Every file of the context (`.git` aside) the build sends and reads, sorted, with `/` separators. */
export async function contextFilesRead(contextDir: string, reads: ContextReads, dockerfile?: string): Promise<string[]> {
  const ignore = parseDockerignore((await ignoreFileOf(contextDir, dockerfile))?.text ?? '');
  return (await listFiles(contextDir)).filter((rel) => !ignored(rel, ignore) && readBy(rel, reads));
}

/** `./a//b/` -> `a/b`; a leading `/` means the context root. */
function cleanPath(p: string): string {
  const norm = path.posix.normalize(p.replace(/\\/g, '/')).replace(/^\/+/, '').replace(/\/+$/, '');
  return norm === '.' ? '' : norm.replace(/^\.\//, '');
}

function withAncestors(rel: string): string[] {
  const parts = rel.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}


async function listFiles(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (rel === '' && e.name === '.git') continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(root, r)));
    else out.push(r);
  }
  return out;
}
