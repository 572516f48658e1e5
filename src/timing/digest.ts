/**
 * The key of a timing result: what a rebuild would see. For every timed Dockerfile (and target):
 * both Dockerfile texts and the context files each of them reads (the COPY/ADD sources and bind
 * mounts of the stages the target needs, minus `.dockerignore`: src/timing/context-files.ts);
 * then the platforms, the build-args and the builder with its engine. A file no build reads (a
 * README) leaves the digest as it is; a COPY source that changes makes a new one. Same digest, same builds: the stored result is reused.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { contextReads } from '../dockerfile/context-reads.ts';
import { parseDockerfile, type DockerfileModel } from '../dockerfile/model.ts';
import { contextFilesRead } from './context-files.ts';

export interface DigestVariant {
  /** The Dockerfile text built. */
  text: string;
  contextDir: string;
  /** Build-args the variant's own build files pass (the Makefile's `--build-arg TAG=$(TAG)`). */
  buildArgs?: Record<string, string>;
  /** The text as the migration parsed it, when the caller has it. */
  model?: DockerfileModel;
}

export interface DigestSection {
  /** Context-relative path of the Dockerfile (the texts are versions of it); left out of the context files, whose copy is the text. */
  dockerfile: string;
  target?: string;
  before: DigestVariant;
  after: DigestVariant;
}

export interface DigestInput {
  sections: DigestSection[];
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
  field('platforms', input.platforms.join(','));
  field('build-args', sortedJson(input.buildArgs));
  field('builder', `${input.builder.kind} ${input.builder.version} ${input.builder.engine}`);
  for (const s of input.sections) {
    field('dockerfile', s.dockerfile);
    field('target', s.target ?? '');
    for (const variant of ['before', 'after'] as const) {
      const v = s[variant];
      field(variant, v.text);
      // Only when there are any, so that keys made before build files' args were passed still match.
      if (v.buildArgs && Object.keys(v.buildArgs).length) field(`${variant}-build-args`, sortedJson(v.buildArgs));
      for (const rel of await filesRead(v, s.dockerfile, s.target)) {
        const abs = path.join(v.contextDir, rel);
        const st = await fs.lstat(abs);
        field(`file:${rel}:${st.mode & 0o111 ? 'x' : '-'}`, st.isSymbolicLink() ? `-> ${await fs.readlink(abs)}` : await fs.readFile(abs));
      }
    }
  }
  return `sha256:${h.digest('hex')}`;
}

async function filesRead(v: DigestVariant, dockerfile: string, target?: string): Promise<string[]> {
  // A text that does not parse cannot be built either; hashing the whole context keeps the key safe.
  let reads;
  try {
    reads = contextReads(v.model ?? parseDockerfile(v.text, dockerfile), target);
  } catch {
    reads = { sources: ['.'], whole: true };
  }
  const skip = path.posix.normalize(dockerfile.replace(/\\/g, '/'));
  return (await contextFilesRead(v.contextDir, reads, dockerfile)).filter((rel) => rel !== skip);
}

function sortedJson(args: Record<string, string>): string {
  return JSON.stringify(Object.entries(args).sort(([a], [b]) => a.localeCompare(b)));
}
