import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { UploadState } from '../../upload/types.js';

/** States in which bytes are on their way (a paused upload keeps nothing awake and may be left). */
const RUNNING: ReadonlySet<UploadState> = new Set(['authorizing', 'uploading', 'retrying']);

interface WakeLockSentinelLike extends EventTarget {
  readonly released: boolean;
  release(): Promise<void>;
}

interface WakeLockLike {
  request(type: 'screen'): Promise<WakeLockSentinelLike>;
}

/**
 * Keeps an upload from being lost while it runs: the page asks before it is left (`beforeunload`), the
 * screen stays on (Screen Wake Lock, where the browser has one; released on pause, at the end and when the
 * page is hidden, taken again when it shows), and the element knows when the browser goes offline, so
 * that it says it waits for the connection (the engine waits and continues by itself).
 */
export class KeepAliveController implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #state: () => UploadState;
  #running = false;
  #lock: WakeLockSentinelLike | null = null;
  #locking: Promise<void> | null = null;
  #offline = false;

  constructor(host: ReactiveControllerHost, state: () => UploadState) {
    this.#host = host;
    this.#state = state;
    host.addController(this);
  }

  /** Whether the browser said it went offline (and has not said it is back). */
  get offline(): boolean {
    return this.#offline;
  }

  hostConnected(): void {
    if (typeof window === 'undefined') return;
    this.#offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    window.addEventListener('offline', this.#handleOffline);
    window.addEventListener('online', this.#handleOnline);
    document.addEventListener('visibilitychange', this.#handleVisibility);
    this.#sync();
  }

  hostDisconnected(): void {
    if (typeof window === 'undefined') return;
    window.removeEventListener('offline', this.#handleOffline);
    window.removeEventListener('online', this.#handleOnline);
    document.removeEventListener('visibilitychange', this.#handleVisibility);
    // An upload goes on while the element is moved in the page; the warning and the lock follow it back.
    this.#setRunning(false);
  }

  hostUpdated(): void {
    this.#sync();
  }

  #sync(): void {
    this.#setRunning(RUNNING.has(this.#state()));
  }

  #setRunning(running: boolean): void {
    if (running === this.#running) return;
    this.#running = running;
    if (running) {
      window.addEventListener('beforeunload', this.#handleBeforeUnload);
      this.#takeLock();
    } else {
      window.removeEventListener('beforeunload', this.#handleBeforeUnload);
      this.#releaseLock();
    }
  }

  #handleBeforeUnload = (event: BeforeUnloadEvent): void => {
    // Browsers show their own words; both calls are needed across engines.
    event.preventDefault();
    event.returnValue = '';
  };

  #handleOffline = (): void => {
    this.#offline = true;
    this.#host.requestUpdate();
  };

  #handleOnline = (): void => {
    this.#offline = false;
    this.#host.requestUpdate();
  };

  #handleVisibility = (): void => {
    // A page that is hidden loses its lock anyway; take it again when it shows while the upload runs.
    if (document.visibilityState === 'hidden') this.#releaseLock();
    else if (this.#running) this.#takeLock();
  };

  #takeLock(): void {
    const wakeLock = (navigator as Navigator & { wakeLock?: WakeLockLike }).wakeLock;
    if (!wakeLock || this.#lock || this.#locking || document.visibilityState !== 'visible') return;
    this.#locking = wakeLock
      .request('screen')
      .then((lock) => {
        this.#locking = null;
        // The upload may have stopped while the lock was on its way.
        if (this.#running && document.visibilityState === 'visible') {
          this.#lock = lock;
          lock.addEventListener('release', () => {
            if (this.#lock === lock) this.#lock = null;
          });
        } else void lock.release().catch(() => {});
      })
      .catch(() => {
        // Refused (battery saver, no user activation, a policy): the upload goes on with the screen's own timer.
        this.#locking = null;
      });
  }

  #releaseLock(): void {
    const lock = this.#lock;
    this.#lock = null;
    if (lock && !lock.released) void lock.release().catch(() => {});
  }
}
