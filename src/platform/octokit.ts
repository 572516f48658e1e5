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
import { readFile, mkdir } from 'node:fs/promises';
import { writeFileAtomically } from '../files/atomic-write.ts';
import path from 'node:path';
import { createAppAuth } from '@octokit/auth-app';
import Bottleneck from 'bottleneck';
import { Octokit } from 'octokit';
import { redact, registerSecret } from '../secrets/redact.ts';
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
}

/**
 * `GITHUB_API_URL`, `GITHUB_SERVER_URL` (the names GitHub Actions sets, also on Enterprise),
 * and `GITHUB_TOKEN`, or a GitHub App: `GITHUB_APP_ID`, `GITHUB_APP_PRIVATE_KEY` (the PEM text) or
 * `GITHUB_APP_PRIVATE_KEY_FILE`, and `GITHUB_APP_INSTALLATION_ID`.
 */
export async function platformEnvFrom(env: NodeJS.ProcessEnv): Promise<PlatformEnv> {
  const apiUrl = (env.GITHUB_API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, '');
  const serverUrl = (env.GITHUB_SERVER_URL?.trim() || (apiUrl === DEFAULT_API_URL ? DEFAULT_SERVER_URL : apiUrl.replace(/\/api\/v3$/, ''))).replace(/\/+$/, '');
  const token = env.GITHUB_TOKEN?.trim();
  if (token) {
    registerSecret(token);
    return { apiUrl, serverUrl, auth: { kind: 'token', token } };
  }
  const appId = env.GITHUB_APP_ID?.trim();
  if (appId) {
    const keyFile = env.GITHUB_APP_PRIVATE_KEY_FILE?.trim();
    const privateKey = env.GITHUB_APP_PRIVATE_KEY?.trim() || (keyFile ? await readFile(keyFile, 'utf8') : '');
    const installationId = Number(env.GITHUB_APP_INSTALLATION_ID);
    if (!privateKey) throw new Error('GITHUB_APP_ID is set but neither GITHUB_APP_PRIVATE_KEY nor GITHUB_APP_PRIVATE_KEY_FILE is');
    if (!Number.isInteger(installationId) || installationId <= 0) throw new Error('GITHUB_APP_ID is set but GITHUB_APP_INSTALLATION_ID is not a number');
    registerSecret(privateKey);
    return { apiUrl, serverUrl, auth: { kind: 'app', appId, privateKey, installationId } };
  }
  return { apiUrl, serverUrl, auth: { kind: 'none' } };
}

export interface PlatformClientOptions extends PlatformEnv {
  /** Minimum time between two write calls (default 1000 ms, GitHub's advice). */
  writeSpacingMs?: number;
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
  /** A token for git (installation tokens are minted and refreshed by auth-app). */
  gitToken(): Promise<string | undefined>;
  /** Write the ETag cache to its file. */
  save(): Promise<void>;
}

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

  const rateLimitRetries = opts.rateLimitRetries ?? 3;
  const onLimit = (kind: string) => (retryAfter: number, options: { method?: string; url?: string }, _o: unknown, retryCount: number) => {
    const again = retryCount < rateLimitRetries;
    log(`GitHub ${kind} rate limit on ${options.method} ${options.url}: ${again ? `waiting ${retryAfter}s` : 'giving up'}`);
    return again;
  };
  const auth = opts.auth;
  const octokit = new Octokit({
    baseUrl: opts.apiUrl,
    userAgent: 'image-build-migrator',
    ...(auth.kind === 'token' ? { auth: auth.token } : {}),
    ...(auth.kind === 'app' ? { authStrategy: createAppAuth, auth: { appId: auth.appId, privateKey: auth.privateKey, installationId: auth.installationId } } : {}),
    request: { fetch: conditionalFetch },
    throttle: {
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: opts.writeSpacingMs ?? 1000 }),
    },
    retry: { retries: opts.retries ?? 3 },
    log: { debug: () => {}, info: () => {}, warn: (m: string) => log(m), error: (m: string) => log(m) },
  });

  return {
    octokit,
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
    gitToken: async () => {
      if (auth.kind === 'token') return auth.token;
      if (auth.kind === 'none') return undefined;
      const { token } = (await octokit.auth({ type: 'installation' })) as { token: string };
      registerSecret(token);
      return token;
    },
    save: async () => {
      if (!opts.etagFile || !etagsChanged) return;
      await mkdir(path.dirname(opts.etagFile), { recursive: true });
      await writeFileAtomically(opts.etagFile, JSON.stringify(Object.fromEntries(etags)));
    },
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
