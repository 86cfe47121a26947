import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

export interface StartOptions extends VideoApiOptions {
  port?: number;
  host?: string;
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
  fetch: App["fetch"],
  port: number,
  host: string,
): Promise<{ server: Server; url: string }> {
  const server = createServer(getRequestListener(fetch));
  // Guards against slow clients that would otherwise hold sockets forever.
  server.headersTimeout = 30_000;
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;
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
  const { server, url } = await listen(api.fetch, options.port ?? 0, options.host ?? '127.0.0.1');
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
