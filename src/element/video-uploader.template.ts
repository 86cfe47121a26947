import { html, nothing, svg, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { Video } from '../protocol/index.js';
import type { ControlsController } from './controllers/controls.js';
import type { DropZoneController } from './controllers/drop-zone.js';
import type { LocalizeController } from './controllers/localize.js';
import type { Upload, UploadView } from './controllers/upload.js';
import { formatBytes, formatDuration } from './format.js';
import { errorIcon, icon } from './icons.js';
import type { VideoUploaderStrings } from './strings.js';
import type * as UploadViews from './upload-views.template.js';

/** What the template shows: the element's settings, its uploads, and the handlers of its controls. */
export interface UploaderTemplate {
  el: {
    multiple: boolean;
    accept: string;
    maxFileSize: number | null;
    maxDuration: number | null;
    video: Video | null;
    /** `null`: a link to the player; `video`: a `<video>` of the MP4 file; anything else: the player in an iframe. */
    player: string | null;
    /** The `fields` attribute: `title`, `description`, space-separated. */
    fields: string;
    typedFields: Readonly<Record<string, string>>;
  };
  view: UploadView;
  /**
   * The views of a picked file (progress, queue, done, player), which come with the upload engine's chunk;
   * null until it has loaded.
   */
  views: typeof UploadViews | null;
  /** The browser said it is offline: the upload waits for the connection. */
  offline: boolean;
  /** The controls of a picked file (Cancel's question, Remove, focus); null until the engine has loaded. */
  controls: ControlsController | null;
  localize: LocalizeController;
  dropZone: DropZoneController;
  disabled: boolean;
  /** The Record buttons beside the file button (with `sources`), or nothing. */
  record?: TemplateResult | typeof nothing;
  /** Whether the file button shows (`sources` lists `file`). */
  files?: boolean;
  on: {
    buttonClick(): void;
    dropzoneClick(event: MouseEvent): void;
    inputChange(event: Event): void;
    cancelClick(): void;
    retryClick(): void;
    fieldInput(event: Event): void;
  };
}

const uploadIcon = icon(svg`<path d="M12 16V4m0 0-4 4m4-4 4 4"/><path d="M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3"/>`);

/** The element's shadow DOM: the drop zone, the refusal, the current file, the queue, the videos, the live region. */
export function renderUploader(t: UploaderTemplate): TemplateResult {
  const { view, views } = t;
  const text = t.localize.text;
  const showDropzone = t.el.multiple || (!view.current && view.state !== 'complete');
  return html`
    <div part="base">
      ${showDropzone ? renderFields(t, text) : nothing} ${showDropzone ? renderDropzone(t, text) : nothing}
      ${views && view.interrupted && !view.current && view.state === 'idle' ? views.renderInterrupted(t, text) : nothing}
      ${
        view.refusal && !t.el.multiple
          ? html`<p part="error" id="refusal">${errorIcon}<span>${view.refusal}</span></p>`
          : nothing
      }
      ${view.state === 'canceled' && !view.current ? html`<p part="status">${text.canceled}</p>` : nothing}
      ${view.current ? (views ? views.renderFile(t, view.current, text) : renderPending(t, view.current, text)) : nothing}
      ${views ? views.renderLists(t, text) : nothing}
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${view.announcement}</div>
    </div>
  `;
}

/**
 * A picked file while the engine's chunk (and the views that come with it) has not arrived: its name and
 * "Getting ready…", or why the upload could not start (the one failure before the engine arrives is that it
 * could not load: a network error), with "Try again".
 */
function renderPending(t: UploaderTemplate, { file }: Upload, text: VideoUploaderStrings): TemplateResult {
  const { error, state } = t.view;
  const failed = state === 'error' && error !== null;
  return html`${
      failed
        ? html`<p part="error">${errorIcon}<span>${text.errorNetwork}</span></p>`
        : html`<p part="status">${file.name} · ${text.preparing}</p>`
    }
    <div part="actions">
      ${
        failed
          ? html`<button
              part="action retry-button"
              class="primary"
              type="button"
              ?disabled=${t.disabled}
              @click=${t.on.retryClick}
            >
              ${text.retry}
            </button>`
          : nothing
      }
      <button part="action cancel-button" type="button" ?disabled=${t.disabled} @click=${t.on.cancelClick}>
        ${text.cancel}
      </button>
    </div>`;
}

/** Title and description, typed before the file is chosen (`fields`); they go with the token request. */
function renderFields(t: UploaderTemplate, text: VideoUploaderStrings): TemplateResult | typeof nothing {
  const wanted = new Set(t.el.fields.split(/[\s,]+/).filter(Boolean));
  if (!wanted.has('title') && !wanted.has('description')) return nothing;
  const typed = t.el.typedFields;
  const disabled = t.disabled;
  return html`<div part="fields">
    ${
      wanted.has('title')
        ? html`<label part="field">
            <span part="field-label">${text.fieldTitle}</span>
            <input
              part="input title-input"
              name="title"
              maxlength="256"
              autocomplete="off"
              .value=${typed.title ?? ''}
              ?disabled=${disabled}
              @input=${t.on.fieldInput}
            />
          </label>`
        : nothing
    }
    ${
      wanted.has('description')
        ? html`<label part="field">
            <span part="field-label">${text.fieldDescription}</span>
            <textarea
              part="input description-input"
              name="description"
              maxlength="2048"
              rows="3"
              .value=${typed.description ?? ''}
              ?disabled=${disabled}
              @input=${t.on.fieldInput}
            ></textarea>
          </label>`
        : nothing
    }
  </div>`;
}

function renderDropzone(t: UploaderTemplate, text: VideoUploaderStrings): TemplateResult {
  const { on } = t;
  const locale = t.localize.locale;
  const hints = [
    t.el.maxFileSize ? text.maxSize(formatBytes(t.el.maxFileSize, locale)) : '',
    t.el.maxDuration ? text.maxDuration(formatDuration(t.el.maxDuration, locale)) : '',
  ].filter(Boolean);
  const label = t.dropZone.dragover ? text.dropHere : t.el.multiple ? text.dropLabelMultiple : text.dropLabel;
  return html`
    <div
      part="dropzone"
      class=${[t.dropZone.dragover ? 'dragover' : '', t.view.current ? 'compact' : ''].join(' ')}
      @click=${on.dropzoneClick}
      @dragenter=${t.dropZone.handleDragEnter}
      @dragover=${t.dropZone.handleDragOver}
      @dragleave=${t.dropZone.handleDragLeave}
      @drop=${t.dropZone.handleDrop}
    >
      ${uploadIcon}
      <p part="label"><slot name="label">${label}</slot></p>
      <p part="separator">${text.or}</p>
      <button
        ?hidden=${t.files === false}
        part="button"
        class="primary"
        type="button"
        ?disabled=${t.disabled}
        aria-describedby=${ifDefined([hints.length ? 'hints' : '', t.view.refusal ? 'refusal' : ''].join(' ').trim() || undefined)}
        @click=${on.buttonClick}
      >
        <slot name="button">${t.el.multiple ? text.chooseMultiple : text.choose}</slot>
      </button>
      ${t.record ?? nothing} ${hints.length ? html`<p part="hint" id="hints">${hints.join(' · ')}</p>` : nothing}
      <input
        type="file"
        hidden
        tabindex="-1"
        accept=${t.el.accept}
        ?multiple=${t.el.multiple}
        @change=${on.inputChange}
      />
    </div>
  `;
}
