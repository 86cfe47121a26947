import type { Problem } from '../protocol/index.js';
import type { UploadErrorCode, UploadErrorLike } from './types.js';

/** Codes where trying again later can help. */
const RETRYABLE_CODES: ReadonlySet<UploadErrorCode> = new Set([
  'network',
  'server',
  'rate-limited',
  'token-request-failed',
  'token-endpoint-unreachable',
]);

/** Codes that mean the page is set up wrong: the developer, not the visitor, can fix them. */
export const SETUP_ERROR_CODES: ReadonlySet<UploadErrorCode> = new Set([
  'token-missing',
  'api-url-missing',
  'token-endpoint-missing',
  'token-endpoint-cors',
  'token-endpoint-not-json',
  'token-invalid',
]);

export interface UploadErrorInit {
  status?: number;
  retryable?: boolean;
  /** How long the server asked us to wait (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** The one error type of the engine: a stable `code`, a human `message`, the HTTP `status` when there was one. */
export class UploadError extends Error implements UploadErrorLike {
  readonly code: UploadErrorCode;
  readonly status?: number;
  readonly retryable: boolean;
  /** Milliseconds the server asked to wait before trying again, when it said. */
  readonly retryAfterMs?: number;

  constructor(code: UploadErrorCode, message: string, init: UploadErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'UploadError';
    this.code = code;
    if (init.status !== undefined) this.status = init.status;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    this.retryable = init.retryable ?? RETRYABLE_CODES.has(code);
  }

  static isUploadError(value: unknown): value is UploadError {
    return value instanceof UploadError;
  }
}

/** The error every aborted operation rejects with; `cancel()` turns it into a `canceled` error. */
export function canceledError(): UploadError {
  return new UploadError('canceled', 'The upload was canceled.', { retryable: false });
}

/** A short, single-line excerpt of a response body for error messages. */
export function excerpt(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** The title/detail of a problem body, or an excerpt of whatever came back. */
export function describeBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as Partial<Problem>;
    if (parsed && typeof parsed === 'object' && typeof parsed.title === 'string') {
      return parsed.detail ? `${parsed.title} ${parsed.detail}` : parsed.title;
    }
  } catch {
    // not JSON: fall through to the raw excerpt
  }
  return excerpt(body) || 'no body';
}

/** Turns a failed HTTP answer of the video API into an `UploadError` with the right code and retry policy. */
export function errorFromResponse(
  status: number,
  body: string,
  retryAfterMs: number | undefined,
  what: string,
): UploadError {
  const said = describeBody(body);
  if (status === 0) return new UploadError('network', `${what} failed: the connection was lost.`);
  if (status === 429) {
    const wait = retryAfterMs === undefined ? '' : ` It asked to wait ${Math.ceil(retryAfterMs / 1000)} s.`;
    return new UploadError('rate-limited', `${what}: the video API is rate limiting (429: ${said}).${wait}`, {
      status,
      retryAfterMs,
    });
  }
  if (status >= 500) {
    return new UploadError('server', `${what}: the video API failed (${status}: ${said}).`, { status, retryAfterMs });
  }
  if (status === 401 || status === 403) {
    return new UploadError('unauthorized', `${what}: the upload token was refused (${status}: ${said}).`, { status });
  }
  if (status === 413) {
    return new UploadError('file-too-large', `${what}: the video API refused the size (413: ${said}).`, { status });
  }
  if (status === 415) {
    return new UploadError('file-type', `${what}: the video API refused the file type (415: ${said}).`, { status });
  }
  if (status === 408) {
    return new UploadError('network', `${what}: the request timed out on the server (408: ${said}).`, { status });
  }
  return new UploadError(
    'protocol',
    `${what}: the video API refused the request (${status}: ${said}). Not retried: sending the same request again would fail the same way.`,
    { status, retryable: false },
  );
}
