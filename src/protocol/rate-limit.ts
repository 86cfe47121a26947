/**
 * The fixed-window rate limiter of both sides. Counts live in a store with one operation,
 * increment-with-expiry, so that a shared store (Redis `INCR` + `PEXPIRE`) can replace the memory
 * one when more than one instance serves (see ARCHITECTURE "Growing past one machine").
 */

export interface RateLimit {
  /** Requests allowed per key and window. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
}

/** A window's count after one more hit, and when (epoch ms) the window ends. */
export interface WindowCount {
  count: number;
  resetAt: number;
}

export interface RateLimitStore {
  /** Adds one to `key`'s count; a key whose window has ended starts a new one of `windowMs`. */
  increment(key: string, windowMs: number, now: number): WindowCount | Promise<WindowCount>;
}

/** The names of the headers a verdict carries. */
export interface RateLimitHeaderNames {
  limit: string;
  remaining: string;
  /** Seconds until the window ends. */
  retryAfter: string;
  /** Send `retryAfter` on every answer (api.video does), not only on refusals. */
  retryAfterAlways?: boolean;
}

export interface RateVerdict {
  allowed: boolean;
  headers: Record<string, string>;
  /** The header that says how long to wait. */
  retryAfterHeader: string;
}

/** Most keys the memory store remembers at once; beyond it the oldest windows are dropped. */
const MAX_KEYS = 50_000;

/** Counts in this process's memory, bounded: one instance only. */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #windows = new Map<string, WindowCount>();
  readonly #maxKeys: number;

  constructor(maxKeys = MAX_KEYS) {
    this.#maxKeys = maxKeys;
  }

  increment(key: string, windowMs: number, now: number): WindowCount {
    let window = this.#windows.get(key);
    if (!window || now >= window.resetAt) {
      if (window) this.#windows.delete(key);
      else if (this.#windows.size >= this.#maxKeys) this.#evict(now);
      window = { count: 0, resetAt: now + windowMs };
      this.#windows.set(key, window);
    }
    window.count++;
    return { ...window };
  }

  #evict(now: number): void {
    // Map order is insertion order, and a renewed window is re-inserted: the first entries are the oldest.
    for (const [key, window] of this.#windows) {
      if (this.#windows.size < this.#maxKeys * 0.9 || now < window.resetAt) break;
      this.#windows.delete(key);
    }
    for (const key of this.#windows.keys()) {
      if (this.#windows.size < this.#maxKeys) break;
      this.#windows.delete(key);
    }
  }
}

export class FixedWindowLimiter {
  readonly #options: RateLimit;
  readonly #names: RateLimitHeaderNames;
  readonly #store: RateLimitStore;
  readonly #now: () => number;

  constructor(
    options: RateLimit,
    names: RateLimitHeaderNames,
    store: RateLimitStore = new MemoryRateLimitStore(),
    now: () => number = Date.now,
  ) {
    this.#options = options;
    this.#names = names;
    this.#store = store;
    this.#now = now;
  }

  async hit(key: string): Promise<RateVerdict> {
    const now = this.#now();
    const { limit, windowMs } = this.#options;
    const { count, resetAt } = await this.#store.increment(key, windowMs, now);
    const allowed = count <= limit;
    const names = this.#names;
    const headers: Record<string, string> = {
      [names.limit]: String(limit),
      [names.remaining]: String(Math.max(0, limit - count)),
    };
    if (!allowed || names.retryAfterAlways)
      headers[names.retryAfter] = String(Math.max(1, Math.ceil((resetAt - now) / 1000)));
    return { allowed, headers, retryAfterHeader: names.retryAfter };
  }
}
