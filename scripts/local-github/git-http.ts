/**
 * Serves bare repositories over smart HTTP with the real `git http-backend` (CGI) behind node:http,
 * so tests exercise git's own HTTP transport: auth headers, push counting, and a connection that
 * drops in the middle of a pack.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpOptions {
  /** Folder holding `<owner>/<name>.git` bare repositories. */
  root: string;
  /** Require `Authorization: Basic base64(x-access-token:TOKEN)`. */
  token?: string;
  /**
   * Decide per request (the local GitHub: which token may read or push which repository). Return
   * an HTTP status to refuse (401 unknown token, 403 no push access, 404 no such repository).
   */
  authorize?: (r: { owner: string; name: string; push: boolean; authorization?: string }) => number | undefined;
  /**
   * Destroy the socket after this many bytes of a receive-pack (push) request body: a push cut
   * mid-pack. Asked on every push request; git's 4-byte probe requests never count as the cut one.
   */
  dropReceivePackAfterBytes?: () => number | undefined;
  /** Environment for the repository's hooks on a push (the local GitHub's rules and the pusher). */
  pushEnv?: (r: { owner: string; name: string; authorization?: string }) => Record<string, string>;
  /** Called when a push was cut as `dropReceivePackAfterBytes` asked. */
  onDropped?: () => void;
  /** Called after a push request completed (the local GitHub records the write). */
  onPush?: (r: { owner: string; name: string; status: number }) => void;
  /** Destroy the socket after this many bytes of an upload-pack (fetch/clone) response body. */
  dropUploadPackAfterBytes?: number;
  /** Delay every response by this long (lets a test interrupt a clone in flight). */
  delayMs?: number;
}

export interface GitHttpServer {
  url: string;
  /** Requests for git-receive-pack (any push attempt: ref advertisement or pack upload). */
  receivePackRequests: number;
  uploadPackRequests: number;
  /** Authorization headers seen (to prove the token travelled as a header). */
  authorizations: string[];
  /** Request URLs seen (to prove no credentials in URLs). */
  urls: string[];
  options: GitHttpOptions;
  close(): Promise<void>;
}

export async function startGitHttpServer(options: GitHttpOptions): Promise<GitHttpServer> {
  const state: GitHttpServer = { url: '', receivePackRequests: 0, uploadPackRequests: 0, authorizations: [], urls: [], options, close: async () => {} };
  const server = http.createServer((req, res) => serveGit(req, res, state));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}

/** A path git smart HTTP uses: `/<owner>/<name>.git/...` (never an API path, which has no `.git/` segment). */
export function isGitPath(pathname: string): boolean {
  return /^\/[^/]+\/[^/]+\.git\//.test(pathname);
}

/** Serve one smart-HTTP request (`state` counts and records it). */
export function serveGit(req: http.IncomingMessage, res: http.ServerResponse, state: GitHttpServer): void {
  const options = state.options;
  {
    const url = new URL(req.url ?? '/', 'http://git');
    state.urls.push(req.url ?? '');
    if (req.headers.authorization) state.authorizations.push(req.headers.authorization);
    const service = url.searchParams.get('service') ?? url.pathname.split('/').pop() ?? '';
    if (service === 'git-receive-pack') state.receivePackRequests++;
    if (service === 'git-upload-pack') state.uploadPackRequests++;
    const pathInfo = decodeURIComponent(url.pathname);
    const m = /^\/([^/]+)\/([^/]+)\.git\//.exec(pathInfo);

    if (options.token) {
      const expected = `Basic ${Buffer.from(`x-access-token:${options.token}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"', 'content-type': 'text/plain' });
        res.end('authentication required\n');
        return;
      }
    }
    if (options.authorize) {
      const refused = m ? options.authorize({ owner: m[1]!, name: m[2]!, push: service === 'git-receive-pack', authorization: req.headers.authorization }) : 404;
      if (refused) {
        res.writeHead(refused, { ...(refused === 401 ? { 'www-authenticate': 'Basic realm="local GitHub"' } : {}), 'content-type': 'text/plain' });
        res.end(refused === 403 ? 'Permission denied: the token has no push access to this repository\n' : refused === 401 ? 'authentication required\n' : 'Repository not found\n');
        return;
      }
    }
    const isPush = req.method === 'POST' && service === 'git-receive-pack';
    const run = () => {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: options.root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: pathInfo,
        REQUEST_METHOD: req.method,
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_ADDR: '127.0.0.1',
        // http-backend refuses pushes unless a user is authenticated: the plain server only counts
        // them, the local GitHub (with `authorize`) lets an authorised token push.
        ...(options.authorize ? { REMOTE_USER: 'x-access-token' } : {}),
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) } : {}),
        ...(service === 'git-receive-pack' && m && options.pushEnv ? options.pushEnv({ owner: m[1]!, name: m[2]!, authorization: req.headers.authorization }) : {}),
      };
      const cgi = spawn('git', ['http-backend'], { env });
      const dropAfter = isPush ? options.dropReceivePackAfterBytes?.() : undefined;
      let dropped = false;
      if (dropAfter === undefined) req.pipe(cgi.stdin);
      else {
        let received = 0;
        req.on('data', (chunk: Buffer) => {
          if (dropped) return;
          received += chunk.length;
          if (received > Math.max(dropAfter, 4)) {
            // The network drops in the middle of the pack: git's receive-pack never sees it whole.
            // A few bytes of an answer first: curl retries a request silently when a kept-alive
            // connection dies before any answer, which would hide the fault.
            dropped = true;
            options.onDropped?.();
            cgi.kill();
            if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/x-git-receive-pack-result', 'cache-control': 'no-cache' });
            res.write('00', () => setTimeout(() => req.socket.destroy(), 20));
            return;
          }
          cgi.stdin.write(chunk);
        });
        req.on('end', () => cgi.stdin.end());
      }
      let pushStatus = 200;
      let head = Buffer.alloc(0);
      let headersDone = false;
      let sent = 0;
      const isUploadPackBody = req.method === 'POST' && service === 'git-upload-pack';
      cgi.stdout.on('data', (chunk: Buffer) => {
        if (dropped) return;
        if (!headersDone) {
          head = Buffer.concat([head, chunk]);
          const sep = head.indexOf('\r\n\r\n');
          if (sep < 0) return;
          headersDone = true;
          const lines = head.subarray(0, sep).toString('utf8').split('\r\n');
          let status = 200;
          const headers: Record<string, string> = {};
          for (const line of lines) {
            const i = line.indexOf(':');
            const k = line.slice(0, i).trim();
            const v = line.slice(i + 1).trim();
            if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
            else headers[k] = v;
          }
          pushStatus = status;
          res.writeHead(status, headers);
          chunk = head.subarray(sep + 4);
        }
        if (isUploadPackBody && options.dropUploadPackAfterBytes !== undefined && sent + chunk.length > options.dropUploadPackAfterBytes) {
          res.write(chunk.subarray(0, Math.max(0, options.dropUploadPackAfterBytes - sent)));
          // The network drops: no proper end of the chunked body, the socket just goes.
          cgi.kill();
          req.socket.destroy();
          return;
        }
        sent += chunk.length;
        res.write(chunk);
      });
      cgi.stdout.on('end', () => {
        if (dropped) return;
        if (!req.socket.destroyed) res.end();
        if (isPush && m && !req.socket.destroyed) options.onPush?.({ owner: m[1]!, name: m[2]!, status: pushStatus });
      });
      cgi.on('error', () => res.destroy());
    };
    if (options.delayMs) setTimeout(run, options.delayMs);
    else run();
  }
}
