/**
 * A rate-limit store in Redis, shared by every instance of the issuer: one atomic script per hit
 * (INCR, and PEXPIRE when the key is new), so instances never race. It imports no Redis client: pass
 * the one you already run (ioredis as it is; node-redis or another through a one-line `eval`), which
 * keeps this module web-standard.
 */
import type { RateLimitStore, WindowCount } from '../protocol/rate-limit.js';

/** What the store needs of a Redis client: ioredis's `eval(script, numberOfKeys, ...keysAndArgs)`. */
export interface RedisEvalClient {
  eval(script: string, numberOfKeys: number, ...keysAndArgs: (string | number)[]): Promise<unknown>;
}

export interface RedisRateLimitStoreOptions {
  client: RedisEvalClient;
  /** Prefix of the keys. Default `video-uploader:rate:`. */
  prefix?: string;
  /** Milliseconds one hit may take before the store gives up (the issuer then answers 503). Default 1000. */
  timeout?: number;
  /**
   * Where to count when Redis fails or is late: a `MemoryRateLimitStore` keeps issuing tokens under a
   * per-instance limit. Default none: the request is refused with 503.
   */
  fallback?: RateLimitStore;
  /** Told of each failure (for a log line); the issuer logs failures itself when there is no fallback. */
  onError?: (error: unknown) => void;
}

/** One hit: the count, and the milliseconds the window has left (set on its first hit). */
export const INCREMENT_SCRIPT = `local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

export class RedisRateLimitStore implements RateLimitStore {
  readonly #client: RedisEvalClient;
  readonly #prefix: string;
  readonly #timeout: number;
  readonly #fallback: RateLimitStore | undefined;
  readonly #onError: ((error: unknown) => void) | undefined;

  constructor(options: RedisRateLimitStoreOptions) {
    if (!options || typeof options.client?.eval !== 'function')
      throw new TypeError('RedisRateLimitStore: client must be a Redis client with eval (ioredis, or an adapter).');
    const timeout = options.timeout ?? 1_000;
    if (!Number.isFinite(timeout) || timeout <= 0)
      throw new TypeError('RedisRateLimitStore: timeout must be a positive number of milliseconds.');
    this.#client = options.client;
    this.#prefix = options.prefix ?? 'video-uploader:rate:';
    this.#timeout = timeout;
    this.#fallback = options.fallback;
    this.#onError = options.onError;
  }

  async increment(key: string, windowMs: number, now: number): Promise<WindowCount> {
    try {
      return await this.#increment(key, windowMs, now);
    } catch (error) {
      if (!this.#fallback) throw error;
      this.#onError?.(error);
      return this.#fallback.increment(key, windowMs, now);
    }
  }

  async #increment(key: string, windowMs: number, now: number): Promise<WindowCount> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.#timeout} ms`)), this.#timeout);
    });
    try {
      const reply = await Promise.race([
        this.#client.eval(INCREMENT_SCRIPT, 1, this.#prefix + key, Math.max(1, Math.ceil(windowMs))),
        late,
      ]);
      if (!Array.isArray(reply) || reply.length !== 2) throw new Error('Redis answered the rate-limit script oddly');
      const count = Number(reply[0]);
      const ttl = Number(reply[1]);
      if (!Number.isFinite(count) || !Number.isFinite(ttl))
        throw new Error('Redis answered the rate-limit script oddly');
      return { count, resetAt: now + Math.max(0, ttl) };
    } finally {
      clearTimeout(timer);
    }
  }
}
