import { HeaderNames } from '../protocol/index.js';
import type { RateLimit, RateLimitHeaderNames } from '../protocol/rate-limit.js';

/** Requests allowed per window and credential. */
export type RateLimitOptions = RateLimit;

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { limit: 6000, windowMs: 60_000 };

/** api.video's names; the wait is sent on every answer, as the real service does. */
export const RATE_LIMIT_HEADERS: RateLimitHeaderNames = {
  limit: HeaderNames.rateLimitLimit,
  remaining: HeaderNames.rateLimitRemaining,
  retryAfter: HeaderNames.rateLimitRetryAfter,
  retryAfterAlways: true,
};
