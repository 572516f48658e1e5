/**
 * What GitHub knows about one repository before we clone it: does it exist, is it archived, what
 * is its default branch, where to clone it from.
 */
import { RequestError } from 'octokit';
import type { RepoName } from '../config/names.ts';
import type { GitHubClient } from '../platform/octokit.ts';
import { redact } from '../secrets/redact.ts';

export type RepoInfo =
  | { status: 'ok'; cloneUrl: string; defaultBranch: string; /** From the token's permissions (undefined when anonymous). */ canPush?: boolean }
  | { status: 'archived'; defaultBranch: string }
  | { status: 'missing'; reason: string };

export async function lookUpRepo(client: GitHubClient, repo: RepoName): Promise<RepoInfo> {
  try {
    const { data } = await client.rest.repos.get({ owner: repo.owner, repo: repo.name });
    // GitHub answers a transferred or renamed repository with 301 to its new home, which the
    // client follows: every later call by the old name (the bot branch's PRs under the old
    // owner) would find nothing and open a PR that already exists, every night.
    if (typeof data.full_name === 'string' && data.full_name.toLowerCase() !== repo.full.toLowerCase()) {
      return { status: 'missing', reason: `moved: GitHub serves this repository as ${JSON.stringify(data.full_name)} now (transferred or renamed); the bot acts on the names its list gives, so update the ECM list or repos.yaml to the new name` };
    }
    if (data.archived) return { status: 'archived', defaultBranch: data.default_branch };
    const cloneUrl = checkCloneUrl(data.clone_url);
    return { status: 'ok', cloneUrl, defaultBranch: data.default_branch, canPush: data.permissions?.push };
  } catch (err) {
    if (err instanceof RequestError && err.status === 404) {
      return { status: 'missing', reason: 'repository not found on GitHub (404): check the name, or the token\'s access for a private repository' };
    }
    if (err instanceof RequestError && err.status === 403) {
      throw new Error(`GitHub refused access to ${repo.full} (403): ${redact(err.message)}`);
    }
    throw err;
  }
}

function checkCloneUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`GitHub returned an unusable clone URL ${JSON.stringify(redact(raw))}`);
  }
  if (!/^https?:$/.test(url.protocol) || url.username || url.password) {
    throw new Error(`GitHub returned an unexpected clone URL ${JSON.stringify(redact(raw))} (only http(s) without credentials)`);
  }
  return url.href;
}
