/**
 * Where the token may go. Git credentials are sent only to the configured git host (the GitHub
 * web host of the API we talk to, or `GITHUB_SERVER_URL`), and only over https unless that host
 * is a loopback address (tests, a local mirror). A `clone_url` the API returns on any other host
 * is refused: a compromised or misconfigured API must not be able to collect the token.
 *
 * Used by the fleet before a clone, and by delivery before a push; `git.ts` checks the scheme
 * again where the header is built.
 */

/** The git web host for an API URL: api.github.com → github.com, https://ghe/api/v3 → ghe. */
export function gitHostFor(apiUrl: string, serverUrl?: string): string {
  const base = serverUrl?.trim() || apiUrl;
  let host: string;
  try {
    host = new URL(base).hostname.toLowerCase();
  } catch {
    return '';
  }
  // GitHub.com and GHE.com data residency put the API on an `api.` subdomain of the web host.
  if (!serverUrl?.trim() && host.startsWith('api.')) host = host.slice(4);
  return host;
}

/** The configured git host of this run's environment (GITHUB_SERVER_URL, else from GITHUB_API_URL). */
export function gitHostFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return gitHostFor(env.GITHUB_API_URL?.trim() || 'https://api.github.com', env.GITHUB_SERVER_URL);
}

export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Why `url` may not receive credentials for `gitHost`, or undefined when it may. The reason names
 * the host (never the URL's userinfo).
 */
export function credentialRefusal(url: string, gitHost: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'the clone URL is not a URL';
  }
  const host = u.hostname.toLowerCase();
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `${u.protocol.replace(/:$/, '')} URLs never receive credentials`;
  if (!gitHost || host !== gitHost.toLowerCase()) {
    return `the clone URL is on ${host}, not on the configured git host ${gitHost || '(none)'}: the token is not sent there (set GITHUB_SERVER_URL if ${host} is your GitHub host)`;
  }
  if (u.protocol === 'http:' && !isLoopback(host)) return `the clone URL for ${host} uses plain http: the token is sent over https only`;
  return undefined;
}

/** May `url` receive the token configured for `gitHost`? */
export function mayReceiveCredentials(url: string, gitHost: string): boolean {
  return credentialRefusal(url, gitHost) === undefined;
}
