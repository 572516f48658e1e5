/**
 * The key of a timing result: what a rebuild would see. Both Dockerfile texts, every file of the
 * build context (conservatively all of them but `.git` and the measured Dockerfile itself, whose
 * two variants are hashed as texts: a Dockerfile's COPY/ADD may read any of them), the
 * platforms, the build-args and the builder. Same digest, same builds: the stored result is reused.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface DigestInput {
  before: string;
  after: string;
  contextDir: string;
  /** Context-relative path of the measured Dockerfile (left out of the context hash). */
  dockerfilePath: string;
  platforms: string[];
  buildArgs: Record<string, string>;
  builder: { kind: string; version: string; engine: string };
}

export async function timingDigest(input: DigestInput): Promise<string> {
  const h = createHash('sha256');
  const field = (name: string, value: string | Buffer) => {
    h.update(`${name}\0${Buffer.byteLength(value)}\0`);
    h.update(value);
  };
  field('before', input.before);
  field('after', input.after);
  field('platforms', input.platforms.join(','));
  field('build-args', JSON.stringify(Object.entries(input.buildArgs).sort(([a], [b]) => a.localeCompare(b))));
  field('builder', `${input.builder.kind} ${input.builder.version} ${input.builder.engine}`);
  const skip = path.normalize(input.dockerfilePath);
  for (const rel of await listFiles(input.contextDir)) {
    if (rel === skip) continue;
    const abs = path.join(input.contextDir, rel);
    const st = await fs.lstat(abs);
    field(`file:${rel}:${st.mode & 0o111 ? 'x' : '-'}`, st.isSymbolicLink() ? `-> ${await fs.readlink(abs)}` : await fs.readFile(abs));
  }
  return `sha256:${h.digest('hex')}`;
}

async function listFiles(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (rel === '' && e.name === '.git') continue;
    const r = rel ? path.join(rel, e.name) : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(root, r)));
    else out.push(r);
  }
  return out;
}
