/** `review --pr OWNER/REPO#N`: auth and URLs from the environment, one line per finding, exit 1 on errors. */
import { redactError } from '../secrets/redact.ts';
import { GitHubPlatform } from '../platform/github.ts';
import { AuthError, createPlatformClient, platformEnvFrom } from '../platform/octokit.ts';
import { parsePrRef, reviewPullRequest } from './pr.ts';

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
    return r.findings.some((f) => f.severity === 'error') ? 1 : 0;
  } catch (e) {
    err.write(`error: reviewing ${ref.repo.full}#${ref.number} failed: ${redactError(e)}\n`);
    return 1;
  }
}
