/**
 * Repository names come from files we do not control (the ECM list, repos.yaml, folder names) and
 * end up in paths and git arguments. They must match GitHub's own rules before we use them anywhere.
 */
import { globToRegExp } from '../files/glob.ts';

// GitHub owners: letters, digits, single hyphens, no leading hyphen. Underscore is not allowed by
// GitHub, which also keeps our cache's `_remotes`/`_tmp` folders from ever clashing with an owner.
const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
// GitHub repository names: letters, digits, `.`, `-`, `_`. A leading `-` would read as a git option.
const NAME = /^[A-Za-z0-9._][A-Za-z0-9._-]{0,99}$/;

export interface RepoName {
  owner: string;
  name: string;
  /** `owner/name` */
  full: string;
}

export class InvalidRepoName extends Error {
  constructor(readonly raw: string, reason: string) {
    super(`invalid repository name ${displayName(raw)}: ${reason}`);
    this.name = 'InvalidRepoName';
  }
}

export function isValidOwner(owner: string): boolean {
  return OWNER.test(owner);
}

/** Parse `owner/name`, rejecting anything that is not a GitHub repository name. */
export function parseRepoName(raw: string): RepoName {
  const parts = raw.split('/');
  if (parts.length !== 2) throw new InvalidRepoName(raw, 'expected owner/name');
  const [owner, name] = parts as [string, string];
  if (!OWNER.test(owner)) throw new InvalidRepoName(raw, 'the owner may only contain letters, digits and hyphens');
  if (!NAME.test(name) || name === '.' || name === '..' || name.endsWith('.git')) {
    throw new InvalidRepoName(raw, 'a name may only contain letters, digits, ".", "-" and "_" and must not start with "-"');
  }
  return { owner, name, full: `${owner}/${name}` };
}

/** A name safe to print on a terminal: control characters and quotes escaped, length capped. */
export function displayName(raw: string): string {
  const shown = raw.length > 120 ? `${raw.slice(0, 117)}...` : raw;
  return /^[\x21-\x7e]+$/.test(shown) && !/["'`$\\]/.test(shown) ? shown : JSON.stringify(shown);
}

/** A pattern with a `/` matches `owner/name`; without, it matches the name alone. Case-insensitive like GitHub. */
export function matchesPattern(full: string, pattern: string): boolean {
  const subject = pattern.includes('/') ? full : full.slice(full.indexOf('/') + 1);
  return globToRegExp(pattern, { globstar: false, ignoreCase: true }).test(subject);
}
