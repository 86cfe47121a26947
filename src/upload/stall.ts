import { UploadError } from './errors.js';

/**
 * Watches one request for progress. `arm()` (on every sign of progress) restarts the countdown; after
 * `timeoutMs` without any, `onStall` runs (it aborts the request) and `stalled` turns true, with `error`
 * the retryable network error to report. A timeout of 0 watches nothing; after `stop()` nothing re-arms it.
 */
export class StallWatchdog {
  readonly #timeoutMs: number;
  readonly #onStall: () => void;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  stalled = false;

  constructor(timeoutMs: number, onStall: () => void) {
    this.#timeoutMs = timeoutMs;
    this.#onStall = onStall;
  }

  /** Restarts the countdown; an arrow so that it can be handed to event handlers as is. */
  readonly arm = (): void => {
    if (!this.#timeoutMs || this.#stopped) return;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.stalled = true;
      this.#onStall();
    }, this.#timeoutMs);
  };

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  get error(): UploadError {
    return new UploadError('network', `No upload progress for ${Math.round(this.#timeoutMs / 1000)} s: the connection stalled.`, { retryable: true });
  }
}
