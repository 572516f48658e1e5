/**
 * Drives the real CLI (`main` of src/cli.ts) against the local GitHub, the way a nightly job runs
 * it: environment variables for the API, the git host and the token, a repos.yaml, a cache folder.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli.ts';
import { clearSecrets } from '../../src/secrets/redact.ts';
import type { FleetReport } from '../../src/report/types.ts';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { Capture } from '../helpers/streams.ts';
import { SIMPLE_DOCKERFILE, tempDir } from '../helpers/repos.ts';
import { readFileSync } from 'node:fs';
import { NO_PACING } from '../helpers/pacing.ts';

// Fake tokens, assembled so that secret scanners do not take the source for a leak.
export const TOKEN = ['ghp', 'deliveryTestToken0123456789abcdefABCD'].join('_');
export const OTHER_TOKEN = ['ghp', 'otherRunnerToken0123456789abcdefABCDE'].join('_');

const examples = path.resolve(import.meta.dirname, '../../examples/repos');
const read = (rel: string) => readFileSync(path.join(examples, rel), 'utf8');
/** Example repositories (ours, examples/repos/): one the codemod changes, one already migrated. */
export const WIDGET = { Dockerfile: read('image-build-widget/Dockerfile'), Makefile: read('image-build-widget/Makefile') };
export const SPROCKET = { Dockerfile: read('image-build-sprocket/Dockerfile'), Makefile: read('image-build-sprocket/Makefile') };

export { SIMPLE_DOCKERFILE };

export interface Fleet {
  gh: LocalGitHub;
  dir: string;
  reposFile: string;
  close(): Promise<void>;
}

/** `gh`: a local GitHub of the test's own (a GitHub App installed, say) instead of one with the fleet's tokens. */
export async function startFleet(repos: Record<string, Record<string, string>>, yaml = '', own?: LocalGitHub): Promise<Fleet> {
  const gh = own ?? (await LocalGitHub.start({ tokens: { [TOKEN]: 'image-build-migrator[bot]', [OTHER_TOKEN]: 'image-build-migrator[bot]' } }));
  for (const [full, files] of Object.entries(repos)) gh.addRepo(full, files);
  const dir = tempDir('ibm-deliver-');
  const reposFile = path.join(dir, 'repos.yaml');
  writeFileSync(reposFile, `source:\n  type: github\ninclude: [${Object.keys(repos).join(', ')}]\ndefaults:\n  labels: [cross-compilation]\n  reviewers: [octo-maintainer]\n${yaml}`);
  return { gh, dir, reposFile, close: () => gh.close() };
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
  report: FleetReport;
}

/** `migrate` with these arguments; `--report` is added so the test can read the JSON. */
export async function cli(f: Fleet, args: string[], o: { token?: string | null; cacheDir?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  const out = new Capture();
  const err = new Capture();
  const reportFile = path.join(f.dir, `report-${Math.random().toString(36).slice(2)}.json`);
  const env: Record<string, string | undefined> = {
    GITHUB_API_URL: f.gh.url,
    GITHUB_SERVER_URL: f.gh.serverUrl,
    GITHUB_TOKEN: o.token === null ? undefined : (o.token ?? TOKEN),
    ...NO_PACING,
    CI: '1',
    ...o.env,
  };
  // The environment goes to the CLI as a value: two runs at once must not share process.env.
  const full: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) full[k] = v;
  try {
    const code = await main(['migrate', '--repos', f.reposFile, '--cache-dir', o.cacheDir ?? path.join(f.dir, 'cache'), '--report', reportFile, ...args], out, err, full);
    let report: FleetReport | undefined;
    try {
      report = JSON.parse(readFileSync(reportFile, 'utf8')) as FleetReport;
    } catch {
      report = undefined;
    }
    return { code, out: out.text, err: err.text, report: report! };
  } finally {
    clearSecrets();
  }
}

export const repoOf = (r: CliRun, name: string) => r.report.repos.find((x) => x.name === name)!;
