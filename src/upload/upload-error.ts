/** The engine's error class alone, without the engine's English messages: the element builds its refusals with it. */
import type { UploadErrorCode, UploadErrorLike } from './types.js';

/** Codes where trying again later can help. */
const RETRYABLE_CODES: ReadonlySet<UploadErrorCode> = new Set([
  'network',
  'server',
  'rate-limited',
  'token-request-failed',
  'token-endpoint-unreachable',
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
