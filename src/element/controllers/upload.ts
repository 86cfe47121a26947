import type { ReactiveController } from 'lit';
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
  UploadState,
} from '../../upload/types.js';
import { VideoUploadCancelEvent, VideoUploadErrorEvent, VideoUploadSelectEvent } from '../events.js';
import { loadEngine, type EngineModule } from './engine-loader.js';
import type { ControlsController, ControlsHost } from './controls.js';
import type { KeepAliveController } from './keep-alive.js';
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
  readonly #host: ControlsHost & EventTarget & UploadSettings;
  readonly #localize: LocalizeController;
  readonly #isDisabled: () => boolean;
  #view: UploadView = INITIAL;
  #session: UploadSession | null = null;
  #run: AbortController | null = null;
  #engine: EngineModule | null = null;
  #keepAlive: KeepAliveController | null = null;
  #controls: ControlsController | null = null;

  constructor(
    host: ControlsHost & EventTarget & UploadSettings,
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

  /** The engine, once loaded: the element then renders its views and keeps its uploads alive. */
  #loaded(engine: EngineModule): EngineModule {
    if (!this.#engine) {
      this.#engine = engine;
      this.#keepAlive = new engine.KeepAliveController(this.#host, () => this.#view.state);
      this.#controls = new engine.ControlsController(this.#host, this);
      this.#host.requestUpdate();
    }
    return engine;
  }

  /** The views of a picked file, which come with the engine; null until it has loaded. */
  get views(): EngineModule['views'] | null {
    return this.#engine?.views ?? null;
  }

  /** The controls of a picked file (controls.ts), which come with the engine; null until it has loaded. */
  get controls(): ControlsController | null {
    return this.#controls;
  }

  /** Whether the browser said it went offline during an upload (known once the engine has loaded). */
  get offline(): boolean {
    return this.#keepAlive?.offline ?? false;
  }

  /** Once the engine is there, names the upload this browser left unfinished, while nothing else is shown. */
  #showInterrupted(): void {
    loadEngine().then(
      (engine) => {
        this.#loaded(engine);
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

  /**
   * The element's checks (file-checks.ts, in the engine's chunk): type, first bytes, size, then duration.
   * While nothing else runs and they take a moment, the file shows as being prepared. Refusals are reported
   * and give null.
   */
  async #check(file: File): Promise<Upload | null> {
    let signal: AbortSignal | null = null;
    // Shown only when the checks take a moment: the engine still on its way, or the duration to read.
    const slow = !this.#engine || (this.#host.maxDuration ?? 0) > 0;
    if (slow && !this.busy) {
      this.#clearCurrent({ current: { file, duration: null }, checking: true, refusal: null });
      signal = this.#newRun();
    }
    // Without the engine nothing can be checked or uploaded: starting the file then says it could not load.
    const checked = await loadEngine().then(
      (engine) => engine.checkFile(file, this.#host, this.#localize),
      () => ({ file, duration: null }),
    );
    if (signal) {
      if (signal.aborted) return null;
      this.#set({ current: null, checking: false });
    }
    if ('refusal' in checked) {
      this.#refuse(file, checked.refusal, checked.words);
      return null;
    }
    return checked;
  }

  #refuse(file: File, error: UploadError, words: string = error.message): void {
    // With multiple, a refused file stays listed with its reason among the others.
    if (this.#host.multiple) this.#set({ refused: [...this.#view.refused, { file, reason: words }] });
    if (this.busy) this.#set({ refusal: words, error });
    else this.#clearCurrent({ state: 'error', refusal: words, error });
    this.#announce(words);
    this.#host.dispatchEvent(new VideoUploadErrorEvent({ file, error }));
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
        if (!signal.aborted) this.#startSession(this.#loaded(engine), upload, signal);
      },
      (cause: unknown) => {
        if (signal.aborted) return;
        const error = new UploadError('network', 'The uploader could not be loaded: check the connection.', { cause });
        this.#set({ state: 'error', error });
        this.#announce(this.#localize.text.errorNetwork);
        this.#host.dispatchEvent(new VideoUploadErrorEvent({ file: upload.file, error }));
      },
    );
  }

  /** Hands one file to a new session in the engine (session-view.ts), which turns its reports into the view. */
  #startSession(engine: EngineModule, upload: Upload, signal: AbortSignal): void {
    this.#session = engine.startUpload(upload, {
      host: this.#host,
      localize: this.#localize,
      signal,
      view: () => this.#view,
      set: (changes) => this.#set(changes),
      announce: (message) => this.#announce(message),
      start: (next) => this.#start(next),
    });
  }
}
