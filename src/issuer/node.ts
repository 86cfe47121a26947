/**
 * node:http adapter of the token issuer: `IncomingMessage` → `Request`, `Response` → `ServerResponse`.
 * The same function is an Express/Connect middleware: `app.post('/upload-token', toNodeHandler(issuer))`.
 */
import {
  Agent as HttpAgent,
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { readBody } from '../node/body.js';
import { answerHttpErrors, closeServer, headerDeadlines, listenOn } from '../node/http.js';
import { problemResponse } from '../protocol/problem.js';
import { MAX_BODY_BYTES } from './body.js';
import type { TokenIssuer } from './index.js';
import { issuerProblems } from './problems.js';

/** A request as Express or Connect hand it over, with the body perhaps already parsed. */
type NodeRequest = IncomingMessage & { body?: unknown; originalUrl?: string };

export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/** The body a framework already consumed (express.json(), express.raw(), express.text()). */
function parsedBody(req: NodeRequest): Buffer | string | undefined {
  if (!req.readableEnded || req.body === undefined) return undefined;
  const { body } = req;
  if (Buffer.isBuffer(body) || typeof body === 'string') return body;
  // express.json() leaves `{}` on a request it did not parse; an empty object and no body mean the same.
  return JSON.stringify(body);
}

/** Builds the web `Request`; the URL's host is the Host header, as the browser sent it. */
export async function toWebRequest(req: NodeRequest): Promise<{ request: Request; truncated: boolean }> {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const host = req.headers.host ?? 'localhost';
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  let url: string;
  try {
    url = new URL(req.originalUrl ?? req.url ?? '/', `${scheme}://${host}`).href;
  } catch {
    url = `${scheme}://localhost/`;
  }
  const method = req.method ?? 'GET';
  let body: Buffer | string | undefined;
  let truncated = false;
  if (method !== 'GET' && method !== 'HEAD') {
    body = parsedBody(req);
    if (body !== undefined) {
      headers.delete('content-length');
      if (typeof req.body === 'object' && !Buffer.isBuffer(req.body)) headers.set('content-type', 'application/json');
    } else {
      ({ body, truncated } = await readBody(req, MAX_BODY_BYTES));
    }
    if (truncated) headers.delete('content-length');
  }
  const init: RequestInit = { method, headers };
  if (body !== undefined && body.length > 0) init.body = typeof body === 'string' ? body : new Uint8Array(body);
  return { request: new Request(url, init), truncated };
}

/** Writes a web `Response` to a node `ServerResponse`. */
export async function writeWebResponse(
  response: Response,
  res: ServerResponse,
  closeConnection = false,
): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === 'set-cookie') return;
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  if (closeConnection) headers.connection = 'close';
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
  if (body) headers['content-length'] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(body);
}

const NO_STORE = { 'cache-control': 'no-store' };

/** Methods a web `Request` cannot carry; node:http parses them all the same. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/**
 * Wraps the issuer for node:http, Express and Connect. Every request it receives is answered; an
 * unexpected failure goes to `next` when there is one, otherwise a 500 problem.
 */
export function toNodeHandler(issuer: TokenIssuer): NodeHandler {
  return (req, res, next) => {
    (async () => {
      if (FORBIDDEN_METHODS.has((req.method ?? '').toUpperCase())) {
        await writeWebResponse(problemResponse(issuerProblems.methodNotAllowed(), NO_STORE), res);
        return;
      }
      const { request, truncated } = await toWebRequest(req);
      const response = await issuer(request, { clientAddress: req.socket.remoteAddress });
      await writeWebResponse(response, res, truncated);
    })().catch((error: unknown) => {
      if (next) return next(error);
      if (res.headersSent) {
        res.end();
        return;
      }
      writeWebResponse(problemResponse(issuerProblems.internal(), NO_STORE), res).catch(() => res.destroy());
    });
  };
}

export interface RunningIssuer {
  server: Server;
  /** e.g. `http://127.0.0.1:8788`. */
  url: string;
  close(): Promise<void>;
}

/** Headers of the answers written straight to a socket. */
const RAW_HEADERS = { 'Cache-Control': 'no-store' };

/** Serves the issuer alone on node:http; resolves once it listens. */
export async function serveTokenIssuer(issuer: TokenIssuer, port = 0, host = '127.0.0.1'): Promise<RunningIssuer> {
  // A request without Host is answered by the issuer (its URL falls back to localhost), not refused bare.
  const server = createServer({ requireHostHeader: false, ...headerDeadlines(10_000) }, toNodeHandler(issuer));
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  answerHttpErrors(server, RAW_HEADERS);
  const url = await listenOn(server, port, host);
  return { server, url, close: () => closeServer(server) };
}

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * A `fetch` for the issuer's calls to the video API over node:http(s) keep-alive agents. It buffers
 * the (small) answer and skips the stream machinery of the global fetch, which costs more than the
 * video API's own work per token. Handles what the issuer sends: a URL, a method, headers, a string
 * body and a signal; anything else goes to the global fetch.
 */
export function createNodeFetch(options: { maxSockets?: number } = {}): typeof fetch {
  const maxSockets = options.maxSockets ?? 64;
  const agents = {
    // noDelay: a token request is one small write; Nagle's algorithm would only hold it back.
    'http:': new HttpAgent({ keepAlive: true, maxSockets, noDelay: true }),
    'https:': new HttpsAgent({ keepAlive: true, maxSockets, noDelay: true }),
  };
  return (input, init = {}) => {
    const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : undefined;
    const body = init.body;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || (body != null && typeof body !== 'string')) {
      return fetch(input, init);
    }
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    if (body != null) headers['content-length'] = String(Buffer.byteLength(body));
    const signal = init.signal ?? undefined;
    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        url,
        { method: init.method ?? 'GET', headers, agent: agents[url.protocol as 'http:' | 'https:'] },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            signal?.removeEventListener('abort', onAbort);
            const responseHeaders = new Headers();
            for (let i = 0; i < res.rawHeaders.length; i += 2)
              responseHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
            const status = res.statusCode ?? 502;
            resolve(
              new Response(NULL_BODY_STATUS.has(status) ? null : Buffer.concat(chunks), {
                status,
                headers: responseHeaders,
              }),
            );
          });
          res.on('error', fail);
        },
      );
      function fail(error: unknown): void {
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      }
      function onAbort(): void {
        req.destroy();
        reject(signal!.reason);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      req.on('error', fail);
      req.end(body ?? undefined);
    });
  };
}
