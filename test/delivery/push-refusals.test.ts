// Pushes GitHub refuses by a rule of the repository, as GitHub answers them (the local GitHub's
// pre-receive hook, with GitHub's messages): each named for what it is, with the fix, never as
// "the branch changed while this run worked on it". A push refused only for its workflow files
// is delivered without them, the PR showing those edits for a maintainer.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalGitHub } from '../../scripts/local-github/github.ts';
import { parseMarker } from '../../src/delivery/marker.ts';
import { appEnv, appKeys, APP_ID, INSTALLATION_ID, WORKFLOW_PERMISSIONS } from '../helpers/github-app.ts';
import { cli, repoOf, startFleet, WIDGET, type Fleet } from './fleet.ts';

const BOT = 'cross-compile/xx';
const WORKFLOW = 'examples/repos/image-build-widget/.github/workflows/build.yml';

describe('push refusals', () => {
  let f: Fleet;
  beforeAll(async () => {
    const withWorkflow = { ...WIDGET, '.github/workflows/build.yml': readFileSync(WORKFLOW, 'utf8') };
    f = await startFleet({ 'rancher/image-build-protected': WIDGET, 'rancher/image-build-ruled': WIDGET, 'rancher/image-build-workflows': withWorkflow }, 'delivery:\n  maxPrsPerRun: 20\n');
    f.gh.repos.get('rancher/image-build-protected')!.protectedBranches.push(BOT);
    f.gh.repos.get('rancher/image-build-ruled')!.rulesetBranches.push(BOT);
    f.gh.refuseWorkflowPushes = true;
  });
  afterAll(() => f.close());

  it('a branch protection rule (GH006), a ruleset (GH013): each named, with its fix; a workflow change without the permission: the rest delivered', async () => {
    const r = await cli(f, []);
    expect(r.code).toBe(1);
    const reason = (n: string) => {
      const row = repoOf(r, `rancher/image-build-${n}`);
      expect(row, n).toMatchObject({ outcome: 'failed', step: 'deliver' });
      expect(row.reason, n).not.toMatch(/lease/);
      return row.reason;
    };
    expect(reason('protected')).toMatch(/branch protection rule covers it \(GH006\)\. Exempt the bot's branch/);
    expect(reason('ruled')).toMatch(/repository ruleset covers it \(GH013\)\. Add the GitHub App to the ruleset's bypass list/);
    for (const n of ['protected', 'ruled']) {
      expect(f.gh.branchSha(`rancher/image-build-${n}`, BOT), n).toBeUndefined();
      expect(f.gh.pullsOf(`rancher/image-build-${n}`), n).toEqual([]);
    }
    // The same repository, once the rule no longer covers the branch: delivered.
    f.gh.repos.get('rancher/image-build-protected')!.protectedBranches.length = 0;
    const again = await cli(f, ['--only', 'rancher/image-build-protected']);
    expect(repoOf(again, 'rancher/image-build-protected').delivery).toMatchObject({ action: 'open' });
    // A token's workflow permission shows only in GitHub's refusal: pushed again without the workflow.
    const w = 'rancher/image-build-workflows';
    expect(repoOf(r, w).delivery).toMatchObject({ action: 'open', status: 'opened' });
    expect(f.gh.pushes.filter((p) => p.repo === w).length).toBe(2);
    expectHandedOver(f.gh, w);
    const third = await cli(f, ['--only', w]);
    expect(repoOf(third, w).delivery).toMatchObject({ action: 'leave', status: 'current' });
    f.gh.assertClean();
  }, 120_000);
});

/** The branch has the Dockerfile's migration and the workflow as it was; the PR shows the workflow's edit. */
function expectHandedOver(gh: LocalGitHub, repo: string) {
  const [pr] = gh.pullsOf(repo);
  expect(pr, repo).toBeDefined();
  expect(gh.fileAt(repo, BOT, '.github/workflows/build.yml')).toBe(gh.fileAt(repo, 'main', '.github/workflows/build.yml'));
  expect(gh.fileAt(repo, BOT, 'Dockerfile')).not.toBe(gh.fileAt(repo, 'main', 'Dockerfile'));
  expect(gh.fileAt(repo, BOT, 'Dockerfile')).toContain('xx-go');
  expect(pr!.body).toContain('### Left for a maintainer: workflow edits');
  expect(pr!.body).toMatch(/```diff\n[^]*\.github\/workflows\/build\.yml[^]*\n-[^\n]*ARCH/);
  expect(parseMarker(pr!.body)?.handOver).toEqual(['.github/workflows/build.yml']);
}

describe('a GitHub App without "Workflows: write"', () => {
  it('is known from its installation token: one commit without the workflow files, never a refused one', async () => {
    const keys = appKeys();
    const gh = await LocalGitHub.start({ app: { id: APP_ID, publicKey: keys.publicKey, installationId: INSTALLATION_ID, permissions: WORKFLOW_PERMISSIONS } });
    const repo = 'rancher/image-build-appworkflows';
    const f: Fleet = await startFleet({ [repo]: { ...WIDGET, '.github/workflows/build.yml': readFileSync(WORKFLOW, 'utf8') } }, 'delivery:\n  maxPrsPerRun: 20\n', gh);
    try {
      const r = await cli(f, [], { token: null, env: appEnv(keys) });
      expect(repoOf(r, repo).delivery, r.err).toMatchObject({ action: 'open', status: 'opened' });
      // The App's commit goes through the API: one ref created, no push, nothing refused.
      expect(gh.pushes).toEqual([]);
      expect(gh.api.requests.filter((q) => q.operationId === 'git/create-ref' || q.operationId === 'git/update-ref').map((q) => [q.operationId, q.status])).toEqual([['git/create-ref', 201]]);
      expectHandedOver(gh, repo);
      gh.assertClean();
    } finally {
      await f.close();
    }
  }, 120_000);
});
