import type { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { Db } from './db.js';
import type { RateLimiter, RateLimitOptions } from './rate-limit.js';
import type { TokenStore } from './token-store.js';

export interface VideoApiOptions {
  /** The API key that management routes require. */
  apiKey: string;
  /** Where the SQLite database and uploaded files live. */
  dataDir: string;
  /** Public origin of this server for asset URLs; defaults to the origin each request came to. */
  publicUrl?: string;
  rateLimit?: RateLimitOptions;
  /** Largest JSON request body, in bytes. */
  maxJsonBody?: number;
  /**
   * Largest tus upload, in bytes. Default: the free space of the data directory's disk, less 1 GiB,
   * read at each creation, so no upload is accepted that could not fit.
   */
  maxUploadSize?: number;
  /** Receives one line per request (method, path without query, status, ms). Never secrets. */
  log?: (line: string) => void;
  now?: () => number;
}

/** What every route module gets: options and the shared stores. */
export interface ApiContext {
  options: VideoApiOptions;
  db: Db;
  tokens: TokenStore;
  limiter: RateLimiter;
  /** Key that signs bearer access tokens; derived from the API key. */
  signingKey: string;
  now: () => number;
}

export interface AppEnv {
  Bindings: HttpBindings;
  Variables: { credential: string };
}

export type App = Hono<AppEnv>;
