import type { Hono } from 'hono';
import type { HttpBindings } from '@hono/node-server';
import type { Db } from './db.js';
import type { FixedWindowLimiter, RateLimitStore } from '../protocol/rate-limit.js';
import type { UploadGuardOptions } from './quota.js';
import type { RateLimitOptions } from './rate-limit.js';
import type { TokenStore } from './token-store.js';

/** With the upload guard's: `tokenQuota`, `minFreeSpace`, `resendWindowMs` (see quota.ts). */
export interface VideoApiOptions extends UploadGuardOptions {
  /** The API key that management routes require. */
  apiKey: string;
  /** Where the SQLite database and uploaded files live. */
  dataDir: string;
  /** Public origin of this server for asset URLs; defaults to the origin each request came to. */
  publicUrl?: string;
  rateLimit?: RateLimitOptions;
  /** Where the rate-limit counts live. Default: this process's memory. */
  rateLimitStore?: RateLimitStore;
  /** Largest JSON request body, in bytes. */
  maxJsonBody?: number;
  /**
   * Largest tus upload, in bytes. Default: the free space of the data directory's disk, less 1 GiB,
   * read at each creation, so no upload is accepted that could not fit.
   */
  maxUploadSize?: number;
  /** Syncs every chunk to the device before it counts: safe against a power cut, slower. Default false. */
  fsync?: boolean;
  /** The ffmpeg command or path for thumbnails and HLS; `false` turns media work off. Default `ffmpeg`. */
  ffmpeg?: string | false;
  /** The ffprobe command or path. Default `ffprobe`. */
  ffprobe?: string;
  /**
   * Smallest part (other than the last) the ingest accepts, in bytes. Default and floor in production:
   * 5 MiB, as api.video. Only test servers lower it, so that short recordings can be sent in several parts.
   */
  minPartSize?: number;
  /** Receives one line per request (method, path without query, status, ms). Never secrets. */
  log?: (line: string) => void;
  now?: () => number;
}

/** What every route module gets: options and the shared stores. */
export interface ApiContext {
  options: VideoApiOptions;
  db: Db;
  tokens: TokenStore;
  limiter: FixedWindowLimiter;
  /** Key that signs bearer access tokens; derived from the API key. */
  signingKey: string;
  now: () => number;
}

export interface AppEnv {
  Bindings: HttpBindings;
  /** `rateHeaders`: the X-RateLimit-* headers of the request's rate-limit verdict, for its answer. */
  Variables: { credential: string; rateHeaders: Record<string, string> };
}

export type App = Hono<AppEnv>;
