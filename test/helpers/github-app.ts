/**
 * A GitHub App for the tests: an RSA key pair made on the spot (PKCS#1, the format GitHub's
 * "Generate a private key" hands out; never a key file in the repository), the environment the
 * nightly workflow sets, and the pieces a test scans outputs for.
 */
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { LocalApp, Permissions } from '../../scripts/local-github/github-app.ts';

export const APP_ID = 4242;
export const INSTALLATION_ID = 77;
/** What the nightly workflow needs (docs/github-app.md). */
export const WORKFLOW_PERMISSIONS: Permissions = { contents: 'write', pull_requests: 'write', issues: 'write' };

export interface AppKeys {
  privateKey: string;
  publicKey: string;
}

export function appKeys(): AppKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return { privateKey, publicKey };
}

/** The variables the nightly workflow sets for the App (and no GITHUB_TOKEN). */
export function appEnv(keys: AppKeys, o: { keyFile?: string; appId?: number; installationId?: number } = {}): Record<string, string> {
  return {
    GITHUB_APP_ID: String(o.appId ?? APP_ID),
    GITHUB_APP_INSTALLATION_ID: String(o.installationId ?? INSTALLATION_ID),
    ...(o.keyFile ? { GITHUB_APP_PRIVATE_KEY_FILE: o.keyFile } : { GITHUB_APP_PRIVATE_KEY: keys.privateKey }),
  };
}

/** A JWT signed with `privateKey` (to probe the local GitHub's checks with claims auth-app would never send). */
export function signJwt(privateKey: string, claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', typ: 'JWT' }): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc(header)}.${enc(claims)}`;
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), privateKey).toString('base64url')}`;
}

/**
 * Every text that must never be seen outside the process: each line of the private key's body in
 * both encodings it takes (PKCS#1 as given, PKCS#8 as auth-app signs with), every JWT the App
 * was shown, every installation token it minted, and each token's Basic form as git sends it.
 */
export function secretsOf(keys: AppKeys, app: LocalApp): string[] {
  const bodyLines = (pem: string) => pem.split('\n').filter((l) => l && !l.startsWith('-----'));
  const pkcs8 = createPrivateKey(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  return [
    ...bodyLines(keys.privateKey),
    ...bodyLines(pkcs8),
    ...app.jwts,
    ...app.minted.flatMap((t) => [t.token, Buffer.from(`x-access-token:${t.token}`).toString('base64')]),
  ];
}

/** Every file under `dir` (checkouts with their .git/config, reports, caches), as text. */
export function filesUnder(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && statSync(p).size < 8 * 1024 * 1024) out.push({ file: p, text: readFileSync(p, 'latin1') });
    }
  };
  walk(dir);
  return out;
}

/** Where each secret turns up in `texts` (name -> text), as "name: secret prefix…" lines; [] when nowhere. */
export function leaks(secrets: string[], texts: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [name, text] of Object.entries(texts)) {
    for (const s of secrets) if (s.length >= 8 && text.includes(s)) found.push(`${name}: ${s.slice(0, 6)}…`);
  }
  return found;
}
