import { HeaderNames, MIN_PART_SIZE, PRODUCTION_API_URL, type Video } from '../protocol/index.js';
import { asUploadError, canceledError, errorFromResponse, UploadError } from './errors.js';
import { pickRecorderMimeType, recordingFileName } from './recorder-mime.js';
import { backoffDelay, DEFAULT_RETRIES, isOffline, parseRetryAfter, sleep, waitForOnline } from './retry.js';
import { DEFAULT_STALL_TIMEOUT_MS } from './session.js';
import { TokenSource } from './token-source.js';
import { ORIGIN_CLIENT } from './transport.js';
import type { UploadErrorLike, UploadSessionOptions } from './types.js';
import { sendXhr } from './xhr.js';

/** Milliseconds between the recorder's blobs. */
export const DEFAULT_TIMESLICE_MS = 1000;

/**
 * Firefox on a busy machine can end with an empty blob and its `stop` event while a blob it was still
 * encoding (the recording's tail, up to a timeslice of it) comes after them. After an empty last blob the
 * session waits this long for such a blob, and after one arrives, `LATE_QUIET_MS` more for another.
 */
const LATE_BLOB_WAIT_MS = 3000;
const LATE_QUIET_MS = 250;

export type RecordingState = 'idle' | 'recording' | 'finishing' | 'complete' | 'error' | 'canceled';

export interface RecordingProgress {
  /** Bytes the recorder has produced so far. */
  recordedBytes: number;
  /** Bytes the video API has acknowledged, plus those of the part in flight. */
  uploadedBytes: number;
  /** Bytes the video API has acknowledged. */
  acknowledgedBytes: number;
  /** Milliseconds recorded. */
  durationMs: number;
  /** The part being sent (1-based). */
  part: number;
  /** Whether the recorder still runs. */
  recording: boolean;
}

export interface RecordingSessionOptions extends Pick<
  UploadSessionOptions,
  | 'token'
  | 'tokenProvider'
  | 'tokenUrl'
  | 'apiUrl'
  | 'fields'
  | 'retries'
  | 'tokenSafetyMargin'
  | 'stallTimeout'
  | 'tokenRequestTimeout'
> {
  /** The MIME type to record with; default: the first one `MediaRecorder` supports (see `pickRecorderMimeType`). */
  mimeType?: string;
  /** Milliseconds between the recorder's blobs; default 1000. */
  timeslice?: number;
  /**
   * Bytes per part (all but the last), default and minimum 5 MiB as api.video requires. Smaller sizes
   * are for tests against a local API started with a smaller `minPartSize`; set `allowSmallParts` too.
   */
  partSize?: number;
  allowSmallParts?: boolean;
  /**
   * Keep the whole recording (as `Blob`s, which the browser may page to disk) so that it can be saved
   * after a failure; default true. With false, acknowledged bytes are dropped at once and `recording()` is null.
   */
  keepRecording?: boolean;
}

export interface RecordingEventMap {
  statechange: { state: RecordingState; previous: RecordingState };
  start: { mimeType: string; fileName: string };
  data: { blob: Blob };
  progress: RecordingProgress;
  retry: { attempt: number; retries: number; delayMs: number; error: UploadErrorLike };
  stop: { durationMs: number; bytes: number };
  complete: { video: Video };
  error: { error: UploadErrorLike };
  cancel: Record<string, never>;
}

/**
 * Records a `MediaStream` and uploads it while it records, with api.video's progressive upload:
 * `part 1/*`, `part 2/*`… of `partSize` bytes, one after another, then what was held back as `part N/N`
 * once the recorder stops (never an empty last part). Bytes stay in the session until the video API
 * acknowledges them; after a final failure `retry()` continues and `recording()` gives the whole file.
 *
 * With the tus protocol, recordings still go through `/upload` (see the docs).
 *
 * @fires statechange, start, data, progress, retry, stop, complete, error, cancel
 */
export class RecordingSession extends EventTarget {
  readonly #options: RecordingSessionOptions;
  readonly #partSize: number;
  #state: RecordingState = 'idle';
  #recorder: MediaRecorder | null = null;
  #mimeType = '';
  #fileName = 'recording.webm';
  /** Recorded bytes the video API has not acknowledged, in order. */
  #pending: Blob[] = [];
  #pendingBytes = 0;
  #all: Blob[] = [];
  #recordedBytes = 0;
  #acknowledged = 0;
  #inFlight = 0;
  #part = 1;
  #videoId: string | null = null;
  #video: Video | null = null;
  #error: UploadError | null = null;
  #tokens: TokenSource | null = null;
  #apiUrl = '';
  #startedAt = 0;
  #stoppedAt = 0;
  #stopped = false;
  /** Whether the recorder's latest blob was empty; after `stop`, a late blob may still come (see LATE_BLOB_WAIT_MS). */
  #lastBlobEmpty = false;
  /** While waiting for a late blob after the recorder's `stop` event. */
  #late: ReturnType<typeof setTimeout> | undefined;
  #run: AbortController | null = null;
  #wake: (() => void) | null = null;
  #lastProgressAt = 0;

  constructor(options: RecordingSessionOptions = {}) {
    super();
    this.#options = { ...options };
    const requested = Math.floor(options.partSize ?? MIN_PART_SIZE);
    this.#partSize = options.allowSmallParts ? Math.max(1, requested) : Math.max(MIN_PART_SIZE, requested);
  }

  get state(): RecordingState {
    return this.#state;
  }

  get mimeType(): string {
    return this.#mimeType;
  }

  get video(): Video | null {
    return this.#video;
  }

  get error(): UploadError | null {
    return this.#error;
  }

  get progress(): RecordingProgress {
    return {
      recordedBytes: this.#recordedBytes,
      uploadedBytes: Math.min(this.#recordedBytes, this.#acknowledged + this.#inFlight),
      acknowledgedBytes: this.#acknowledged,
      durationMs: this.durationMs,
      part: this.#part,
      recording: this.#state === 'recording' && !this.#stopped,
    };
  }

  get durationMs(): number {
    if (!this.#startedAt) return 0;
    return (this.#stoppedAt || performance.now()) - this.#startedAt;
  }

  /** The whole recording so far, to save to disk; null when `keepRecording` is false or nothing was recorded. */
  recording(): File | null {
    if (this.#options.keepRecording === false || this.#all.length === 0) return null;
    return new File(this.#all, this.#fileName, { type: this.#mimeType.split(';')[0] || 'video/webm' });
  }

  /** Starts recording `stream` and uploading it. Returns false unless the session is `idle`. */
  start(stream: MediaStream): boolean {
    if (this.#state !== 'idle') return false;
    const mimeType = pickRecorderMimeType(this.#options.mimeType);
    if (mimeType === null) {
      throw new UploadError(
        'file-type',
        this.#options.mimeType
          ? `This browser cannot record "${this.#options.mimeType}".`
          : 'This browser cannot record video.',
        { retryable: false },
      );
    }
    const recorder = new MediaRecorder(stream, mimeType ? { mimeType } : {});
    this.#recorder = recorder;
    recorder.addEventListener('dataavailable', (event) => this.#onData(event.data));
    recorder.addEventListener('stop', () => this.#onRecorderStop());
    recorder.addEventListener('error', () => this.#onRecorderStop());
    for (const track of stream.getVideoTracks()) track.addEventListener('ended', () => this.stop(), { once: true });
    recorder.start(Math.max(100, this.#options.timeslice ?? DEFAULT_TIMESLICE_MS));
    this.#startedAt = performance.now();
    this.#mimeType = recorder.mimeType || mimeType;
    this.#fileName = recordingFileName(this.#mimeType);
    try {
      this.#tokens = new TokenSource(new File([], this.#fileName, { type: this.#mimeType.split(';')[0] ?? '' }), {
        ...(this.#options.token ? { token: this.#options.token } : {}),
        ...(this.#options.tokenProvider ? { tokenProvider: this.#options.tokenProvider } : {}),
        ...(this.#options.tokenUrl ? { tokenUrl: this.#options.tokenUrl } : {}),
        ...(this.#options.fields ? { fields: this.#options.fields } : {}),
        ...(this.#options.tokenSafetyMargin !== undefined ? { safetyMargin: this.#options.tokenSafetyMargin } : {}),
        ...(this.#options.tokenRequestTimeout !== undefined
          ? { requestTimeout: this.#options.tokenRequestTimeout }
          : {}),
      });
    } catch (error) {
      recorder.stop();
      this.#transition('recording');
      this.#fail(error);
      return true;
    }
    this.#transition('recording');
    this.#emit('start', { mimeType: this.#mimeType, fileName: this.#fileName });
    void this.#execute();
    return true;
  }

  /** Stops the recorder; what is held back is sent as the last part. */
  stop(): boolean {
    if (this.#stopped || !this.#recorder) return false;
    // The recording ends now for the visitor; the recorder's last blob and its stop event come a moment later.
    this.#stoppedAt ||= performance.now();
    if (this.#recorder.state !== 'inactive') this.#recorder.stop();
    return true;
  }

  /** After a failure: continues from the first part the video API has not acknowledged. */
  retry(): boolean {
    if (this.#state !== 'error' || !this.#tokens) return false;
    this.#error = null;
    this.#transition(this.#stopped ? 'finishing' : 'recording');
    void this.#execute();
    return true;
  }

  /** Stops the recorder and the upload for good; the recording is dropped. */
  cancel(): boolean {
    if (['idle', 'complete', 'canceled'].includes(this.#state)) return false;
    this.#run?.abort();
    this.#run = null;
    this.#stopped = true;
    clearTimeout(this.#late);
    this.#late = undefined;
    if (this.#recorder && this.#recorder.state !== 'inactive') this.#recorder.stop();
    this.#pending = [];
    this.#all = [];
    this.#error = canceledError();
    this.#transition('canceled');
    this.#emit('cancel', {});
    return true;
  }

  #onData(blob: Blob): void {
    this.#lastBlobEmpty = blob.size === 0;
    if (this.#state === 'canceled' || blob.size === 0) return;
    if (this.#late !== undefined) {
      clearTimeout(this.#late);
      this.#late = setTimeout(() => this.#onStopped(), LATE_QUIET_MS);
    }
    this.#pending.push(blob);
    this.#pendingBytes += blob.size;
    this.#recordedBytes += blob.size;
    if (this.#options.keepRecording !== false) this.#all.push(blob);
    this.#emit('data', { blob });
    this.#progress(true);
    this.#wake?.();
  }

  #onRecorderStop(): void {
    if (this.#stopped || this.#late !== undefined) return;
    if (this.#lastBlobEmpty) {
      this.#late = setTimeout(() => this.#onStopped(), LATE_BLOB_WAIT_MS);
    } else {
      this.#onStopped();
    }
  }

  /** The recording is whole: what is held back goes as the last part. */
  #onStopped(): void {
    clearTimeout(this.#late);
    this.#late = undefined;
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stoppedAt ||= performance.now();
    this.#emit('stop', { durationMs: this.durationMs, bytes: this.#recordedBytes });
    if (this.#state === 'recording') this.#transition('finishing');
    this.#progress(true);
    this.#wake?.();
  }

  #emit<K extends keyof RecordingEventMap>(type: K, detail: RecordingEventMap[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  #transition(next: RecordingState): void {
    const previous = this.#state;
    if (previous === next || previous === 'complete' || previous === 'canceled') return;
    this.#state = next;
    this.#emit('statechange', { state: next, previous });
  }

  #progress(force = false): void {
    const now = performance.now();
    if (!force && now - this.#lastProgressAt < 100) return;
    this.#lastProgressAt = now;
    this.#emit('progress', this.progress);
  }

  #fail(error: unknown): void {
    this.#run = null;
    const failure = asUploadError(error);
    this.#error = failure;
    this.#transition('error');
    this.#emit('error', { error: failure });
  }

  /** Resolves when a full part plus one byte is buffered (so the last part is never empty), or the recorder stopped. */
  async #waitForPart(signal: AbortSignal): Promise<void> {
    while (!this.#stopped && this.#pendingBytes <= this.#partSize) {
      if (signal.aborted) throw canceledError();
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      this.#wake = null;
    }
    if (signal.aborted) throw canceledError();
  }

  async #execute(): Promise<void> {
    const controller = new AbortController();
    this.#run = controller;
    const { signal } = controller;
    try {
      for (;;) {
        await this.#waitForPart(signal);
        const type = this.#mimeType;
        const buffered = new Blob(this.#pending, { type });
        const last = this.#stopped && buffered.size <= this.#partSize;
        if (last && buffered.size === 0) {
          throw new UploadError('protocol', 'Nothing was recorded.', { retryable: false });
        }
        const body = last ? buffered : buffered.slice(0, this.#partSize, type);
        const video = await this.#withRetries(() => this.#sendPart(body, last, signal), signal);
        // Acknowledged: drop those bytes. More may have been recorded meanwhile; they stay.
        const now = new Blob(this.#pending, { type });
        this.#pending = now.size > body.size ? [now.slice(body.size, now.size, type)] : [];
        this.#pendingBytes = now.size - body.size;
        this.#acknowledged += body.size;
        this.#inFlight = 0;
        this.#videoId ??= video.videoId;
        if (last) {
          if (this.#run !== controller) return;
          this.#run = null;
          this.#video = video;
          this.#progress(true);
          this.#transition('complete');
          this.#emit('complete', { video });
          return;
        }
        this.#part++;
        this.#progress(true);
      }
    } catch (error) {
      if (this.#run !== controller || signal.aborted) return;
      this.#inFlight = 0;
      this.#fail(error);
    }
  }

  async #sendPart(body: Blob, last: boolean, signal: AbortSignal): Promise<Video> {
    const tokens = this.#tokens!;
    let active = await tokens.get(signal);
    this.#apiUrl ||= (active.grant.apiUrl ?? this.#options.apiUrl ?? PRODUCTION_API_URL).replace(/\/+$/, '');
    this.#videoId ??= active.grant.videoId ?? null;
    let refreshed = false;
    const part = this.#part;
    const range = last ? `part ${part}/${part}` : `part ${part}/*`;
    for (;;) {
      const form = new FormData();
      if (this.#videoId) form.append('videoId', this.#videoId);
      form.append('file', body, this.#fileName);
      this.#inFlight = 0;
      let result;
      try {
        result = await sendXhr({
          method: 'POST',
          url: `${this.#apiUrl}/upload?token=${encodeURIComponent(active.grant.token)}`,
          headers: { [HeaderNames.contentRange]: range, [HeaderNames.originClient]: ORIGIN_CLIENT },
          body: form,
          signal,
          stallTimeout: this.#options.stallTimeout ?? DEFAULT_STALL_TIMEOUT_MS,
          onUploadProgress: (loaded, total) => {
            this.#inFlight = total > 0 ? Math.min(body.size, Math.floor((loaded * body.size) / total)) : 0;
            this.#progress();
          },
        });
      } catch (error) {
        this.#inFlight = 0;
        throw error;
      }
      tokens.observeServerDate(result.header('Date'));
      if (result.status === 401) {
        if (refreshed) {
          throw new UploadError(
            'unauthorized',
            `Part ${part}: the video API refused a freshly fetched upload token (401).`,
            {
              status: 401,
              retryable: false,
            },
          );
        }
        active = await tokens.refreshAfterRejection(active.grant.token, signal);
        refreshed = true;
        continue;
      }
      if (result.status < 200 || result.status >= 300) {
        throw errorFromResponse(result.status, result.body, parseRetryAfter(result.header), `Part ${part}`);
      }
      let video: Video;
      try {
        video = JSON.parse(result.body) as Video;
        if (!video || typeof video.videoId !== 'string') throw new Error('no videoId');
      } catch {
        throw new UploadError(
          'protocol',
          `Part ${part}: the video API answered ${result.status} without a Video object.`,
          {
            status: result.status,
            retryable: false,
          },
        );
      }
      if (this.#videoId && video.videoId !== this.#videoId) {
        throw new UploadError(
          'protocol',
          `Part ${part} landed in video ${video.videoId} instead of ${this.#videoId}.`,
          {
            retryable: false,
          },
        );
      }
      return video;
    }
  }

  /** The engine's retry policy (backoff with jitter, Retry-After, waiting while offline) around one part. */
  async #withRetries<T>(op: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const retries = this.#options.retries ?? DEFAULT_RETRIES;
    let attempt = 0;
    for (;;) {
      if (isOffline()) await waitForOnline(signal);
      try {
        return await op();
      } catch (error) {
        if (signal.aborted) throw canceledError();
        if (!(error instanceof UploadError)) throw error;
        if (error.code === 'network' && isOffline()) continue;
        if (!error.retryable || attempt >= retries) throw error;
        attempt++;
        const delayMs = error.retryAfterMs ?? backoffDelay(attempt);
        this.#emit('retry', { attempt, retries, delayMs, error });
        await sleep(delayMs, signal);
      }
    }
  }
}

export interface RecordingSession {
  addEventListener<K extends keyof RecordingEventMap>(
    type: K,
    listener: (event: CustomEvent<RecordingEventMap[K]>) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
}
