/**
 * The public contract of the browser upload engine. `UploadSession` (session.ts) implements it;
 * the element renders what it reports.
 */
import type { TokenGrant, UploadProtocol, Video } from '../protocol/index.js';

export type UploadState =
  'idle' | 'authorizing' | 'uploading' | 'paused' | 'retrying' | 'complete' | 'error' | 'canceled';

export interface UploadProgress {
  /** Bytes of the file the server has accepted or that are in flight; never above `totalBytes`, never going back. */
  uploadedBytes: number;
  totalBytes: number;
  /** 0…100. */
  percent: number;
  bytesPerSecond: number;
  /** null until a rate is known. */
  secondsRemaining: number | null;
  /** 1-based number of the part being sent. */
  part: number;
  parts: number;
}

export type UploadErrorCode =
  | 'token-request-failed'
  /** Setup mistakes, each with its own code: no token source at all, a static token without an API URL. */
  | 'token-missing'
  | 'api-url-missing'
  /** The token endpoint: nothing there (404), not reachable, refused by CORS, not JSON, or refusing (401/403). */
  | 'token-endpoint-missing'
  | 'token-endpoint-unreachable'
  | 'token-endpoint-cors'
  | 'token-endpoint-not-json'
  | 'token-endpoint-refused'
  | 'token-invalid'
  | 'token-expired'
  | 'unauthorized'
  | 'file-too-large'
  | 'file-type'
  | 'network'
  | 'server'
  | 'rate-limited'
  | 'canceled'
  | 'protocol';

/** A token from a function: a grant, or a bare token string (treated as a grant with an unknown expiry). */
export type TokenProvider = (file: File, signal: AbortSignal) => Promise<TokenGrant | string>;

export interface UploadSessionOptions {
  /** A static upload token; it cannot be refreshed. */
  token?: string;
  /** Called for a token, and again whenever it must be refreshed. */
  tokenProvider?: TokenProvider;
  /** The site's token endpoint: POST JSON `{fileName, fileSize, fileType}` → `TokenGrant`. */
  tokenUrl?: string;
  /** Extra facts sent to the token endpoint with the file's (e.g. `title`, `description`). */
  fields?: Record<string, string>;
  /** Default `https://ws.api.video`; a grant's `apiUrl` wins. A static `token` needs it. */
  apiUrl?: string;
  /** Default `apivideo`; a grant's `protocol` wins. */
  protocol?: UploadProtocol;
  /** Bytes per part, default 50 MiB, clamped to 5…128 MiB. */
  chunkSize?: number;
  /** Parts in flight at once (apivideo transport), 1…4, default 1. */
  parallel?: number;
  /** Retries per part for network errors, timeouts, 5xx and 429; default 6; 0 means none. */
  retries?: number;
  /** Seconds before expiry at which a token is refreshed; default 60. */
  tokenSafetyMargin?: number;
  /** Milliseconds without progress after which a part is aborted and retried; default 30 000. */
  stallTimeout?: number;
  /** Milliseconds for the token request; default 15 000. */
  tokenRequestTimeout?: number;
  /** Record accepted parts to resume after a reload; default true. */
  resume?: boolean;
  /** Where resume records go; default `localStorage`. */
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> & {
    key?(index: number): string | null;
    length?: number;
  };
}

export interface UploadEventMap {
  statechange: { state: UploadState; previous: UploadState };
  start: { file: File; resumedBytes: number };
  token: { grant: TokenGrant; refreshed: boolean };
  progress: UploadProgress;
  retry: { attempt: number; retries: number; delayMs: number; error: UploadErrorLike };
  pause: { progress: UploadProgress };
  resume: { progress: UploadProgress };
  complete: { video: Video };
  error: { error: UploadErrorLike };
  cancel: Record<string, never>;
}

export interface UploadErrorLike extends Error {
  readonly code: UploadErrorCode;
  readonly status?: number;
  readonly retryable: boolean;
}

/** Engine events are `CustomEvent`s named after the keys of `UploadEventMap`, with the value as `detail`. */
export type UploadEvent<K extends keyof UploadEventMap> = CustomEvent<UploadEventMap[K]>;
