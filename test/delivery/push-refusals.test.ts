// Pushes GitHub refuses by a rule of the repository, as GitHub answers them (the local GitHub's
// pre-receive hook, with GitHub's messages): each named for what it is, with the fix, never as
// "the branch changed while this run worked on it".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, repoOf, startFleet, WIDGET, type Fleet } from './fleet.ts';

const BOT = 'cross-compile/xx';
const WORKFLOW = 'examples/repos/image-build-widget/.github/workflows/build.yml';

describe('push refusals', () => {
  let f: Fleet;
  beforeAll(async () => {
    const { readFileSync } = await import('node:fs');
    const withWorkflow = { ...WIDGET, '.github/workflows/build.yml': readFileSync(WORKFLOW, 'utf8') };
    f = await startFleet({ 'rancher/image-build-protected': WIDGET, 'rancher/image-build-ruled': WIDGET, 'rancher/image-build-workflows': withWorkflow }, 'delivery:\n  maxPrsPerRun: 20\n');
    f.gh.repos.get('rancher/image-build-protected')!.protectedBranches.push(BOT);
    f.gh.repos.get('rancher/image-build-ruled')!.rulesetBranches.push(BOT);
    f.gh.refuseWorkflowPushes = true;
  });
  afterAll(() => f.close());

  it('a branch protection rule (GH006), a ruleset (GH013) and a workflow change without the permission: each named, with its fix', async () => {
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
    expect(reason('workflows')).toMatch(/changes "\.github\/workflows\/build\.yml", and the bot lacks the permission to change workflows\. Give the GitHub App "Workflows: Read and write"/);
    for (const n of ['protected', 'ruled', 'workflows']) {
      expect(f.gh.branchSha(`rancher/image-build-${n}`, BOT), n).toBeUndefined();
      expect(f.gh.pullsOf(`rancher/image-build-${n}`), n).toEqual([]);
    }
    // The same repository, once the rule no longer covers the branch: delivered.
    f.gh.repos.get('rancher/image-build-protected')!.protectedBranches.length = 0;
    const again = await cli(f, ['--only', 'rancher/image-build-protected']);
    expect(repoOf(again, 'rancher/image-build-protected').delivery).toMatchObject({ action: 'open' });
    f.gh.assertClean();
  }, 120_000);
});
