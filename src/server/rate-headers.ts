import type { Context } from 'hono';
import type { ApiContext, AppEnv } from './context.js';
import { problems } from './problem.js';

/**
 * Counts one request against `bucket` and keeps the verdict's `X-RateLimit-*` headers for the answer,
 * whatever it turns out to be (the app's error handler adds them to problems too, as the service does).
 * Throws the 429 when the bucket is empty.
 */
export async function countRequest(c: Context<AppEnv>, ctx: ApiContext, bucket: string): Promise<void> {
  const verdict = await ctx.limiter.hit(bucket);
  c.set('rateHeaders', verdict.headers);
  if (!verdict.allowed) throw problems.tooManyRequests(verdict);
  for (const [name, value] of Object.entries(verdict.headers)) c.header(name, value);
}

/** The caller's address, for the buckets of requests that carry no credential. */
export const addressOf = (c: Context<AppEnv>): string => c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
