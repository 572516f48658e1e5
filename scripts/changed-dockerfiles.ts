/**
 * For the review action (action.yml): print the Dockerfiles a pull request changed, one per line.
 *
 *   tsx scripts/changed-dockerfiles.ts --base SHA [--patterns "GLOB\nGLOB"] [--cwd DIR]
 *
 * Exit 2 with a message when the base commit is not in the clone (fetch it first).
 */
import { changedFiles, DEFAULT_PATTERNS, matchFiles } from '../src/actions/changed-files.ts';

const args = process.argv.slice(2);
const value = (flag: string) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const base = value('--base');
if (!base) {
  process.stderr.write('usage: changed-dockerfiles.ts --base SHA [--patterns "GLOB\\nGLOB"] [--cwd DIR]\n');
  process.exit(2);
}
const patterns = (value('--patterns') ?? '').split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
try {
  const files = matchFiles(await changedFiles(value('--cwd') ?? process.cwd(), base), patterns.length ? patterns : DEFAULT_PATTERNS);
  // One per line: a name with a newline in it would be read as two files by the caller.
  const odd = files.filter((f) => /[\r\n]/.test(f));
  if (odd.length) process.stderr.write(`warning: not reviewed (a line break in the name): ${odd.map((f) => JSON.stringify(f)).join(', ')}\n`);
  for (const f of files) if (!odd.includes(f)) process.stdout.write(`${f}\n`);
} catch (e) {
  process.stderr.write(`error: cannot list the files changed since ${base}: ${(e as Error).message.split('\n')[0]} (is the base commit fetched? git fetch --depth=1 origin ${base})\n`);
  process.exit(2);
}
