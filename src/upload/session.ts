import {
  DEFAULT_CHUNK_SIZE,
  PRODUCTION_API_URL,
  type TokenGrant,
  type UploadProtocol,
  type Video,
} from '../protocol/index.js';
import { ApiVideoTransport } from './apivideo-transport.js';
import { asUploadError, canceledError, UploadError } from './errors.js';
import { ProgressTracker } from './progress.js';
import { ResumeStore } from './resume-store.js';
import { backoffDelay, DEFAULT_RETRIES, isOffline, sleep, waitForOnline } from './retry.js';
import { TokenSource } from './token-source.js';
import { loadTusTransport } from './tus-loader.js';
import type { ResolvedOptions, Transport, TransportContext } from './transport.js';
import type { UploadEvent, UploadEventMap, UploadProgress, UploadSessionOptions, UploadState } from './types.js';

export const DEFAULT_STALL_TIMEOUT_MS = 30_000;
export const MAX_PARALLEL = 4;
/** How many times in a row a busy server's `Retry-After` is waited out before its 429 counts as a failure. */
export const MAX_RATE_LIMIT_WAITS = 20;

/** Which states each state may move to; anything else is refused. */
const TRANSITIONS: Record<UploadState, readonly UploadState[]> = {
  idle: ['authorizing'],
  authorizing: ['uploading', 'paused', 'retrying', 'error', 'canceled'],
  uploading: ['retrying', 'paused', 'complete', 'error', 'canceled'],
  retrying: ['uploading', 'authorizing', 'paused', 'error', 'canceled'],
  paused: ['authorizing', 'uploading', 'canceled'],
  error: ['authorizing', 'uploading', 'canceled'],
  complete: [],
  canceled: [],
};

function resolveOptions(options: UploadSessionOptions): ResolvedOptions {
  const whole = (value: number | undefined, fallback: number, min: number, max: number): number =>
    value === undefined || !Number.isFinite(value) ? fallback : Math.min(max, Math.max(min, Math.floor(value)));
  return {
    chunkSize: whole(options.chunkSize, DEFAULT_CHUNK_SIZE, 0, Number.MAX_SAFE_INTEGER),
    parallel: whole(options.parallel, 1, 1, MAX_PARALLEL),
    retries: whole(options.retries, DEFAULT_RETRIES, 0, 100),
    stallTimeout: whole(options.stallTimeout, DEFAULT_STALL_TIMEOUT_MS, 0, Number.MAX_SAFE_INTEGER),
    resume: options.resume ?? true,
  };
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/**
 * One upload of one file: a state machine (`idle → authorizing → uploading ⇄ paused → retrying →
 * complete | error | canceled`) that reports every transition, progress and retry as a
 * `CustomEvent` named after a key of `UploadEventMap`. Each run (start, resume) has its own
 * `AbortController`; `pause()` and `cancel()` abort it, and a stale run never touches the session.
 *
 * @fires statechange, start, token, progress, retry, pause, resume, complete, error, cancel
 */
export class UploadSession extends EventTarget {
  readonly #options: UploadSessionOptions;
  readonly #resolved: ResolvedOptions;
  #state: UploadState = 'idle';
  #file: File | null = null;
  #video: Video | null = null;
  #error: UploadError | null = null;
  #tokens: TokenSource | null = null;
  #transport: Transport | null = null;
  #apiUrl = '';
  #tracker: ProgressTracker | null = null;
  #lastProgress: UploadProgress | null = null;
  #run: AbortController | null = null;
  #retrying = 0;
  /** The state to go back to after a backoff. */
  #resumeState: UploadState = 'uploading';
  #started = false;
  readonly #resume: ResumeStore | null;

  constructor(options: UploadSessionOptions = {}) {
    super();
    this.#options = { ...options };
    this.#resolved = resolveOptions(options);
    this.#resume = this.#resolved.resume ? new ResumeStore(options.storage) : null;
  }

  /** Where the session is in its life. */
  get state(): UploadState {
    return this.#state;
  }

  /** The latest progress (file bytes), also before the first event. */
  get progress(): UploadProgress {
    if (this.#lastProgress) return { ...this.#lastProgress };
    const total = this.#file?.size ?? 0;
    return {
      uploadedBytes: 0,
      totalBytes: total,
      percent: 0,
      bytesPerSecond: 0,
      secondsRemaining: null,
      part: 1,
      parts: 1,
    };
  }

  /** The video, once complete. */
  get video(): Video | null {
    return this.#video;
  }

  /** Why the session is in `error` (or `canceled`). */
  get error(): UploadError | null {
    return this.#error;
  }

  get file(): File | null {
    return this.#file;
  }

  /** Starts uploading `file`. Returns false (and does nothing) unless the session is `idle`. */
  start(file: File): boolean {
    if (this.#state !== 'idle') return false;
    if (!(file instanceof Blob)) throw new TypeError('UploadSession.start() needs a File.');
    this.#file = file;
    try {
      if (this.#options.token && !this.#options.apiUrl && !this.#options.tokenUrl && !this.#options.tokenProvider) {
        throw new UploadError(
          'api-url-missing',
          'A static token was given without api-url: set api-url to the video API that issued it (https://ws.api.video, https://sandbox.api.video, or your local API); a token only works there.',
          { retryable: false },
        );
      }
      this.#tokens = new TokenSource(
        file,
        {
          ...(this.#options.token !== undefined ? { token: this.#options.token } : {}),
          ...(this.#options.tokenProvider ? { tokenProvider: this.#options.tokenProvider } : {}),
          ...(this.#options.tokenUrl ? { tokenUrl: this.#options.tokenUrl } : {}),
          ...(this.#options.tokenSafetyMargin !== undefined ? { safetyMargin: this.#options.tokenSafetyMargin } : {}),
          ...(this.#options.tokenRequestTimeout !== undefined
            ? { requestTimeout: this.#options.tokenRequestTimeout }
            : {}),
          ...(this.#options.fields ? { fields: this.#options.fields } : {}),
        },
        (grant, refreshed) => this.#emit('token', { grant, refreshed }),
      );
    } catch (error) {
      this.#transition('authorizing');
      this.#fail(error);
      return true;
    }
    this.#resume?.sweep();
    void this.#execute();
    return true;
  }

  /** Aborts the part in flight at once; `resume()` sends it again. Returns false unless an upload is running. */
  pause(): boolean {
    if (!['authorizing', 'uploading', 'retrying'].includes(this.#state)) return false;
    this.#abortRun();
    this.#transition('paused');
    this.#emit('pause', { progress: this.progress });
    return true;
  }

  /** Continues a paused upload (or one that failed) from the parts the server has not accepted. */
  resume(): boolean {
    if ((this.#state !== 'paused' && this.#state !== 'error') || !this.#tokens) return false;
    this.#error = null;
    this.#emit('resume', { progress: this.progress });
    void this.#execute();
    return true;
  }

  /** Aborts at once and for good; nothing keeps running. Returns false when already finished. */
  cancel(): boolean {
    if (['idle', 'complete', 'canceled'].includes(this.#state)) return false;
    this.#abortRun();
    if (this.#transport && this.#file)
      this.#transport.discard({ file: this.#file, apiUrl: this.#apiUrl, resume: this.#resume });
    this.#error = canceledError();
    this.#transition('canceled');
    this.#emit('cancel', {});
    return true;
  }

  #abortRun(): void {
    this.#tracker?.stop();
    this.#run?.abort();
    this.#run = null;
    this.#retrying = 0;
  }

  #emit<K extends keyof UploadEventMap>(type: K, detail: UploadEventMap[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  #transition(next: UploadState): boolean {
    const previous = this.#state;
    if (previous === next) return true;
    if (!TRANSITIONS[previous].includes(next)) return false;
    this.#state = next;
    this.#emit('statechange', { state: next, previous });
    return true;
  }

  #fail(error: unknown): void {
    this.#tracker?.stop();
    this.#run = null;
    this.#retrying = 0;
    const failure = asUploadError(error);
    this.#error = failure;
    if (this.#transition('error')) this.#emit('error', { error: failure });
  }

  async #execute(): Promise<void> {
    const controller = new AbortController();
    this.#run = controller;
    const { signal } = controller;
    const tokens = this.#tokens!;
    const file = this.#file!;
    const isCurrent = (): boolean => this.#run === controller && !signal.aborted;
    try {
      const needsToken = !tokens.current || (tokens.canRefresh && tokens.isExpiring());
      this.#transition(needsToken || !this.#transport ? 'authorizing' : 'uploading');
      const active = await this.#withRetries(() => tokens.get(signal), signal);
      if (!isCurrent()) return;
      const context = this.#context(active.grant, signal);
      if (!this.#transport) {
        const protocol: UploadProtocol = active.grant.protocol ?? this.#options.protocol ?? 'apivideo';
        this.#apiUrl = context.apiUrl;
        this.#transport = protocol === 'tus' ? await loadTusTransport() : new ApiVideoTransport();
        const resumedBytes = await this.#transport.prepare(context);
        if (!isCurrent()) return;
        if (!this.#started) {
          this.#started = true;
          this.#emit('start', { file, resumedBytes });
        }
      }
      this.#transition('uploading');
      const video = await this.#transport.run(context);
      if (!isCurrent()) return;
      this.#run = null;
      this.#video = video;
      this.#tracker?.flush();
      this.#transition('complete');
      this.#emit('complete', { video });
    } catch (error) {
      if (!isCurrent()) return;
      this.#fail(error);
    }
  }

  #context(grant: TokenGrant, signal: AbortSignal): TransportContext {
    return {
      file: this.#file!,
      apiUrl: this.#apiUrl || trimSlash(grant.apiUrl ?? this.#options.apiUrl ?? PRODUCTION_API_URL),
      grant,
      signal,
      tokens: this.#tokens!,
      options: this.#resolved,
      resume: this.#resume,
      progress: (parts) => {
        if (!this.#tracker) {
          this.#tracker = new ProgressTracker(this.#file!.size, parts, (progress) => {
            this.#lastProgress = progress;
            this.#emit('progress', progress);
          });
        }
        return this.#tracker;
      },
      withRetries: (op, opSignal, mark) => this.#withRetries(op, opSignal, mark),
    };
  }

  /** Runs `op` until it succeeds, a non-retryable error comes, or the retries run out. */
  async #withRetries<T>(op: () => Promise<T>, signal: AbortSignal, mark?: () => number): Promise<T> {
    let attempt = 0;
    let waits = 0;
    let lastMark = mark?.() ?? 0;
    for (;;) {
      if (isOffline()) await this.#backOff(signal, () => waitForOnline(signal));
      try {
        return await op();
      } catch (error) {
        if (signal.aborted) throw canceledError();
        if (!(error instanceof UploadError)) throw error;
        const now = mark?.() ?? 0;
        if (now > lastMark) {
          // The operation moved forward before failing: the retry budget is per stretch without progress.
          attempt = 0;
          lastMark = now;
        }
        if (error.code === 'network' && isOffline()) {
          // Offline is not a failure of the server: wait without spending a retry.
          await this.#backOff(signal, () => waitForOnline(signal));
          continue;
        }
        if (
          error.code === 'rate-limited' &&
          error.retryAfterMs !== undefined &&
          this.#resolved.retries > 0 &&
          waits < MAX_RATE_LIMIT_WAITS
        ) {
          // A busy server that says how long to wait is waited for: that is not a failure, and spends no retry.
          waits++;
          const delayMs = error.retryAfterMs;
          this.#emit('retry', { attempt: Math.max(1, attempt), retries: this.#resolved.retries, delayMs, error });
          await this.#backOff(signal, () => sleep(delayMs, signal));
          continue;
        }
        if (!error.retryable || attempt >= this.#resolved.retries) throw error;
        attempt++;
        const delayMs = error.retryAfterMs ?? backoffDelay(attempt);
        this.#emit('retry', { attempt, retries: this.#resolved.retries, delayMs, error });
        await this.#backOff(signal, () => sleep(delayMs, signal));
      }
    }
  }

  /** Shows `retrying` while any part waits, then goes back to `uploading`. */
  async #backOff(signal: AbortSignal, wait: () => Promise<void>): Promise<void> {
    this.#retrying++;
    if (this.#state === 'uploading' || this.#state === 'authorizing') {
      this.#resumeState = this.#state;
      this.#transition('retrying');
    }
    try {
      await wait();
    } finally {
      if (!signal.aborted) {
        this.#retrying = Math.max(0, this.#retrying - 1);
        if (this.#retrying === 0 && this.#state === 'retrying') this.#transition(this.#resumeState);
      }
    }
  }
}

export interface UploadSession {
  addEventListener<K extends keyof UploadEventMap>(
    type: K,
    listener: (event: UploadEvent<K>) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof UploadEventMap>(
    type: K,
    listener: (event: UploadEvent<K>) => void,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
}
