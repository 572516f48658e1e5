/**
 * One Octokit for the whole run: auth, GitHub Enterprise base URL, rate limits and retries all live
 * here so that discovery (and later PR creation) never talk HTTP by hand.
 */
import { Octokit } from 'octokit';
import { redact, registerSecret } from './redact.ts';

export interface GitHubEnv {
  /** REST API root, e.g. https://api.github.com or https://ghe.example.com/api/v3 */
  apiUrl: string;
  /** Optional: anonymous access works for public repositories in dry run. */
  token?: string;
}

export const DEFAULT_API_URL = 'https://api.github.com';

/** Read `GITHUB_API_URL` and `GITHUB_TOKEN` (the names GitHub Actions uses). */
export function githubEnvFrom(env: NodeJS.ProcessEnv = process.env): GitHubEnv {
  const apiUrl = (env.GITHUB_API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, '');
  const token = env.GITHUB_TOKEN?.trim() || undefined;
  registerSecret(token);
  return { apiUrl, token };
}

export interface ClientOptions extends GitHubEnv {
  /** How often to wait out a rate limit before giving up on a request. */
  rateLimitRetries?: number;
  /** Retries for 5xx / network errors (plugin-retry). */
  retries?: number;
  /** Receives redacted diagnostic lines (rate-limit waits, retries). */
  log?: (line: string) => void;
}

export type GitHubClient = InstanceType<typeof Octokit>;

export function createGitHubClient(opts: ClientOptions): GitHubClient {
  registerSecret(opts.token);
  const log = (line: string) => opts.log?.(redact(line));
  const rateLimitRetries = opts.rateLimitRetries ?? 2;
  const onLimit = (kind: string) => (retryAfter: number, options: { method?: string; url?: string }, _o: unknown, retryCount: number) => {
    const again = retryCount < rateLimitRetries;
    log(`GitHub ${kind} rate limit on ${options.method} ${options.url}: ${again ? `waiting ${retryAfter}s` : 'giving up'}`);
    return again;
  };
  return new Octokit({
    auth: opts.token,
    baseUrl: opts.apiUrl,
    userAgent: 'image-build-migrator',
    throttle: {
      onRateLimit: onLimit('primary'),
      onSecondaryRateLimit: onLimit('secondary'),
    },
    retry: { retries: opts.retries ?? 2 },
    // Octokit's default logger prints request details to the console; route through redaction.
    log: {
      debug: () => {},
      info: () => {},
      warn: (m: string) => log(m),
      error: (m: string) => log(m),
    },
  });
}
