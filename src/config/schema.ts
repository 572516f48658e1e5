/**
 * The shape of repos.yaml. Every object is strict: a misspelt key is an error with its line, not a
 * setting silently ignored (a typo in `exclude` would otherwise migrate a repository nobody meant to).
 */
import { z } from 'zod';
import { DEFAULT_XX_IMAGE } from '../dockerfile/input.ts';

const text = (what: string) => z.string({ error: `expected ${what} (a string)` }).trim().min(1, { error: `${what} must not be empty` });

const relativePath = (what: string) =>
  text(what).refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), {
    error: `${what} must be a path relative to the repository, without ".."`,
  });

const platform = z
  .string({ error: 'expected a platform like linux/arm64' })
  .regex(/^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/, { error: 'expected a platform like linux/arm64 or linux/arm/v7' });

const imageRef = text('an image reference').regex(/^[a-z0-9][a-z0-9._\-/:@]*$/i, { error: 'expected an image reference like registry/name:tag' });

const branch = text('a branch name').regex(/^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+$/, { error: 'expected a branch name (letters, digits, ".", "_", "-", "/"; not starting with "-")' });

const ownerRepo = text('owner/name').regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, { error: 'expected owner/name, e.g. rancher/ecm-distro-tools' });

export const EmulatedStageSchema = z.strictObject({
  stage: text('a stage name or index').describe('A stage name or index.'),
  reason: text('a reason (shown in the Dockerfile comment and the report)').describe('Why it stays emulated (shown in the Dockerfile comment and the report).'),
});

export const RepoOverrideSchema = z.strictObject({
  /** Skip this repository; the value is the reason printed in the summary. */
  skip: text('a skip reason').optional().describe('Skip this repository; the value is the reason printed in the summary.'),
  dockerfiles: z.array(relativePath('a Dockerfile path')).min(1, { error: 'list at least one Dockerfile' }).optional().describe('Dockerfiles of the repository to migrate, relative to its root (default `Dockerfile`).'),
  emulatedStages: z.array(EmulatedStageSchema).optional().describe('Stages to leave emulated, each with the reason written above its FROM.'),
  branch: branch.optional().describe('The branch to migrate and open the PR against (default: the repository\'s default branch).'),
  platforms: z.array(platform).min(1).optional().describe('Platforms the images are built for (timing and the PR body\'s check commands).'),
  xxImage: imageRef.optional().describe('The xx helper image for this repository.'),
  /** The bot's branch in this repository (default delivery.branch). */
  botBranch: branch.optional().describe('The bot\'s branch in this repository (default delivery.branch).'),
  /** Open a new PR even though a human closed the last one unmerged. */
  recreateClosed: z.boolean({ error: 'expected true or false' }).optional().describe('Open a new PR even though a human closed the last one unmerged.'),
  labels: z.array(text('a label')).optional().describe('Labels for the bot\'s PR in this repository (replace the defaults).'),
  reviewers: z.array(text('a GitHub login or org/team')).optional().describe('Reviewers requested on the bot\'s PR in this repository (replace the defaults).'),
  /** A DCO repository: the bot's commit carries `Signed-off-by:` with its identity. */
  signOff: z.boolean({ error: 'expected true or false' }).optional().describe('Add a `Signed-off-by: name <email>` trailer (the commit\'s author: the GitHub App\'s bot, or `delivery.author`) to the bot\'s commit in this repository, for repositories that require the DCO (default `defaults.signOff`).'),
});

export const DefaultsSchema = z.strictObject({
  xxImage: imageRef.default(DEFAULT_XX_IMAGE).describe('The xx helper image (the Rancher mirror, never upstream).'),
  concurrency: z.number({ error: 'expected a number' }).int({ error: 'must be a whole number, 1–64' }).min(1, { error: 'must be 1–64' }).max(64, { error: 'must be 1–64' }).default(4).describe('Repositories worked on at once (1–64).'),
  labels: z.array(text('a label')).default([]).describe('Labels for every bot PR; created when missing.'),
  reviewers: z.array(text('a GitHub login or org/team')).default([]).describe('Reviewers (logins or org/team) requested on every bot PR.'),
  platforms: z.array(platform).min(1).default(['linux/amd64', 'linux/arm64']).describe('Platforms the images are built for.'),
  signOff: z.boolean({ error: 'expected true or false' }).default(false).describe('Add a `Signed-off-by: name <email>` trailer (the commit\'s author) to the bot\'s commits, for repositories that require the DCO.'),
});

export const DeliverySchema = z.strictObject({
  /** The fixed bot branch in every repository. */
  branch: branch.default('cross-compile/xx').describe('The fixed bot branch in every repository.'),
  /** New PRs per run (updates are not limited). */
  maxPrsPerRun: z.number({ error: 'expected a number' }).int().min(0).default(5).describe('New PRs per run (updates are not limited).'),
  /** Author of the bot's commits made with git (a token); a GitHub App's are its bot's, made and signed by GitHub. */
  author: z.strictObject({ name: text('a name'), email: text('an email') }).default({ name: 'image-build-migrator', email: 'image-build-migrator@users.noreply.github.com' }).describe('Author of the bot\'s commits when it commits with git (a token). With a GitHub App, GitHub makes the commit as the App\'s bot (`<slug>[bot]`) and signs it; this author is used only when the App\'s identity cannot be read.'),
  /** The campaign's tracking issue: where, and its title. */
  dashboard: z.strictObject({ repo: ownerRepo, title: text('a title').default('Cross-compilation campaign: image-build repositories') }).optional().describe('The campaign\'s tracking issue: where, and its title.'),
});

export const ListFormat = z.enum(['markdown', 'shell']);

export const GitHubListSchema = z.strictObject({
  /** The repository holding the list, e.g. rancher/ecm-distro-tools. */
  repo: ownerRepo.describe('The repository holding the list, e.g. rancher/ecm-distro-tools.'),
  /** Branch, tag or commit; the repository's default branch when omitted. */
  ref: text('a ref').optional().describe('Branch, tag or commit; the repository\'s default branch when omitted.'),
  /** docs/rke2-dependencies.md (markdown) or bin/clone_image_build_repos.sh (shell). */
  path: relativePath('a file path').describe('docs/rke2-dependencies.md (markdown) or bin/clone_image_build_repos.sh (shell).'),
  /** Inferred from the extension (.md / .sh) when omitted. */
  format: ListFormat.optional().describe('Inferred from the extension (.md / .sh) when omitted.'),
  /** Markdown only: the `##` section whose bullets are owner/name. */
  section: text('a section title').default('Hardened chart images').describe('Markdown only: the `##` section whose bullets are owner/name.'),
});

export const SourceSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('github'),
    /** Where to read the fleet list, or `none` to use only `include`. */
    list: z.union([z.literal('none'), GitHubListSchema], { error: 'expected `none` or a mapping with repo, path and format' }).default('none').describe('Where to read the fleet list, or `none` to use only `include`.'),
  }),
  z.strictObject({
    type: z.literal('local'),
    /** A folder of plain folders, one per repository, relative to the repos.yaml file. */
    path: text('a folder path').describe('A folder of plain folders, one per repository, relative to the repos.yaml file.'),
    /** The owner shown for these repositories (`owner/folder-name`). */
    owner: text('an owner').regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { error: 'expected letters, digits and hyphens' }).default('local').describe('The owner shown for these repositories (`owner/folder-name`).'),
  }),
], { error: 'must be `github` or `local`' });

export const ReposFileSchema = z.strictObject({
  version: z.literal(1, { error: 'version must be 1' }).default(1).describe('The file format version.'),
  source: SourceSchema.default({ type: 'github', list: 'none' }).describe('Where the repository list comes from: GitHub (with an optional list file) or local folders.'),
  namePattern: text('a glob').default('image-build-*').describe('Only repositories whose name matches this glob.'),
  include: z.array(text('owner/name')).default([]).describe('Repositories to add to the list (owner/name).'),
  exclude: z.array(text('owner/name or a glob')).default([]).describe('Repositories to leave out (owner/name or a glob).'),
  defaults: DefaultsSchema.default(DefaultsSchema.parse({})).describe('Settings for every repository; a repository\'s entry under `repos` overrides them.'),
  delivery: DeliverySchema.default(DeliverySchema.parse({})).describe('How the bot delivers: branch, PR limit, commit author, dashboard.'),
  repos: z.record(z.string(), RepoOverrideSchema.nullable().transform((v) => v ?? {})).default({}).describe('Per-repository settings, keyed by owner/name.'),
});

export type ReposFile = z.output<typeof ReposFileSchema>;
export type RepoOverride = z.output<typeof RepoOverrideSchema>;
export type DeliveryConfig = z.output<typeof DeliverySchema>;
export type GitHubListConfig = z.output<typeof GitHubListSchema>;
export type SourceConfig = z.output<typeof SourceSchema>;
