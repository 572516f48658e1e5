/** `review --pr OWNER/REPO#N`: auth and URLs from the environment, one line per finding, exit 1 on errors. */
import { RequestError } from 'octokit';
import { annotate, inActions } from '../actions/actions.ts';
import { redactError } from '../secrets/redact.ts';
import { GitHubPlatform } from '../platform/github.ts';
import { AuthError, createPlatformClient, platformEnvFrom } from '../platform/octokit.ts';
import { parsePrRef, reviewPullRequest } from './pull-request.ts';

/** Findings were made, but GitHub refused the review (distinct from 1, "errors found"). */
export const EXIT_NOT_POSTED = 3;

export async function runPrReview(o: { pr: string; xxImage?: string; env?: NodeJS.ProcessEnv }, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  let ref;
  try {
    ref = parsePrRef(o.pr);
  } catch (e) {
    err.write(`error: ${redactError(e)}\n`);
    return 2;
  }
  const env = o.env ?? process.env;
  const penv = await platformEnvFrom(env);
  if (penv.auth.kind === 'none') {
    err.write('error: posting a review needs GITHUB_TOKEN (pull requests: write) or a GitHub App\n');
    return 2;
  }
  const client = await createPlatformClient({ ...penv, log: (l) => err.write(`${l}\n`) });
  try {
    await client.checkAuth();
  } catch (e) {
    if (!(e instanceof AuthError)) throw e;
    err.write(`error: ${e.message}\n`);
    return 2;
  }
  try {
    // Actions' GITHUB_TOKEN may not read /user; what it writes is github-actions[bot]'s.
    const login = (await client.whoami()) ?? (penv.auth.kind === 'token' && env.GITHUB_ACTIONS === 'true' ? 'github-actions[bot]' : undefined);
    // '' when unknown: asked once, not again for each read.
    const r = await reviewPullRequest(new GitHubPlatform(client, login ?? ''), ref, { xxImage: o.xxImage });
    if (!r.login) err.write("warning: GitHub does not say whose this token is, so no earlier comment counts as the bot's: findings posted before are posted again\n");
    for (const f of r.findings) out.write(`${f.file}:${f.line}: ${f.severity} ${f.rule}: ${f.message}\n`);
    out.write(`${ref.repo.full}#${ref.number}: ${r.reviewed.length} Dockerfile(s) reviewed, ${r.findings.length} finding(s); posted ${r.inline} inline and ${r.inBody} in the review body, ${r.alreadyPosted} already posted earlier\n`);
    for (const t of r.tooLarge) err.write(`warning: not reviewed, over the size limit: ${t}\n`);
    return r.findings.some((f) => f.severity === 'error') ? 1 : 0;
  } catch (e) {
    // A read-only token (a fork's pull request): the review was made and could not be posted.
    // Its own exit code and an annotation, never a green step that said nothing.
    if (e instanceof RequestError && (e.status === 403 || e.status === 404) && /reviews/.test(String(e.request?.url ?? ''))) {
      const message = `could not post the review on ${ref.repo.full}#${ref.number}: GitHub answered ${e.status} (a pull request from a fork gets a read-only token; give the step pull-requests: write, or run it where the token may write)`;
      err.write(`error: ${message}\n`);
      if (inActions(env)) annotate({ level: 'error', title: 'review not posted', message });
      return EXIT_NOT_POSTED;
    }
    err.write(`error: reviewing ${ref.repo.full}#${ref.number} failed: ${redactError(e)}\n`);
    return 1;
  }
}
