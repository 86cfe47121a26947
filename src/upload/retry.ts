import { canceledError } from './errors.js';

export const DEFAULT_RETRIES = 6;
/** First backoff ceiling; doubles with every attempt up to `MAX_BACKOFF_MS`. */
export const BASE_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 30_000;
/** A server asking for longer than this is not waited for blindly. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000;

/** Exponential backoff with full jitter: a random delay in [0, min(max, base·2^(attempt-1))]. */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  baseMs = BASE_BACKOFF_MS,
  maxMs = MAX_BACKOFF_MS,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

/**
 * The wait a response asks for, from `Retry-After` (seconds or an HTTP date) or
 * `X-RateLimit-Retry-After` (seconds); the longer one when both are present.
 */
export function parseRetryAfter(get: (name: string) => string | null, now: number = Date.now()): number | undefined {
  const waits: number[] = [];
  const retryAfter = get('Retry-After')?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) waits.push(Number(retryAfter) * 1000);
    else {
      const at = Date.parse(retryAfter);
      if (!Number.isNaN(at)) waits.push(Math.max(0, at - now));
    }
  }
  const rateLimit = get('X-RateLimit-Retry-After')?.trim();
  if (rateLimit && /^\d+(\.\d+)?$/.test(rateLimit)) waits.push(Number(rateLimit) * 1000);
  if (waits.length === 0) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(...waits));
}

/** Resolves after `ms`, or rejects with a `canceled` error as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(canceledError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(canceledError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Whether the last connectivity event the window fired was `offline` (navigator.onLine lags on some systems). */
let offlineByEvent = false;
if (typeof window !== 'undefined' && typeof window.addEventListener === 'function') {
  window.addEventListener('offline', () => {
    offlineByEvent = true;
  });
  window.addEventListener('online', () => {
    offlineByEvent = false;
  });
}

export function isOffline(): boolean {
  return offlineByEvent || (typeof navigator !== 'undefined' && navigator.onLine === false);
}

/** Resolves when the browser is back online (at once if it is). */
export function waitForOnline(signal: AbortSignal): Promise<void> {
  if (!isOffline()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(canceledError());
    const done = (): void => {
      window.removeEventListener('online', done);
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = (): void => {
      window.removeEventListener('online', done);
      reject(canceledError());
    };
    window.addEventListener('online', done);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
