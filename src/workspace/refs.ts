/**
 * Reading refs straight from a repository's files (loose ref, then packed-refs). Each git process
 * costs tens of milliseconds on small machines; a fleet run reads a few refs per repository.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** The commit a ref points to, or undefined when neither the loose file nor packed-refs has it. */
export async function readRef(gitDir: string, ref: string): Promise<string | undefined> {
  const loose = (await readFile(path.join(gitDir, ...ref.split('/')), 'utf8').catch(() => '')).trim();
  if (SHA.test(loose)) return loose;
  const packed = await readFile(path.join(gitDir, 'packed-refs'), 'utf8').catch(() => '');
  for (const line of packed.split('\n')) {
    const [sha, name] = line.trim().split(' ');
    if (name === ref && sha && SHA.test(sha)) return sha;
  }
  return undefined;
}

/** The branch HEAD names (`refs/heads/x`), or undefined when detached or unreadable. */
export async function readHeadRef(gitDir: string): Promise<string | undefined> {
  const head = (await readFile(path.join(gitDir, 'HEAD'), 'utf8').catch(() => '')).trim();
  return /^ref: (refs\/heads\/\S+)$/.exec(head)?.[1];
}
