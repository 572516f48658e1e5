/**
 * `migrate token`: a token for one job of the nightly workflow, and no more than that job needs
 * (issue 20 item 6). With the GitHub App (GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID,
 * GITHUB_APP_PRIVATE_KEY or _FILE) it mints an installation token scoped to the `--repo`
 * repositories (and `--dashboard-from`'s dashboard repository; none: every repository of the
 * installation) and to the `--permissions` given;
 * the App wins over a GITHUB_TOKEN set beside it, so that the token is scoped. With a plain
 * GITHUB_TOKEN only, the token is passed through as it is (a personal access token cannot be
 * scoped down), with a notice saying so.
 *
 * The token is written for GitHub Actions only: `::add-mask::<token>` on stdout first (the
 * runner masks it in every later log line), then `token=<token>` (and `login=<slug>[bot]`, the
 * App's login, which an installation token cannot read from /user) to the $GITHUB_OUTPUT file.
 * Nowhere else: without GITHUB_OUTPUT the command refuses (exit 2) rather than print a secret to
 * a terminal.
 */
import { appendFile } from 'node:fs/promises';
import { RequestError } from 'octokit';
import { loadReposConfig } from '../config/repos-config.ts';
import { appAuthFailure, AuthError, createPlatformClient, platformEnvFrom, type PlatformEnv } from '../platform/octokit.ts';
import { redact, registerSecret } from '../secrets/redact.ts';

export interface TokenArgs {
  /** `owner/name`; empty: every repository of the installation. */
  repos: string[];
  /** `name:level,...` as given. */
  permissions: string;
  /** A repos.yaml whose dashboard repository (delivery.dashboard.repo) the token is for (the summary job). */
  dashboardFrom?: string;
}

export type Level = 'read' | 'write';

export class TokenUsageError extends Error {}

/**
 * `contents:write,pull_requests:write`: GitHub's permission names (`pull-requests` also accepted)
 * and levels. A trailing `?` (`workflows:write?`) asks for it only where the installation grants
 * it: the token is minted without it otherwise (see `optionalPermissions`).
 */
export function parsePermissions(text: string | undefined): Record<string, Level> {
  const out: Record<string, Level> = {};
  const items = (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new TokenUsageError('--permissions names no permission: give name:level pairs, e.g. contents:write,pull_requests:write (a token with every permission of the installation is what this command avoids)');
  for (const item of items) {
    const m = /^([a-z][a-z_-]*):(read|write)\??$/i.exec(item);
    if (!m) throw new TokenUsageError(`--permissions: "${item}" is not name:level (level read or write, then ? when optional), e.g. contents:write`);
    const name = m[1]!.toLowerCase().replace(/-/g, '_');
    if (out[name] && out[name] !== m[2]!.toLowerCase()) throw new TokenUsageError(`--permissions names ${name} twice, with different levels`);
    out[name] = m[2]!.toLowerCase() as Level;
  }
  return out;
}

/** The names of the permissions `--permissions` marks optional (`workflows:write?`). */
export function optionalPermissions(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter((s) => s.endsWith('?')).map((s) => s.slice(0, s.indexOf(':')).toLowerCase().replace(/-/g, '_'));
}

/** The repositories' names (GitHub takes them without the owner, which must be the installation's, one for all). */
export function parseRepos(repos: string[]): { owner?: string; names: string[] } {
  let owner: string | undefined;
  const names: string[] = [];
  for (const r of repos) {
    const m = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(r.trim());
    if (!m) throw new TokenUsageError(`--repo "${r}" is not owner/name`);
    if (owner && owner.toLowerCase() !== m[1]!.toLowerCase()) throw new TokenUsageError(`--repo ${r}: every repository must have the same owner (${owner}), the account the App is installed on`);
    owner ??= m[1]!;
    if (!names.some((n) => n.toLowerCase() === m[2]!.toLowerCase())) names.push(m[2]!);
  }
  return { owner, names };
}

export interface MintedScopedToken {
  token: string;
  expiresAt?: string;
  permissions: Record<string, string>;
  /** The App's login, `<slug>[bot]`, when GitHub says it. */
  login?: string;
  /** Optional permissions the installation did not grant, left out of the token. */
  notGranted: string[];
}

/**
 * Mint an installation token of the App `penv` describes, scoped to `names` (repositories of the
 * installation's account; empty: all) and `permissions`. The token is registered as a secret
 * before anything can print it. Throws an AuthError naming what to fix.
 */
export async function mintScopedToken(penv: PlatformEnv & { auth: { kind: 'app' } }, scope: { names: string[]; permissions: Record<string, Level>; optional?: string[] }): Promise<MintedScopedToken> {
  const auth = penv.auth as { kind: 'app'; appId: string; privateKey: string; installationId: number };
  const client = await createPlatformClient({ ...penv });
  let data: { token: string; expires_at?: string; permissions?: Record<string, string | undefined> };
  const mint = (permissions: Record<string, Level>) => client.octokit.rest.apps.createInstallationAccessToken({
    installation_id: auth.installationId,
    ...(scope.names.length ? { repositories: scope.names } : {}),
    permissions,
  });
  const optional = (scope.optional ?? []).filter((n) => n in scope.permissions);
  let notGranted: string[] = [];
  try {
    try {
      ({ data } = await mint(scope.permissions));
    } catch (e) {
      // GitHub refuses the whole request (422) when one permission is not granted: the optional
      // ones go, and the token is minted with the rest (the bot copes: e.g. workflow files handed over).
      if (!(e instanceof RequestError && e.status === 422 && optional.length)) throw e;
      ({ data } = await mint(Object.fromEntries(Object.entries(scope.permissions).filter(([n]) => !optional.includes(n)))));
      notGranted = optional;
    }
  } catch (e) {
    if (e instanceof RequestError && e.status === 422) {
      const said = redact(String((e.response?.data as { message?: string } | undefined)?.message ?? e.message));
      throw new AuthError(`GitHub App ${auth.appId} could not mint a token for ${scope.names.length ? scope.names.join(', ') : 'every repository of its installation'} with ${describe(scope.permissions)} (422 "${said}"): each --repo must be a repository the App is installed on, and each permission one the installation was granted (the App's settings, then accept the new permissions on the installation)`);
    }
    throw new AuthError(appAuthFailure(e, auth));
  }
  registerSecret(data.token);
  const login = await client.whoami().catch(() => undefined);
  return { token: data.token, expiresAt: data.expires_at, permissions: Object.fromEntries(Object.entries(data.permissions ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string')), login, notGranted };
}

function describe(permissions: Record<string, string>): string {
  return Object.entries(permissions).map(([n, l]) => `${n}:${l}`).join(', ');
}

export async function runToken(args: TokenArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream, env: NodeJS.ProcessEnv): Promise<number> {
  let permissions: Record<string, Level>;
  try {
    permissions = parsePermissions(args.permissions);
  } catch (e) {
    if (!(e instanceof TokenUsageError)) throw e;
    err.write(`error: ${e.message}\n`);
    return 2;
  }
  if (args.dashboardFrom) {
    // ConfigError and file errors are the CLI's (exit 2, one line).
    const dashboard = (await loadReposConfig(args.dashboardFrom)).delivery.dashboard;
    if (!dashboard) {
      // No dashboard, nothing for the summary to write: no token rather than one for everything.
      err.write(`note: ${args.dashboardFrom} configures no dashboard (delivery.dashboard.repo): no token minted\n`);
      return 0;
    }
    args = { ...args, repos: [...args.repos, dashboard.repo] };
  }
  // Checked before anything is minted: a token made for nowhere is a token left lying around.
  let repos: { owner?: string; names: string[] };
  try {
    repos = parseRepos(args.repos);
  } catch (e) {
    if (!(e instanceof TokenUsageError)) throw e;
    err.write(`error: ${e.message}\n`);
    return 2;
  }
  const outputFile = env.GITHUB_OUTPUT?.trim();
  if (!outputFile) {
    err.write('error: migrate token writes the token for GitHub Actions only (the file GITHUB_OUTPUT names, masked in the logs) and GITHUB_OUTPUT is not set: it never prints a token to a terminal. Run it as a step of a workflow (`id: token`, then `${{ steps.token.outputs.token }}`)\n');
    return 2;
  }
  try {
    await appendFile(outputFile, '');
  } catch (e) {
    err.write(`error: GITHUB_OUTPUT: cannot write ${redact(outputFile)} (${(e as NodeJS.ErrnoException).code ?? 'error'}); nothing was minted\n`);
    return 2;
  }

  const appEnv = env.GITHUB_APP_ID?.trim() ? { ...env, GITHUB_TOKEN: undefined } : env;
  let penv: PlatformEnv;
  try {
    penv = await platformEnvFrom(appEnv);
  } catch (e) {
    err.write(`error: ${redact(e instanceof Error ? e.message : String(e))}\n`);
    return 2;
  }
  const write = async (token: string, login?: string) => {
    out.write(`::add-mask::${token}\n`);
    await appendFile(outputFile, `token=${token}\n${login ? `login=${login}\n` : ''}`);
  };
  if (penv.auth.kind === 'none') {
    err.write('error: migrate token needs the GitHub App (GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_FILE) or a GITHUB_TOKEN; neither is set\n');
    return 2;
  }
  if (penv.auth.kind === 'token') {
    await write(penv.auth.token);
    out.write(`::notice title=Token not scoped::GITHUB_TOKEN is a plain token: it cannot be scoped to ${repos.names.length ? args.repos.join(', ') : 'some repositories'} with ${describe(permissions)}, so this job gets it whole. Install the GitHub App (docs/github-app.md) for tokens scoped per job.\n`);
    return 0;
  }
  let minted: MintedScopedToken;
  try {
    minted = await mintScopedToken(penv as PlatformEnv & { auth: { kind: 'app' } }, { names: repos.names, permissions, optional: optionalPermissions(args.permissions) });
  } catch (e) {
    err.write(`error: ${redact(e instanceof Error ? e.message : String(e))}\n`);
    return 1;
  }
  await write(minted.token, minted.login);
  const where = repos.names.length ? args.repos.map((r) => r.trim()).join(', ') : 'every repository of the installation';
  if (minted.notGranted.length) out.write(`::notice title=Permission not granted::the installation does not grant ${minted.notGranted.map((n) => `${n}:${permissions[n]}`).join(', ')}: this job's token is minted without ${minted.notGranted.length === 1 ? 'it' : 'them'}\n`);
  err.write(`Minted a token for ${where} with ${describe(minted.permissions)}${minted.expiresAt ? `, expiring ${minted.expiresAt}` : ''} (output "token"${minted.login ? `; "login": ${minted.login}` : ''}).\n`);
  return 0;
}
