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
 * The default rate-limit key: the client's address as `clientAddressOf` found it (the socket the
 * adapter saw, or a forwarded address only when `trustProxy` says so), `unknown` when there is none.
 */
export function defaultClientKey(_request: Request, context?: { clientAddress?: string }): string {
  return context?.clientAddress ?? 'unknown';
}
