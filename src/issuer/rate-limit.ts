import type { RateLimit, RateLimitHeaderNames } from '../protocol/rate-limit.js';

/** Token requests allowed per client and window (milliseconds). */
export type IssuerRateLimit = RateLimit;

/**
 * 60 token requests a minute per visitor. A visitor who picks a batch of 20 files asks for 20 tokens at
 * once (and a few more when a long upload refreshes its token): the window is fixed, so the whole
 * minute's allowance is the burst, and such a batch never meets the limit. A script hammering the
 * endpoint is held to one token a second on average.
 */
export const DEFAULT_ISSUER_RATE_LIMIT: IssuerRateLimit = { limit: 60, windowMs: 60_000 };

/** The standard `Retry-After`, sent on refusals only. */
export const ISSUER_RATE_LIMIT_HEADERS: RateLimitHeaderNames = {
  limit: 'X-RateLimit-Limit',
  remaining: 'X-RateLimit-Remaining',
  retryAfter: 'Retry-After',
};

/**
 * Who a request comes from, as most hosts report it: Cloudflare's `CF-Connecting-IP`, the first
 * `X-Forwarded-For` entry, `X-Real-IP`, then the socket address an adapter passed along.
 * These headers are only as trustworthy as the proxy in front: without one, pass `clientKey`.
 */
export function defaultClientKey(request: Request, context?: { clientAddress?: string }): string {
  const cf = request.headers.get('cf-connecting-ip')?.trim();
  if (cf) return cf;
  const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  if (forwarded) return forwarded;
  const real = request.headers.get('x-real-ip')?.trim();
  if (real) return real;
  return context?.clientAddress ?? 'unknown';
}
