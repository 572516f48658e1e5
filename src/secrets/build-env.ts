/**
 * The environment a timing build's client (docker, buildx) runs with: the bot's own environment
 * without a single credential. The builds are of the fleet's Dockerfiles, code the bot does not
 * own; the docker client, its plugins and credential helpers need none of the bot's tokens, so
 * none reaches them (issue 20 item 6).
 *
 * Removed: every variable whose name says it is a secret (GITHUB_TOKEN, GH_TOKEN,
 * ACTIONS_RUNTIME_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN and _URL, GITHUB_APP_PRIVATE_KEY and
 * _FILE, NPM_TOKEN, AWS_SECRET_ACCESS_KEY, ...), the App's identity (GITHUB_APP_*), an ssh agent,
 * the files through which an Actions step sets the outputs and environment of later steps, and any
 * variable whose value is a secret the process registered (whatever its name). Kept: the rest,
 * among them what the clients need (PATH, HOME, DOCKER_CONFIG, DOCKER_HOST, BUILDX_*, proxies).
 */
import { isKnownSecret } from './redact.ts';

const CREDENTIAL_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL/i;

const REMOVED = new Set([
  'SSH_AUTH_SOCK',
  // Actions' step files: writing one sets an output or a variable of every later step.
  'GITHUB_ENV',
  'GITHUB_OUTPUT',
  'GITHUB_PATH',
  'GITHUB_STATE',
  'GITHUB_STEP_SUMMARY',
]);

/** Is this variable one a build must not see? */
export function isCredentialVariable(name: string, value: string | undefined): boolean {
  return CREDENTIAL_NAME.test(name) || /^GITHUB_APP_/i.test(name) || REMOVED.has(name.toUpperCase()) || (!!value && isKnownSecret(value));
}

/** `env` without its credentials (a copy; `env` is left alone). */
export function withoutCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && !isCredentialVariable(name, value)) out[name] = value;
  return out;
}
