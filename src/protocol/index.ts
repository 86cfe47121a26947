/**
 * Wire types and constants shared by the browser and the server.
 * Shapes follow api.video's public API so that its official clients interoperate.
 */

/** An upload token as the video API returns it (`POST /upload-tokens`). */
export interface UploadToken {
  token: string;
  /** Seconds the token lives; 0 means it never expires. */
  ttl: number;
  createdAt: string;
  /** ISO-8601 date, or null when `ttl` is 0. */
  expiresAt: string | null;
}

/** Which wire protocol the element uses to send a file. */
export type UploadProtocol = 'apivideo' | 'tus';

/**
 * What a token endpoint (the issuer) hands the browser: an `UploadToken`
 * plus where to upload and, optionally, a video created in advance.
 */
export interface TokenGrant extends UploadToken {
  /** Base URL of the video API, e.g. `https://ws.api.video`. */
  apiUrl?: string;
  /** A video the issuer created in advance (private, titled) for this upload. */
  videoId?: string;
  protocol?: UploadProtocol;
}

/** The file facts the element sends to the token endpoint. */
export interface FileFacts {
  fileName?: string;
  fileSize?: number;
  fileType?: string;
  /** The title the visitor typed (the element's `fields="title"`), trimmed; never empty. */
  title?: string;
  /** The description the visitor typed (`fields="description"`), trimmed; never empty. */
  description?: string;
}

export interface VideoAssets {
  player: string;
  hls: string;
  thumbnail: string;
  /** Only when the video has `mp4Support`. */
  mp4?: string;
  iframe: string;
}

export interface Metadata {
  key: string;
  value: string;
}

/** A video as the video API returns it. */
export interface Video {
  videoId: string;
  title: string;
  description: string;
  public: boolean;
  panoramic: boolean;
  mp4Support: boolean;
  tags: string[];
  metadata: Metadata[];
  createdAt: string;
  updatedAt: string;
  publishedAt: string;
  source: { uri: string; type?: string };
  assets: VideoAssets;
  /** IETF tag, when one was set. */
  language?: string;
  languageOrigin?: 'api' | 'auto' | null;
  playerId?: string;
  discarded?: boolean;
  discardedAt?: string | null;
  deletesAt?: string | null;
}

export type IngestStatus = 'uploading' | 'uploaded' | 'ingesting' | 'ingested';

export interface ReceivedRange {
  from: number;
  to: number;
  total: number | null;
}

export interface ReceivedPart {
  part: number;
  size: number;
  parts: number | null;
}

/** `GET /videos/{id}/status`. */
export interface VideoStatus {
  ingest: {
    status: IngestStatus;
    filesize: number | null;
    receivedBytes: ReceivedRange[];
    receivedParts: { parts: number[]; total: number | null };
  };
  encoding: { playable: boolean; qualities: Quality[]; metadata: EncodingMetadata };
}

export interface Quality {
  type: 'hls' | 'mp4';
  quality: '240p' | '360p' | '480p' | '720p' | '1080p' | '2160p';
  status: 'waiting' | 'encoding' | 'encoded' | 'failed';
}

/** What a probe of the source found; every field is null until then. */
export interface EncodingMetadata {
  width: number | null;
  height: number | null;
  bitrate: number | null;
  duration: number | null;
  framerate: number | null;
  samplerate: number | null;
  videoCodec: string | null;
  audioCodec: string | null;
  aspectRatio: string | null;
}

export interface PaginationLink {
  rel: 'self' | 'first' | 'previous' | 'next' | 'last';
  uri: string;
}

export interface Pagination {
  itemsTotal: number;
  pagesTotal: number;
  pageSize: number;
  currentPage: number;
  currentPageItems: number;
  links: PaginationLink[];
}

export interface Page<T> {
  data: T[];
  pagination: Pagination;
}

export interface InvalidAttribute {
  type?: string;
  title: string;
  name: string;
  detail?: string;
  range?: { min?: number; max?: number };
}

/** An error body of the video API (problem-details style). */
export interface Problem {
  type: string;
  title: string;
  name?: string;
  status: number;
  detail?: string;
  problems?: InvalidAttribute[];
  range?: { min?: number; max?: number };
}

/** Base of the `type` URL of every problem body. */
export const PROBLEM_TYPE_BASE = 'https://docs.api.video/reference/';

export const MiB = 1024 * 1024;
/** Every part but the last must be at least this large. */
export const MIN_PART_SIZE = 5 * MiB;
export const MAX_PARTS = 10_000;
/** Largest single `/upload` request body. */
export const MAX_UPLOAD_REQUEST = 200 * MiB;
export const DEFAULT_CHUNK_SIZE = 50 * MiB;
export const MIN_CHUNK_SIZE = 5 * MiB;
export const MAX_CHUNK_SIZE = 128 * MiB;

export const MAX_TTL = 2_147_483_647;

export const PRODUCTION_API_URL = 'https://ws.api.video';
export const SANDBOX_API_URL = 'https://sandbox.api.video';

/** Header names used across the wire. */
export const HeaderNames = {
  contentRange: 'Content-Range',
  originClient: 'AV-Origin-Client',
  originApp: 'AV-Origin-App',
  originSdk: 'AV-Origin-Sdk',
  rateLimitLimit: 'X-RateLimit-Limit',
  rateLimitRemaining: 'X-RateLimit-Remaining',
  rateLimitRetryAfter: 'X-RateLimit-Retry-After',
  retryAfter: 'Retry-After',
  videoId: 'X-Video-Id',
} as const;

/** Path of the tus endpoint of the local video API. */
export const TUS_PATH = '/tus';

/** Upload tokens look like `to` + 22 alphanumerics. */
export const UPLOAD_TOKEN_PATTERN = /^to[0-9A-Za-z]{22}$/;

export { ProblemError, problem, problemResponse, problems } from './problem.js';
export {
  FixedWindowLimiter,
  MemoryRateLimitStore,
  type RateLimit,
  type RateLimitHeaderNames,
  type RateLimitStore,
  type RateVerdict,
  type WindowCount,
} from './rate-limit.js';
export { MAX_TITLE, titleFromFileName } from './title.js';
export { ORIGIN_CLIENT, PACKAGE_VERSION } from './version.js';
