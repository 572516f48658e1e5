/**
 * A fake GitHub REST API on 127.0.0.1 (tests, the demo): a small router keyed by operationId, where every
 * request and every response is validated against GitHub's OpenAPI description. Anything that
 * does not conform (unknown endpoint, unserved operation, bad parameter, undocumented status, a
 * response body that breaks the schema) is recorded as a violation and answered with 500, so the
 * client under test fails loudly and `assertClean()` fails the test.
 *
 * Reusable beyond discovery: register handlers for `pulls/create`, `issues/add-labels`... and
 * count write calls with `writes()`. `POST /graphql` (`/api/graphql` under an Enterprise
 * `/api/v3` prefix, where Octokit sends it) serves the root fields registered with `onGraphQL`,
 * each request checked against GitHub's GraphQL schema (graphql.ts); its operationId is
 * `graphql/<root field>`, for faults and the record alike.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isGitPath, serveGit, type GitHttpOptions, type GitHttpServer } from './git-http.ts';
import { checkRequest, isRootField, run as runGraphQL, type RootKind, type RootResolver } from './graphql.ts';
import { formatErrors, loadSpec, resolveRef, validatorFor, type Operation } from './openapi.ts';

export interface FakeRequest {
  operationId: string;
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Default application/json; use `application/vnd.github.raw` for raw file contents. */
  contentType?: string;
}

export type Handler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

export interface RecordedRequest {
  method: string;
  url: string;
  operationId?: string;
  status: number;
  authorization?: string;
  accept?: string;
  /** Write calls: the JSON body sent. */
  body?: unknown;
  /** Answered by an injected fault rather than by a handler. */
  fault?: boolean;
  /** POST /graphql: the operation's kind (a query changes nothing, so it is no write). */
  graphql?: RootKind;
  /** When it arrived (performance.now(), ms): how far apart the client spaced its calls. */
  receivedAt: number;
}

export interface GitHubServerOptions {
  /** GitHub Enterprise style prefix, e.g. `/api/v3`. */
  prefix?: string;
  routes?: Record<string, Handler>;
  /**
   * Check the Authorization header of every API call (false: GitHub's 401 "Bad credentials",
   * which any operation may answer, so it is not checked against the operation's responses).
   * Given the operation too: a GitHub App's JWT is good for the `/app` operations only.
   */
  authenticate?: (authorization: string | undefined, operationId: string) => boolean;
  /** Also serve git smart HTTP (`/<owner>/<name>.git/...`) on the same port, like a GitHub host. */
  git?: GitHttpOptions;
}

/**
 * A failure GitHub can produce, injected for the next `times` matching calls (after the request
 * itself was validated): a status with headers (403 secondary limit with retry-after, 429, 502,
 * 422), or a connection that hangs and drops (`hangMs`).
 */
export interface Fault {
  /** A REST operationId, or `graphql/<root field>` (e.g. `graphql/markPullRequestReadyForReview`). */
  operationId: string;
  /** Only calls for which this returns true. */
  when?: (req: FakeRequest) => boolean;
  times?: number;
  response?: FakeResponse;
  /** Hold the request this long, then destroy the socket without answering. */
  hangMs?: number;
  /** Hold the request this long, then serve it normally (to order two racing clients). */
  delayMs?: number;
  /**
   * Carry the request out, then destroy the socket instead of answering: the write happened on
   * GitHub, the client never learns it (a connection dropped, the runner killed).
   */
  dropAnswer?: boolean;
}

/** Would this call change something on GitHub? (A GraphQL query changes nothing.) */
export const isWrite = (r: RecordedRequest): boolean => r.method !== 'GET' && r.method !== 'HEAD' && r.graphql !== 'query';

const RAW_MEDIA = 'application/vnd.github.raw';

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  private readonly routes = new Map<string, Handler>();
  private readonly graphqlRoutes = new Map<string, RootResolver>();
  private readonly faults: (Fault & { left: number })[] = [];
  private server!: http.Server;
  url = '';
  /** The git side (when `git` was given): push and fetch counts, auth headers seen. */
  git?: GitHttpServer;

  constructor(private readonly opts: GitHubServerOptions = {}) {
    for (const [id, h] of Object.entries(opts.routes ?? {})) this.on(id, h);
    if (opts.git) this.git = { url: '', receivePackRequests: 0, uploadPackRequests: 0, authorizations: [], urls: [], options: opts.git, close: async () => {} };
  }

  /** Inject a fault for the next matching calls (default once). */
  fail(fault: Fault): this {
    const field = /^graphql\/(.+)$/.exec(fault.operationId)?.[1];
    if (field ? !isRootField('mutation', field) && !isRootField('query', field) : !loadSpec().byId.has(fault.operationId)) {
      throw new Error(`no operation ${fault.operationId} in GitHub's ${field ? 'GraphQL schema' : 'OpenAPI description'}`);
    }
    this.faults.push({ ...fault, left: fault.times ?? 1 });
    return this;
  }

  /** Forget every fault not yet used up (a scripted outage ends). */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Faults injected and not yet used up. */
  pendingFaults(): number {
    return this.faults.reduce((n, f) => n + f.left, 0);
  }

  /** Serve an operation (by GitHub operationId, e.g. `repos/get`). */
  on(operationId: string, handler: Handler): this {
    if (!loadSpec().byId.has(operationId)) throw new Error(`no operation ${operationId} in GitHub's OpenAPI description`);
    this.routes.set(operationId, handler);
    return this;
  }

  /** Serve a GraphQL root field of GitHub's schema (e.g. mutation `markPullRequestReadyForReview`). */
  onGraphQL(kind: RootKind, field: string, resolver: RootResolver): this {
    if (!isRootField(kind, field)) throw new Error(`no ${kind} field ${field} in GitHub's GraphQL schema`);
    this.graphqlRoutes.set(`${kind}/${field}`, resolver);
    return this;
  }

  async start(): Promise<this> {
    loadSpec();
    this.server = http.createServer((req, res) => {
      if (this.git && isGitPath(new URL(req.url ?? '/', 'http://fake').pathname)) return serveGit(req, res, this.git);
      this.handle(req, res).catch((err) => {
        this.violations.push(`handler crashed: ${String(err)}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.url = `${origin}${this.opts.prefix ?? ''}`;
    if (this.git) this.git.url = origin;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Calls that would change something on GitHub. */
  writes(): RecordedRequest[] {
    return this.requests.filter(isWrite);
  }

  assertClean(): void {
    if (this.violations.length) throw new Error(`fake GitHub saw non-conforming traffic:\n- ${this.violations.join('\n- ')}`);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://fake');
    const record: RecordedRequest = { method, url: url.pathname + url.search, status: 0, authorization: req.headers.authorization, accept: req.headers.accept, receivedAt: performance.now() };
    this.requests.push(record);
    const fail = (status: number, message: string) => {
      this.violations.push(`${method} ${record.url}: ${message}`);
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ message: `fake GitHub: ${message}` }));
    };

    const prefix = this.opts.prefix ?? '';
    if (method === 'POST' && url.pathname === graphqlPath(prefix)) return this.handleGraphQL(req, res, record);
    if (prefix && !url.pathname.startsWith(`${prefix}/`)) return fail(404, `request outside the API prefix ${prefix}`);
    const apiPath = url.pathname.slice(prefix.length);

    const match = matchOperation(method, apiPath);
    if (!match) return fail(404, 'not an endpoint of the GitHub REST API');
    const { op, params } = match;
    record.operationId = op.operationId;
    const handler = this.routes.get(op.operationId);
    if (!handler) return fail(501, `operation ${op.operationId} is not served by this fake (unexpected call)`);

    const query = Object.fromEntries(url.searchParams.entries());
    const rawBody = await readBody(req);
    let body: unknown;
    if (rawBody.length) {
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        return fail(400, 'request body is not JSON');
      }
    }
    if (method !== 'GET' && method !== 'HEAD') record.body = body;
    if (this.opts.authenticate && !this.opts.authenticate(req.headers.authorization, op.operationId)) {
      record.status = 401;
      res.writeHead(401, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' }));
      return;
    }
    const problems = validateRequest(op, params, query, req.headers, body);
    if (problems.length) return fail(400, `request does not conform to ${op.operationId}: ${problems.join('; ')}`);

    const fakeReq: FakeRequest = { operationId: op.operationId, method, path: apiPath, params, query, headers: req.headers, body };
    const fault = await this.takeFault([op.operationId], fakeReq, record, req);
    if (fault === 'hung') return;
    let response: FakeResponse;
    if (fault?.response) {
      response = fault.response;
    } else {
      response = await handler(fakeReq);
      const responseProblems = validateResponse(op, req.headers, response);
      if (responseProblems.length) return fail(500, `response does not conform to ${op.operationId}: ${responseProblems.join('; ')}`);
      if (fault?.dropAnswer) {
        record.status = 0;
        record.fault = true;
        req.socket.destroy();
        return;
      }
    }

    const contentType = response.contentType ?? 'application/json';
    const payload = response.body === undefined ? '' : contentType.startsWith('application/json') ? JSON.stringify(response.body) : String(response.body);
    // Conditional reads, where GitHub documents them: the same representation costs a 304 and no body.
    const conditional = method === 'GET' && response.status === 200 && !fault?.response && Boolean(op.spec.responses?.['304']);
    const etag = conditional ? `W/"${createHash('sha1').update(payload).digest('hex')}"` : undefined;
    if (etag && req.headers['if-none-match'] === etag) {
      record.status = 304;
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    record.status = response.status;
    res.writeHead(response.status, {
      ...(etag ? { etag } : {}),
      'content-type': `${contentType}; charset=utf-8`,
      'x-github-media-type': 'github.v3; format=json',
      ...response.headers,
    });
    res.end(payload);
  }

  /** Use up the first injected fault that matches: wait its delay, or hang and drop the connection ('hung'). */
  private async takeFault(operationIds: string[], fakeReq: FakeRequest, record: RecordedRequest, req: http.IncomingMessage): Promise<Fault | 'hung' | undefined> {
    const fault = this.faults.find((f) => f.left > 0 && operationIds.includes(f.operationId) && (!f.when || f.when(fakeReq)));
    if (!fault) return undefined;
    fault.left--;
    record.fault = Boolean(fault.response || fault.hangMs !== undefined || fault.dropAnswer);
    if (fault.delayMs !== undefined) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault.hangMs === undefined) return fault;
    record.status = 0;
    await new Promise((r) => setTimeout(r, fault.hangMs));
    req.socket.destroy();
    return 'hung';
  }

  private async handleGraphQL(req: http.IncomingMessage, res: http.ServerResponse, record: RecordedRequest): Promise<void> {
    const send = (status: number, body: unknown) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    const raw = (await readBody(req)).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    record.body = body;
    // GitHub's GraphQL API has no anonymous access.
    const authorization = req.headers.authorization;
    if (!authorization || (this.opts.authenticate && !this.opts.authenticate(authorization, 'graphql'))) {
      return send(401, { message: authorization ? 'Bad credentials' : 'This endpoint requires you to be authenticated.', documentation_url: 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql' });
    }
    const checked = checkRequest(body, (kind, field) => this.graphqlRoutes.has(`${kind}/${field}`));
    if ('problem' in checked) {
      this.violations.push(`POST ${record.url}: ${checked.problem}`);
      return send(200, checked.body);
    }
    record.graphql = checked.kind;
    record.operationId = `graphql/${checked.fields.join(',')}`;
    const fakeReq: FakeRequest = { operationId: record.operationId, method: 'POST', path: record.url, params: {}, query: {}, headers: req.headers, body };
    const fault = await this.takeFault(checked.fields.map((x) => `graphql/${x}`), fakeReq, record, req);
    if (fault === 'hung') return;
    if (fault?.response) {
      record.status = fault.response.status;
      res.writeHead(fault.response.status, { 'content-type': 'application/json; charset=utf-8', ...fault.response.headers });
      res.end(fault.response.body === undefined ? '' : JSON.stringify(fault.response.body));
      return;
    }
    const answer = await runGraphQL(checked, this.graphqlRoutes, { authorization });
    if (answer.problem) this.violations.push(`POST ${record.url}: ${answer.problem}`);
    send(200, answer.body);
  }
}

/** Where GitHub serves GraphQL: `/graphql` on github.com, `/api/graphql` beside Enterprise's `/api/v3`. */
function graphqlPath(prefix: string): string {
  return /\/v3$/.test(prefix) ? `${prefix.replace(/\/v3$/, '')}/graphql` : `${prefix}/graphql`;
}

export async function startGitHubServer(opts: GitHubServerOptions = {}): Promise<FakeGitHub> {
  return new FakeGitHub(opts).start();
}

function matchOperation(method: string, apiPath: string): { op: Operation; params: Record<string, string> } | undefined {
  for (const op of loadSpec().operations) {
    if (op.method !== method) continue;
    const m = op.regex.exec(apiPath);
    if (!m) continue;
    const params: Record<string, string> = {};
    op.paramNames.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
    return { op, params };
  }
  return undefined;
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

type Json = Record<string, any>;

function validateRequest(op: Operation, params: Record<string, string>, query: Record<string, string>, headers: http.IncomingHttpHeaders, body: unknown): string[] {
  const problems: string[] = [];
  const declared = op.spec.parameters as Json[];
  for (const p of declared) {
    const value = p.in === 'path' ? params[p.name] : p.in === 'query' ? query[p.name] : undefined;
    if (p.in !== 'path' && p.in !== 'query') continue;
    if (value === undefined) {
      if (p.required) problems.push(`missing ${p.in} parameter ${p.name}`);
      continue;
    }
    const v = validatorFor({ type: 'object', properties: { value: p.schema ?? {} } }, { coerce: true });
    if (!v({ value })) problems.push(`${p.in} parameter ${p.name}=${JSON.stringify(value)}: ${formatErrors(v)}`);
  }
  for (const name of Object.keys(query)) {
    if (!declared.some((p) => p.in === 'query' && p.name === name)) problems.push(`undocumented query parameter ${name}`);
  }
  const { doc } = loadSpec();
  const requestBody = op.spec.requestBody ? resolveRef(doc, op.spec.requestBody) : undefined;
  if (requestBody) {
    const schema = requestBody.content?.['application/json']?.schema;
    if (body === undefined) {
      if (requestBody.required) problems.push('missing request body');
    } else if (schema) {
      const v = validatorFor(schema);
      if (!v(body)) problems.push(`body: ${formatErrors(v)}`);
    }
  } else if (body !== undefined) {
    problems.push('unexpected request body');
  }
  const accept = String(headers.accept ?? '');
  for (const media of accept.split(',').map((s) => s.trim().split(';')[0]!)) {
    if (!media || media === '*/*' || media === 'application/json') continue;
    if (!/^application\/vnd\.github(\.[a-z0-9-]+)*(\.(raw|html|text|full|object|diff|patch|sha|base64))?(\+json)?$/.test(media)) problems.push(`unsupported Accept ${media}`);
    const custom = /^application\/vnd\.github\.(raw|html|object|text|full)(\+json)?$/.exec(media);
    if (custom && !String(op.spec.description ?? '').includes(`application/vnd.github.${custom[1]}`)) problems.push(`Accept ${media} is not a documented media type of ${op.operationId}`);
  }
  const auth = headers.authorization;
  if (auth !== undefined && !/^(token|bearer) \S+$/i.test(auth)) problems.push('malformed Authorization header');
  return problems;
}

function validateResponse(op: Operation, reqHeaders: http.IncomingHttpHeaders, r: FakeResponse): string[] {
  const problems: string[] = [];
  const { doc } = loadSpec();
  // GitHub answers 404 on every repository endpoint for a repository the credentials cannot see
  // (a token scoped to other repositories), whether or not the description lists it there.
  const hidden = r.status === 404 && op.template.startsWith('/repos/{owner}/{repo}') ? { $ref: '#/components/responses/not_found' } : undefined;
  // And 403 "Resource not accessible by integration" on every repository endpoint for an
  // installation token without the permission the endpoint needs (the git data API lists none).
  const forbidden = r.status === 403 && op.template.startsWith('/repos/{owner}/{repo}') ? { $ref: '#/components/responses/forbidden' } : undefined;
  const declared = op.spec.responses?.[String(r.status)] ?? op.spec.responses?.default ?? hidden ?? forbidden;
  // 5xx are transport faults GitHub can return for any operation (retries are tested with them).
  if (!declared && r.status < 500) return [`status ${r.status} is not documented`];
  const contentType = r.contentType ?? 'application/json';
  if (contentType.startsWith(RAW_MEDIA)) {
    if (!String(reqHeaders.accept ?? '').includes('application/vnd.github.raw')) problems.push('raw body sent although the request did not ask for the raw media type');
    if (!String(op.spec.description ?? '').includes('application/vnd.github.raw')) problems.push(`${op.operationId} does not document raw responses`);
    if (typeof r.body !== 'string') problems.push('raw body must be a string');
    return problems;
  }
  if (r.status >= 500 && !declared) {
    const v = validatorFor({ $ref: '#/components/schemas/basic-error' });
    if (r.body !== undefined && !v(r.body)) problems.push(`error body: ${formatErrors(v)}`);
    return problems;
  }
  const response = resolveRef(doc, declared);
  const schema = response?.content?.[contentType]?.schema;
  if (!response?.content) {
    if (r.body !== undefined) problems.push(`status ${r.status} has no body in the spec`);
    return problems;
  }
  if (!schema) return [`content type ${contentType} is not documented for status ${r.status}`];
  const v = validatorFor(schema);
  if (!v(r.body)) problems.push(`body: ${formatErrors(v)}`);
  return problems;
}

/** A `full-repository` object that satisfies the schema. */
export function fakeRepository(o: { owner: string; name: string; apiUrl: string; cloneUrl: string; archived?: boolean; defaultBranch?: string; id?: number }): Json {
  const full = `${o.owner}/${o.name}`;
  const api = `${o.apiUrl.replace(/\/+$/, '')}/repos/${full}`;
  const html = `https://github.example/${full}`;
  const owner = {
    login: o.owner, id: 1, node_id: 'MDQ6VXNlcjE=', avatar_url: 'https://avatars.example/u/1', gravatar_id: '', url: `${o.apiUrl}/users/${o.owner}`,
    html_url: `https://github.example/${o.owner}`, followers_url: `${o.apiUrl}/users/${o.owner}/followers`, following_url: `${o.apiUrl}/users/${o.owner}/following{/other_user}`,
    gists_url: `${o.apiUrl}/users/${o.owner}/gists{/gist_id}`, starred_url: `${o.apiUrl}/users/${o.owner}/starred{/owner}{/repo}`, subscriptions_url: `${o.apiUrl}/users/${o.owner}/subscriptions`,
    organizations_url: `${o.apiUrl}/users/${o.owner}/orgs`, repos_url: `${o.apiUrl}/users/${o.owner}/repos`, events_url: `${o.apiUrl}/users/${o.owner}/events{/privacy}`,
    received_events_url: `${o.apiUrl}/users/${o.owner}/received_events`, type: 'Organization', site_admin: false,
  };
  const urls: Json = {};
  for (const k of ['archive', 'assignees', 'blobs', 'branches', 'collaborators', 'comments', 'commits', 'compare', 'contents', 'contributors', 'deployments', 'downloads', 'events', 'forks', 'git_commits', 'git_refs', 'git_tags', 'hooks', 'issue_comment', 'issue_events', 'issues', 'keys', 'labels', 'languages', 'merges', 'milestones', 'notifications', 'pulls', 'releases', 'stargazers', 'statuses', 'subscribers', 'subscription', 'tags', 'teams', 'trees']) {
    urls[`${k}_url`] = `${api}/${k.replace(/_/g, '/')}`;
  }
  return {
    ...urls,
    id: o.id ?? 1000, node_id: 'R_kgDOfake', name: o.name, full_name: full, owner, private: false, html_url: html, description: null, fork: false, url: api,
    clone_url: o.cloneUrl, git_url: `git://github.example/${full}.git`, ssh_url: `git@github.example:${full}.git`, svn_url: html, mirror_url: null, homepage: null, language: 'Dockerfile',
    forks: 0, forks_count: 0, stargazers_count: 0, watchers_count: 0, watchers: 0, size: 10, default_branch: o.defaultBranch ?? 'master', open_issues: 0, open_issues_count: 0,
    has_issues: true, has_projects: false, has_wiki: false, has_pages: false, has_discussions: false, archived: o.archived ?? false, disabled: false, license: null,
    pushed_at: '2024-05-01T10:00:00Z', created_at: '2020-01-01T10:00:00Z', updated_at: '2024-05-01T10:00:00Z', network_count: 0, subscribers_count: 1,
  };
}

export const notFound = (): FakeResponse => ({ status: 404, body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' } });
