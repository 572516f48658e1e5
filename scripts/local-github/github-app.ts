/**
 * A GitHub App as the local GitHub knows it: its public key, one installation with its
 * permissions, and the installation tokens it minted. The App's JWT is checked as GitHub checks
 * it (RS256 signed by the App's key, `iss` the App's id, `iat` not in the future, `exp` in the
 * future and at most 10 minutes ahead), and it is good for the `/app` endpoints only; an
 * installation token is good for the repository endpoints and for git over HTTP until its
 * `expires_at`, and only for what the installation's permissions allow. A token minted for some
 * repositories (`repositories` or `repository_ids`) sees only those: any other repository is not
 * found (404), as on GitHub.
 *
 * The key pair is the test's (node:crypto `generateKeyPairSync`): no key is ever stored in the
 * repository.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';

export type Level = 'read' | 'write';
export type Permissions = Record<string, Level>;

export interface LocalAppOptions {
  id: number;
  slug?: string;
  /** The App's public key (PEM or KeyObject); the test keeps the private half. */
  publicKey: string | KeyObject;
  installationId: number;
  /** The installation's permissions (`metadata: read` is implied, as on GitHub). */
  permissions: Permissions;
  /** Lifetime of a minted installation token (GitHub: one hour). */
  tokenLifetimeSeconds?: number;
  /**
   * The id of the App's bot user (`GET /users/<slug>[bot]`), which is not the App's id: the
   * number in the noreply email of the commits GitHub makes for the App. Default 9,000,000 + id.
   */
  botUserId?: number;
}

export interface MintedToken {
  token: string;
  installationId: number;
  permissions: Permissions;
  /** The repositories (`owner/name`, lower case) a down-scoped token may see; undefined: all of the installation's. */
  repositories?: string[];
  /** Epoch ms. */
  mintedAt: number;
  expiresAt: number;
}

/** Why a JWT was refused: GitHub's 401 message. */
export type JwtCheck = { ok: true; jwt: string } | { ok: false; message: string };

const JWT_MAX_LIFETIME_S = 600;
// GitHub tolerates a little clock drift on `iat`; an App's iat in the future beyond it is refused.
const IAT_DRIFT_S = 60;

export const DECODE_FAILED = 'A JSON web token could not be decoded';
export const EXP_TOO_FAR = "'Expiration time' claim ('exp') is too far in the future";
export const EXP_INVALID = "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
export const IAT_INVALID = "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";

export class LocalApp {
  readonly id: number;
  readonly slug: string;
  readonly installationId: number;
  readonly botUserId: number;
  permissions: Permissions;
  tokenLifetimeSeconds: number;
  /** Every token minted, in order (tests scan outputs for them). */
  readonly minted: MintedToken[] = [];
  /** Every JWT presented to an /app endpoint, accepted or not. */
  readonly jwts: string[] = [];
  private readonly key: KeyObject;

  constructor(o: LocalAppOptions) {
    this.id = o.id;
    this.slug = o.slug ?? 'image-build-migrator';
    this.installationId = o.installationId;
    this.botUserId = o.botUserId ?? 9_000_000 + o.id;
    this.permissions = { ...o.permissions, metadata: o.permissions.metadata ?? 'read' };
    this.tokenLifetimeSeconds = o.tokenLifetimeSeconds ?? 3600;
    this.key = typeof o.publicKey === 'string' ? createPublicKey(o.publicKey) : o.publicKey;
  }

  /** The bot's login on GitHub: `<slug>[bot]`. */
  get login(): string {
    return `${this.slug}[bot]`;
  }

  /** Check `Authorization: Bearer <jwt>` as GitHub does; `now` in epoch seconds. */
  checkJwt(authorization: string | undefined, now = Math.floor(Date.now() / 1000)): JwtCheck {
    const jwt = /^bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!jwt) return { ok: false, message: DECODE_FAILED };
    this.jwts.push(jwt);
    const parts = jwt.split('.');
    if (parts.length !== 3) return { ok: false, message: DECODE_FAILED };
    const [h, p, s] = parts as [string, string, string];
    let header: Record<string, unknown>;
    let payload: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
      payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, message: DECODE_FAILED };
    }
    if (header.alg !== 'RS256') return { ok: false, message: DECODE_FAILED };
    if (!verify('RSA-SHA256', Buffer.from(`${h}.${p}`), this.key, Buffer.from(s, 'base64url'))) return { ok: false, message: DECODE_FAILED };
    // `iss` is the App's id (a number, or its text) or its client id.
    if (String(payload.iss) !== String(this.id)) return { ok: false, message: DECODE_FAILED };
    if (!Number.isInteger(payload.iat) || (payload.iat as number) > now + IAT_DRIFT_S) return { ok: false, message: IAT_INVALID };
    if (typeof payload.exp !== 'number' || payload.exp <= now) return { ok: false, message: EXP_INVALID };
    if (payload.exp > now + JWT_MAX_LIFETIME_S || payload.exp - (payload.iat as number) > JWT_MAX_LIFETIME_S + IAT_DRIFT_S) return { ok: false, message: EXP_TOO_FAR };
    return { ok: true, jwt };
  }

  /**
   * Mint an installation token, down-scoped to `requested` permissions and to `repositories`
   * (`owner/name`) when given. Undefined when a requested permission is more than the
   * installation has (GitHub's 422).
   */
  mint(requested?: Permissions, repositories?: string[]): MintedToken | undefined {
    const permissions = requested ?? this.permissions;
    for (const [name, level] of Object.entries(permissions)) {
      if (!allows(this.permissions, name, level)) return undefined;
    }
    const now = Date.now();
    // Whole seconds: `expires_at` says seconds, and the token dies exactly when it says.
    // GitHub's installation tokens: `ghs_` and 36 characters.
    const token = `ghs_${randomBytes(27).toString('base64url').replace(/[-_]/g, 'x').slice(0, 36)}`;
    const t: MintedToken = { token, installationId: this.installationId, permissions: { ...permissions }, ...(repositories ? { repositories: repositories.map((r) => r.toLowerCase()) } : {}), mintedAt: now, expiresAt: Math.floor(now / 1000 + this.tokenLifetimeSeconds) * 1000 };
    this.minted.push(t);
    return t;
  }

  /** A minted token, when `token` is one and has not expired. */
  tokenFor(token: string | undefined, now = Date.now()): MintedToken | undefined | 'expired' {
    const t = token ? this.minted.find((m) => m.token === token) : undefined;
    if (!t) return undefined;
    return t.expiresAt <= now ? 'expired' : t;
  }
}

/** May `token` see the repository `full` (`owner/name`)? A token not down-scoped to repositories sees all of the installation's. */
export function sees(token: MintedToken, full: string): boolean {
  return !token.repositories || token.repositories.includes(full.toLowerCase());
}

/** Does `permissions` grant `name` at `level` (write includes read)? */
export function allows(permissions: Permissions, name: string, level: Level): boolean {
  const has = permissions[name];
  return has === 'write' || (has === 'read' && level === 'read');
}

/**
 * What an installation token needs for each operation the local GitHub serves (GitHub's
 * "Permissions required for GitHub Apps"); any of the listed permissions will do. Operations not
 * listed need only metadata, which every installation has.
 */
export const REQUIRED: Record<string, [string, Level][]> = {
  'pulls/list': [['pull_requests', 'read']],
  'pulls/get': [['pull_requests', 'read']],
  'pulls/list-files': [['pull_requests', 'read']],
  'pulls/list-reviews': [['pull_requests', 'read']],
  'pulls/list-review-comments': [['pull_requests', 'read']],
  'pulls/create': [['pull_requests', 'write']],
  'pulls/update': [['pull_requests', 'write']],
  'pulls/request-reviewers': [['pull_requests', 'write']],
  'pulls/create-review': [['pull_requests', 'write']],
  'issues/list-comments': [['issues', 'read'], ['pull_requests', 'read']],
  'issues/create-comment': [['issues', 'write'], ['pull_requests', 'write']],
  'issues/add-labels': [['issues', 'write'], ['pull_requests', 'write']],
  'issues/create-label': [['issues', 'write'], ['pull_requests', 'write']],
  'issues/list-for-repo': [['issues', 'read']],
  'issues/get': [['issues', 'read']],
  'issues/create': [['issues', 'write']],
  'issues/update': [['issues', 'write'], ['pull_requests', 'write']],
  'repos/get-content': [['contents', 'read']],
  // The git data API: objects and refs, as a push writes them.
  'git/create-blob': [['contents', 'write']],
  'git/create-tree': [['contents', 'write']],
  'git/create-commit': [['contents', 'write']],
  'git/create-ref': [['contents', 'write']],
  'git/update-ref': [['contents', 'write']],
  'git/get-ref': [['contents', 'read']],
  'git/get-commit': [['contents', 'read']],
  // git over HTTP: fetch (upload-pack) and push (receive-pack).
  'git/fetch': [['contents', 'read']],
  'git/push': [['contents', 'write']],
};

/** The permissions that would allow `operationId`, as GitHub's `x-accepted-github-permissions` header says them; undefined when `permissions` allow it. */
export function missingFor(permissions: Permissions, operationId: string): string | undefined {
  const needed = REQUIRED[operationId];
  if (!needed || needed.some(([name, level]) => allows(permissions, name, level))) return undefined;
  return needed.map(([name, level]) => `${name}=${level}`).join('; ');
}
