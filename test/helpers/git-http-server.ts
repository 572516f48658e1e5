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
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://git');
    state.urls.push(req.url ?? '');
    if (req.headers.authorization) state.authorizations.push(req.headers.authorization);
    const service = url.searchParams.get('service') ?? url.pathname.split('/').pop() ?? '';
    if (service === 'git-receive-pack') state.receivePackRequests++;
    if (service === 'git-upload-pack') state.uploadPackRequests++;

    if (options.token) {
      const expected = `Basic ${Buffer.from(`x-access-token:${options.token}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"', 'content-type': 'text/plain' });
        res.end('authentication required\n');
        return;
      }
    }
    const run = () => {
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: options.root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        REQUEST_METHOD: req.method,
        QUERY_STRING: url.search.slice(1),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_ADDR: '127.0.0.1',
        // Pushes are refused by http-backend unless a user is authenticated; we only count them.
        ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) } : {}),
      };
      const cgi = spawn('git', ['http-backend'], { env });
      req.pipe(cgi.stdin);
      let head = Buffer.alloc(0);
      let headersDone = false;
      let sent = 0;
      const isUploadPackBody = req.method === 'POST' && service === 'git-upload-pack';
      cgi.stdout.on('data', (chunk: Buffer) => {
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
        if (!req.socket.destroyed) res.end();
      });
      cgi.on('error', () => res.destroy());
    };
    if (options.delayMs) setTimeout(run, options.delayMs);
    else run();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
