import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { UploadProtocol, Video } from '../../protocol/index.js';
import type { InterruptedUpload } from '../../upload/resume-store.js';
import type { Poster } from '../poster.js';
import type { UploadSession } from '../../upload/session.js';
import { UploadError } from '../../upload/upload-error.js';
import type {
  TokenProvider,
  UploadErrorLike,
  UploadEventMap,
  UploadProgress,
  UploadSessionOptions,
  UploadState,
} from '../../upload/types.js';
import { VideoUploadCancelEvent, VideoUploadErrorEvent, VideoUploadSelectEvent } from '../events.js';
import { matchesAccept } from '../file-checks.js';
import { formatBytes, formatDuration } from '../format.js';
import { sniffNotVideo } from '../sniff.js';
import { loadEngine, type EngineModule } from './engine-loader.js';
import type { LocalizeController } from './localize.js';

/** The element's properties that an upload reads. */
export interface UploadSettings {
  tokenUrl: string;
  token: string;
  tokenProvider: TokenProvider | undefined;
  apiUrl: string;
  protocol: UploadProtocol;
  chunkSize: number | null;
  retries: number | null;
  stallTimeout: number | null;
  accept: string;
  maxFileSize: number | null;
  maxDuration: number | null;
  multiple: boolean;
  playableTimeout: number | null;
  /** What the visitor typed in the `fields` (title, description): sent to the token endpoint with the file. */
  readonly typedFields: Readonly<Record<string, string>>;
}

/**
 * Where an uploaded video is on its way to being watched: `waiting` while the video API processes it, then
 * `hls` or `mp4` (how it plays), or `timeout` and `failed` when it did not become playable.
 */
export type PlayableStatus = 'waiting' | 'hls' | 'mp4' | 'timeout' | 'failed';

/** An uploaded file and its video. */
export interface Completed {
  file: File;
  video: Video;
  playable: PlayableStatus;
}

/** One file on its way. */
export interface Upload {
  file: File;
  /** Seconds, from the file's metadata; null while unknown. */
  duration: number | null;
  /** A frame of the file and its size, once read; absent where the browser cannot decode the file. */
  poster?: Poster;
}

/** Everything the element renders of its uploads. Replaced, never changed in place, and the element re-renders. */
export interface UploadView {
  /** `idle` before any file, otherwise the state of the current upload. */
  state: UploadState;
  /** The file being checked, uploaded, or that failed; null when there is none. */
  current: Upload | null;
  progress: UploadProgress | null;
  lastRetry: (UploadEventMap['retry'] & { at: number }) | null;
  error: UploadErrorLike | null;
  /** Why the element refused a file; shown next to the drop zone. */
  refusal: string | null;
  /** Whether the current file's duration is being read before it may go. */
  checking: boolean;
  /** Files waiting for the current one, with `multiple`. */
  queue: readonly Upload[];
  /** With `multiple`: the files the element refused since the last reset, each with its reason. */
  refused: ReadonlyArray<{ file: File; reason: string }>;
  completed: readonly Completed[];
  /** The polite live region's text. */
  announcement: string;
  /** An upload this browser left unfinished (a closed tab, a reload), shown until a file is picked. */
  interrupted: InterruptedUpload | null;
}

const BUSY: ReadonlySet<UploadState> = new Set(['authorizing', 'uploading', 'retrying', 'paused']);
/** Milliseconds the duration check may take before the file is let through without it. */
const DURATION_TIMEOUT_MS = 4000;

const INITIAL: UploadView = {
  state: 'idle',
  current: null,
  progress: null,
  lastRetry: null,
  error: null,
  refusal: null,
  checking: false,
  queue: [],
  refused: [],
  completed: [],
  announcement: '',
  interrupted: null,
};

/**
 * The element's uploads: checks each file, hands it to an `UploadSession`, and turns what the session
 * reports into the element's view, announcements and events. Like `@lit/task`, each file has a run with its
 * own `AbortController`; clearing the current upload aborts its run, and a stale run's results are ignored.
 */
export class UploadController implements ReactiveController {
  readonly #host: ReactiveControllerHost & EventTarget & UploadSettings;
  readonly #localize: LocalizeController;
  readonly #isDisabled: () => boolean;
  #view: UploadView = INITIAL;
  #session: UploadSession | null = null;
  #run: AbortController | null = null;

  constructor(
    host: ReactiveControllerHost & EventTarget & UploadSettings,
    localize: LocalizeController,
    isDisabled: () => boolean,
  ) {
    this.#host = host;
    this.#localize = localize;
    this.#isDisabled = isDisabled;
    host.addController(this);
  }

  hostConnected(): void {
    // The engine is in its own chunk: it starts loading now, so that it is there when a file is picked.
    if (typeof document !== 'undefined') this.#showInterrupted();
  }

  /** Once the engine is there, names the upload this browser left unfinished, while nothing else is shown. */
  #showInterrupted(): void {
    loadEngine().then(
      (engine) => {
        if (this.#view.state !== 'idle' || this.#view.current || this.#view.interrupted) return;
        const interrupted = engine.lastInterruptedUpload();
        if (interrupted) this.#set({ interrupted });
      },
      () => undefined,
    );
  }

  hostDisconnected(): void {
    // Nothing stops: an upload goes on while the element is moved in the page, and is there when it comes back.
  }

  get view(): UploadView {
    return this.#view;
  }

  /** Whether a file is being checked or uploaded (paused counts). */
  get busy(): boolean {
    return this.#view.checking || BUSY.has(this.#view.state);
  }

  #set(changes: Partial<UploadView>): void {
    this.#view = { ...this.#view, ...changes };
    this.#host.requestUpdate();
  }

  /**
   * The one way the current upload is forgotten: its run is aborted (its session's later events are
   * ignored, and a session still running is canceled), and its file, progress, error and retry go.
   */
  #clearCurrent(changes: Partial<UploadView>): void {
    const poster = this.#view.current?.poster;
    if (poster && changes.current?.poster !== poster) URL.revokeObjectURL(poster.url);
    this.#run?.abort();
    this.#run = null;
    this.#session = null;
    this.#set({ current: null, progress: null, error: null, lastRetry: null, checking: false, ...changes });
  }

  /** A new run for the current upload; its signal aborts when the upload is cleared or replaced. */
  #newRun(): AbortSignal {
    this.#run = new AbortController();
    return this.#run.signal;
  }

  #announce(message: string): void {
    // The same words twice in a row would not be read again: a zero-width space makes them new.
    this.#set({ announcement: message === this.#view.announcement ? `${message}\u200b` : message });
  }

  /** Checks files and uploads them, one (or, with `multiple`, each in turn). */
  async add(files: File[]): Promise<void> {
    if (this.#isDisabled() || files.length === 0) return;
    if (this.#view.interrupted) this.#set({ interrupted: null });
    if (!this.#host.multiple) {
      if (this.busy) return;
      files = files.slice(0, 1);
    }
    for (const file of files) {
      const checked = await this.#check(file);
      if (!checked) continue;
      if (!this.#host.dispatchEvent(new VideoUploadSelectEvent({ file, duration: checked.duration }))) continue;
      if (this.#host.multiple && this.busy) this.#set({ queue: [...this.#view.queue, checked] });
      else this.#start(checked);
    }
  }

  pause(): void {
    this.#session?.pause();
  }

  resume(): void {
    if (this.#view.state === 'paused') this.#session?.resume();
  }

  /**
   * Cancels the current upload and, with `scope` `all` (the default), the files waiting after it; with
   * `current`, the next waiting file starts.
   */
  cancel(scope: 'all' | 'current' = 'all'): void {
    const upload = this.#view.current;
    const [next, ...rest] = this.#view.queue;
    if (scope === 'all' || !next) this.#set({ queue: [] });
    if (!upload || this.#view.state === 'complete') return;
    // The engine refuses to cancel what has finished; a failed upload is canceled so that its resume record goes.
    this.#session?.cancel();
    this.#clearCurrent({ state: 'canceled' });
    this.#announce(this.#localize.text.canceled);
    this.#host.dispatchEvent(new VideoUploadCancelEvent({ file: upload.file }));
    if (scope === 'current' && next) {
      this.#set({ queue: rest });
      this.#start(next);
    }
  }

  /** Takes a waiting file out of the queue. */
  removeQueued(file: File): void {
    const queue = this.#view.queue.filter((upload) => upload.file !== file);
    if (queue.length === this.#view.queue.length) return;
    this.#set({ queue });
    this.#announce(this.#localize.text.removedFromQueue(file.name));
  }

  retry(): void {
    const { state, current } = this.#view;
    if (state !== 'error' || !current) return;
    if (this.#session?.state === 'error') this.#session.resume();
    else this.#start(current);
  }

  reset(): void {
    if (this.busy) this.cancel();
    this.#clearCurrent(INITIAL);
    this.#showInterrupted();
  }

  /** The element's checks: type, size, then duration. Refusals are reported and give null. */
  async #check(file: File): Promise<Upload | null> {
    const { accept, maxFileSize, maxDuration } = this.#host;
    const text = this.#localize.text;
    const locale = this.#localize.locale;
    if (!matchesAccept(file, accept)) {
      // The visitor reads words; the developer's message names the type and the pattern.
      const message = `The file ${file.name} (type "${file.type || 'unknown'}") does not match accept="${accept}".`;
      this.#refuse(file, new UploadError('file-type', message, { retryable: false }), text.errorFileType(accept));
      return null;
    }
    if (maxFileSize !== null && maxFileSize > 0 && file.size > maxFileSize) {
      const message = text.errorFileTooLarge(formatBytes(file.size, locale), formatBytes(maxFileSize, locale));
      this.#refuse(file, new UploadError('file-too-large', message, { retryable: false }));
      return null;
    }
    const kind = await sniffNotVideo(file);
    if (kind) {
      const message = `The file ${file.name} is ${kind} (by its first bytes), not a video container.`;
      this.#refuse(file, new UploadError('file-type', message, { retryable: false }), text.errorNotVideo);
      return null;
    }
    if (maxDuration === null || !(maxDuration > 0)) return { file, duration: null };
    // While nothing else runs, the file shows as being prepared; the check is then the current run.
    let signal: AbortSignal | null = null;
    if (!this.busy) {
      this.#clearCurrent({ current: { file, duration: null }, checking: true, refusal: null });
      signal = this.#newRun();
    }
    const duration = await loadEngine().then(
      (engine) => engine.readDuration(file, DURATION_TIMEOUT_MS),
      () => null,
    );
    if (signal) {
      if (signal.aborted) return null;
      this.#set({ current: null, checking: false });
    }
    // A duration the browser cannot read (a codec it does not play) is left to the video API to judge.
    if (duration !== null && duration > maxDuration) {
      const message = text.errorFileTooLong(formatDuration(duration, locale), formatDuration(maxDuration, locale));
      this.#refuse(file, new UploadError('file-too-large', message, { retryable: false }));
      return null;
    }
    return { file, duration };
  }

  #refuse(file: File, error: UploadError, words: string = error.message): void {
    // With multiple, a refused file stays listed with its reason among the others.
    if (this.#host.multiple) this.#set({ refused: [...this.#view.refused, { file, reason: words }] });
    if (this.busy) this.#set({ refusal: words, error });
    else this.#clearCurrent({ state: 'error', refusal: words, error });
    this.#announce(words);
    this.#host.dispatchEvent(new VideoUploadErrorEvent({ file, error }));
  }

  #sessionOptions(): UploadSessionOptions {
    const host = this.#host;
    const options: UploadSessionOptions = { protocol: host.protocol };
    // Unset, the engine uses the production API for grants without `apiUrl`, and refuses a static token.
    if (host.apiUrl) options.apiUrl = host.apiUrl;
    if (host.token) options.token = host.token;
    if (host.tokenProvider) options.tokenProvider = host.tokenProvider;
    if (host.tokenUrl) options.tokenUrl = host.tokenUrl;
    const fields = Object.entries(host.typedFields).filter(([, value]) => value.trim() !== '');
    if (fields.length > 0) options.fields = Object.fromEntries(fields.map(([name, value]) => [name, value.trim()]));
    if (host.chunkSize !== null && host.chunkSize > 0) options.chunkSize = host.chunkSize;
    if (host.retries !== null && host.retries >= 0) options.retries = host.retries;
    if (host.stallTimeout !== null && host.stallTimeout > 0) options.stallTimeout = host.stallTimeout * 1000;
    return options;
  }

  /**
   * Starts one file in a new run: once the engine has arrived (a file picked before waits for it, shown as
   * authorizing), or with a network error that "Try again" retries when it cannot load.
   */
  #start(upload: Upload): void {
    this.#clearCurrent({ current: upload, refusal: null, state: 'authorizing' });
    const signal = this.#newRun();
    loadEngine().then(
      (engine) => {
        if (!signal.aborted) this.#startSession(engine, upload, signal);
      },
      (cause: unknown) => {
        if (signal.aborted) return;
        const error = new UploadError('network', 'The uploader could not be loaded: check the connection.', { cause });
        this.#set({ state: 'error', error });
        this.#announce(this.#localize.errorText(error));
        this.#host.dispatchEvent(new VideoUploadErrorEvent({ file: upload.file, error }));
      },
    );
  }

  /** Hands one file to a new session; session-view.ts turns what it reports into the view and events. */
  #startSession(engine: EngineModule, upload: Upload, signal: AbortSignal): void {
    const session = new engine.UploadSession(this.#sessionOptions());
    this.#session = session;
    signal.addEventListener('abort', () => {
      if (BUSY.has(session.state)) session.cancel();
    });
    engine.followSession(session, upload, {
      host: this.#host,
      localize: this.#localize,
      signal,
      view: () => this.#view,
      set: (changes) => this.#set(changes),
      announce: (message) => this.#announce(message),
      start: (next) => this.#start(next),
    });
    this.#readDurationLater(engine, upload, signal);
    this.#readPosterLater(engine, upload, signal);
    session.start(upload.file);
  }

  /** A frame of the file to show beside its name, read while the upload runs. */
  #readPosterLater(engine: EngineModule, upload: Upload, signal: AbortSignal): void {
    if (typeof document === 'undefined') return;
    void engine.readPoster(upload.file).then((poster) => {
      if (!poster) return;
      const current = this.#view.current;
      if (signal.aborted || current?.file !== upload.file) return URL.revokeObjectURL(poster.url);
      this.#set({ current: { ...current, poster } });
    });
  }

  /** Without `max-duration` the duration is only shown, so it is read while the upload runs. */
  #readDurationLater(engine: EngineModule, upload: Upload, signal: AbortSignal): void {
    if (upload.duration !== null || typeof document === 'undefined') return;
    void engine.readDuration(upload.file, DURATION_TIMEOUT_MS).then((duration) => {
      if (duration !== null && !signal.aborted && this.#view.current === upload)
        this.#set({ current: { ...upload, duration } });
    });
  }
}
