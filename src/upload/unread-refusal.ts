import { UploadError } from './errors.js';
import type { TokenSource } from './token-source.js';

/**
 * A refusal the browser could not read. A server (or a proxy) that refuses a request as soon as it has
 * read the headers — a 401 for a token that expired or was revoked — and then closes the connection while
 * the body is still being sent: Chromium usually reports the answer, Firefox and WebKit a network error
 * (status 0). Such an error comes quickly, before the body has all been sent and before any response
 * headers were read. A transport marks network errors that look like this, and gets a fresh token before
 * the next attempt: at most once per stretch of failures, so a link that really drops is not answered with
 * a new token each time (when the fresh token fails the same way, the token was not the cause).
 */

/** A connection lost later than this after the request began is not taken for a refusal. */
export const UNREAD_REFUSAL_WITHIN_MS = 5_000;

const suspects = new WeakSet<object>();

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Watches one XMLHttpRequest from before `send()`: was its body sent in full, how long since it began. */
export class RequestWatch {
  readonly #startedAt = now();
  #bodySent = false;
  #headersRead = false;

  constructor(xhr: XMLHttpRequest) {
    xhr.upload.addEventListener('load', () => {
      this.#bodySent = true;
    });
    // By the time `error` fires the request is DONE (4) either way: whether headers came is seen on the way.
    xhr.addEventListener('readystatechange', () => {
      if (xhr.readyState === XMLHttpRequest.HEADERS_RECEIVED) this.#headersRead = true;
    });
  }

  /** Whether a network error on this request now looks like a refusal the browser could not read. */
  looksLikeUnreadRefusal(): boolean {
    return !this.#bodySent && !this.#headersRead && now() - this.#startedAt < UNREAD_REFUSAL_WITHIN_MS;
  }
}

/** Marks `error` as a network error that may hide a refusal; returns it. */
export function markUnreadRefusal<E extends object>(error: E): E {
  suspects.add(error);
  return error;
}

/** Whether `error`, or an error it wraps, was marked by `markUnreadRefusal`. */
export function mayBeUnreadRefusal(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (suspects.has(e)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Decides, after a failed attempt, whether the next one needs a fresh token. One per transport; `progressed()`
 * ends a stretch of failures (a part or some bytes were accepted).
 */
export class UnreadRefusalGuard {
  #refreshedInStreak = false;

  progressed(): void {
    this.#refreshedInStreak = false;
  }

  /**
   * True for a network error when the token can be refreshed and either expires within the safety margin
   * (or has expired), or the error may hide a refusal and no token was fetched for that reason since the
   * last progress.
   */
  shouldRefresh(error: unknown, tokens: TokenSource): boolean {
    if (!(error instanceof UploadError) || error.code !== 'network' || !tokens.canRefresh) return false;
    if (tokens.isExpiring()) return true;
    if (!mayBeUnreadRefusal(error) || this.#refreshedInStreak) return false;
    this.#refreshedInStreak = true;
    return true;
  }
}
