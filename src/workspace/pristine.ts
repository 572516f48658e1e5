/**
 * Knowing, without running git, that a workspace is exactly the checkout we left: every git
 * process costs 10-20 ms on small machines, and a warm dry run over an unchanged fleet would
 * otherwise spend most of its time resetting workspaces that nothing touched.
 *
 * After each clone or reset we record the commit and a stamp of the checkout: every path, mode,
 * size and mtime (nanosecond clocks), plus git's HEAD and index. Any edit, new file, deletion,
 * `git add` or branch switch changes the stamp, and the next run does the full fetch + reset + clean.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const STAMP_FILE = 'image-build-migrator-stamp';

async function stampOf(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (abs: string, rel: string): Promise<void> => {
    const list = await readdir(abs, { withFileTypes: true });
    list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of list) {
      if (rel === '' && e.name === '.git') continue;
      const child = path.join(abs, e.name);
      const st = await lstat(child);
      hash.update(`${rel}${e.name}\0${st.mode}\0${st.size}\0${st.mtimeMs}\n`);
      if (st.isDirectory()) await walk(child, `${rel}${e.name}/`);
    }
  };
  await walk(dir, '');
  const gitDir = path.join(dir, '.git');
  const index = await lstat(path.join(gitDir, 'index')).catch(() => undefined);
  hash.update(`index\0${index?.size}\0${index?.mtimeMs}\n`);
  hash.update(`HEAD\0${await readFile(path.join(gitDir, 'HEAD'), 'utf8').catch(() => '')}`);
  return hash.digest('hex');
}

export async function recordPristine(dir: string, commit: string): Promise<void> {
  await writeFile(path.join(dir, '.git', STAMP_FILE), `${commit}\n${await stampOf(dir)}\n`);
}

/** True when the workspace is untouched since `recordPristine` and sits at `commit`. */
export async function isPristine(dir: string, commit: string): Promise<boolean> {
  const saved = await readFile(path.join(dir, '.git', STAMP_FILE), 'utf8').catch(() => '');
  const [savedCommit, savedStamp] = saved.split('\n');
  if (savedCommit !== commit || !savedStamp) return false;
  return (await stampOf(dir).catch(() => '')) === savedStamp;
}
