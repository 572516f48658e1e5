/**
 * Loads and validates repos.yaml. Errors point at the file, the line and the key path, and say
 * what to do, because the person reading them is editing that file.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { ReposFileSchema, type RepoOverride, type ReposFile } from './schema.ts';
import { matchesPattern } from './names.ts';
import { DEFAULT_OPTIONS, type MigrateOptions } from '../dockerfile/input.ts';

export type { RepoOverride } from './schema.ts';

export interface ReposConfig extends ReposFile {
  /** Absolute path of the file it was read from. */
  file: string;
  /** Folder of that file: relative paths inside it resolve from here. */
  dir: string;
  /** `file:line` of each `repos.<key>.emulatedStages[i]` entry, for messages about it. */
  emulatedStageSources?: Record<string, string[]>;
}

export interface ConfigIssue {
  line?: number;
  column?: number;
  /** Dotted key path, e.g. `repos["rancher/image-build-calico"].emulatedStages[0].reason` (empty for the whole file). */
  keyPath: string;
  message: string;
}

export class ConfigError extends Error {
  readonly file: string;
  readonly issues: ConfigIssue[];
  constructor(file: string, issues: ConfigIssue[]) {
    super(issues.map((i) => formatIssue(file, i)).join('\n'));
    this.name = 'ConfigError';
    this.file = file;
    this.issues = issues;
  }
  /** The first problem's line, for callers that show one. */
  get line(): number | undefined {
    return this.issues[0]?.line;
  }
  get keyPath(): string {
    return this.issues[0]?.keyPath ?? '';
  }
}

function formatIssue(file: string, i: ConfigIssue): string {
  const where = `${file}${i.line ? `:${i.line}${i.column ? `:${i.column}` : ''}` : ''}`;
  return `${where}: ${i.keyPath ? `${i.keyPath}: ` : ''}${i.message}`;
}

export function formatKeyPath(keys: readonly PropertyKey[]): string {
  let out = '';
  for (const k of keys) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(String(k))) out += out ? `.${String(k)}` : String(k);
    else out += `[${JSON.stringify(String(k))}]`;
  }
  return out;
}

export async function loadReposConfig(file: string): Promise<ReposConfig> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(file, [{ keyPath: '', message: code === 'ENOENT' ? 'file not found (pass --repos FILE, or create repos.yaml; see examples/repos.yaml)' : `cannot read the file (${code ?? String(err)})` }]);
  }
  return parseReposConfig(text, file, abs);
}

/** Parse repos.yaml text; `file` is what errors show. */
export function parseReposConfig(text: string, file: string, abs = path.resolve(file)): ReposConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(file, doc.errors.map((e) => {
      const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
      return { line: pos.line, column: pos.col, keyPath: '', message: `${yamlMessage(e.message)} (fix the YAML syntax)` };
    }));
  }
  // An empty file is a mistake (a truncated write, the wrong path), not "the defaults".
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
    throw new ConfigError(file, [{ line: 1, keyPath: '', message: 'the file is empty; write at least `version: 1` and a `source:` (see examples/repos.yaml)' }]);
  }
  const parsed = ReposFileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((issue) => describeIssue(doc, lineCounter, issue));
    issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new ConfigError(file, issues);
  }
  const emulatedStageSources: Record<string, string[]> = {};
  for (const [key, o] of Object.entries(parsed.data.repos)) {
    emulatedStageSources[key] = (o.emulatedStages ?? []).map((_, i) => {
      const line = position(lineCounter, nodeAt(doc, ['repos', key, 'emulatedStages', i])).line;
      return `${file}${line ? `:${line}` : ''}`;
    });
  }
  return { ...parsed.data, file: abs, dir: path.dirname(abs), emulatedStageSources };
}

function yamlMessage(message: string): string {
  // The yaml package appends a code excerpt after the first line; the file:line already says where.
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function describeIssue(doc: Document, lc: LineCounter, issue: z.core.$ZodIssue): ConfigIssue[] {
  const keys = issue.path as PropertyKey[];
  if (issue.code === 'unrecognized_keys') {
    const parent = nodeAt(doc, keys);
    return issue.keys.map((key) => {
      const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === key) : undefined;
      const keyNode = pair?.key as Node | undefined;
      const pos = position(lc, keyNode ?? parent);
      const allowed = allowedKeys(keys);
      const hint = suggest(key, allowed);
      return {
        ...pos,
        keyPath: formatKeyPath([...keys, key]),
        message: `unknown key${hint ? ` (did you mean \`${hint}\`?)` : ''}; ${allowed.length ? `allowed here: ${allowed.join(', ')}` : 'remove it'}`,
      };
    });
  }
  // Walk up to the nearest node that exists in the file (a missing key points at its parent).
  let at = keys.length;
  let node: Node | undefined;
  for (; at >= 0; at--) {
    node = nodeAt(doc, keys.slice(0, at));
    if (node) break;
  }
  const missing = at < keys.length;
  let message = issue.message;
  if (issue.code === 'invalid_type' && missing) message = `missing: ${issue.message.replace(/, received undefined$/, '')} (add it)`;
  if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator') {
    message = `${issue.message}`;
  }
  return [{ ...position(lc, node), keyPath: formatKeyPath(keys), message }];
}

function nodeAt(doc: Document, keys: readonly PropertyKey[]): Node | undefined {
  if (keys.length === 0) return (doc.contents as Node | null) ?? undefined;
  const n = doc.getIn(keys as unknown[], true);
  return n && typeof n === 'object' && 'range' in (n as object) ? (n as Node) : undefined;
}

function position(lc: LineCounter, node: Node | undefined): { line?: number; column?: number } {
  const offset = node?.range?.[0];
  if (offset === undefined) return { line: 1 };
  const { line, col } = lc.linePos(offset);
  return { line, column: col };
}

const SHAPE_KEYS: Record<string, string[]> = {
  '': Object.keys(ReposFileSchema.shape),
  defaults: ['xxImage', 'concurrency', 'labels', 'reviewers', 'platforms'],
  'source:github': ['type', 'list'],
  'source:local': ['type', 'path', 'owner'],
  'source.list': ['repo', 'ref', 'path', 'format', 'section'],
  'repos.*': ['skip', 'dockerfiles', 'emulatedStages', 'branch', 'platforms', 'xxImage', 'botBranch', 'recreateClosed', 'labels', 'reviewers'],
  delivery: ['branch', 'maxPrsPerRun', 'author', 'dashboard'],
  'delivery.author': ['name', 'email'],
  'delivery.dashboard': ['repo', 'title'],
  'repos.*.emulatedStages.*': ['stage', 'reason'],
};

function allowedKeys(keys: readonly PropertyKey[]): string[] {
  const shape = keys.map((k, i) => (typeof k === 'number' || (i === 1 && keys[0] === 'repos') ? '*' : String(k))).join('.');
  if (shape === 'source') return [...new Set([...SHAPE_KEYS['source:github']!, ...SHAPE_KEYS['source:local']!])];
  return SHAPE_KEYS[shape] ?? [];
}

function suggest(key: string, allowed: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/**
 * The override block for a repository. Keys with an owner match `owner/name`; keys without one
 * match the name alone (what `--local DIR` knows). Case-insensitive, like GitHub.
 */
export function overrideFor(config: Pick<ReposFile, 'repos'>, repo: string): RepoOverride {
  return overrideEntry(config, repo)?.[1] ?? {};
}

/** The key and block of the repository's override, if it has one. */
function overrideEntry(config: Pick<ReposFile, 'repos'>, repo: string): [string, RepoOverride] | undefined {
  const full = repo.toLowerCase();
  const bare = full.includes('/') ? full.slice(full.indexOf('/') + 1) : full;
  let byName: [string, RepoOverride] | undefined;
  for (const [key, value] of Object.entries(config.repos)) {
    const k = key.toLowerCase();
    if (k === full) return [key, value];
    if (!k.includes('/') ? k === bare : !repo.includes('/') && k.slice(k.indexOf('/') + 1) === bare) byName ??= [key, value];
  }
  return byName;
}

/** Codemod options for one repository: built-in defaults, then repos.yaml defaults, then the repository's overrides. */
export function migrateOptionsFor(config: ReposConfig | ReposFile, repo: string): MigrateOptions {
  const [key, o] = overrideEntry(config, repo) ?? ['', {} as RepoOverride];
  const sources = ('emulatedStageSources' in config ? config.emulatedStageSources?.[key] : undefined) ?? [];
  return {
    ...DEFAULT_OPTIONS,
    xxImage: o.xxImage ?? config.defaults.xxImage,
    dockerfiles: [...(o.dockerfiles ?? DEFAULT_OPTIONS.dockerfiles)],
    emulatedStages: (o.emulatedStages ?? []).map((s, i) => ({ ...s, ...(sources[i] ? { source: sources[i] } : {}) })),
    dryRun: false,
  };
}

/** True when an exclude entry (name or glob) matches the repository. */
export function isExcluded(config: Pick<ReposFile, 'exclude'>, full: string): boolean {
  return config.exclude.some((p) => matchesPattern(full, p));
}
