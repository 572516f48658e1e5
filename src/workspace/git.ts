/**
 * The only way the fleet runs git: simple-git with argument arrays, a scrubbed environment, and
 * settings that make a checkout inert. Nothing here builds a command string.
 *
 * - `core.hooksPath=/dev/null`: a repository (or a workspace left behind by a crash) must never get to
 *   run code on the bot's machine through hooks such as `reference-transaction` or `post-checkout`.
 * - `GIT_ALLOW_PROTOCOL`: only transports we generate URLs for; `ext::` and friends are refused.
 * - Auth travels as an `http.<origin>/.extraHeader` set through `GIT_CONFIG_*` environment
 *   variables: never in the URL (git echoes URLs in errors and stores them in .git/config) and never
 *   in argv (visible to every user through `ps`). Scoping it to the origin keeps the header from
 *   following a redirect to another host.
 * - `GIT_TERMINAL_PROMPT=0`: a missing credential fails at once instead of waiting for a human.
 */
import { simpleGit, type SimpleGit } from 'simple-git';
import { credentialRefusal } from '../secrets/git-host.ts';
import { redact, registerSecret } from '../secrets/redact.ts';

export interface GitAuth {
  token: string;
  /** The configured git host (src/secrets/git-host.ts): the header is never built for another host. */
  host?: string;
}

export interface GitOptions {
  baseDir: string;
  /** Remote URL the auth header is scoped to (its origin). */
  remoteUrl?: string;
  auth?: GitAuth;
  signal?: AbortSignal;
  /** Kill git when it prints nothing for this long (a hung network). */
  idleTimeoutMs?: number;
  /** Extra environment (only names in ALLOWED_GIT_ENV reach git). */
  env?: Record<string, string>;
  /**
   * Never look for a repository above this folder: a workspace whose `.git` went missing must
   * not make git find an enclosing repository (the cache may live inside the project's own clone).
   */
  ceiling?: string;
}

const PASS_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'USER', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy', 'SSL_CERT_FILE', 'SSL_CERT_DIR'];

const ALLOWED_GIT_ENV = ['GIT_TERMINAL_PROMPT', 'GIT_ALLOW_PROTOCOL', 'GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0', 'GIT_CEILING_DIRECTORIES'];

export function gitEnv(opts: Pick<GitOptions, 'remoteUrl' | 'auth' | 'env' | 'ceiling'>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PASS_THROUGH) {
    const v = process.env[key];
    if (v !== undefined) env[key] = v;
  }
  // Stable, parseable messages whatever the operator's locale.
  env.LC_ALL = 'C';
  env.GIT_TERMINAL_PROMPT = '0';
  env.GIT_ALLOW_PROTOCOL = 'file:http:https';
  if (opts.ceiling) env.GIT_CEILING_DIRECTORIES = opts.ceiling;
  if (opts.auth?.token && opts.remoteUrl && /^https?:/i.test(opts.remoteUrl)) {
    const remote = new URL(opts.remoteUrl);
    const refusal = credentialRefusal(opts.remoteUrl, opts.auth.host ?? remote.hostname);
    if (refusal) throw new Error(`git credentials refused: ${refusal}`);
    registerSecret(opts.auth.token);
    const basic = Buffer.from(`x-access-token:${opts.auth.token}`).toString('base64');
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = `http.${new URL(opts.remoteUrl).origin}/.extraHeader`;
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${basic}`;
  }
  return { ...env, ...opts.env };
}

export function git(opts: GitOptions): SimpleGit {
  return simpleGit({
    baseDir: opts.baseDir,
    config: ['core.hooksPath=/dev/null', 'core.fsmonitor=false', 'user.name=image-build-migrator', 'user.email=image-build-migrator@users.noreply.github.com'],
    // simple-git refuses these by default because they can run commands; ours disable hooks and
    // carry only the auth header we build above.
    unsafe: { allowUnsafeHooksPath: true, allowUnsafeConfigEnvCount: true, allowUnsafeFsMonitor: true },
    allowEnvironment: ALLOWED_GIT_ENV,
    abort: opts.signal,
    timeout: opts.idleTimeoutMs ? { block: opts.idleTimeoutMs } : undefined,
  }).env(gitEnv(opts));
}

/** A git failure as one readable, redacted line (simple-git puts git's stderr in the message). */
export function gitErrorMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  const lines = raw.split('\n').map((l) => l.trim()).filter(Boolean);
  const fatal = lines.filter((l) => /^(fatal|error):/.test(l));
  return redact((fatal.length ? fatal : lines).slice(0, 3).join(' / ') || 'git failed');
}
