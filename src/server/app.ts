import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';
import { registerAuthRoutes } from './auth.js';
import { cors, CORS_HEADERS } from './cors.js';
import type { ApiContext, App, AppEnv, VideoApiOptions } from './context.js';
import { openDatabase } from './db.js';
import {
  answerAndClose,
  answerHttpErrors,
  closeServer,
  hasBody,
  headerDeadlines,
  listenOn,
  timedOut,
} from '../node/http.js';
import { stripEmptyContentType } from '../node/empty-answers.js';
import { FixedWindowLimiter } from '../protocol/rate-limit.js';
import { UPLOAD_PATH, uploadConnections, type ConnectionLimits } from './connections.js';
import { ProblemError, problemResponse, problems } from './problem.js';
import { DEFAULT_RATE_LIMIT, RATE_LIMIT_HEADERS } from './rate-limit.js';
import { SqliteTokenStore } from './token-store.js';
import { registerTokenRoutes } from './tokens.js';
import { registerMediaRoutes } from './media.js';

export type { VideoApiOptions } from './context.js';
export type { ConnectionLimits } from './connections.js';
export type { TokenQuota } from './quota.js';

export interface VideoApi {
  app: App;
  ctx: ApiContext;
  /** The app as a web handler: `(Request) => Response`. */
  fetch: App['fetch'];
  /** Closes the tus mount and the database. */
  close(): void;
}

/**
 * The local video API as a Hono app over SQLite and the data directory. `extend` routes extra
 * handlers (the dev issuer, the demo) in front of the API's 404.
 */
export function createVideoApi(options: VideoApiOptions, extend?: (app: App, ctx: ApiContext) => void): VideoApi {
  if (!options.apiKey) throw new Error('An API key is required.');
  const now = options.now ?? Date.now;
  const db = openDatabase(options.dataDir);
  const ctx: ApiContext = {
    options,
    db,
    tokens: new SqliteTokenStore(db, now),
    limiter: new FixedWindowLimiter(
      options.rateLimit ?? DEFAULT_RATE_LIMIT,
      RATE_LIMIT_HEADERS,
      options.rateLimitStore,
      now,
    ),
    signingKey: createHmac('sha256', options.apiKey).update('video-uploader bearer tokens').digest('base64url'),
    now,
  };
  const app: App = new Hono<AppEnv>();

  if (options.log) {
    const log = options.log;
    app.use(async (c, next) => {
      const started = performance.now();
      await next();
      log(
        `${c.req.method} ${new URL(c.req.url).pathname} ${c.res.status} ${(performance.now() - started).toFixed(1)}ms`,
      );
    });
  }

  app.use(cors());

  registerAuthRoutes(app, ctx);
  registerTokenRoutes(app, ctx);
  const media = registerMediaRoutes(app, ctx);
  extend?.(app, ctx);

  app.notFound(() => problemResponse(problems.unrecognizedUrl(), CORS_HEADERS));
  app.onError((error, c) => {
    // A refusal after the rate-limit count carries its X-RateLimit-* headers, like every other answer.
    if (error instanceof ProblemError) return problemResponse(error, { ...CORS_HEADERS, ...c.get('rateHeaders') });
    console.error('video-uploader: unexpected error', error instanceof Error ? error.stack : error);
    return problemResponse(problems.internal(), CORS_HEADERS);
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

export const DEFAULT_TIMEOUTS: Required<ServerTimeouts> = {
  headersMs: 10_000,
  idleMs: 60_000,
  keepAliveMs: 5_000,
  smallBodyMs: 30_000,
};

/** Headers of the answers written straight to a socket: browsers may read them cross-origin. */
const RAW_HEADERS = { 'Access-Control-Allow-Origin': '*' };
const TIMED_OUT = timedOut(RAW_HEADERS);

export interface StartOptions extends VideoApiOptions {
  port?: number;
  host?: string;
  timeouts?: ServerTimeouts;
  /** Upload connections per address and the least rate of an upload body. */
  connections?: ConnectionLimits;
}

export interface RunningServer {
  api: VideoApi;
  server: Server;
  /** e.g. `http://127.0.0.1:8787`. */
  url: string;
  close(): Promise<void>;
}

/** Serves a Hono-style fetch handler on node:http; resolves once listening. */
export async function listen(
  fetch: App['fetch'],
  port: number,
  host: string,
  timeouts: ServerTimeouts = {},
  connections: ConnectionLimits = {},
): Promise<{ server: Server; url: string }> {
  const uploads = uploadConnections(connections, RAW_HEADERS);
  const { headersMs, idleMs, keepAliveMs, smallBodyMs } = { ...DEFAULT_TIMEOUTS, ...timeouts };
  const handle = getRequestListener(fetch, {
    // A request node:http parsed but the web Request cannot hold (e.g. a malformed Host).
    errorHandler: () => problemResponse(problems.malformedRequest(), CORS_HEADERS),
  });
  const server = createServer(
    {
      // Guards against slow clients that would otherwise hold sockets forever: the headers have a
      // deadline, the body an inactivity timeout; no total deadline.
      ...headerDeadlines(headersMs),
      requestTimeout: 0,
      keepAliveTimeout: keepAliveMs,
      // A request without Host is refused by the app's error handler, with a problem body.
      requireHostHeader: false,
    },
    (req: IncomingMessage, res: ServerResponse) => {
      const socket = req.socket;
      socket.setTimeout(idleMs);
      const upload = UPLOAD_PATH.test(req.url ?? '/');
      if (upload && !uploads.admit(req, res)) return;
      if (!upload && hasBody(req)) {
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
      // (assembling a large out-of-order upload, say) may take as long as it takes. A body node:http
      // reads only after the answer (an unread GET's, dumped then) ends after node:http has set the
      // keep-alive timeout on the socket: that one stays, so an idle connection is closed.
      req.once('end', () => {
        if (!res.writableFinished) socket.setTimeout(0);
      });
      stripEmptyContentType(res);
      void handle(req, res);
    },
  );
  const owed = answerHttpErrors(server, RAW_HEADERS);
  server.on('timeout', (socket: Socket) => {
    const res = owed.get(socket);
    // Answered once, straight on the socket: the handler's own late answer then goes nowhere.
    if (res && !res.headersSent && socket.writable) answerAndClose(socket, TIMED_OUT);
    else socket.destroy();
  });
  return { server, url: await listenOn(server, port, host) };
}

export async function startVideoApiServer(
  options: StartOptions,
  extend?: (app: App, ctx: ApiContext) => void,
): Promise<RunningServer> {
  const api = createVideoApi(options, extend);
  const { server, url } = await listen(
    api.fetch,
    options.port ?? 0,
    options.host ?? '127.0.0.1',
    options.timeouts,
    options.connections,
  );
  return {
    api,
    server,
    url,
    close: async () => {
      await closeServer(server);
      api.close();
    },
  };
}
