/**
 * Which repositories a run covers: the ECM list (or a folder of local repositories) merged with
 * repos.yaml's include / exclude / name pattern. Names are validated here, one by one, so that a
 * bad entry becomes that entry's failure and not the run's.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ReposConfig } from '../config/repos-config.ts';
import { isExcluded, overrideFor, type RepoOverride } from '../config/repos-config.ts';
import { displayName, matchesPattern, parseRepoName, type RepoName } from '../config/names.ts';
import type { GitHubListConfig } from '../config/schema.ts';
import type { Platform } from '../platform/types.ts';
import { redactError } from '../secrets/redact.ts';
import { parseCloneScript, parseDependenciesMarkdown, type ListEntry } from './ecm-lists.ts';

export type Origin = 'list' | 'include' | 'folder';

export interface RepoTarget {
  repo: RepoName;
  source: 'github' | 'local';
  /** Local sources: the folder the remote is generated from. */
  folder?: string;
  override: RepoOverride;
  origins: Origin[];
}

export interface RejectedRepo {
  /** As found (may be unsafe to print raw: use displayName). */
  name: string;
  reason: string;
}

export interface Discovery {
  targets: RepoTarget[];
  /** Entries that cannot be a repository (bad names): each a failure of its own. */
  rejected: RejectedRepo[];
  /** Listed but out of scope (name pattern, exclude): reported, not run. */
  excluded: { name: string; reason: string }[];
  /** Run-level problems (the list could not be read): the run goes on with what it has. */
  errors: string[];
  /** Things worth a look that change nothing (an override for a repository not in the fleet). */
  notes: string[];
}

export interface DiscoverOptions {
  /** Reads the ECM list (a GitHub source); the run's one platform client. */
  platform?: Platform;
}

export async function discoverRepos(config: ReposConfig, opts: DiscoverOptions = {}): Promise<Discovery> {
  const out: Discovery = { targets: [], rejected: [], excluded: [], errors: [], notes: [] };
  const candidates: { raw: string; origin: Origin; folder?: string }[] = [];
  const source = config.source;

  if (source.type === 'github' && source.list !== 'none') {
    try {
      const entries = await fetchList(source.list, opts.platform);
      for (const e of entries) candidates.push({ raw: e.value, origin: 'list' });
    } catch (err) {
      out.errors.push(`cannot read the repository list ${source.list.repo}:${source.list.path}: ${redactError(err)}; continuing with \`include\` only`);
    }
  }
  if (source.type === 'local') {
    const root = path.resolve(config.dir, source.path);
    try {
      for (const entry of await readdir(root, { withFileTypes: true })) {
        if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
        candidates.push({ raw: `${source.owner}/${entry.name}`, origin: 'folder', folder: path.join(root, entry.name) });
      }
    } catch (err) {
      out.errors.push(`cannot read the local source folder ${root}: ${redactError(err)}`);
    }
  }
  for (const raw of config.include) candidates.push({ raw, origin: 'include' });

  const byName = new Map<string, RepoTarget>();
  const rejectedSeen = new Set<string>();
  for (const c of candidates) {
    let repo: RepoName;
    try {
      repo = parseRepoName(c.raw);
    } catch (err) {
      if (!rejectedSeen.has(c.raw)) {
        rejectedSeen.add(c.raw);
        out.rejected.push({ name: c.raw, reason: `${redactError(err)} (from ${c.origin === 'include' ? 'repos.yaml include' : c.origin === 'list' ? 'the repository list' : 'a folder name'}); rejected before any git command` });
      }
      continue;
    }
    const key = repo.full.toLowerCase();
    const known = byName.get(key);
    if (known) {
      if (!known.origins.includes(c.origin)) known.origins.push(c.origin);
      known.folder ??= c.folder;
      continue;
    }
    byName.set(key, { repo, source: source.type, folder: c.folder, override: overrideFor(config, repo.full), origins: [c.origin] });
  }

  for (const target of byName.values()) {
    const full = target.repo.full;
    // An explicit include is a decision: the pattern only filters what lists bring in.
    if (!target.origins.includes('include') && !matchesPattern(full, config.namePattern)) {
      out.excluded.push({ name: full, reason: `does not match namePattern ${config.namePattern}` });
    } else if (isExcluded(config, full)) {
      out.excluded.push({ name: full, reason: 'listed in exclude' });
    } else {
      out.targets.push(target);
    }
  }
  out.targets.sort((a, b) => a.repo.full.localeCompare(b.repo.full));

  const fleet = new Set([...byName.keys()]);
  for (const key of Object.keys(config.repos)) {
    const k = key.toLowerCase();
    const hit = k.includes('/') ? fleet.has(k) : [...fleet].some((f) => f.endsWith(`/${k}`));
    if (!hit) out.notes.push(`repos.yaml has settings for ${displayName(key)}, which is not in the fleet`);
  }
  return out;
}

async function fetchList(list: GitHubListConfig, platform: Platform | undefined): Promise<ListEntry[]> {
  if (!platform) throw new Error('no GitHub client');
  const text = await platform.getFile(parseRepoName(list.repo), list.path, list.ref);
  if (text === undefined) throw new Error(`Not Found: no file ${list.path}${list.ref ? ` at ${list.ref}` : ''} (check source.list.path and source.list.ref)`);
  const format = list.format ?? (list.path.endsWith('.md') ? 'markdown' : list.path.endsWith('.sh') ? 'shell' : undefined);
  const where = `${list.repo}:${list.path}`;
  if (format === 'markdown') return parseDependenciesMarkdown(text, list.section, where);
  if (format === 'shell') return parseCloneScript(text, 'REPOS', where);
  throw new Error(`cannot tell the format of ${list.path}; set source.list.format to markdown or shell`);
}
