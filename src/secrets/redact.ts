/**
 * Keeps secrets out of everything a human or a log reads: console lines, error messages, reports,
 * URLs. Every string that leaves the fleet layer goes through `redact`.
 *
 * Two layers, because neither alone is enough: the exact values we know (the token we were given,
 * and the Basic header derived from it, registered with `registerSecret`), and shapes that look like
 * credentials wherever they come from (a token pasted in a config file, userinfo in a URL that
 * git echoes back in an error, an Authorization header in a debug dump).
 */

const MASK = '***';

const knownSecrets = new Set<string>();

/**
 * Texts of which no 8-character fragment may appear: a server that echoes part of an
 * Authorization header, or an error cut in the middle of a token, must not reveal a prefix of it.
 */
const fragmentSources = new Set<string>();
export const FRAGMENT = 8;

// `x-access-token:` is 15 bytes, exactly 20 base64 characters: the start of every Basic value
// we build, public, and not worth masking on its own.
const BASIC_PREFIX_CHARS = 20;

/** Remember a secret so `redact` masks it, and every 8+ character fragment of it, in any encoding we hand to git or HTTP. */
export function registerSecret(secret: string | undefined): void {
  if (!secret || secret.length < 4) return;
  const basic = Buffer.from(`x-access-token:${secret}`).toString('base64');
  knownSecrets.add(secret);
  knownSecrets.add(encodeURIComponent(secret));
  // git receives the token as `Authorization: Basic base64(x-access-token:TOKEN)`.
  knownSecrets.add(basic);
  for (const form of [secret, encodeURIComponent(secret), basic.slice(BASIC_PREFIX_CHARS)]) if (form.length >= FRAGMENT) fragmentSources.add(form);
}

/**
 * A private key (PEM, possibly with its line breaks escaped as `\n`): the whole text, and every
 * 8-character fragment of its body, wherever a line of it turns up. The BEGIN/END lines are
 * public and are not masked on their own.
 */
export function registerPrivateKey(pem: string | undefined): void {
  if (!pem) return;
  knownSecrets.add(pem);
  knownSecrets.add(pem.replace(/\\n/g, '\n'));
  const body = pem.replace(/\\n/g, '\n').replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  if (body.length >= FRAGMENT) fragmentSources.add(body);
}

/** Every 8-character run of the fragment sources, rebuilt when a source is added. */
let grams: Set<string> | undefined;
let gramSources = 0;

/** Mask every 8+ character run of `text` that also occurs in a registered secret. */
function maskFragments(text: string): string {
  if (fragmentSources.size === 0 || text.length < FRAGMENT) return text;
  if (!grams || gramSources !== fragmentSources.size) {
    grams = new Set();
    for (const src of fragmentSources) for (let i = 0; i + FRAGMENT <= src.length; i++) grams.add(src.slice(i, i + FRAGMENT));
    gramSources = fragmentSources.size;
  }
  // One pass over the text: a private key's body alone has some 1,600 fragments.
  const ranges: [number, number][] = [];
  for (let at = 0; at + FRAGMENT <= text.length; at++) if (grams.has(text.slice(at, at + FRAGMENT))) ranges.push([at, at + FRAGMENT]);
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let pos = 0;
  let [start, end] = ranges[0]!;
  for (const [s2, e2] of ranges.slice(1)) {
    if (s2 <= end) end = Math.max(end, e2);
    else {
      out += text.slice(pos, start) + MASK;
      pos = end;
      [start, end] = [s2, e2];
    }
  }
  return out + text.slice(pos, start) + MASK + text.slice(end);
}

// Environment variables whose values are secrets by their name (GITHUB_TOKEN, NPM_TOKEN, AWS_SECRET_ACCESS_KEY...).
const SECRET_ENV = /(TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE_KEY|API_KEY)/i;

/**
 * Register the secret-named variables of the environment, so that nothing echoes one (a file
 * that turned out to be /proc/self/environ). GITHUB_TOKEN and GH_TOKEN are tokens: fragments too;
 * other values are masked whole (a fragment of a path-like value would mask ordinary paths).
 */
export function registerEnvSecrets(env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(env)) {
    const v = value?.trim();
    if (!v || v.length < 8 || !SECRET_ENV.test(name)) continue;
    if (name === 'GITHUB_TOKEN' || name === 'GH_TOKEN') registerSecret(v);
    else knownSecrets.add(v);
  }
}

/** Is `value` (trimmed) a secret the process registered, or one of its encoded forms? */
export function isKnownSecret(value: string): boolean {
  return knownSecrets.has(value) || knownSecrets.has(value.trim());
}

/** For tests: forget registered secrets. */
export function clearSecrets(): void {
  knownSecrets.clear();
  fragmentSources.clear();
  grams = undefined;
}

const PATTERNS: [RegExp, string | ((m: string, ...g: string[]) => string)][] = [
  // GitHub token formats: classic PAT, OAuth, user-to-server, server-to-server, refresh, fine-grained.
  [/\b(gh[pousr]_[A-Za-z0-9]{20,})\b/g, MASK],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}\b/g, MASK],
  // Authorization / Proxy-Authorization header values, whatever the scheme (token, Bearer, Basic).
  [/((?:proxy-)?authorization\s*[:=]\s*)(?:(token|bearer|basic)\s+)?[^\s'",;]+/gi, (_m, head: string, scheme?: string) => `${head}${scheme ? `${scheme} ` : ''}${MASK}`],
  // http.extraHeader=... as git prints it in config dumps.
  [/(extraheader\s*[=:]\s*)[^\n]+/gi, (_m, head: string) => `${head}${MASK}`],
  // Userinfo in URLs: https://user:secret@host, https://secret@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"]+@/gi, (_m, scheme: string) => `${scheme}${MASK}@`],
  // access_token=... in query strings.
  [/([?&](?:access_token|token|client_secret)=)[^&\s'"]+/gi, (_m, head: string) => `${head}${MASK}`],
];

/** Mask every known secret and every credential-shaped substring. */
export function redact(text: string): string {
  let out = text;
  // Longest first so that a secret containing another one is masked whole.
  for (const secret of [...knownSecrets].sort((a, b) => b.length - a.length)) {
    out = out.split(secret).join(MASK);
  }
  out = maskFragments(out);
  for (const [re, replacement] of PATTERNS) {
    out = out.replace(re, replacement as never);
  }
  return out;
}

/** The message of any thrown value, redacted; never the raw object (it may carry request headers). */
export function redactError(err: unknown): string {
  if (err instanceof Error) return redact(err.message);
  return redact(String(err));
}

/** Deep-redact every string in a JSON-able value (reports). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}
