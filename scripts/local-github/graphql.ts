/**
 * The local GitHub's GraphQL side: every request is checked against GitHub's published GraphQL
 * schema (@octokit/graphql-schema, the introspection of api.github.com) with graphql-js, the way
 * the REST side checks against the OpenAPI description: the document must parse and `validate()`
 * (a misspelled field or argument is refused), the variables must fit the operation's variable
 * types, and only the root fields a test or the demo serves may be used. Served fields run through
 * graphql-js's `execute` over the same schema, so an answer missing a non-null field the client
 * asked for fails too. Answers are GitHub-shaped: HTTP 200 with `{"errors": [...]}` (and `data`
 * once execution started), as GitHub answers them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  buildClientSchema, execute, getOperationAST, getVariableValues, GraphQLError, parse, validate,
  type DocumentNode, type GraphQLSchema, type IntrospectionQuery, type OperationDefinitionNode,
} from 'graphql';

type Json = Record<string, any>;

let cached: GraphQLSchema | undefined;

/** GitHub's GraphQL schema, built once per process (~70 ms). */
export function githubSchema(): GraphQLSchema {
  if (cached) return cached;
  // The package exports only its index, which parses and builds the schema on import whether it is
  // used or not; read its schema.json from the package folder instead, on first use.
  const pkg = '@octokit/graphql-schema';
  const file = (createRequire(import.meta.url).resolve.paths(pkg) ?? []).map((dir) => path.join(dir, pkg, 'schema.json')).find((f) => existsSync(f));
  if (!file) throw new Error(`${pkg} is not installed (npm ci installs it: it is a devDependency)`);
  const introspection = JSON.parse(readFileSync(file, 'utf8')) as { data?: IntrospectionQuery } & IntrospectionQuery;
  cached = buildClientSchema(introspection.data ?? introspection);
  return cached;
}

export type RootKind = 'query' | 'mutation';

/** True when GitHub's schema has this root field (`markPullRequestReadyForReview`, `node`...). */
export function isRootField(kind: RootKind, field: string): boolean {
  const schema = githubSchema();
  const type = kind === 'query' ? schema.getQueryType() : schema.getMutationType();
  return Boolean(type?.getFields()[field]);
}

/**
 * What a resolver throws for an error GitHub itself answers with (a node id that resolves to
 * nothing, a permission): it becomes one entry of `errors`, with GitHub's `type`, and is not a
 * fault of the client.
 */
export class GitHubGraphQLError extends Error {
  constructor(readonly type: 'NOT_FOUND' | 'FORBIDDEN' | 'UNPROCESSABLE', message: string) {
    super(message);
    this.name = 'GitHubGraphQLError';
  }
}

/** A root field's resolver: GraphQL arguments in, a plain object of GitHub's types out. */
export type RootResolver = (args: Json, context: { authorization?: string }) => unknown;

export interface ParsedOperation {
  kind: RootKind;
  /** The root fields the operation selects, e.g. ['markPullRequestReadyForReview']. */
  fields: string[];
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Json;
}

/** A request that did not get past the checks: the GitHub-shaped answer and what was wrong. */
export interface Refusal {
  body: Json;
  /** Why the client is at fault (recorded as a violation of the local GitHub). */
  problem: string;
}

/** Parse, validate and check the variables of a POST /graphql body. */
export function checkRequest(body: unknown, served: (kind: RootKind, field: string) => boolean): ParsedOperation | Refusal {
  const refuse = (problem: string, errors: Json[]): Refusal => ({ problem, body: { errors } });
  if (!body || typeof body !== 'object' || Array.isArray(body)) return refuse('the body is not a JSON object', [{ message: 'Problems parsing JSON' }]);
  const { query, variables = {}, operationName } = body as Json;
  if (typeof query !== 'string') return refuse('no query string', [{ message: 'A query attribute must be specified and must be a string.' }]);
  if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) return refuse('variables is not an object', [{ message: 'Variables are invalid JSON.' }]);
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (err) {
    const e = err as GraphQLError;
    return refuse(`the query does not parse: ${e.message}`, [{ message: e.message, locations: e.locations }]);
  }
  const schema = githubSchema();
  const invalid = validate(schema, document);
  if (invalid.length) return refuse(`the query does not validate against GitHub's GraphQL schema: ${invalid.map((e) => e.message).join('; ')}`, invalid.map(shape));
  const operation = getOperationAST(document, typeof operationName === 'string' ? operationName : undefined);
  if (!operation) return refuse('no single operation to run (name it with operationName)', [{ message: 'An operation name is required' }]);
  if (operation.operation === 'subscription') return refuse('subscriptions are not served', [{ message: 'Subscriptions are not supported' }]);
  const kind: RootKind = operation.operation;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables as Json);
  if (coerced.errors) return refuse(`variables do not fit the operation: ${coerced.errors.map((e) => e.message).join('; ')}`, coerced.errors.map(shape));
  const fields = operation.selectionSet.selections.flatMap((s) => (s.kind === 'Field' ? [s.name.value] : []));
  if (fields.length !== operation.selectionSet.selections.length) return refuse('fragments at the root are not served', [{ message: 'fake GitHub: fragments at the root are not served' }]);
  const unserved = fields.filter((f) => f !== '__typename' && !served(kind, f));
  if (unserved.length) return refuse(`${kind} ${unserved.join(', ')} is not served by this fake (unexpected call)`, [{ message: `fake GitHub: ${kind} ${unserved.join(', ')} is not served by this fake` }]);
  return { kind, fields, document, operation, variables: coerced.coerced };
}

/**
 * Run a checked operation over the served root fields. An error a resolver raised on purpose
 * (GitHubGraphQLError) is GitHub's answer; any other (a field the fake does not fill, a crash)
 * is returned as `problem` too.
 */
export async function run(op: ParsedOperation, resolvers: Map<string, RootResolver>, context: { authorization?: string }): Promise<{ body: Json; problem?: string }> {
  const rootValue: Json = {};
  for (const f of op.fields) {
    const resolve = resolvers.get(`${op.kind}/${f}`);
    if (resolve) rootValue[f] = (args: Json) => resolve(args, context);
  }
  const result = await execute({ schema: githubSchema(), document: op.document, operationName: op.operation.name?.value, rootValue, variableValues: op.variables, contextValue: context });
  const errors = (result.errors ?? []).map((e) => {
    const own = e.originalError instanceof GitHubGraphQLError ? e.originalError : undefined;
    const shaped: Json = { ...(own ? { type: own.type } : {}), ...shape(e) };
    return { own, shaped };
  });
  const foreign = errors.filter((e) => !e.own).map((e) => e.shaped.message);
  return {
    body: { data: result.data ?? null, ...(errors.length ? { errors: errors.map((e) => e.shaped) } : {}) },
    problem: foreign.length ? `execution failed: ${foreign.join('; ')}` : undefined,
  };
}

function shape(e: GraphQLError): Json {
  return { message: e.message, ...(e.locations ? { locations: e.locations } : {}), ...(e.path ? { path: e.path } : {}), ...(e.extensions && Object.keys(e.extensions).length ? { extensions: e.extensions } : {}) };
}
