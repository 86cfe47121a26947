import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';
import { registerAuthRoutes } from './auth.js';
import { cors, CORS_HEADERS } from './cors.js';
import type { ApiContext, App, AppEnv, VideoApiOptions } from './context.js';
import { openDatabase } from './db.js';
import { ProblemError, problemResponse, problems } from './problem.js';
import { DEFAULT_RATE_LIMIT, RateLimiter } from './rate-limit.js';
import { SqliteTokenStore } from './token-store.js';
import { registerTokenRoutes } from './tokens.js';
import { registerMediaRoutes } from './media.js';

export type { VideoApiOptions } from './context.js';


export interface VideoApi {
  app: App;
  ctx: ApiContext;
  /** Routes extra handlers (the dev issuer, the demo) in front of the API's 404. */
  fetch: App["fetch"];
  close(): void;
}

/** The local video API as a Hono app over SQLite and the data directory. */
export function createVideoApi(options: VideoApiOptions, extend?: (app: App, ctx: ApiContext) => void): VideoApi {
  if (!options.apiKey) throw new Error('An API key is required.');
  const now = options.now ?? Date.now;
  const db = openDatabase(options.dataDir);
  const ctx: ApiContext = {
    options,
    db,
    tokens: new SqliteTokenStore(db, now),
    limiter: new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT, now),
    signingKey: createHmac('sha256', options.apiKey).update('video-uploader bearer tokens').digest('base64url'),
    now,
  };
  const app: App = new Hono<AppEnv>();

  if (options.log) {
    const log = options.log;
    app.use(async (c, next) => {
      const started = performance.now();
      await next();
      log(`${c.req.method} ${new URL(c.req.url).pathname} ${c.res.status} ${(performance.now() - started).toFixed(1)}ms`);
    });
  }

  app.use(cors());

  registerAuthRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  const media = registerMediaRoutes(app, ctx);
  extend?.(app, ctx);

  app.notFound(() => problemResponse(problems.unrecognizedUrl(), CORS_HEADERS));
  app.onError((error) => {
    if (error instanceof ProblemError) return problemResponse(error, CORS_HEADERS);
    console.error('video-uploader: unexpected error', error instanceof Error ? error.stack : error);
    return problemResponse(
      new ProblemError({ type: 'https://docs.api.video/reference/internal-error', title: 'An unexpected error occurred.', status: 500 }),
      CORS_HEADERS,
    );
  });

  return {
    app,
    ctx,
    fetch: app.fetch,
    close: () => {
      media.close();
      db.close();
    },
  };
}

export interface ServerTimeouts {
  /** Milliseconds a client has to send its request line and headers. */
  headersMs?: number;
  /**
   * Milliseconds a connection may stay silent in the middle of a request before it is answered
   * 408 and closed. Silence, not duration: a 200 MiB part on a slow link takes as long as it needs.
   */
  idleMs?: number;
  /** Milliseconds an idle keep-alive connection stays open between requests. */
  keepAliveMs?: number;
  /**
   * Milliseconds the body of a request other than an upload (`/upload`, tus) has to arrive whole.
   * Those bodies are small (64 KiB at most): one sent a byte now and then is an attack, not a slow link.
   */
  smallBodyMs?: number;
}

export const DEFAULT_TIMEOUTS: Required<ServerTimeouts> = { headersMs: 10_000, idleMs: 60_000, keepAliveMs: 5_000, smallBodyMs: 30_000 };

/** Paths whose bodies are uploads: they take as long as they need, as long as they keep coming. */
const UPLOAD_PATH = /^\/(upload|tus)(\/|\?|$)/;

export interface StartOptions extends VideoApiOptions {
  port?: number;
  host?: string;
  timeouts?: ServerTimeouts;
}

export interface RunningServer {
  api: VideoApi;
  server: Server;
  /** e.g. `http://127.0.0.1:8787`. */
  url: string;
  close(): Promise<void>;
}

/** A problem body written straight to a socket, for errors found before a request reaches the app. */
function rawProblem(status: number, reason: string, slug: string, title: string): string {
  const body = JSON.stringify({ type: `https://docs.api.video/reference/${slug}`, title, status });
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json\r\nAccess-Control-Allow-Origin: *\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

const METHOD_NOT_ALLOWED = rawProblem(405, 'Method Not Allowed', 'method-not-allowed', 'Method is not allowed for this route.');
const TIMED_OUT = rawProblem(408, 'Request Timeout', 'request-timeout', 'The request took too long to arrive.');

/** Node's answers to requests it cannot parse, as problem bodies. */
function clientErrorResponse(code: string | undefined): string {
  if (code === 'HPE_HEADER_OVERFLOW') return rawProblem(431, 'Request Header Fields Too Large', 'headers-too-large', 'The request headers are too large.');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return TIMED_OUT;
  return rawProblem(400, 'Bad Request', 'malformed-request', 'The request is not valid HTTP.');
}

/** Writes a last answer and closes the connection a few seconds later at most. */
function answerAndClose(socket: Socket, response: string): void {
  // What the client still sends is read and dropped for a few seconds: closing at once would reset the
  // connection, and the client's kernel would drop the answer it has not read yet.
  socket.on('data', () => {});
  socket.resume();
  socket.end(response);
  setTimeout(() => socket.destroy(), 3_000).unref();
}

/**
 * A request may be answered before its body is read (a refusal). The rest of the body is skipped
 * for a moment, so that the client sees the answer, then the connection goes: a body that never
 * ends is not read forever. A client that asked to close would otherwise be closed on at once,
 * and the reset that its next bytes cause would lose the answer: its connection is kept for that
 * moment too, and closed after it.
 */
const hasBody = (req: IncomingMessage): boolean =>
  (req.headers['content-length'] ?? '0') !== '0' || req.headers['transfer-encoding'] !== undefined;

function lingerOnUnreadBody(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket;
  if (hasBody(req) && !res.shouldKeepAlive) {
    res.shouldKeepAlive = true;
    res.once('finish', () => {
      if (req.complete) socket.end();
      else req.once('end', () => socket.end());
    });
  }
  res.once('finish', () => {
    if (!req.complete) setTimeout(() => { if (!req.complete) socket.destroy(); }, 1_000).unref();
  });
}

/** Serves a Hono-style fetch handler on node:http; resolves once listening. */
export async function listen(
  fetch: App["fetch"],
  port: number,
  host: string,
  timeouts: ServerTimeouts = {},
): Promise<{ server: Server; url: string }> {
  const { headersMs, idleMs, keepAliveMs, smallBodyMs } = { ...DEFAULT_TIMEOUTS, ...timeouts };
  const handle = getRequestListener(fetch, {
    // A request node:http parsed but the web Request cannot hold (e.g. a malformed Host).
    errorHandler: () => problemResponse(
      new ProblemError({ type: 'https://docs.api.video/reference/malformed-request', title: 'The request is not valid HTTP.', status: 400 }),
      CORS_HEADERS,
    ),
  });
  /** The response each connection owes, while its request is in progress. */
  const owed = new WeakMap<Socket, ServerResponse>();
  const refused = new WeakSet<Socket>();
  const server = createServer(
    {
      // Guards against slow clients that would otherwise hold sockets forever: the headers have a
      // deadline (checked every second), the body an inactivity timeout; no total deadline.
      headersTimeout: headersMs,
      requestTimeout: 0,
      keepAliveTimeout: keepAliveMs,
      connectionsCheckingInterval: Math.min(1_000, headersMs),
      // A request without Host is refused by the app's error handler, with a problem body.
      requireHostHeader: false,
    },
    (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      owed.set(socket, res);
      res.once('close', () => {
        if (owed.get(socket) === res) owed.delete(socket);
      });
      lingerOnUnreadBody(req, res);
      socket.setTimeout(idleMs);
      if (!UPLOAD_PATH.test(req.url ?? '/') && hasBody(req)) {
        const deadline = setTimeout(() => {
          if (req.complete) return;
          if (!res.headersSent && socket.writable) answerAndClose(socket, TIMED_OUT);
          else socket.destroy();
        }, smallBodyMs);
        deadline.unref();
        req.once('end', () => clearTimeout(deadline));
        res.once('close', () => clearTimeout(deadline));
      }
      // The inactivity timeout guards the arrival of the request. Once its body is in, the work
      // (assembling a large out-of-order upload, say) may take as long as it takes.
      req.once('end', () => socket.setTimeout(0));
      void handle(req, res);
    },
  );
  server.on('timeout', (socket: Socket) => {
    const res = owed.get(socket);
    // Answered once, straight on the socket: the handler's own late answer then goes nowhere.
    if (res && !res.headersSent && socket.writable) answerAndClose(socket, TIMED_OUT);
    else socket.destroy();
  });
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
    // The parser is gone: every later byte reports the error again. One answer is enough.
    if (refused.has(socket)) return;
    refused.add(socket);
    const refuse = (): void => {
      if (socket.writable) answerAndClose(socket, clientErrorResponse(error.code));
      else socket.destroy();
    };
    // Answers owed to requests pipelined before the broken one go first; the refusal follows them.
    const res = owed.get(socket);
    if (res && !res.writableFinished) res.once('close', refuse);
    else refuse();
  });
  // Without these listeners node:http drops a CONNECT and answers an unknown Expect with a bare 417.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => answerAndClose(socket, METHOD_NOT_ALLOWED));
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.stringify({ type: 'https://docs.api.video/reference/expectation-failed', title: 'The Expect header cannot be met.', status: 417 });
    lingerOnUnreadBody(req, res);
    res.writeHead(417, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), ...CORS_HEADERS });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${shown}:${address.port}` };
}

export async function startVideoApiServer(options: StartOptions, extend?: (app: App, ctx: ApiContext) => void): Promise<RunningServer> {
  const api = createVideoApi(options, extend);
  const { server, url } = await listen(api.fetch, options.port ?? 0, options.host ?? '127.0.0.1', options.timeouts);
  return {
    api,
    server,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          api.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
