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
  stage: text('a stage name or index'),
  reason: text('a reason (shown in the Dockerfile comment and the report)'),
});

export const RepoOverrideSchema = z.strictObject({
  /** Skip this repository; the value is the reason printed in the summary. */
  skip: text('a skip reason').optional(),
  dockerfiles: z.array(relativePath('a Dockerfile path')).min(1, { error: 'list at least one Dockerfile' }).optional(),
  emulatedStages: z.array(EmulatedStageSchema).optional(),
  branch: branch.optional(),
  platforms: z.array(platform).min(1).optional(),
  xxImage: imageRef.optional(),
  /** The bot's branch in this repository (default delivery.branch). */
  botBranch: branch.optional(),
  /** Open a new PR even though a human closed the last one unmerged. */
  recreateClosed: z.boolean({ error: 'expected true or false' }).optional(),
  labels: z.array(text('a label')).optional(),
  reviewers: z.array(text('a GitHub login or org/team')).optional(),
});

export const DefaultsSchema = z.strictObject({
  xxImage: imageRef.default(DEFAULT_XX_IMAGE),
  concurrency: z.number({ error: 'expected a number' }).int({ error: 'must be a whole number, 1–64' }).min(1, { error: 'must be 1–64' }).max(64, { error: 'must be 1–64' }).default(4),
  labels: z.array(text('a label')).default([]),
  reviewers: z.array(text('a GitHub login or org/team')).default([]),
  platforms: z.array(platform).min(1).default(['linux/amd64', 'linux/arm64']),
});

export const DeliverySchema = z.strictObject({
  /** The fixed bot branch in every repository. */
  branch: branch.default('cross-compile/xx'),
  /** New PRs per run (updates are not limited). */
  maxPrsPerRun: z.number({ error: 'expected a number' }).int().min(0).default(5),
  /** Author of the bot's commits. */
  author: z.strictObject({ name: text('a name'), email: text('an email') }).default({ name: 'image-build-migrator', email: 'image-build-migrator@users.noreply.github.com' }),
  /** The campaign's tracking issue: where, and its title. */
  dashboard: z.strictObject({ repo: ownerRepo, title: text('a title').default('Cross-compilation campaign: image-build repositories') }).optional(),
});

export const ListFormat = z.enum(['markdown', 'shell']);

export const GitHubListSchema = z.strictObject({
  /** The repository holding the list, e.g. rancher/ecm-distro-tools. */
  repo: ownerRepo,
  /** Branch, tag or commit; the repository's default branch when omitted. */
  ref: text('a ref').optional(),
  /** docs/rke2-dependencies.md (markdown) or bin/clone_image_build_repos.sh (shell). */
  path: relativePath('a file path'),
  /** Inferred from the extension (.md / .sh) when omitted. */
  format: ListFormat.optional(),
  /** Markdown only: the `##` section whose bullets are owner/name. */
  section: text('a section title').default('Hardened chart images'),
});

export const SourceSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('github'),
    /** Where to read the fleet list, or `none` to use only `include`. */
    list: z.union([z.literal('none'), GitHubListSchema], { error: 'expected `none` or a mapping with repo, path and format' }).default('none'),
  }),
  z.strictObject({
    type: z.literal('local'),
    /** A folder of plain folders, one per repository, relative to the repos.yaml file. */
    path: text('a folder path'),
    /** The owner shown for these repositories (`owner/folder-name`). */
    owner: text('an owner').regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { error: 'expected letters, digits and hyphens' }).default('local'),
  }),
], { error: 'must be `github` or `local`' });

export const ReposFileSchema = z.strictObject({
  version: z.literal(1, { error: 'version must be 1' }).default(1),
  source: SourceSchema.default({ type: 'github', list: 'none' }),
  namePattern: text('a glob').default('image-build-*'),
  include: z.array(text('owner/name')).default([]),
  exclude: z.array(text('owner/name or a glob')).default([]),
  defaults: DefaultsSchema.default(DefaultsSchema.parse({})),
  delivery: DeliverySchema.default(DeliverySchema.parse({})),
  repos: z.record(z.string(), RepoOverrideSchema.nullable().transform((v) => v ?? {})).default({}),
});

export type ReposFile = z.output<typeof ReposFileSchema>;
export type RepoOverride = z.output<typeof RepoOverrideSchema>;
export type DeliveryConfig = z.output<typeof DeliverySchema>;
export type GitHubListConfig = z.output<typeof GitHubListSchema>;
export type SourceConfig = z.output<typeof SourceSchema>;
