/** Per-client fixed-window counters, in memory: per instance (see ARCHITECTURE "Growing past one machine"). */

export interface IssuerRateLimit {
  /** Token requests allowed per client and window. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
}

export const DEFAULT_ISSUER_RATE_LIMIT: IssuerRateLimit = { limit: 10, windowMs: 60_000 };

/** Most clients remembered at once; beyond it the oldest windows are dropped. */
const MAX_CLIENTS = 50_000;

export interface RateVerdict {
  allowed: boolean;
  headers: Record<string, string>;
}

export class ClientRateLimiter {
  readonly #options: IssuerRateLimit;
  readonly #now: () => number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(options: IssuerRateLimit, now: () => number) {
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new TypeError('createTokenIssuer: rateLimit.limit must be a whole number ≥ 1.');
    }
    if (!Number.isFinite(options.windowMs) || options.windowMs < 1) {
      throw new TypeError('createTokenIssuer: rateLimit.windowMs must be a positive number of milliseconds.');
    }
    this.#options = options;
    this.#now = now;
  }

  hit(key: string): RateVerdict {
    const now = this.#now();
    const { limit, windowMs } = this.#options;
    let window = this.#windows.get(key);
    if (!window || now - window.start >= windowMs) {
      if (window) this.#windows.delete(key);
      else if (this.#windows.size >= MAX_CLIENTS) this.#evict(now);
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count++;
    const retryAfter = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
    const allowed = window.count <= limit;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - window.count)),
    };
    if (!allowed) headers['retry-after'] = String(retryAfter);
    return { allowed, headers };
  }

  #evict(now: number): void {
    // Map order is insertion order, and a renewed window is re-inserted: the first entries are the oldest.
    for (const [key, window] of this.#windows) {
      if (this.#windows.size < MAX_CLIENTS * 0.9 || now - window.start < this.#options.windowMs) break;
      this.#windows.delete(key);
    }
    for (const key of this.#windows.keys()) {
      if (this.#windows.size < MAX_CLIENTS) break;
      this.#windows.delete(key);
    }
  }
}

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
