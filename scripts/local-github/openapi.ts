/**
 * GitHub's official OpenAPI description (@octokit/openapi), loaded once per test process, with
 * request/response validators compiled on demand for the operations a fake server serves.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; its default export arrives wrapped under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

type Json = Record<string, any>;

export interface Operation {
  operationId: string;
  method: string;
  /** e.g. /repos/{owner}/{repo}/contents/{path} */
  template: string;
  regex: RegExp;
  paramNames: string[];
  literalLength: number;
  spec: Json;
}

export interface Spec {
  doc: Json;
  operations: Operation[];
  byId: Map<string, Operation>;
}

let cached: Spec | undefined;

const SPEC_ID = 'https://api.github.com/openapi.json';

export function loadSpec(): Spec {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const file = require.resolve('@octokit/openapi/generated/api.github.com.json');
  const doc = JSON.parse(readFileSync(file, 'utf8')) as Json;
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries<Json>(doc.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head']) {
      const op = item[method];
      if (!op) continue;
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p: Json) => resolveRef(doc, p));
      const paramNames: string[] = [];
      const regex = new RegExp(
        `^${template.replace(/\{([^}]+)\}|[^{]+/g, (m, name?: string) => {
          if (!name) return m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          paramNames.push(name);
          const multi = params.find((p) => p.in === 'path' && p.name === name)?.['x-multi-segment'];
          return multi ? '(.+)' : '([^/]+)';
        })}$`,
      );
      operations.push({ operationId: op.operationId, method: method.toUpperCase(), template, regex, paramNames, literalLength: template.replace(/\{[^}]+\}/g, '').length, spec: { ...op, parameters: params } });
    }
  }
  // Most specific template first: /repos/{owner}/{repo}/contents/{path} before /repos/{owner}/{repo}/{x}.
  operations.sort((a, b) => b.literalLength - a.literalLength);
  cached = { doc, operations, byId: new Map(operations.map((o) => [o.operationId, o])) };
  return cached;
}

export function resolveRef(doc: Json, node: Json): Json {
  let n = node;
  for (let i = 0; n && typeof n.$ref === 'string' && i < 10; i++) {
    n = n.$ref.replace(/^#\//, '').split('/').reduce((acc: Json, key: string) => acc?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return n;
}

function makeAjv(doc: Json, coerce: boolean): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, coerceTypes: coerce, discriminator: false });
  addFormats(ajv);
  for (const f of ['int32', 'int64', 'double', 'float', 'binary', 'timestamp', 'repo.nwo']) ajv.addFormat(f, true);
  ajv.addSchema({ $id: SPEC_ID, components: typedNullables(doc.components) }, SPEC_ID);
  return ajv;
}

/** Ajv accepts OpenAPI's `nullable` only beside a `type`; elsewhere (a nullable `allOf`) say it with `anyOf`. */
function typedNullables(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(typedNullables);
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) out[k] = typedNullables(v);
  if (out.nullable === true && out.type === undefined) {
    const { nullable: _n, ...rest } = out;
    return { anyOf: [rest, { type: 'null' }] };
  }
  return out;
}

let strictAjv: Ajv | undefined;
let coercingAjv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

/** Compile a schema from the spec (its `#/components/...` refs resolve against the spec). */
export function validatorFor(schema: Json, opts: { coerce?: boolean } = {}): ValidateFunction {
  const { doc } = loadSpec();
  const key = `${opts.coerce ? 'c' : 's'}:${JSON.stringify(schema)}`;
  let v = compiled.get(key);
  if (!v) {
    const ajv = opts.coerce ? (coercingAjv ??= makeAjv(doc, true)) : (strictAjv ??= makeAjv(doc, false));
    v = ajv.compile(rebase(typedNullables(schema) as Json));
    compiled.set(key, v);
  }
  return v;
}

/** Point local refs at the registered spec document. */
function rebase(schema: Json): Json {
  return JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, `"$ref":"${SPEC_ID}#/`));
}

export function formatErrors(v: ValidateFunction): string {
  return (v.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`).join('; ');
}

/**
 * A value of a component schema (e.g. `pull-request`) with every required property filled with a
 * placeholder of the right type, then `overrides` merged in (objects merge, arrays replace). The
 * local GitHub builds its responses this way, so they stay valid as the description evolves, and
 * the response validator still checks the result.
 */
export function sampleOf(schemaName: string, overrides: Json = {}): Json {
  const { doc } = loadSpec();
  return merge(sample(doc, { $ref: `#/components/schemas/${schemaName}` }, 0), overrides) as Json;
}

function sample(doc: Json, node: Json, depth: number): unknown {
  const s = resolveRef(doc, node);
  if (!s || depth > 12) return null;
  if (s.nullable && depth > 0) return null;
  if (s.allOf) return s.allOf.reduce((acc: unknown, part: Json) => merge(acc, sample(doc, part, depth)), {});
  if (s.anyOf || s.oneOf) return sample(doc, (s.anyOf ?? s.oneOf)[0], depth);
  if (s.enum) return s.enum.find((v: unknown) => v !== null) ?? s.enum[0];
  switch (s.type) {
    case 'object': {
      const out: Json = {};
      for (const key of s.required ?? []) out[key] = s.properties?.[key] ? sample(doc, s.properties[key], depth + 1) : null;
      return out;
    }
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return false;
    case 'string':
      if (s.format === 'date-time') return '2026-01-01T00:00:00Z';
      if (s.format === 'uri') return 'https://github.example/';
      if (s.format === 'email') return 'bot@example.invalid';
      return '';
    default:
      return s.properties ? sample(doc, { ...s, type: 'object' }, depth) : null;
  }
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (over && typeof over === 'object' && !Array.isArray(over) && base && typeof base === 'object' && !Array.isArray(base)) {
    const out: Json = { ...(base as Json) };
    for (const [k, v] of Object.entries(over as Json)) out[k] = merge(out[k], v);
    return out;
  }
  return over;
}
