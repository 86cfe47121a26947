/**
 * The Record buttons of the idle view (the recorder itself loads on the first click), and which sources
 * this browser can record from.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { Video } from '../protocol/index.js';
import type { RecordingSessionOptions } from '../upload/recording-session.js';
import type { RecorderController, RecorderHost } from './controllers/recorder.js';
import { loadEngine } from './controllers/engine-loader.js';
import type { LocalizeController } from './controllers/localize.js';
import { canRecord } from '../upload/can-record.js';
import type { VideoUploaderStrings } from './strings.js';

export type RecordSourceName = 'camera' | 'screen';
/** Engine options of recordings that a page may set (`partSize`, `timeslice`…). */
export type RecorderOptions = Partial<RecordingSessionOptions>;

/** The sources in a `sources` attribute value ("file camera screen", comma- or space-separated) that can be recorded here. */
export function recordableSources(sources: string): RecordSourceName[] {
  const wanted = new Set(sources.toLowerCase().split(/[\s,]+/));
  if (!canRecord()) return [];
  const found: RecordSourceName[] = [];
  if (wanted.has('camera')) found.push('camera');
  if (wanted.has('screen') && typeof navigator.mediaDevices.getDisplayMedia === 'function') found.push('screen');
  return found;
}

/** Whether `sources` lists `file` (the default when it lists nothing known). */
export function acceptsFiles(sources: string): boolean {
  const wanted = sources.toLowerCase().split(/[\s,]+/);
  return wanted.includes('file') || !wanted.some((s) => s === 'camera' || s === 'screen');
}

/** Touch devices also get the native camera app (a file input with `capture`), when `camera` is asked. */
export function offersNativeCapture(sources: string): boolean {
  return (
    /(^|[\s,])camera([\s,]|$)/i.test(sources) &&
    typeof matchMedia === 'function' &&
    matchMedia('(pointer: coarse)').matches
  );
}

export function renderRecordButtons(
  sources: RecordSourceName[],
  nativeCapture: boolean,
  text: VideoUploaderStrings,
  disabled: boolean,
  onRecord: (source: RecordSourceName) => void,
  onCapture: (event: Event) => void,
): TemplateResult | typeof nothing {
  if (sources.length === 0 && !nativeCapture) return nothing;
  const click = (source: RecordSourceName) => (event: Event) => {
    event.stopPropagation();
    onRecord(source);
  };
  return html`<div part="record">
    ${sources.map(
      (source) =>
        html`<button part="record-${source}" type="button" ?disabled=${disabled} @click=${click(source)}>
          ${source === 'camera' ? text.recordCamera : text.recordScreen}
        </button>`,
    )}
    ${
      nativeCapture
        ? html`<label part="capture" @click=${(e: Event) => e.stopPropagation()}>
            ${text.captureNative}
            <input
              class="visually-hidden"
              type="file"
              accept="video/*"
              capture="user"
              ?disabled=${disabled}
              @change=${onCapture}
            />
          </label>`
        : nothing
    }
  </div>`;
}

/** The element's hold on the recorder: loads it on first use, renders its view while active, keeps its video. */
export class RecordHook {
  readonly #host: RecorderHost & { sources: string };
  readonly #localize: LocalizeController;
  #recorder: RecorderController | null = null;
  video: Video | null = null;

  constructor(host: RecorderHost & { sources: string }, localize: LocalizeController) {
    this.#host = host;
    this.#localize = localize;
  }

  get active(): boolean {
    return this.#recorder?.active ?? false;
  }

  get acceptsFiles(): boolean {
    return acceptsFiles(this.#host.sources);
  }

  /** Loads the recorder if need be and opens it; `before` runs first (the element forgets its file upload). */
  async open(source: RecordSourceName, before: () => void): Promise<void> {
    before();
    if (!this.#recorder) {
      // The recorder's view uses the words of an upload, which come with the engine (already loading).
      const [{ RecorderController }] = await Promise.all([
        import('./controllers/recorder.js'),
        loadEngine().catch(() => undefined),
      ]);
      this.#recorder ??= new RecorderController(this.#host, this.#localize, (video) => {
        this.video = video;
        this.#host.requestUpdate();
      });
    }
    this.video = null;
    await this.#recorder.open(source);
  }

  reset(): void {
    this.#recorder?.close();
    this.video = null;
  }

  render(): TemplateResult {
    return this.#recorder!.render();
  }

  buttons(
    disabled: boolean,
    onRecord: (source: RecordSourceName) => void,
    onCapture: (event: Event) => void,
  ): TemplateResult | typeof nothing {
    const sources = this.#host.sources;
    return renderRecordButtons(
      recordableSources(sources),
      offersNativeCapture(sources),
      this.#localize.text,
      disabled,
      onRecord,
      onCapture,
    );
  }
}
