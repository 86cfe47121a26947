import { UploadError } from './errors.js';

/** Watches one request for progress; see `watchStall`. */
export interface StallWatchdog {
  /** Restarts the countdown: call it on every sign of progress. A function of its own, to hand to event handlers. */
  arm(): void;
  /** Ends the watch; nothing re-arms it after. */
  stop(): void;
  /** Whether the countdown ran out. */
  readonly stalled: boolean;
  /** The retryable network error to report for a stall. */
  error(): UploadError;
}

/**
 * A stall watchdog for one request: after `timeoutMs` without `arm()`, `onStall` runs (it aborts the
 * request) and `stalled` turns true. A timeout of 0 watches nothing.
 */
export function watchStall(timeoutMs: number, onStall: () => void): StallWatchdog {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const watchdog = {
    stalled: false,
    arm(): void {
      if (!timeoutMs || stopped) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        watchdog.stalled = true;
        onStall();
      }, timeoutMs);
    },
    stop(): void {
      stopped = true;
      clearTimeout(timer);
    },
    error: () =>
      new UploadError('network', `No upload progress for ${Math.round(timeoutMs / 1000)} s: the connection stalled.`, {
        retryable: true,
      }),
  };
  return watchdog;
}
