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
    const r = await reviewPullRequest(new GitHubPlatform(client), ref, { xxImage: o.xxImage });
    for (const f of r.findings) out.write(`${f.file}:${f.line}: ${f.severity} ${f.rule}: ${f.message}\n`);
    out.write(`${ref.repo.full}#${ref.number}: ${r.reviewed.length} Dockerfile(s) reviewed, ${r.findings.length} finding(s); posted ${r.inline} inline and ${r.inBody} in the review body, ${r.alreadyPosted} already posted earlier\n`);
    return r.findings.some((f) => f.severity === 'error') ? 1 : 0;
  } catch (e) {
    err.write(`error: reviewing ${ref.repo.full}#${ref.number} failed: ${redactError(e)}\n`);
    return 1;
  }
}
