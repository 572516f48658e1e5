/**
 * The soak's world: a fleet written for it (variants of our example repository
 * examples/repos/image-build-widget, plus the other examples as they are), and fourteen nights of
 * what people and GitHub do between and during the bot's runs. Each night says what it expects
 * where that differs from the steady state (the workflow's conclusion, which repositories may
 * stay drafts), so the invariants can be checked exactly.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LocalGitHub } from '../local-github/github.ts';
import type { Value } from './expressions.ts';

const root = path.resolve(import.meta.dirname, '../..');
const examples = path.join(root, 'examples', 'repos');

export const OWNER = 'soak';
export const DASHBOARD_REPO = `${OWNER}/ecm-distro-tools`;
export const BOT = 'image-build-migrator[bot]';
export const LABELS = ['cross-compilation'];
export const REVIEWERS = ['soak-maintainer'];
/** New PRs a night may open (the workflow's default max-new-prs). */
export const MAX_NEW = 5;

const VARIANTS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];
const EXAMPLES = readdirSync(examples, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
export const FLEET_REPOS = [...VARIANTS.map((v) => `${OWNER}/image-build-${v}`), ...EXAMPLES.map((e) => `${OWNER}/${e}`)];
export const full = (v: string) => `${OWNER}/image-build-${v}`;

function widgetAs(name: string): Record<string, string> {
  const read = (f: string) => readFileSync(path.join(examples, 'image-build-widget', f), 'utf8').replaceAll('widget', name);
  return { Dockerfile: read('Dockerfile'), Makefile: read('Makefile'), 'README.md': `# image-build-${name}\n\nA repository of the soak's fleet.\n` };
}

export function seedFleet(gh: LocalGitHub): void {
  for (const v of VARIANTS) gh.addRepo(full(v), widgetAs(v));
  for (const e of EXAMPLES) gh.addRepoFromFolder(`${OWNER}/${e}`, path.join(examples, e));
  gh.addRepo(DASHBOARD_REPO, { 'README.md': 'The ECM distro tools (a stand-in holding the campaign dashboard).\n' });
}

export function soakReposYaml(): string {
  return [
    '# The soak\'s fleet (scripts/soak/scenario.ts), in place of the production list.',
    'version: 1',
    'source:',
    '  type: github',
    `include: [${FLEET_REPOS.join(', ')}]`,
    'defaults:',
    '  xxImage: rancher/mirrored-tonistiigi-xx:1.6.1',
    `  labels: [${LABELS.join(', ')}]`,
    `  reviewers: [${REVIEWERS.join(', ')}]`,
    '  platforms: [linux/amd64, linux/arm64]',
    'delivery:',
    `  branch: ${BOT_BRANCH}`,
    `  dashboard: { repo: ${DASHBOARD_REPO} }`,
    '',
  ].join('\n');
}

export interface World {
  gh: LocalGitHub;
  /** Lines `<path part> <platform>` whose after-build the stand-in docker fails. */
  failsFile: string;
  /** Commits people pushed to the bot's branches: each must stay reachable from that branch. */
  humanCommits: { repo: string; branch: string; sha: string }[];
  /** Labels a person removed from a bot PR: the bot must not put them back. */
  removedLabels: Map<string, Set<string>>;
  closedByHuman: Set<string>;
  mergedByHuman: Set<string>;
  /** Repositories that moved (old name -> new name). */
  moved?: Map<string, string>;
  expected: Record<string, unknown>;
}

export interface Night {
  title: string;
  event: 'schedule' | 'workflow_dispatch';
  inputs?: Record<string, Value>;
  /** People and GitHub between the previous night and this one; returns what was done. */
  before?(w: World): string[];
  /** Faults armed for the run itself. */
  during?(w: World): void;
  after?(w: World): void;
  /** Kill this migrate leg's step after so many ms (the job's timeout). */
  kill?(repo: string | undefined, step: string, attempt: number): number | undefined;
  /** The owner presses "Re-run failed jobs" once when the night is red. */
  rerunFailed?: boolean;
  /** The workflow's conclusion this night must have (default success). */
  conclusion?: 'success' | 'failure';
  /** A dry-run night: zero write calls. */
  dryRun?: boolean;
  /** Open bot PRs that may be drafts after this night, with why. */
  drafts?: Record<string, string>;
  /** Repositories whose PR may not have converged yet this night (created by a call whose answer was lost). */
  converging?: string[];
  /** Summary rows this night must have: repository -> what its row says (outcome, step, reason | delivery status and reason). */
  rows?: Record<string, RegExp>;
  /** Open bot PR bodies this night must match. */
  bodies?: Record<string, RegExp>;
  /** Nothing changed since the previous night: at most 4 API calls per repository, 0 writes. */
  quiet?: boolean;
}

/** The bot branch, set in the soak's repos.yaml (the default). */
export const BOT_BRANCH = 'cross-compile/xx';

function botPull(w: World, repo: string) {
  const p = w.gh.pullsOf(repo).find((x) => x.user === BOT && x.state === 'open');
  if (!p) throw new Error(`soak scenario: ${repo} has no open bot PR to act on`);
  return p;
}

/** A commit on the default branch touching the Dockerfile where the bot's edit is: the branch conflicts. */
function conflictOnMain(w: World, repo: string): void {
  const df = w.gh.fileAt(repo, 'main', 'Dockerfile')!;
  w.gh.commit(repo, 'main', { Dockerfile: df.replace(/^FROM \$\{GO_IMAGE\} AS builder$/m, 'FROM ${GO_IMAGE} AS builder\n# pinned by the maintainers') }, 'pin the builder');
}

const SCHEDULE = { event: 'schedule' as const };
const FAILING_BUILD = 'image-build-kappa linux/arm64';

export function nightsOf(): Night[] {
  return [
    {
      ...SCHEDULE,
      title: 'first night: five new PRs, the rest held back; the bot may not change workflows',
      before: (w) => {
        // The token has no workflow scope: GitHub refuses any push that changes .github/workflows/.
        w.gh.refuseWorkflowPushes = true;
        return ['pushes changing .github/workflows/ are refused from now on (no workflow permission)'];
      },
      rows: { [full('kappa')]: /^would-change .*\| deferred maxPrsPerRun/ },
    },
    {
      ...SCHEDULE,
      title: 'the next five; one PR created on GitHub whose answer is lost; kappa\'s migrated arm64 build fails',
      before: (w) => {
        writeFileSync(w.failsFile, `${FAILING_BUILD}\n`);
        return [`the migrated arm64 build of ${full('kappa')} fails from now on`];
      },
      during: (w) => {
        w.gh.api.fail({ operationId: 'pulls/create', when: (q) => q.params.repo === 'image-build-iota', dropAnswer: true });
      },
      drafts: { [full('kappa')]: 'its migrated arm64 build fails' },
      converging: [full('iota')],
      // The create's answer is lost: the retry meets "already exists" and adopts the PR.
      rows: { [full('kappa')]: /\| opened /, [full('iota')]: /\| updated another run opened the PR first/ },
      conclusion: 'failure',
    },
    {
      ...SCHEDULE,
      title: 'a maintainer pushes to a bot branch, talks a lot on it, and removes the dashboard label',
      before: (w) => {
        const p = botPull(w, full('beta'));
        const sha = w.gh.commit(full('beta'), p.head, { 'README.md': '# image-build-beta\n\nA maintainer\'s fix on the bot branch.\n' }, 'docs: a maintainer\'s fix');
        w.humanCommits.push({ repo: full('beta'), branch: p.head, sha });
        for (let i = 0; i < 110; i++) w.gh.addComment(full('beta'), p.number, `comment ${i + 1} of a long discussion`);
        const dash = w.gh.issuesOf(DASHBOARD_REPO).find((i) => i.user === BOT)!;
        dash.labels = [];
        return [`a commit on ${full('beta')}'s bot branch`, `110 comments on ${full('beta')}#${p.number}`, 'the dashboard\'s label removed'];
      },
      drafts: { [full('kappa')]: 'its migrated arm64 build fails' },
      // kappa's draft gets its job again (a failed build is never reused) and fails again: red.
      rows: { [full('beta')]: /\| blocked-by-human /, [full('kappa')]: /^changed .*\| updated /, [`${OWNER}/image-build-widget`]: /^changed .*\| opened / },
      bodies: { [`${OWNER}/image-build-widget`]: /### Left for a maintainer: workflow edits/ },
      conclusion: 'failure',
    },
    {
      ...SCHEDULE,
      title: 'the base moves (one clean, one conflicting); delta\'s job times out, then "Re-run failed jobs"',
      before: (w) => {
        writeFileSync(w.failsFile, '');
        w.gh.commit(full('gamma'), 'main', { 'README.md': '# image-build-gamma\n\nDocs moved on.\n' }, 'docs');
        conflictOnMain(w, full('delta'));
        return [`the migrated build of ${full('kappa')} builds again`, `a docs commit on ${full('gamma')}'s main`, `a conflicting Dockerfile commit on ${full('delta')}'s main`];
      },
      kill: (repo, step, attempt) => (repo === full('delta') && attempt === 1 && step.startsWith('Migrate ') ? 1500 : undefined),
      rerunFailed: true,
      rows: { [full('delta')]: /\| updated the default branch moved/, [full('gamma')]: /\| current behind the default branch, no conflict/, [full('kappa')]: /marked ready for review/ },
    },
    {
      event: 'workflow_dispatch',
      inputs: { 'dry-run': true },
      title: 'a dry-run dispatch after a maintainer converts a PR to draft and edits it',
      before: (w) => {
        const p = botPull(w, full('gamma'));
        w.gh.setDraft(full('gamma'), p.number, true);
        w.gh.setDraft(full('gamma'), p.number, false);
        return [`${full('gamma')}#${p.number} drafted and made ready again by a maintainer`];
      },
      dryRun: true,
    },
    {
      ...SCHEDULE,
      title: 'a merge, a close, an archive',
      before: (w) => {
        const a = botPull(w, full('alpha'));
        w.gh.mergePull(full('alpha'), a.number);
        w.mergedByHuman.add(full('alpha'));
        const e = botPull(w, full('epsilon'));
        w.gh.closePull(full('epsilon'), e.number);
        w.closedByHuman.add(full('epsilon'));
        w.gh.repos.get(full('zeta'))!.archived = true;
        return [`${full('alpha')}#${a.number} merged`, `${full('epsilon')}#${e.number} closed`, `${full('zeta')} archived`];
      },
      rows: { [full('alpha')]: /\| merged /, [full('epsilon')]: /\| closed-by-human /, [full('zeta')]: /^skipped .*archived/ },
    },
    {
      ...SCHEDULE,
      title: 'a transfer, a ruleset on the bot branch with a conflict to rebuild',
      before: (w) => {
        w.gh.transfer(full('eta'), `elsewhere/image-build-eta`);
        conflictOnMain(w, full('theta'));
        w.gh.repos.get(full('theta'))!.rulesetBranches.push(BOT_BRANCH);
        return [`${full('eta')} transferred to elsewhere/image-build-eta`, `${full('theta')}: conflicting commit on main and a ruleset on ${BOT_BRANCH}`];
      },
      rows: { [full('eta')]: /^failed lookup moved: GitHub serves this repository as "elsewhere\/image-build-eta"/, [full('theta')]: /^failed deliver .*ruleset/ },
    },
    {
      ...SCHEDULE,
      title: 'a maintainer ticks "Rebuild this PR"; the ruleset is lifted',
      before: (w) => {
        const p = botPull(w, full('gamma'));
        w.gh.editBody(full('gamma'), p.number, (b) => b.replace('- [ ] <!-- image-build-migrator:rebase -->', '- [x] <!-- image-build-migrator:rebase -->'));
        // The maintainer of beta hands the branch back: their commit may now be replaced.
        const b = botPull(w, full('beta'));
        w.gh.editBody(full('beta'), b.number, (x) => x.replace('- [ ] <!-- image-build-migrator:rebase -->', '- [x] <!-- image-build-migrator:rebase -->'));
        w.humanCommits = w.humanCommits.filter((h) => h.repo !== full('beta'));
        w.gh.repos.get(full('theta'))!.rulesetBranches.length = 0;
        return [`rebuild box ticked on ${full('gamma')}#${p.number} and on ${full('beta')}#${b.number} (handed back)`, `${full('theta')}'s ruleset removed`];
      },
      rows: { [full('gamma')]: /\| updated the rebase box was ticked/, [full('beta')]: /\| updated the rebase box was ticked/, [full('theta')]: /\| updated / },
    },
    {
      ...SCHEDULE,
      title: 'a 500 on the PR update after a push',
      before: (w) => {
        conflictOnMain(w, full('iota'));
        return [`a conflicting commit on ${full('iota')}'s main`];
      },
      during: (w) => {
        w.gh.api.fail({ operationId: 'pulls/update', when: (q) => q.params.repo === 'image-build-iota', times: 100, response: { status: 500, body: { message: 'Server Error', documentation_url: 'https://docs.github.com/rest' } } });
      },
      rows: { [full('iota')]: /^failed deliver .*Server Error/ },
    },
    { ...SCHEDULE, title: 'the night after the 500: the bot knows its own push', rows: { [full('iota')]: /\| updated the bot's last push was not recorded/ } },
    {
      ...SCHEDULE,
      title: 'a maintainer removes a label',
      before: (w) => {
        const p = botPull(w, full('gamma'));
        p.labels = p.labels.filter((l) => l !== LABELS[0]);
        w.removedLabels.set(full('gamma'), new Set([LABELS[0]!]));
        return [`label ${LABELS[0]} removed from ${full('gamma')}#${p.number}`];
      },
    },
    { ...SCHEDULE, title: 'quiet', quiet: true },
    { ...SCHEDULE, title: 'quiet', quiet: true },
    { ...SCHEDULE, title: 'quiet', quiet: true },
  ];
}
