/**
 * The Octokit delivery talks through: auth from a token or a GitHub App, GitHub Enterprise URLs,
 * primary and secondary rate limits (plugin-throttling, `retry-after` honoured), retries of 5xx and
 * network errors (plugin-retry), write calls serialised and spaced (GitHub asks content-creating
 * calls to be at least a second apart), conditional reads (ETag / If-None-Match: a 304 costs no
 * rate limit) and a count of HTTP requests per repository.
 *
 * The ETag cache and the counter sit in the `fetch` Octokit uses, below the plugins: every HTTP
 * request is counted once, retries included, and a 304 comes back to Octokit as the 200 it stands for.
 */
import { createPrivateKey } from 'node:crypto';
import { readFile, mkdir } from 'node:fs/promises';
import { writeFileAtomically } from '../files/atomic-write.ts';
import path from 'node:path';
import { createAppAuth } from '@octokit/auth-app';
import Bottleneck from 'bottleneck';
import { Octokit, RequestError } from 'octokit';
import { redact, registerPrivateKey, registerSecret } from '../secrets/redact.ts';
import type { ApiCalls } from './types.ts';

export const DEFAULT_API_URL = 'https://api.github.com';
export const DEFAULT_SERVER_URL = 'https://github.com';

export type PlatformAuth =
  | { kind: 'token'; token: string }
  | { kind: 'app'; appId: string; privateKey: string; installationId: number }
  | { kind: 'none' };

export interface PlatformEnv {
  apiUrl: string;
  /** The git host (clone and push URLs, links). */
  serverUrl: string;
  auth: PlatformAuth;
  /** What the environment changes of the pacing (GITHUB_WRITE_SPACING_MS, ...); the rest is DEFAULT_PACING. */
  pacing?: Partial<GitHubPacing>;
  /**
   * GITHUB_BOT_LOGIN: the login a token's writes are authored by, where the token cannot say (an
   * App's installation token minted by `migrate token` may not read /user: `<slug>[bot]`).
   */
  login?: string;
}

/** How far apart the client spaces its calls, and how long it waits before a retry. */
export interface GitHubPacing {
  /** Minimum time between two write calls: GitHub asks for at least a second. */
  writeMs: number;
  /** Minimum time between two writes that notify people (a PR, an issue, a comment, a review). */
  notifyMs: number;
  /**
   * The length of a "second" of waiting before a retry: a 5xx's n-th retry waits n² of them, a rate
   * limit its `retry-after` (or its reset) in them.
   */
  retryUnitMs: number;
}

/** GitHub's advice and plugin-throttling's defaults. */
export const DEFAULT_PACING: GitHubPacing = { writeMs: 1000, notifyMs: 3000, retryUnitMs: 1000 };

const PACING_VARIABLES: Record<keyof GitHubPacing, string> = {
  writeMs: 'GITHUB_WRITE_SPACING_MS',
  notifyMs: 'GITHUB_NOTIFY_SPACING_MS',
  retryUnitMs: 'GITHUB_RETRY_UNIT_MS',
};

/**
 * GITHUB_WRITE_SPACING_MS, GITHUB_NOTIFY_SPACING_MS and GITHUB_RETRY_UNIT_MS (milliseconds; the
 * tests set them to 0 against the local GitHub). A value that is not a number >= 0 is ignored.
 */
export function pacingFrom(env: NodeJS.ProcessEnv): Partial<GitHubPacing> {
  const pacing: Partial<GitHubPacing> = {};
  for (const [key, name] of Object.entries(PACING_VARIABLES) as [keyof GitHubPacing, string][]) {
    const raw = env[name]?.trim();
    const n = Number(raw);
    if (raw && Number.isFinite(n) && n >= 0) pacing[key] = n;
  }
  return pacing;
}

/**
 * `GITHUB_API_URL`, `GITHUB_SERVER_URL` (the names GitHub Actions sets, also on Enterprise),
 * and `GITHUB_TOKEN`, or a GitHub App: `GITHUB_APP_ID`, `GITHUB_APP_PRIVATE_KEY` (the PEM text) or
 * `GITHUB_APP_PRIVATE_KEY_FILE`, and `GITHUB_APP_INSTALLATION_ID`.
 */
export async function platformEnvFrom(env: NodeJS.ProcessEnv): Promise<PlatformEnv> {
  const apiUrl = (env.GITHUB_API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, '');
  const serverUrl = (env.GITHUB_SERVER_URL?.trim() || (apiUrl === DEFAULT_API_URL ? DEFAULT_SERVER_URL : apiUrl.replace(/\/api\/v3$/, ''))).replace(/\/+$/, '');
  const pacing = pacingFrom(env);
  const token = env.GITHUB_TOKEN?.trim();
  if (token) {
    registerSecret(token);
    const login = env.GITHUB_BOT_LOGIN?.trim();
    return { apiUrl, serverUrl, pacing, auth: { kind: 'token', token }, ...(login ? { login } : {}) };
  }
  const appId = env.GITHUB_APP_ID?.trim();
  if (appId) {
    const keyFile = env.GITHUB_APP_PRIVATE_KEY_FILE?.trim();
    const fromEnv = env.GITHUB_APP_PRIVATE_KEY?.trim();
    let privateKey = fromEnv ?? '';
    if (!privateKey && keyFile) {
      try {
        privateKey = (await readFile(keyFile, 'utf8')).trim();
      } catch (e) {
        throw new Error(`GITHUB_APP_PRIVATE_KEY_FILE: cannot read ${keyFile} (${(e as NodeJS.ErrnoException).code ?? 'error'}): point it at the App's private key (.pem) file`);
      }
    }
    const keyName = fromEnv ? 'GITHUB_APP_PRIVATE_KEY' : `GITHUB_APP_PRIVATE_KEY_FILE (${keyFile})`;
    if (!privateKey) throw new Error(keyFile ? `${keyName} is empty: it must hold the App's private key (PEM)` : 'GITHUB_APP_ID is set but neither GITHUB_APP_PRIVATE_KEY nor GITHUB_APP_PRIVATE_KEY_FILE is');
    // Masked before anything can echo it, in every form it takes on its way to the JWT.
    registerPrivateKey(privateKey);
    const installationId = Number(env.GITHUB_APP_INSTALLATION_ID);
    if (!/^\d+$/.test(appId)) throw new Error(`GITHUB_APP_ID must be the App's numeric id (its settings page: "App ID"), not ${JSON.stringify(redact(appId))}`);
    if (!Number.isInteger(installationId) || installationId <= 0) throw new Error('GITHUB_APP_ID is set but GITHUB_APP_INSTALLATION_ID is not a number (the id at the end of the installation\'s settings URL)');
    // A PEM often arrives through an environment variable with its line breaks escaped.
    const pem = privateKey.replace(/\\n/g, '\n');
    try {
      const key = createPrivateKey(pem);
      if (key.asymmetricKeyType !== 'rsa') throw new Error('not RSA');
      registerPrivateKey(key.export({ type: 'pkcs8', format: 'pem' }) as string);
    } catch {
      throw new Error(`${keyName} is not an RSA private key in PEM form (-----BEGIN RSA PRIVATE KEY----- ...): use the .pem file generated in the App's settings`);
    }
    return { apiUrl, serverUrl, pacing, auth: { kind: 'app', appId, privateKey: pem, installationId } };
  }
  return { apiUrl, serverUrl, pacing, auth: { kind: 'none' } };
}

export interface PlatformClientOptions extends PlatformEnv {
  rateLimitRetries?: number;
  retries?: number;
  /** Where the ETag cache persists between runs (a JSON file); in memory only when omitted. */
  etagFile?: string;
  log?: (line: string) => void;
}

interface CachedResponse {
  etag: string;
  body: string;
  contentType: string;
}

/** The Octokit every GitHub call of a run goes through (discovery and delivery alike). */
export type GitHubClient = InstanceType<typeof Octokit>;

export interface PlatformClient {
  octokit: GitHubClient;
  /**
   * A GraphQL call (through the same plugins: limits, retries), counted for `repo` (`owner/name`):
   * the endpoint's URL names no repository. GitHub's `errors` answer throws.
   */
  graphql<T>(repo: string, query: string, variables: Record<string, unknown>): Promise<T>;
  calls(repo?: string): ApiCalls;
  /** A token for git (installation tokens are minted by auth-app, and minted again shortly before they expire). */
  gitToken(): Promise<string | undefined>;
  /**
   * Prove the credentials before any work: a GitHub App mints its installation token (the JWT
   * checked by GitHub); throws an AuthError naming what to fix. A plain token is not checked here.
   */
  checkAuth(): Promise<void>;
  /**
   * The login the bot's writes are authored by: a GitHub App's `<slug>[bot]` (GET /app with its
   * JWT), a token's user (GET /user); undefined when GitHub does not say (an installation token,
   * such as Actions' GITHUB_TOKEN, may not read /user), unless GITHUB_BOT_LOGIN says it.
   */
  whoami(): Promise<string | undefined>;
  /**
   * May the bot's pushes change `.github/workflows/`? A GitHub App: its installation token says
   * (`permissions.workflows`, returned when it is minted: no call of its own). A token: undefined
   * (GitHub tells only by refusing the push).
   */
  mayChangeWorkflows(): Promise<boolean | undefined>;
  /**
   * Authenticated as a GitHub App installation: the App itself (its key), or an installation
   * token (`ghs_`) handed over with the App's login in GITHUB_BOT_LOGIN (the nightly's scoped
   * tokens, minted by `migrate token`). What GitHub signs commits made through the API for.
   */
  installation: boolean;
  /** Write the ETag cache to its file. */
  save(): Promise<void>;
}

let clients = 0;

export async function createPlatformClient(opts: PlatformClientOptions): Promise<PlatformClient> {
  const log = (line: string) => opts.log?.(redact(line));
  const counts = new Map<string, ApiCalls>();
  const etags = new Map<string, CachedResponse>(Object.entries(opts.etagFile ? await loadEtags(opts.etagFile) : {}));
  let etagsChanged = false;
  const count = (url: string, notModified: boolean, repo?: string) => {
    const m = /\/repos\/([^/?#]+)\/([^/?#]+)/.exec(url);
    const key = repo?.toLowerCase() ?? (m ? `${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`.toLowerCase() : '');
    const c = counts.get(key) ?? { calls: 0, notModified: 0 };
    if (notModified) c.notModified++;
    else c.calls++;
    counts.set(key, c);
  };

  const conditionalFetch = async (input: string | URL | Request, init: RequestInit = {}, repo?: string): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    // Every credential we send is masked from then on: the App's JWTs and each installation
    // token auth-app mints are known only here.
    const credential = headers.get('authorization')?.replace(/^\S+\s+/, '');
    if (credential) registerSecret(credential);
    const cached = method === 'GET' ? etags.get(url) : undefined;
    if (cached) headers.set('if-none-match', cached.etag);
    const res = await fetch(input, { ...init, headers });
    count(url, res.status === 304, repo);
    if (res.status === 304 && cached) {
      return new Response(cached.body, { status: 200, headers: { 'content-type': cached.contentType, etag: cached.etag } });
    }
    const etag = res.headers.get('etag');
    if (method === 'GET' && res.status === 200 && etag) {
      const body = await res.text();
      etags.set(url, { etag, body, contentType: res.headers.get('content-type') ?? 'application/json' });
      etagsChanged = true;
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    }
    return res;
  };

  const pacing = { ...DEFAULT_PACING, ...opts.pacing };
  const rateLimitRetries = opts.rateLimitRetries ?? 3;
  const onLimit = (kind: string) => (retryAfter: number, options: { method?: string; url?: string }, _o: unknown, retryCount: number) => {
    const again = retryCount < rateLimitRetries;
    log(`GitHub ${kind} rate limit on ${options.method} ${options.url}: ${again ? `waiting ${retryAfter}s` : 'giving up'}`);
    return again;
  };
  const auth = opts.auth;
  const gitToken = async (): Promise<string | undefined> => {
    if (auth.kind === 'token') return auth.token;
    if (auth.kind === 'none') return undefined;
    const { token } = (await octokit.auth({ type: 'installation' })) as { token: string };
    registerSecret(token);
    return token;
  };
  const octokit = new Octokit({
    baseUrl: opts.apiUrl,
    userAgent: 'image-build-migrator',
    ...(auth.kind === 'token' ? { auth: auth.token } : {}),
    ...(auth.kind === 'app' ? { authStrategy: createAppAuth, auth: { appId: auth.appId, privateKey: auth.privateKey, installationId: auth.installationId, cache: installationTokenCache() } } : {}),
    request: { fetch: conditionalFetch },
    throttle: {
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      // Limiters of this client's own: plugin-throttling's groups are shared by every client in the
      // process, and keyed by this id within them.
      id: `image-build-migrator-${++clients}`,
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: pacing.writeMs }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: pacing.notifyMs }),
      retryAfterBaseValue: pacing.retryUnitMs,
    },
    retry: { retries: opts.retries ?? 3, retryAfterBaseValue: pacing.retryUnitMs },
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log(m), error: (m: string) => log(m) },
  });

  return {
    octokit,
    installation: auth.kind === 'app' || (auth.kind === 'token' && /^ghs_/.test(auth.token) && /\[bot\]$/.test(opts.login ?? '')),
    graphql: <T>(repo: string, query: string, variables: Record<string, unknown>) =>
      octokit.graphql<T>(query, { ...variables, request: { fetch: (input: string | URL | Request, init?: RequestInit) => conditionalFetch(input, init, repo) } }),
    calls: (repo) => {
      if (repo !== undefined) return { ...(counts.get(repo.toLowerCase()) ?? { calls: 0, notModified: 0 }) };
      const all = { calls: 0, notModified: 0 };
      for (const c of counts.values()) {
        all.calls += c.calls;
        all.notModified += c.notModified;
      }
      return all;
    },
    gitToken,
    checkAuth: async () => {
      if (auth.kind !== 'app') return;
      try {
        await gitToken();
      } catch (e) {
        throw new AuthError(appAuthFailure(e, auth));
      }
    },
    mayChangeWorkflows: async () => {
      if (auth.kind === 'none') return false;
      if (auth.kind === 'token') return undefined;
      const minted = (await octokit.auth({ type: 'installation' })) as { token: string; permissions?: Record<string, string> };
      registerSecret(minted.token);
      return minted.permissions ? minted.permissions.workflows === 'write' : undefined;
    },
    whoami: async () => {
      try {
        if (auth.kind === 'app') {
          const { data } = await octokit.rest.apps.getAuthenticated();
          return data?.slug ? `${data.slug}[bot]` : undefined;
        }
        if (auth.kind === 'token') return opts.login ?? (await octokit.rest.users.getAuthenticated()).data.login;
      } catch (e) {
        if (!(e instanceof RequestError) || (e.status !== 401 && e.status !== 403 && e.status !== 404)) throw e;
      }
      return undefined;
    },
    save: async () => {
      if (!opts.etagFile || !etagsChanged) return;
      await mkdir(path.dirname(opts.etagFile), { recursive: true });
      await writeFileAtomically(opts.etagFile, JSON.stringify(Object.fromEntries(etags)));
    },
  };
}

/** The GitHub App's credentials did not work: the message names what to fix (and no secret). */
export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

export function appAuthFailure(e: unknown, auth: { appId: string; installationId: number }): string {
  const app = `GitHub App ${auth.appId}`;
  if (e instanceof RequestError) {
    const said = redact(String((e.response?.data as { message?: string } | undefined)?.message ?? e.message));
    if (e.status === 401) {
      return `${app} could not authenticate: GitHub refused its JWT (401 "${said}"). GITHUB_APP_PRIVATE_KEY (or the file GITHUB_APP_PRIVATE_KEY_FILE names) must be a private key of the App GITHUB_APP_ID names: check GITHUB_APP_ID, or generate a new private key in the App's settings and set it`;
    }
    if (e.status === 404) return `${app} has no installation ${auth.installationId} (404): set GITHUB_APP_INSTALLATION_ID to the id at the end of the installation's settings URL, and check that the App is installed on the organisation`;
    if (e.status === 403) return `${app} may not mint a token for installation ${auth.installationId} (403 "${said}"): the installation may be suspended; check it in the organisation's settings`;
    return `${app} could not mint an installation token (${e.status} "${said}")`;
  }
  return `${app} could not sign its JWT: ${redact(e instanceof Error ? e.message : String(e))}. Check GITHUB_APP_PRIVATE_KEY (or GITHUB_APP_PRIVATE_KEY_FILE)`;
}

/**
 * auth-app's own cache keeps an installation token for 59 minutes whatever its `expires_at`
 * says. This one (same entry format: `token|createdAt|expiresAt|...`) hands a token out only
 * while it has a margin left, a quarter of its lifetime and at most 5 minutes, so a clone or a
 * push never starts with a token about to expire, and a token that expires sooner than an hour
 * (an Enterprise policy) is minted again in time.
 */
export function installationTokenCache(now: () => number = Date.now): { get(key: string): string; set(key: string, value: string): void } {
  const entries = new Map<string, string>();
  return {
    // auth-app reads a falsy value as a miss.
    get: (key) => {
      const value = entries.get(key);
      if (!value) return '';
      const [, createdAt, expiresAt] = value.split('|');
      const created = Date.parse(createdAt ?? '');
      let expires = Date.parse(expiresAt ?? '');
      if (!Number.isFinite(expires)) expires = created + 59 * 60_000;
      const margin = Math.min(5 * 60_000, (expires - created) / 4);
      if (!(expires - now() > margin)) {
        entries.delete(key);
        return '';
      }
      return value;
    },
    set: (key, value) => void entries.set(key, value),
  };
}

async function loadEtags(file: string): Promise<Record<string, CachedResponse>> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Record<string, CachedResponse>;
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    // A missing or damaged cache only costs full reads.
    return {};
  }
}
