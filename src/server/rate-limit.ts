import { Headers } from '../protocol/index.js';

export interface RateLimitOptions {
  /** Requests allowed per window and credential. */
  limit: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { limit: 6000, windowMs: 60_000 };

export interface RateLimitResult {
  allowed: boolean;
  headers: Record<string, string>;
}

/** Fixed-window counters per credential, in memory (one node; see ARCHITECTURE "Growing past one machine"). */
export class RateLimiter {
  readonly #options: RateLimitOptions;
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #now: () => number;

  constructor(options: RateLimitOptions, now: () => number = Date.now) {
    this.#options = options;
    this.#now = now;
  }

  hit(key: string): RateLimitResult {
    const now = this.#now();
    const { limit, windowMs } = this.#options;
    let window = this.#windows.get(key);
    if (!window || now - window.start >= windowMs) {
      if (this.#windows.size > 10_000) this.#sweep(now);
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    window.count++;
    const retryAfter = Math.max(1, Math.ceil((window.start + windowMs - now) / 1000));
    return {
      allowed: window.count <= limit,
      headers: {
        [Headers.rateLimitLimit]: String(limit),
        [Headers.rateLimitRemaining]: String(Math.max(0, limit - window.count)),
        [Headers.rateLimitRetryAfter]: String(retryAfter),
      },
    };
  }

  #sweep(now: number): void {
    for (const [key, window] of this.#windows) {
      if (now - window.start >= this.#options.windowMs) this.#windows.delete(key);
    }
  }
}
