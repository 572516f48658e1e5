/**
 * `npm run demo`: the whole delivery, offline, no token of yours. Starts the local GitHub
 * (scripts/local-github/) seeded with the example fleet (examples/repos/), runs the real CLI as a
 * separate process: a dry run, then two real runs, and prints the pull requests, the dashboard
 * issue, and the write calls and API calls of each run. The second real run must write nothing.
 * Every PR body, comment, review and the dashboard it produced is written as a Markdown file into
 * a folder it prints (kept after the demo: it is there to be read), `--out DIR` to choose it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalGitHub } from './local-github/github.ts';
import type { FleetReport } from '../src/report/types.ts';
import { writeTranscript } from './demo-transcript.ts';

const root = path.resolve(import.meta.dirname, '..');
const examples = path.join(root, 'examples', 'repos');
const OWNER = 'example';
const DASHBOARD = `${OWNER}/ecm-distro-tools`;

async function main(): Promise<number> {
  // A token made up for this demo only: the local GitHub accepts it, nothing else does.
  const token = `ghs_demo${randomBytes(18).toString('hex')}`;
  const gh = await LocalGitHub.start({ tokens: { [token]: 'image-build-migrator[bot]' } });
  const work = mkdtempSync(path.join(os.tmpdir(), 'ibm-demo-'));
  try {
    const names = readdirSync(examples, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    for (const name of names) gh.addRepoFromFolder(`${OWNER}/${name}`, path.join(examples, name));
    gh.addRepo(DASHBOARD, { 'README.md': 'The ECM distro tools (a stand-in holding the campaign dashboard).\n' });
    const reposFile = path.join(work, 'repos.yaml');
    writeFileSync(reposFile, [
      '# The example fleet, served by the local GitHub instead of read from folders.',
      'version: 1',
      'source:',
      '  type: github',
      `include: [${names.map((n) => `${OWNER}/${n}`).join(', ')}]`,
      'defaults:',
      '  labels: [cross-compilation]',
      '  reviewers: [example-maintainer]',
      'delivery:',
      `  dashboard: { repo: ${DASHBOARD} }`,
      '',
    ].join('\n'));
    const env = { ...process.env, GITHUB_API_URL: gh.url, GITHUB_SERVER_URL: gh.serverUrl, GITHUB_TOKEN: token, CI: '1' };
    const cache = path.join(work, 'cache');
    let n = 0;
    const run = async (label: string, args: string[]) => {
      const writesBefore = gh.writeCalls().length;
      const reportFile = path.join(work, `report-${++n}.json`);
      // A child process, asynchronously: the local GitHub in this process must keep answering.
      const res = await new Promise<{ status: number | null; stdout: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli.ts'), 'migrate', '--repos', reposFile, '--cache-dir', cache, '--report', reportFile, ...args], { env, cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
        let stdout = '';
        child.stdout.on('data', (c) => (stdout += String(c)));
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stdout }));
      });
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as FleetReport;
      const writes = gh.writeCalls().length - writesBefore;
      const summary = res.stdout.slice(res.stdout.lastIndexOf('Run summary') >= 0 ? res.stdout.lastIndexOf('Run summary') : res.stdout.lastIndexOf('Dry run summary'));
      say(`\n=== ${label}: \`migrate ${args.join(' ')}\` (exit ${res.status}) ===`);
      say(summary.trimEnd());
      say(`write calls to GitHub this run: ${writes} (API writes ${gh.api.writes().length}, pushes ${gh.pushes.length} so far)`);
      return { report, writes };
    };

    const dry = await run('dry run', ['--dry-run']);
    const first = await run('first run', []);
    const second = await run('second run', []);

    say('\n=== pull requests ===');
    for (const name of names) {
      for (const pr of gh.pullsOf(`${OWNER}/${name}`)) {
        say(`\n${OWNER}/${name}#${pr.number}  [${pr.state}${pr.draft ? ', draft' : ''}]  ${pr.title}`);
        say(`  labels: ${pr.labels.join(', ') || '-'}; reviewers: ${pr.requested_reviewers.join(', ') || '-'}; head ${pr.head} -> ${pr.base}`);
        say(`  files: ${gh.filesOf(`${OWNER}/${name}`, pr.number).map((f) => `${f.filename} (+${f.additions} -${f.deletions})`).join(', ')}`);
        say(pr.body.split('\n').slice(0, 14).map((l) => `  | ${l}`).join('\n'));
        say('  | ...');
      }
    }
    say('\n=== dashboard issue ===');
    for (const issue of gh.issuesOf(DASHBOARD)) say(`${DASHBOARD}#${issue.number}  ${issue.title}\n\n${issue.body.replace(/<!-- image-build-migrator:dashboard .* -->/s, '<!-- hidden marker -->')}`);

    const out = outDir();
    const written = writeTranscript(gh, out, [...names.map((n) => `${OWNER}/${n}`), DASHBOARD]);
    say(`\n=== every PR body, comment, review and the dashboard, as Markdown: ${written} files in ${out} (start with ${path.join(out, 'README.md')}) ===`);

    say('\n=== API calls per repository, second run (unchanged fleet; 304s counted apart) ===');
    for (const r of second.report.repos) if (r.apiCalls) say(`  ${r.name.padEnd(36)} ${r.apiCalls.calls} calls, ${r.apiCalls.notModified} answered 304`);
    say(`\ndry run: ${dry.writes} write calls; first run: ${first.writes}; second run: ${second.writes} write calls (must be 0).`);
    gh.assertClean();
    say('Every request and response conformed to GitHub\'s OpenAPI description.');
    return dry.writes === 0 && second.writes === 0 ? 0 : 1;
  } finally {
    await gh.close();
    rmSync(work, { recursive: true, force: true });
  }
}

const say = (s: string) => process.stdout.write(`${s}\n`);

/** `--out DIR` (created when missing), else a new folder under the system's temp folder. */
function outDir(): string {
  const i = process.argv.indexOf('--out');
  if (i < 0) return mkdtempSync(path.join(os.tmpdir(), 'ibm-demo-output-'));
  const dir = path.resolve(process.argv[i + 1] ?? '');
  if (!process.argv[i + 1]) throw new Error('--out needs a folder');
  mkdirSync(dir, { recursive: true });
  return dir;
}

main().then((code) => (process.exitCode = code), (err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
