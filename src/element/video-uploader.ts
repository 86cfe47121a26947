import { html, LitElement, nothing, svg, type PropertyDeclaration, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { ifDefined } from 'lit/directives/if-defined.js';
import { PRODUCTION_API_URL, type UploadProtocol, type Video } from '../protocol/index.js';
import { UploadError, UploadSession } from '../upload/index.js';
import type {
  TokenProvider,
  UploadErrorLike,
  UploadEvent,
  UploadEventMap,
  UploadProgress,
  UploadSessionOptions,
  UploadState,
} from '../upload/types.js';
import {
  VideoUploadCancelEvent,
  VideoUploadCompleteEvent,
  VideoUploadErrorEvent,
  VideoUploadPauseEvent,
  VideoUploadProgressEvent,
  VideoUploadResumeEvent,
  VideoUploadRetryEvent,
  VideoUploadSelectEvent,
  VideoUploadStartEvent,
  VideoUploadTokenEvent,
} from './events.js';
import { matchesAccept, readDuration } from './file-checks.js';
import { formatBytes, formatDuration, formatPercent, formatSpeed } from './format.js';
import { errorStringKeys, loadLocale, onLocaleRegistered, stringsFor, type VideoUploaderStrings } from './strings.js';
import { styles } from './video-uploader.styles.js';

/** What the element is doing: `idle` before any file, otherwise the state of the current upload. */
export type VideoUploaderState = UploadState;

/** The custom states the element exposes to `:state()`. */
const CUSTOM_STATES = ['idle', 'uploading', 'retrying', 'paused', 'complete', 'error', 'canceled', 'dragover', 'disabled'] as const;
type CustomState = (typeof CUSTOM_STATES)[number];

const BUSY: ReadonlySet<UploadState> = new Set(['authorizing', 'uploading', 'retrying', 'paused']);
const MILESTONES = [25, 50, 75];
/** Milliseconds the duration check may take before the file is let through without it. */
const DURATION_TIMEOUT_MS = 4000;

/** An attribute that disappears when the property is empty, rather than becoming `lang=""`. */
const optionalString: PropertyDeclaration['converter'] = {
  fromAttribute: (value: string | null) => value ?? '',
  toAttribute: (value: string) => value || null,
};

interface Upload {
  file: File;
  /** Seconds, from the file's metadata; null while unknown. */
  duration: number | null;
}

const icon = (path: TemplateResult): TemplateResult =>
  html`<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${path}</svg>`;
const uploadIcon = icon(svg`<path d="M12 16V4m0 0-4 4m4-4 4 4"/><path d="M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3"/>`);
const videoIcon = icon(svg`<rect x="3" y="5" width="13" height="14" rx="2"/><path d="m16 10 5-3v10l-5-3"/>`);
const errorIcon = icon(svg`<circle cx="12" cy="12" r="9"/><path d="M12 8v5m0 3h.01"/>`);
const doneIcon = icon(svg`<circle cx="12" cy="12" r="9"/><path d="m8 12 3 3 5-6"/>`);

/**
 * Uploads a video from any web page straight to the video API, with a short-lived upload token from the
 * site's own endpoint: drop or pick a file, watch its progress, pause, resume, cancel, retry.
 * In a form, its value is the uploaded video's `videoId`.
 *
 * @summary A video upload field: drop zone, progress, pause/resume/cancel, retry, done link.
 *
 * @slot label - The drop-zone label (default "Drag and drop a video here").
 * @slot button - The content of the file button (default "Choose a video").
 *
 * @csspart base - The outer box.
 * @csspart dropzone - The drop zone around the label and the file button.
 * @csspart label - The drop-zone label.
 * @csspart button - The file button.
 * @csspart separator - The "or" between the label and the file button.
 * @csspart hint - The limits under the file button.
 * @csspart file - The current file: its facts, progress, status and actions.
 * @csspart file-info - The file's icon, name and facts.
 * @csspart file-name - The file's name.
 * @csspart file-meta - The file's size and duration.
 * @csspart progress - The `<progress>` bar.
 * @csspart status - Percent, speed and time left, or what the upload is doing.
 * @csspart error - What went wrong and what to do.
 * @csspart done - The done message and the link to the video.
 * @csspart link - The link to the video's player.
 * @csspart actions - The row of action buttons.
 * @csspart action - Each action button.
 * @csspart pause-button - The pause / resume button.
 * @csspart cancel-button - The cancel button.
 * @csspart retry-button - The retry button.
 * @csspart another-button - The button that starts over once done.
 * @csspart queue - The count of files waiting, with `multiple`.
 * @csspart videos - The list of uploaded videos, with `multiple`.
 *
 * @cssproperty [--video-uploader-font-family=inherit] - Font of all text.
 * @cssproperty [--video-uploader-font-size=1rem] - Base font size.
 * @cssproperty [--video-uploader-color=#1f2937] - Text color (dark scheme: #e5e7eb).
 * @cssproperty [--video-uploader-muted-color=#4b5563] - Secondary text (dark: #a1a1aa).
 * @cssproperty [--video-uploader-background=#ffffff] - Background of the box (dark: #18181b).
 * @cssproperty [--video-uploader-border-color=#cbd5e1] - Borders (dark: #52525b).
 * @cssproperty [--video-uploader-border-radius=0.75rem] - Corner radius of the box.
 * @cssproperty [--video-uploader-padding=1.25rem] - Inner spacing of the box.
 * @cssproperty [--video-uploader-gap=0.75rem] - Space between the rows.
 * @cssproperty [--video-uploader-accent-color=#2563eb] - Buttons, progress, links, focus ring (dark: #60a5fa).
 * @cssproperty [--video-uploader-accent-text-color=#ffffff] - Text on the accent color (dark: #0b1220).
 * @cssproperty [--video-uploader-dropzone-background=#f8fafc] - Drop-zone background (dark: #1f1f23).
 * @cssproperty [--video-uploader-dragover-background=#eff6ff] - Drop-zone background while a file is dragged over (dark: #172554).
 * @cssproperty [--video-uploader-track-color=#e2e8f0] - The progress bar's track (dark: #3f3f46).
 * @cssproperty [--video-uploader-progress-height=0.5rem] - The progress bar's height.
 * @cssproperty [--video-uploader-danger-color=#b91c1c] - Error text (dark: #f87171).
 * @cssproperty [--video-uploader-success-color=#15803d] - Done text (dark: #4ade80).
 * @cssproperty [--video-uploader-focus-ring=2px solid var(--video-uploader-accent-color)] - Outline of focused controls.
 *
 * @cssstate idle - No file yet.
 * @cssstate uploading - A file is being uploaded (also while authorizing and retrying).
 * @cssstate retrying - A failed part waits to be sent again.
 * @cssstate paused - The upload is paused.
 * @cssstate complete - The video was uploaded.
 * @cssstate error - A file was refused or its upload failed.
 * @cssstate canceled - The upload was canceled.
 * @cssstate dragover - A file is dragged over the drop zone.
 * @cssstate disabled - The element, or its fieldset, is disabled.
 *
 * @fires {VideoUploadSelectEvent} video-upload-select - A file passed the checks; cancelable, to refuse it.
 * @fires {VideoUploadStartEvent} video-upload-start - The upload began.
 * @fires {VideoUploadTokenEvent} video-upload-token - An upload token was obtained or refreshed.
 * @fires {VideoUploadProgressEvent} video-upload-progress - Bytes were sent (at most every 100 ms).
 * @fires {VideoUploadRetryEvent} video-upload-retry - A part failed and will be sent again.
 * @fires {VideoUploadPauseEvent} video-upload-pause - The upload was paused.
 * @fires {VideoUploadResumeEvent} video-upload-resume - The upload continues.
 * @fires {VideoUploadCompleteEvent} video-upload-complete - The video was uploaded.
 * @fires {VideoUploadErrorEvent} video-upload-error - A file was refused, or the upload failed.
 * @fires {VideoUploadCancelEvent} video-upload-cancel - The upload was canceled.
 *
 * @tagname video-uploader
 */
export class VideoUploader extends LitElement {
  static override styles = styles;
  static formAssociated = true;
  static override shadowRootOptions: ShadowRootInit = { ...LitElement.shadowRootOptions, delegatesFocus: true };

  /** The site's token endpoint: it receives `{fileName, fileSize, fileType}` as JSON and returns a token grant. */
  @property({ attribute: 'token-url' }) tokenUrl = '';

  /** A static upload token, for tests and simple pages; it cannot be refreshed when it expires. */
  @property() token = '';

  /** A function that returns a token grant (or a bare token) for a file; called again whenever a token must be refreshed. */
  @property({ attribute: false }) tokenProvider: TokenProvider | undefined = undefined;

  /** Base URL of the video API; a token grant's `apiUrl` wins. */
  @property({ attribute: 'api-url' }) apiUrl: string = PRODUCTION_API_URL;

  /** The wire protocol: `apivideo` (chunked `/upload`) or `tus`. */
  @property() protocol: UploadProtocol = 'apivideo';

  /** Bytes per part; the engine's default (50 MiB) when unset. */
  @property({ attribute: 'chunk-size', type: Number }) chunkSize: number | null = null;

  /** Retries per part for network errors, 5xx and 429; the engine's default (6) when unset. */
  @property({ type: Number }) retries: number | null = null;

  /** Seconds without upload progress after which a part is aborted and sent again; the engine's default (30) when unset. */
  @property({ attribute: 'stall-timeout', type: Number }) stallTimeout: number | null = null;

  /** The file types accepted, as in `<input type=file accept>`. */
  @property() accept = 'video/*';

  /** The largest file accepted, in bytes. */
  @property({ attribute: 'max-file-size', type: Number }) maxFileSize: number | null = null;

  /** The longest video accepted, in seconds, read from the file's metadata before the upload. */
  @property({ attribute: 'max-duration', type: Number }) maxDuration: number | null = null;

  /** Accept several files and upload them one after another. */
  @property({ type: Boolean, reflect: true }) multiple = false;

  /** The name under which the form submits the `videoId`. */
  @property({ reflect: true }) name = '';

  /** A form cannot be submitted until a video has been uploaded. */
  @property({ type: Boolean, reflect: true }) required = false;

  /** Nothing can be picked, dropped or controlled. */
  @property({ type: Boolean, reflect: true }) disabled = false;

  /** The language of the text; the closest `lang` of an ancestor, then the document's, when unset. */
  @property({ reflect: true, converter: optionalString }) override lang = '';

  /** Overrides for any text of the element; see `VideoUploaderStrings`. */
  @property({ attribute: false }) strings: Partial<VideoUploaderStrings> = {};

  @state() private currentState: VideoUploaderState = 'idle';
  @state() private current: Upload | null = null;
  @state() private currentProgress: UploadProgress | null = null;
  @state() private lastRetry: UploadEventMap['retry'] | null = null;
  @state() private currentError: UploadErrorLike | null = null;
  /** Why the element refused a file; shown next to the drop zone. */
  @state() private refusal: string | null = null;
  @state() private checking = false;
  @state() private queue: Upload[] = [];
  @state() private completed: Array<{ file: File; video: Video }> = [];
  @state() private dragover = false;
  @state() private announcement = '';
  @state() private formDisabled = false;

  @query('input[type=file]') private input!: HTMLInputElement;
  @query('[part~=button]') private fileButton?: HTMLButtonElement;

  readonly #internals: ElementInternals | undefined;
  #session: UploadSession | null = null;
  #lastMilestone = 0;
  #dragDepth = 0;
  #focusWasInside = false;
  #stopListeningForLocales: (() => void) | undefined;
  #langObserver: MutationObserver | undefined;

  constructor() {
    super();
    this.#internals = this.attachInternals?.();
    // A group, so that a <label for>, aria-label or aria-labelledby on the element names its controls together.
    if (this.#internals) this.#internals.role = 'group';
  }

  /** Where the upload is: `idle`, `authorizing`, `uploading`, `paused`, `retrying`, `complete`, `error` or `canceled`. */
  get state(): VideoUploaderState {
    return this.currentState;
  }

  /** The current upload's progress, or null before it starts. */
  get progress(): UploadProgress | null {
    return this.currentProgress;
  }

  /** The last uploaded video, once complete. */
  get video(): Video | null {
    return this.completed.at(-1)?.video ?? null;
  }

  /** Every video uploaded since the last reset, with `multiple`. */
  get videos(): Video[] {
    return this.completed.map((entry) => entry.video);
  }

  /** Why the last file was refused or its upload failed. */
  get error(): UploadErrorLike | null {
    return this.currentError;
  }

  /** The form value: the `videoId` once complete (the last one with `multiple`), or an empty string. */
  get value(): string {
    return this.video?.videoId ?? '';
  }

  get form(): HTMLFormElement | null {
    return this.#internals?.form ?? null;
  }

  get validity(): ValidityState | undefined {
    return this.#internals?.validity;
  }

  get validationMessage(): string {
    return this.#internals?.validationMessage ?? '';
  }

  get willValidate(): boolean {
    return this.#internals?.willValidate ?? false;
  }

  checkValidity(): boolean {
    return this.#internals?.checkValidity() ?? true;
  }

  reportValidity(): boolean {
    return this.#internals?.reportValidity() ?? true;
  }

  /** Checks `file` and uploads it, or queues it with `multiple`. Resolves once the file is refused, dropped or under way. */
  async start(file: File | Iterable<File>): Promise<void> {
    const files = file instanceof Blob ? [file] : [...file];
    await this.#addFiles(files);
  }

  /** Pauses the upload; the part in flight is sent again on `resume()`. */
  pause(): void {
    this.#session?.pause();
  }

  /** Continues a paused upload. */
  resume(): void {
    if (this.currentState === 'paused') this.#session?.resume();
  }

  /** Cancels the upload (or drops a failed one) and empties the queue. */
  cancel(): void {
    const upload = this.current;
    this.queue = [];
    if (!upload || this.currentState === 'complete') return;
    // The engine refuses to cancel what has finished; a failed upload is canceled so that its resume record goes.
    this.#session?.cancel();
    this.#session = null;
    this.current = null;
    this.currentProgress = null;
    this.currentError = null;
    this.checking = false;
    this.#setState('canceled');
    this.#announce(this.#text.canceled);
    this.dispatchEvent(new VideoUploadCancelEvent({ file: upload.file }));
  }

  /** Tries a failed upload again, from the parts the video API has not accepted yet. */
  retry(): void {
    if (this.currentState !== 'error' || !this.current) return;
    if (this.#session?.state === 'error') this.#session.resume();
    else this.#upload(this.current);
  }

  /** Cancels any upload and forgets every file, video and error; the form value is cleared. */
  reset(): void {
    if (this.#busy) this.cancel();
    this.#session = null;
    this.queue = [];
    this.current = null;
    this.currentProgress = null;
    this.currentError = null;
    this.refusal = null;
    this.checking = false;
    this.completed = [];
    this.lastRetry = null;
    this.announcement = '';
    this.#setState('idle');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#stopListeningForLocales = onLocaleRegistered(this.#handleLocaleChange);
    if (typeof MutationObserver !== 'undefined' && typeof document !== 'undefined') {
      this.#langObserver = new MutationObserver(this.#handleLocaleChange);
      this.#langObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopListeningForLocales?.();
    this.#langObserver?.disconnect();
  }

  /** Form reset: forget the upload, as a file input forgets its file. */
  formResetCallback(): void {
    this.reset();
  }

  formDisabledCallback(disabled: boolean): void {
    this.formDisabled = disabled;
  }

  get #isDisabled(): boolean {
    return this.disabled || this.formDisabled;
  }

  get #busy(): boolean {
    return this.checking || BUSY.has(this.currentState);
  }

  /** The language in use: the element's, an ancestor's, the document's, or English. */
  get #locale(): string {
    const candidates = [
      this.lang,
      this.closest?.('[lang]')?.getAttribute('lang'),
      typeof document !== 'undefined' ? document.documentElement.lang : '',
      typeof navigator !== 'undefined' ? navigator.language : '',
    ];
    for (const candidate of candidates) {
      if (!candidate) continue;
      try {
        return Intl.getCanonicalLocales(candidate)[0]!;
      } catch {
        // not a valid language tag: try the next
      }
    }
    return 'en';
  }

  get #text(): VideoUploaderStrings {
    return { ...stringsFor(this.#locale), ...this.strings };
  }

  #handleLocaleChange = (): void => {
    this.requestUpdate();
  };

  #setState(next: VideoUploaderState): void {
    this.currentState = next;
  }

  #announce(message: string): void {
    // The same words twice in a row would not be read again: a zero-width space makes them new.
    this.announcement = message === this.announcement ? `${message}\u200b` : message;
  }

  async #addFiles(files: File[]): Promise<void> {
    if (this.#isDisabled || files.length === 0) return;
    if (!this.multiple) {
      if (this.#busy) return;
      files = files.slice(0, 1);
    }
    for (const file of files) {
      const checked = await this.#check(file);
      if (!checked) continue;
      if (!this.dispatchEvent(new VideoUploadSelectEvent({ file, duration: checked.duration }))) continue;
      if (this.multiple && this.#busy) this.queue = [...this.queue, checked];
      else this.#upload(checked);
    }
  }

  /** The element's checks: type, size, then duration. Refusals are reported and give null. */
  async #check(file: File): Promise<Upload | null> {
    const text = this.#text;
    const locale = this.#locale;
    if (!matchesAccept(file, this.accept)) {
      this.#refuse(file, new UploadError('file-type', text.errorFileType(this.accept), { retryable: false }));
      return null;
    }
    if (this.maxFileSize !== null && this.maxFileSize > 0 && file.size > this.maxFileSize) {
      const message = text.errorFileTooLarge(formatBytes(file.size, locale), formatBytes(this.maxFileSize, locale));
      this.#refuse(file, new UploadError('file-too-large', message, { retryable: false }));
      return null;
    }
    if (this.maxDuration === null || !(this.maxDuration > 0)) return { file, duration: null };
    const showChecking = !this.#busy;
    if (showChecking) {
      this.refusal = null;
      this.current = { file, duration: null };
      this.checking = true;
    }
    const duration = await readDuration(file, DURATION_TIMEOUT_MS);
    if (showChecking) {
      this.checking = false;
      if (this.current?.file !== file) return null;
      this.current = null;
    }
    // A duration the browser cannot read (a codec it does not play) is left to the video API to judge.
    if (duration !== null && duration > this.maxDuration) {
      const message = text.errorFileTooLong(formatDuration(duration, locale), formatDuration(this.maxDuration, locale));
      this.#refuse(file, new UploadError('file-too-large', message, { retryable: false }));
      return null;
    }
    return { file, duration };
  }

  #refuse(file: File, error: UploadError): void {
    this.refusal = error.message;
    this.currentError = error;
    if (!this.#busy) {
      this.current = null;
      this.currentProgress = null;
      this.#setState('error');
    }
    this.#announce(error.message);
    this.dispatchEvent(new VideoUploadErrorEvent({ file, error }));
  }

  #sessionOptions(): UploadSessionOptions {
    const options: UploadSessionOptions = { apiUrl: this.apiUrl || PRODUCTION_API_URL, protocol: this.protocol };
    if (this.token) options.token = this.token;
    if (this.tokenProvider) options.tokenProvider = this.tokenProvider;
    if (this.tokenUrl) options.tokenUrl = this.tokenUrl;
    if (this.chunkSize !== null && this.chunkSize > 0) options.chunkSize = this.chunkSize;
    if (this.retries !== null && this.retries >= 0) options.retries = this.retries;
    if (this.stallTimeout !== null && this.stallTimeout > 0) options.stallTimeout = this.stallTimeout * 1000;
    return options;
  }

  /** Hands one file to a new upload session and renders what it reports; events of a replaced session are ignored. */
  #upload(upload: Upload): void {
    const session = new UploadSession(this.#sessionOptions());
    this.#session = session;
    this.current = upload;
    this.currentProgress = null;
    this.currentError = null;
    this.refusal = null;
    this.lastRetry = null;
    this.#lastMilestone = 0;
    const { file } = upload;
    const on = <K extends keyof UploadEventMap>(type: K, handle: (detail: UploadEventMap[K]) => void): void => {
      session.addEventListener(type, (event: UploadEvent<K>) => {
        if (this.#session === session) handle(event.detail);
      });
    };
    on('statechange', ({ state }) => {
      if (state !== 'canceled') this.#setState(state);
    });
    on('token', ({ grant, refreshed }) => this.dispatchEvent(new VideoUploadTokenEvent({ file, grant, refreshed })));
    on('start', ({ resumedBytes }) => {
      this.#announce(this.#text.announceStart(file.name));
      this.dispatchEvent(new VideoUploadStartEvent({ file, resumedBytes }));
    });
    on('progress', (progress) => {
      this.currentProgress = progress;
      this.lastRetry = null;
      const milestone = MILESTONES.filter((m) => progress.percent >= m).at(-1) ?? 0;
      if (milestone > this.#lastMilestone) {
        this.#lastMilestone = milestone;
        this.#announce(this.#text.announceProgress(formatPercent(milestone, this.#locale)));
      }
      this.dispatchEvent(new VideoUploadProgressEvent({ file, progress }));
    });
    on('retry', (detail) => {
      this.lastRetry = detail;
      this.dispatchEvent(new VideoUploadRetryEvent({ file, ...detail }));
    });
    on('pause', ({ progress }) => {
      this.currentProgress = progress;
      this.#announce(this.#text.paused);
      this.dispatchEvent(new VideoUploadPauseEvent({ file, progress }));
    });
    on('resume', ({ progress }) => {
      this.currentError = null;
      this.#announce(this.#text.uploading);
      this.dispatchEvent(new VideoUploadResumeEvent({ file, progress }));
    });
    on('complete', ({ video }) => {
      this.completed = this.multiple ? [...this.completed, { file, video }] : [{ file, video }];
      this.currentProgress = session.progress;
      this.#announce(this.#text.announceComplete(file.name));
      this.dispatchEvent(new VideoUploadCompleteEvent({ file, video }));
      const next = this.queue[0];
      if (next) {
        this.queue = this.queue.slice(1);
        this.#upload(next);
      } else if (this.multiple) {
        // The list of uploaded videos shows every file, this one included.
        this.current = null;
      }
    });
    on('error', ({ error }) => {
      this.currentError = error;
      this.#announce(this.#errorText(error));
      this.dispatchEvent(new VideoUploadErrorEvent({ file, error }));
    });
    this.#readDurationLater(upload);
    session.start(file);
  }

  /** Without `max-duration` the duration is only shown, so it is read while the upload runs. */
  #readDurationLater(upload: Upload): void {
    if (upload.duration !== null || typeof document === 'undefined') return;
    void readDuration(upload.file, DURATION_TIMEOUT_MS).then((duration) => {
      if (duration !== null && this.current === upload) this.current = { ...upload, duration };
    });
  }

  #errorText(error: UploadErrorLike): string {
    const text = this.#text;
    if (error.code === 'file-type' || error.code === 'file-too-large') return text.errorFileRefused;
    const key = errorStringKeys[error.code];
    const value = key ? text[key] : undefined;
    return typeof value === 'string' ? value : error.message;
  }

  #handleButtonClick = (): void => {
    if (!this.#isDisabled) this.input.click();
  };

  #handleDropzoneClick = (event: MouseEvent): void => {
    // The button handles its own clicks; anywhere else in the zone opens the picker too, for pointer users.
    if (event.composedPath().includes(this.fileButton as EventTarget)) return;
    if ((event.target as HTMLElement).closest?.('a')) return;
    this.#handleButtonClick();
  };

  #handleInputChange = (): void => {
    const files = [...(this.input.files ?? [])];
    this.input.value = '';
    void this.#addFiles(files);
  };

  #canDrop(event: DragEvent): boolean {
    return !this.#isDisabled && (this.multiple || !this.#busy) && Boolean(event.dataTransfer?.types.includes('Files'));
  }

  #handleDragEnter = (event: DragEvent): void => {
    if (!this.#canDrop(event)) return;
    event.preventDefault();
    this.#dragDepth++;
    this.dragover = true;
  };

  #handleDragOver = (event: DragEvent): void => {
    if (!this.#canDrop(event)) return;
    event.preventDefault();
    event.dataTransfer!.dropEffect = 'copy';
    this.dragover = true;
  };

  #handleDragLeave = (): void => {
    this.#dragDepth = Math.max(0, this.#dragDepth - 1);
    if (this.#dragDepth === 0) this.dragover = false;
  };

  #handleDrop = (event: DragEvent): void => {
    event.preventDefault();
    this.#dragDepth = 0;
    this.dragover = false;
    if (this.#isDisabled || (!this.multiple && this.#busy)) return;
    void this.#addFiles([...(event.dataTransfer?.files ?? [])]);
  };

  #handlePauseClick = (): void => {
    if (this.currentState === 'paused') this.resume();
    else this.pause();
  };

  #handleCancelClick = (): void => this.cancel();

  #handleRetryClick = (): void => this.retry();

  #handleAnotherClick = (): void => {
    this.reset();
    void this.updateComplete.then(() => this.fileButton?.focus());
  };

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    // A built-in language other than English arrives in its own module; the element re-renders when it does.
    void loadLocale(this.#locale);
    // Controls come and go with the state; remember whether focus was among them so it is not lost.
    this.#focusWasInside = Boolean(this.shadowRoot?.activeElement);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    this.#syncStates();
    this.#syncForm();
    if (this.#focusWasInside && !this.shadowRoot?.activeElement) {
      for (const part of ['retry-button', 'pause-button', 'another-button', 'button', 'link']) {
        const next = this.renderRoot.querySelector<HTMLElement>(`[part~=${part}]:not(:disabled)`);
        if (next) {
          next.focus();
          break;
        }
      }
    }
  }

  #syncStates(): void {
    const states = this.#internals?.states;
    if (!states) return;
    const on: Record<CustomState, boolean> = {
      idle: this.currentState === 'idle' && !this.checking,
      uploading: this.checking || ['authorizing', 'uploading', 'retrying'].includes(this.currentState),
      retrying: this.currentState === 'retrying',
      paused: this.currentState === 'paused',
      complete: this.currentState === 'complete',
      error: this.currentState === 'error',
      canceled: this.currentState === 'canceled',
      dragover: this.dragover,
      disabled: this.#isDisabled,
    };
    for (const name of CUSTOM_STATES) {
      try {
        if (on[name]) states.add(name);
        else states.delete(name);
      } catch {
        // Browsers from before CSS :state() only take dashed names.
        if (on[name]) states.add(`--${name}`);
        else states.delete(`--${name}`);
      }
    }
  }

  #syncForm(): void {
    const internals = this.#internals;
    if (!internals) return;
    if (this.multiple && this.completed.length > 1 && this.name) {
      const data = new FormData();
      for (const { video } of this.completed) data.append(this.name, video.videoId);
      internals.setFormValue(data);
    } else {
      internals.setFormValue(this.value || null);
    }
    const anchor = this.renderRoot.querySelector<HTMLElement>('[part~=button], [part~=action]') ?? undefined;
    if (this.#busy) internals.setValidity({ customError: true }, this.#text.uploadInProgress, anchor);
    else if (this.required && !this.value) internals.setValidity({ valueMissing: true }, this.#text.valueMissing, anchor);
    else internals.setValidity({});
  }

  protected override render(): TemplateResult {
    const text = this.#text;
    const showDropzone = this.multiple || (!this.current && this.currentState !== 'complete');
    return html`
      <div part="base">
        ${showDropzone ? this.#renderDropzone(text) : nothing}
        ${this.refusal ? html`<p part="error" id="refusal">${errorIcon}<span>${this.refusal}</span></p>` : nothing}
        ${this.currentState === 'canceled' && !this.current ? html`<p part="status">${text.canceled}</p>` : nothing}
        ${this.current ? this.#renderFile(this.current, text) : nothing}
        ${this.queue.length ? html`<p part="queue">${text.queued(this.queue.length)}</p>` : nothing}
        ${this.multiple && this.completed.length ? this.#renderVideos(text) : nothing}
        <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>
      </div>
    `;
  }

  #renderDropzone(text: VideoUploaderStrings): TemplateResult {
    const locale = this.#locale;
    const hints = [
      this.maxFileSize ? text.maxSize(formatBytes(this.maxFileSize, locale)) : '',
      this.maxDuration ? text.maxDuration(formatDuration(this.maxDuration, locale)) : '',
    ].filter(Boolean);
    const label = this.dragover ? text.dropHere : this.multiple ? text.dropLabelMultiple : text.dropLabel;
    return html`
      <div
        part="dropzone"
        class=${[this.dragover ? 'dragover' : '', this.current ? 'compact' : ''].join(' ')}
        @click=${this.#handleDropzoneClick}
        @dragenter=${this.#handleDragEnter}
        @dragover=${this.#handleDragOver}
        @dragleave=${this.#handleDragLeave}
        @drop=${this.#handleDrop}
      >
        ${uploadIcon}
        <p part="label"><slot name="label">${label}</slot></p>
        <p part="separator">${text.or}</p>
        <button
          part="button"
          class="primary"
          type="button"
          ?disabled=${this.#isDisabled}
          aria-describedby=${ifDefined([hints.length ? 'hints' : '', this.refusal ? 'refusal' : ''].join(' ').trim() || undefined)}
          @click=${this.#handleButtonClick}
        >
          <slot name="button">${this.multiple ? text.chooseMultiple : text.choose}</slot>
        </button>
        ${hints.length ? html`<p part="hint" id="hints">${hints.join(' · ')}</p>` : nothing}
        <input
          type="file"
          hidden
          tabindex="-1"
          accept=${this.accept}
          ?multiple=${this.multiple}
          @change=${this.#handleInputChange}
        />
      </div>
    `;
  }

  #renderFile(upload: Upload, text: VideoUploaderStrings): TemplateResult {
    const locale = this.#locale;
    const { file, duration } = upload;
    const state = this.currentState;
    const meta = [formatBytes(file.size, locale), duration !== null ? formatDuration(duration, locale) : ''].filter(Boolean).join(' · ');
    const complete = state === 'complete';
    const failed = state === 'error' && this.currentError !== null && !this.checking;
    const percent = this.currentProgress?.percent ?? (complete ? 100 : 0);
    const determinate = this.currentProgress !== null && !this.checking && state !== 'authorizing';
    return html`
      <div part="file">
        <div part="file-info">
          ${videoIcon}
          <div part="file-text">
            <span part="file-name" title=${file.name}>${file.name}</span>
            <span part="file-meta">${meta}</span>
          </div>
        </div>
        ${complete
          ? this.multiple ? nothing : this.#renderDone(text)
          : html`
              <progress
                part="progress"
                max="100"
                value=${ifDefined(determinate || failed ? String(percent) : undefined)}
                aria-label=${text.progressLabel(file.name)}
              ></progress>
              ${failed
                ? html`<p part="error">${errorIcon}<span>${this.#errorText(this.currentError!)}</span></p>`
                : html`<p part="status">${this.#statusText(text)}</p>`}
            `}
        ${complete && this.multiple ? nothing : this.#renderActions(text)}
      </div>
    `;
  }

  #statusText(text: VideoUploaderStrings): string {
    const locale = this.#locale;
    const progress = this.currentProgress;
    const state = this.currentState;
    if (this.checking || state === 'authorizing' || state === 'idle') return text.preparing;
    if (state === 'retrying' && this.lastRetry) return text.retrying(this.lastRetry.attempt, this.lastRetry.retries);
    const percent = formatPercent(progress?.percent ?? 0, locale);
    if (state === 'paused') return `${text.paused} · ${percent}`;
    const parts = [percent];
    if (progress && progress.bytesPerSecond > 0) parts.push(formatSpeed(progress.bytesPerSecond, locale));
    if (progress && progress.secondsRemaining !== null && progress.secondsRemaining >= 1) parts.push(text.timeLeft(formatDuration(progress.secondsRemaining, locale)));
    return parts.join(' · ');
  }

  #renderActions(text: VideoUploaderStrings): TemplateResult {
    const state = this.currentState;
    const disabled = this.#isDisabled;
    if (state === 'complete') {
      return html`<div part="actions">
        <button part="action another-button" type="button" ?disabled=${disabled} @click=${this.#handleAnotherClick}>${text.uploadAnother}</button>
      </div>`;
    }
    const failed = state === 'error';
    const canPause = !this.checking && ['uploading', 'retrying', 'paused', 'authorizing'].includes(state);
    return html`<div part="actions">
      ${failed
        ? html`<button part="action retry-button" class="primary" type="button" ?disabled=${disabled} @click=${this.#handleRetryClick}>
            ${text.retry}
          </button>`
        : html`<button
            part="action pause-button"
            type="button"
            ?disabled=${disabled || !canPause}
            @click=${this.#handlePauseClick}
          >
            ${state === 'paused' ? text.resume : text.pause}
          </button>`}
      <button part="action cancel-button" type="button" ?disabled=${disabled} @click=${this.#handleCancelClick}>${text.cancel}</button>
    </div>`;
  }

  #renderDone(text: VideoUploaderStrings): TemplateResult {
    const video = this.video;
    return html`<p part="done">
      ${doneIcon}<span>${text.complete}</span>
      ${video ? html`<a part="link" href=${video.assets.player} target="_blank" rel="noopener">${text.openVideo}</a>` : nothing}
    </p>`;
  }

  #renderVideos(text: VideoUploaderStrings): TemplateResult {
    return html`<ul part="videos">
      ${this.completed.map(
        ({ file, video }) => html`<li>
          ${doneIcon}<span title=${file.name}>${file.name}</span>
          <a part="link" href=${video.assets.player} target="_blank" rel="noopener">${text.openVideo}</a>
        </li>`,
      )}
    </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'video-uploader': VideoUploader;
  }
}

// Defined once, even when two copies of the module load; on a server without a registry nothing is defined.
if (typeof customElements !== 'undefined' && !customElements.get('video-uploader')) {
  customElements.define('video-uploader', VideoUploader);
}
