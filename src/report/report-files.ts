/**
 * The JSON the nightly workflow's stages hand each other as artifacts (plan -> migrate jobs ->
 * summary): a FleetReport with a schema version, validated on read. The jobs of one night may
 * run different bot versions (a push to main between the plan and a late matrix job), so a file
 * is read only when its layout is one this version understands, and refused with what to do
 * otherwise — never guessed at.
 *
 * Schema 1: the report of 0.1 (`version: 1`, no tool). Schema 2: `schemaVersion` and `tool`.
 * Fields a newer minor change adds are kept as they are (the rows are passed through), so a
 * renderer that knows them can use them and one that does not ignores them.
 */
import { readFile } from 'node:fs/promises';
import pkg from '../../package.json' with { type: 'json' };
import { z } from 'zod';
import { OUTCOME_ORDER, countOutcomes, type FleetReport, type RepoResult } from './types.ts';

export const SCHEMA_VERSION = 2;
/** The oldest schema this version still reads. */
export const OLDEST_READABLE = 1;

export const TOOL = { name: 'image-build-migrator', version: toolVersion() };

// Imported, not read at run time: in the action's bundle (dist/action.mjs) a path relative to
// import.meta.url would point outside the action's folder.
function toolVersion(): string {
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

const repoResult = z.looseObject({
  name: z.string().min(1),
  outcome: z.enum(OUTCOME_ORDER as [RepoResult['outcome'], ...RepoResult['outcome'][]]),
  reason: z.string(),
  step: z.string().optional(),
  branch: z.string().optional(),
  commit: z.string().optional(),
  diff: z.string().optional(),
  files: z.array(z.looseObject({ path: z.string() })).optional(),
  durationMs: z.number().nonnegative(),
});

const body = {
  dryRun: z.boolean(),
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  reposFile: z.string(),
  pushes: z.number().int().nonnegative(),
  interrupted: z.boolean(),
  repos: z.array(repoResult),
  excluded: z.array(z.object({ name: z.string(), reason: z.string() })),
  errors: z.array(z.string()),
  notes: z.array(z.string()),
};

const schema2 = z.looseObject({ schemaVersion: z.literal(2), tool: z.object({ name: z.string(), version: z.string() }), ...body });
const schema1 = z.looseObject({ version: z.literal(1), ...body });

export class ExchangeError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
  }
}

/** The report as it is written to an artifact: stamped with this schema and this bot. */
export function stamp(report: Omit<FleetReport, 'schemaVersion' | 'tool'>): FleetReport {
  return { ...report, schemaVersion: SCHEMA_VERSION, tool: { ...TOOL } } as FleetReport;
}

/** Parse one exchange file's text; `file` names it in every error. */
export function parseExchange(text: string, file: string): FleetReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ExchangeError(file, `not JSON (${(e as Error).message}): is this a result file of ${TOOL.name}? Re-run the job that wrote it.`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ExchangeError(file, `not a result file of ${TOOL.name} (a JSON object with "schemaVersion" was expected)`);
  }
  const o = data as Record<string, unknown>;
  const version = o.schemaVersion ?? (o.version === 1 && !('schemaVersion' in o) ? 1 : undefined);
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    throw new ExchangeError(file, `not a result file of ${TOOL.name}: it has no "schemaVersion"`);
  }
  const by = describeTool(o.tool);
  if (version > SCHEMA_VERSION) {
    throw new ExchangeError(file, `written by a newer ${TOOL.name}${by} with schema ${version}; this one (${TOOL.version}) reads schemas ${OLDEST_READABLE} to ${SCHEMA_VERSION}. Run every stage of the night from the same commit of the bot (re-run the workflow), or update this checkout.`);
  }
  if (version < OLDEST_READABLE) {
    throw new ExchangeError(file, `written by an older ${TOOL.name}${by} with schema ${version}, which this one (${TOOL.version}) no longer reads. Re-run the job that wrote it with this version.`);
  }
  const parsed = (version === 1 ? schema1 : schema2).safeParse(o);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new ExchangeError(file, `schema ${version} result is malformed at ${where}: ${issue.message} (${parsed.error.issues.length} problem${parsed.error.issues.length === 1 ? '' : 's'}). Re-run the job that wrote it; do not edit result files by hand.`);
  }
  const { version: _v, ...rest } = parsed.data as Record<string, unknown>;
  const upgraded = version === 1 ? { ...rest, schemaVersion: SCHEMA_VERSION, tool: { name: TOOL.name, version: 'schema-1' } } : rest;
  const report = upgraded as unknown as FleetReport;
  // Counts are derived data: recomputed, so a file can never disagree with its own rows.
  return { ...report, counts: countOutcomes(report.repos) };
}

export async function readExchange(file: string): Promise<FleetReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ExchangeError(file, code === 'ENOENT' ? 'no such file (did the job that writes it run and upload its artifact?)' : `cannot read: ${(e as Error).message}`);
  }
  return parseExchange(text, file);
}

function describeTool(tool: unknown): string {
  const t = tool as { version?: unknown } | undefined;
  return typeof t?.version === 'string' ? ` ${t.version}` : '';
}
