import {
  adoptStyles,
  LitElement,
  supportsAdoptingStyleSheets,
  type PropertyDeclaration,
  type PropertyDeclarations,
  type PropertyValues,
  type TemplateResult,
} from 'lit';
import type { UploadProtocol, Video } from '../protocol/index.js';
import type { TokenProvider, UploadErrorLike, UploadProgress, UploadState } from '../upload/types.js';
import { DropZoneController } from './controllers/drop-zone.js';
import { FormController } from './controllers/form.js';
import { LocalizeController } from './controllers/localize.js';
import { UploadController } from './controllers/upload.js';
import { RecordHook, type RecorderOptions, type RecordSourceName } from './record-buttons.js';
import type { VideoUploaderStrings } from './strings.js';
import { styles } from './video-uploader.styles.js';
import { renderUploader } from './video-uploader.template.js';

/** What the element is doing: `idle` before any file, otherwise the state of the current upload. */
export type VideoUploaderState = UploadState;

/** An attribute that disappears when the property is empty, rather than becoming `lang=""`. */
const optionalString: PropertyDeclaration['converter'] = {
  fromAttribute: (value: string | null) => value ?? '',
  toAttribute: (value: string) => value || null,
};

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
 * @csspart interrupted - After a reload: the upload that did not finish, and how to continue it.
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
 * @fires {VideoUploadPlayableEvent} video-upload-playable - The video API has processed the video: it can be watched.
 * @fires {VideoUploadErrorEvent} video-upload-error - A file was refused, or the upload failed.
 * @fires {VideoUploadCancelEvent} video-upload-cancel - The upload was canceled.
 * @fires {VideoUploadRecordStartEvent} video-upload-record-start - Recording from the camera or the screen began.
 * @fires {VideoUploadRecordStopEvent} video-upload-record-stop - Recording stopped; `duration` in seconds.
 *
 * @tagname video-uploader
 */
export class VideoUploader extends LitElement {
  static override styles = styles;
  static formAssociated = true;
  static override shadowRootOptions: ShadowRootInit = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static override properties: PropertyDeclarations = {
    tokenUrl: { attribute: 'token-url' },
    token: {},
    tokenProvider: { attribute: false },
    apiUrl: { attribute: 'api-url' },
    protocol: {},
    chunkSize: { attribute: 'chunk-size', type: Number },
    retries: { type: Number },
    stallTimeout: { attribute: 'stall-timeout', type: Number },
    accept: {},
    maxFileSize: { attribute: 'max-file-size', type: Number },
    maxDuration: { attribute: 'max-duration', type: Number },
    multiple: { type: Boolean, reflect: true },
    name: { reflect: true },
    required: { type: Boolean, reflect: true },
    disabled: { type: Boolean, reflect: true },
    lang: { reflect: true, converter: optionalString },
    strings: { attribute: false },
    sources: {},
    recorderMimeType: { attribute: 'recorder-mime-type' },
    recorderOptions: { attribute: false },
    player: {},
    playableTimeout: { attribute: 'playable-timeout', type: Number },
    fields: {},
  };

  /** The site's token endpoint: it receives `{fileName, fileSize, fileType}` as JSON and returns a token grant. */
  declare tokenUrl: string;

  /** A static upload token, for tests and simple pages; it cannot be refreshed when it expires. */
  declare token: string;

  /** A function that returns a token grant (or a bare token) for a file; called again whenever a token must be refreshed. */
  declare tokenProvider: TokenProvider | undefined;

  /** Base URL of the video API; a token grant's `apiUrl` wins. Unset: `https://ws.api.video`; a static `token` needs it. */
  declare apiUrl: string;

  /** The wire protocol: `apivideo` (chunked `/upload`) or `tus`. */
  declare protocol: UploadProtocol;

  /** Bytes per part; the engine's default (50 MiB) when unset. */
  declare chunkSize: number | null;

  /** Retries per part for network errors, 5xx and 429; the engine's default (6) when unset. */
  declare retries: number | null;

  /** Seconds without upload progress after which a part is aborted and sent again; the engine's default (30) when unset. */
  declare stallTimeout: number | null;

  /** The file types accepted, as in `<input type=file accept>`. */
  declare accept: string;

  /** The largest file accepted, in bytes. */
  declare maxFileSize: number | null;

  /** The longest video accepted, in seconds, read from the file's metadata before the upload. */
  declare maxDuration: number | null;

  /** Accept several files and upload them one after another. */
  declare multiple: boolean;

  /** The name under which the form submits the `videoId`. */
  declare name: string;

  /** A form cannot be submitted until a video has been uploaded. */
  declare required: boolean;

  /** Nothing can be picked, dropped or controlled. */
  declare disabled: boolean;

  /** The language of the text; the closest `lang` of an ancestor, then the document's, when unset. */
  declare lang: string;

  /** Overrides for any text of the element; see `VideoUploaderStrings`. */
  declare strings: Partial<VideoUploaderStrings>;

  /** Where videos come from: `file`, `camera`, `screen`, any combination; default `file`. Record buttons show where the browser can record. */
  declare sources: string;
  /** The type to record, e.g. `video/mp4`; default: the first of WebM (VP9, VP8) and MP4 that the browser can record. */
  declare recorderMimeType: string;
  /** Engine options for recordings (`partSize`, `timeslice`…); for tests against a local API. */
  declare recorderOptions: RecorderOptions;

  /**
   * Shows the uploaded video in the element once the video API has processed it: the service's player in
   * an iframe (`player` or `player="iframe"`), or a `<video>` of its MP4 file (`player="video"`, for videos
   * with `mp4Support`). Absent, the element shows a link to the player.
   */
  declare player: string | null;

  /** Seconds to wait for the video API to make the uploaded video playable; default 600. */
  declare playableTimeout: number | null;

  /**
   * Fields the visitor fills before choosing a file, space-separated: `title`, `description`. What they
   * type goes to the token endpoint with the file facts (`{fileName, …, title, description}`), where the
   * issuer hands it to `authorize` and titles and describes the video it creates.
   */
  declare fields: string;

  #typed: Record<string, string> = {};

  /** What the visitor typed in the `fields`, by field name. */
  get typedFields(): Readonly<Record<string, string>> {
    return this.#typed;
  }

  readonly #localize = new LocalizeController(this);
  readonly #form = new FormController(this, {
    value: () => this.#formValue(),
    invalid: () => this.#invalid(),
    anchor: () => this.renderRoot.querySelector<HTMLElement>('[part~=button], [part~=action]') ?? undefined,
  });
  readonly #dropZone = new DropZoneController(this, {
    canDrop: () => !this.#isDisabled && (this.multiple || !this.#uploads.busy),
    drop: (files) => void this.#uploads.add(files),
  });
  readonly #uploads = new UploadController(this, this.#localize, () => this.#isDisabled);
  readonly #record = new RecordHook(this, this.#localize);

  constructor() {
    super();
    this.tokenUrl = '';
    this.token = '';
    this.tokenProvider = undefined;
    this.apiUrl = '';
    this.protocol = 'apivideo';
    this.chunkSize = null;
    this.retries = null;
    this.stallTimeout = null;
    this.accept = 'video/*';
    this.maxFileSize = null;
    this.maxDuration = null;
    this.multiple = false;
    this.name = '';
    this.required = false;
    this.disabled = false;
    this.lang = '';
    this.strings = {};
    [this.sources, this.recorderMimeType, this.recorderOptions] = ['file', '', {}];
    this.player = null;
    this.playableTimeout = null;
    this.fields = '';
  }

  /** Where the upload is: `idle`, `authorizing`, `uploading`, `paused`, `retrying`, `complete`, `error` or `canceled`. */
  get state(): VideoUploaderState {
    return this.#uploads.view.state;
  }

  /** The current upload's progress, or null before it starts. */
  get progress(): UploadProgress | null {
    return this.#uploads.view.progress;
  }

  /** The last uploaded video, once complete. */
  get video(): Video | null {
    return this.#record.video ?? this.#uploads.view.completed.at(-1)?.video ?? null;
  }

  /** Every video uploaded since the last reset, with `multiple`. */
  get videos(): Video[] {
    return this.#uploads.view.completed.map((entry) => entry.video);
  }

  /** Why the last file was refused or its upload failed. */
  get error(): UploadErrorLike | null {
    return this.#uploads.view.error;
  }

  /** The form value: the `videoId` once complete (the last one with `multiple`), or an empty string. */
  get value(): string {
    return this.video?.videoId ?? '';
  }

  get form(): HTMLFormElement | null {
    return this.#form.internals?.form ?? null;
  }

  get validity(): ValidityState | undefined {
    return this.#form.internals?.validity;
  }

  get validationMessage(): string {
    return this.#form.internals?.validationMessage ?? '';
  }

  get willValidate(): boolean {
    return this.#form.internals?.willValidate ?? false;
  }

  checkValidity(): boolean {
    return this.#form.internals?.checkValidity() ?? true;
  }

  reportValidity(): boolean {
    return this.#form.internals?.reportValidity() ?? true;
  }

  /** Checks `file` and uploads it, or queues it with `multiple`. Resolves once the file is refused, dropped or under way. */
  async start(file: File | Iterable<File>): Promise<void> {
    await this.#uploads.add(file instanceof Blob ? [file] : [...file]);
  }

  /** Pauses the upload; the part in flight is sent again on `resume()`. */
  pause(): void {
    this.#uploads.pause();
  }

  /** Continues a paused upload. */
  resume(): void {
    this.#uploads.resume();
  }

  /** Cancels the upload (or drops a failed one) and empties the queue. */
  cancel(): void {
    this.#uploads.cancel();
  }

  /** Tries a failed upload again, from the parts the video API has not accepted yet. */
  retry(): void {
    this.#uploads.retry();
  }

  /** Cancels any upload and forgets every file, video and error; the form value is cleared. */
  reset(): void {
    this.#record.reset();
    this.#uploads.reset();
    // The next video gets its own title and description.
    this.#typed = {};
  }

  /** Form reset: forget the upload, as a file input forgets its file. */
  formResetCallback(): void {
    this.reset();
  }

  formDisabledCallback(disabled: boolean): void {
    this.#form.setFormDisabled(disabled);
  }

  get #isDisabled(): boolean {
    return this.disabled || this.#form.formDisabled;
  }

  #formValue(): string | FormData | null {
    const { completed } = this.#uploads.view;
    if (this.multiple && completed.length > 1 && this.name) {
      const data = new FormData();
      for (const { video } of completed) data.append(this.name, video.videoId);
      return data;
    }
    return this.value || null;
  }

  #invalid(): { flags: ValidityStateFlags; message: string } | null {
    if (this.#uploads.busy) return { flags: { customError: true }, message: this.#localize.text.uploadInProgress };
    if (this.required && !this.value)
      return { flags: { valueMissing: true }, message: this.#localize.text.valueMissing };
    return null;
  }

  get #input(): HTMLInputElement | null {
    return this.renderRoot.querySelector('input[type=file]');
  }

  get #fileButton(): HTMLButtonElement | null {
    return this.renderRoot.querySelector('[part~=button]');
  }

  #handleButtonClick = (): void => {
    if (!this.#isDisabled) this.#input?.click();
  };

  #handleDropzoneClick = (event: MouseEvent): void => {
    // The button handles its own clicks; anywhere else in the zone opens the picker too, for pointer users.
    if (event.composedPath().includes(this.#fileButton as EventTarget)) return;
    if ((event.target as HTMLElement).closest?.('a')) return;
    this.#handleButtonClick();
  };

  #handleInputChange = (event: Event): void => {
    const input = event.target as HTMLInputElement;
    const files = [...(input.files ?? [])];
    input.value = '';
    void this.#uploads.add(files);
  };

  #handleCancelClick = (): void => this.cancel();

  #handleRetryClick = (): void => this.retry();

  #handleFieldInput = (event: Event): void => {
    const input = event.target as HTMLInputElement | HTMLTextAreaElement;
    this.#typed = { ...this.#typed, [input.name]: input.value };
  };

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const { state, checking } = this.#uploads.view;
    this.#form.setStates({
      idle: state === 'idle' && !checking,
      uploading: checking || ['authorizing', 'uploading', 'retrying'].includes(state),
      retrying: state === 'retrying',
      paused: state === 'paused',
      complete: state === 'complete',
      error: state === 'error',
      canceled: state === 'canceled',
      dragover: this.#dropZone.dragover,
      disabled: this.#isDisabled,
    });
  }

  /** Opens the recorder (loaded on first use): the camera's set-up view, or the screen picker then recording. */
  async record(source: RecordSourceName): Promise<void> {
    if (!this.#isDisabled) await this.#record.open(source, () => this.#uploads.reset());
  }

  #viewStyles = false;

  protected override render(): TemplateResult {
    const views = this.#uploads.views;
    if (views && !this.#viewStyles) {
      // The views' styles come with them (the recorder's progress and done message use them too): adopted
      // beside the element's own, or added after them where a browser cannot adopt style sheets.
      this.#viewStyles = true;
      const root = this.renderRoot as ShadowRoot;
      adoptStyles(
        root,
        supportsAdoptingStyleSheets ? [...VideoUploader.elementStyles, views.viewStyles] : [views.viewStyles],
      );
    }
    if (this.#record.active) return this.#record.render();
    return renderUploader({
      views,
      controls: this.#uploads.controls,
      record: this.#record.buttons(this.#isDisabled, (source) => void this.record(source), this.#handleInputChange),
      files: this.#record.acceptsFiles,
      el: this,
      view: this.#uploads.view,
      offline: this.#uploads.offline,
      localize: this.#localize,
      dropZone: this.#dropZone,
      disabled: this.#isDisabled,
      on: {
        buttonClick: this.#handleButtonClick,
        dropzoneClick: this.#handleDropzoneClick,
        inputChange: this.#handleInputChange,
        cancelClick: this.#handleCancelClick,
        retryClick: this.#handleRetryClick,
        fieldInput: this.#handleFieldInput,
      },
    });
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
