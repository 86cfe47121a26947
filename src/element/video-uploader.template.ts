import { html, nothing, svg, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { Video } from '../protocol/index.js';
import type { DropZoneController } from './controllers/drop-zone.js';
import type { LocalizeController } from './controllers/localize.js';
import type { Completed, Upload, UploadView } from './controllers/upload.js';
import { formatBytes, formatDuration, formatPercent, formatSpeed } from './format.js';
import type { VideoUploaderStrings } from './strings.js';

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
  /** The browser said it is offline: the upload waits for the connection. */
  offline: boolean;
  /** Cancel was pressed during a batch: the element asks whether to cancel this file or all. */
  confirmingCancel: boolean;
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
    pauseClick(): void;
    cancelClick(): void;
    retryClick(): void;
    anotherClick(): void;
    fieldInput(event: Event): void;
    removeQueued(file: File): void;
    cancelThisFile(): void;
    cancelAll(): void;
    keepUploading(): void;
  };
}

const icon = (path: TemplateResult): TemplateResult =>
  html`<svg
    viewBox="0 0 24 24"
    fill="none"
    stroke="currentColor"
    stroke-width="2"
    stroke-linecap="round"
    stroke-linejoin="round"
    aria-hidden="true"
  >
    ${path}
  </svg>`;
const uploadIcon = icon(svg`<path d="M12 16V4m0 0-4 4m4-4 4 4"/><path d="M4 15v3a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-3"/>`);
const videoIcon = icon(svg`<rect x="3" y="5" width="13" height="14" rx="2"/><path d="m16 10 5-3v10l-5-3"/>`);
const removeIcon = icon(svg`<path d="M6 6l12 12M18 6 6 18"/>`);
const errorIcon = icon(svg`<circle cx="12" cy="12" r="9"/><path d="M12 8v5m0 3h.01"/>`);
const pausedIcon = icon(svg`<circle cx="12" cy="12" r="9"/><path d="M10 9v6m4-6v6"/>`);
const doneIcon = icon(svg`<circle cx="12" cy="12" r="9"/><path d="m8 12 3 3 5-6"/>`);

/** The element's shadow DOM: the drop zone, the refusal, the current file, the queue, the videos, the live region. */
export function renderUploader(t: UploaderTemplate): TemplateResult {
  const { view } = t;
  const text = t.localize.text;
  const showDropzone = t.el.multiple || (!view.current && view.state !== 'complete');
  return html`
    <div part="base">
      ${showDropzone ? renderFields(t, text) : nothing} ${showDropzone ? renderDropzone(t, text) : nothing}
      ${view.interrupted && !view.current && view.state === 'idle' ? renderInterrupted(t, text) : nothing}
      ${
        view.refusal && !t.el.multiple
          ? html`<p part="error" id="refusal">${errorIcon}<span>${view.refusal}</span></p>`
          : nothing
      }
      ${view.state === 'canceled' && !view.current ? html`<p part="status">${text.canceled}</p>` : nothing}
      ${view.current ? renderFile(t, view.current, text) : nothing}
      ${view.queue.length ? renderQueue(t, text) : nothing}
      ${t.el.multiple && view.refused.length ? renderRefused(t, text) : nothing}
      ${t.el.multiple && view.completed.length ? renderVideos(view, text) : nothing}
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${view.announcement}</div>
    </div>
  `;
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

function renderFile(t: UploaderTemplate, upload: Upload, text: VideoUploaderStrings): TemplateResult {
  const { localize, view } = t;
  const locale = localize.locale;
  const { file, duration, poster } = upload;
  const { state, progress, checking, error } = view;
  const meta = [
    formatBytes(file.size, locale),
    duration !== null ? formatDuration(duration, locale) : '',
    poster ? `${poster.width}×${poster.height}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const complete = state === 'complete';
  const failed = state === 'error' && error !== null && !checking;
  const percent = progress?.percent ?? (complete ? 100 : 0);
  const determinate = progress !== null && !checking && state !== 'authorizing';
  return html`
    <div part="file">
      <div part="file-info">
        ${poster ? html`<img part="poster" src=${poster.url} alt="" />` : videoIcon}
        <div part="file-text">
          <span part="file-name" title=${file.name}>${file.name}</span>
          <span part="file-meta">${meta}</span>
        </div>
      </div>
      ${
        complete
          ? t.el.multiple
            ? nothing
            : renderDone(t, text)
          : html`
              <progress
                part="progress"
                max="100"
                value=${ifDefined(determinate || failed ? String(percent) : undefined)}
                aria-label=${text.progressLabel(file.name)}
              ></progress>
              ${
                failed
                  ? html`<p part="error">${errorIcon}<span>${localize.errorText(error)}</span></p>`
                  : html`<p part="status">${statusText(t, text)}</p>`
              }
            `
      }
      ${complete && t.el.multiple ? nothing : renderActions(t, text)}
    </div>
  `;
}

function renderInterrupted(t: UploaderTemplate, text: VideoUploaderStrings): TemplateResult {
  const { fileName, percent } = t.view.interrupted!;
  return html`<p part="interrupted">
    ${pausedIcon}<span>${text.interrupted(fileName, formatPercent(percent, t.localize.locale))}</span>
  </p>`;
}

function statusText(t: UploaderTemplate, text: VideoUploaderStrings): string {
  const locale = t.localize.locale;
  const { state, progress, checking, lastRetry } = t.view;
  const percent = formatPercent(progress?.percent ?? 0, locale);
  // Offline, the clock and the speed stop: only how far it got, and that it waits.
  if (t.offline && state !== 'paused') return progress ? `${percent} · ${text.offline}` : text.offline;
  if (state === 'retrying' && lastRetry?.error.code === 'rate-limited')
    return text.waitingBusy(
      formatDuration(Math.max(1, Math.ceil((lastRetry.at + lastRetry.delayMs - Date.now()) / 1000)), locale),
    );
  if (checking || state === 'authorizing' || state === 'idle') return text.preparing;
  if (state === 'retrying' && lastRetry) return text.retrying(lastRetry.attempt, lastRetry.retries);
  if (state === 'paused') return `${text.paused} · ${percent}`;
  const parts = [percent];
  if (progress && progress.bytesPerSecond > 0) parts.push(formatSpeed(progress.bytesPerSecond, locale));
  if (progress && progress.secondsRemaining !== null && progress.secondsRemaining >= 1)
    parts.push(text.timeLeft(formatDuration(progress.secondsRemaining, locale)));
  return parts.join(' · ');
}

/** The files waiting their turn, each with a button that takes it out. */
function renderQueue(t: UploaderTemplate, text: VideoUploaderStrings): TemplateResult {
  const locale = t.localize.locale;
  return html`<p part="queue" id="queue-label">${text.queued(t.view.queue.length)}</p>
    <ul part="queue-list" aria-labelledby="queue-label">
      ${t.view.queue.map(
        ({ file }) =>
          html`<li part="queued-file">
            <span part="queued-name" title=${file.name}>${file.name}</span>
            <span part="file-meta">${formatBytes(file.size, locale)}</span>
            <button
              part="remove-button"
              type="button"
              aria-label=${text.removeFromQueue(file.name)}
              ?disabled=${t.disabled}
              @click=${() => t.on.removeQueued(file)}
            >
              ${removeIcon}
            </button>
          </li>`,
      )}
    </ul>`;
}

/** With `multiple`, the files the element refused stay listed with their reason. */
function renderRefused(t: UploaderTemplate, text: VideoUploaderStrings): TemplateResult {
  return html`<p part="refused-label" id="refused-label">${text.refusedFiles}</p>
    <ul part="refused" id="refusal" aria-labelledby="refused-label">
      ${t.view.refused.map(
        ({ file, reason }) =>
          html`<li>
            ${errorIcon}<span><span part="refused-name">${file.name}</span>: ${reason}</span>
          </li>`,
      )}
    </ul>`;
}

function renderActions(t: UploaderTemplate, text: VideoUploaderStrings): TemplateResult {
  const { on, disabled } = t;
  if (t.confirmingCancel && t.view.queue.length > 0) {
    return html`<div part="actions confirm-cancel" role="group" aria-labelledby="cancel-question">
      <p part="status" id="cancel-question">${text.cancelQuestion}</p>
      <button part="action cancel-this-button" type="button" ?disabled=${disabled} @click=${on.cancelThisFile}>
        ${text.cancelThisFile}
      </button>
      <button part="action cancel-all-button" type="button" ?disabled=${disabled} @click=${on.cancelAll}>
        ${text.cancelAll}
      </button>
      <button part="action keep-button" class="primary" type="button" ?disabled=${disabled} @click=${on.keepUploading}>
        ${text.keepUploading}
      </button>
    </div>`;
  }
  const { state, checking, error } = t.view;
  if (state === 'complete') {
    return html`<div part="actions">
      <button part="action another-button" type="button" ?disabled=${disabled} @click=${on.anotherClick}>
        ${text.uploadAnother}
      </button>
    </div>`;
  }
  const failed = state === 'error';
  // "Try again" only where trying again can work (not for a refused file, an expired static token, a setup mistake).
  const canRetry = failed && error?.retryable !== false;
  const canPause = !checking && ['uploading', 'retrying', 'paused', 'authorizing'].includes(state);
  return html`<div part="actions">
    ${
      failed
        ? canRetry
          ? html`<button
              part="action retry-button"
              class="primary"
              type="button"
              ?disabled=${disabled}
              @click=${on.retryClick}
            >
              ${text.retry}
            </button>`
          : nothing
        : html`<button
            part="action pause-button"
            type="button"
            ?disabled=${disabled || !canPause}
            @click=${on.pauseClick}
          >
            ${state === 'paused' ? text.resume : text.pause}
          </button>`
    }
    <button part="action cancel-button" type="button" ?disabled=${disabled} @click=${on.cancelClick}>
      ${text.cancel}
    </button>
  </div>`;
}

function renderDone(t: UploaderTemplate, text: VideoUploaderStrings): TemplateResult {
  const { video } = t.el;
  const entry = video ? t.view.completed.find((e) => e.video.videoId === video.videoId) : undefined;
  const inline = entry && t.el.player !== null && (entry.playable === 'hls' || entry.playable === 'mp4');
  return html`<p part="done">
      ${doneIcon}<span>${text.complete}</span>
      ${
        video && !inline
          ? html`<a part="link" href=${video.assets.player} target="_blank" rel="noopener">${text.openVideo}</a>`
          : nothing
      }
    </p>
    ${entry ? (inline ? renderPlayer(entry, t.el.player!, text) : renderPlayable(entry, text)) : nothing}`;
}

/** Where the uploaded video is on its way to being watched. */
function renderPlayable(entry: Completed, text: VideoUploaderStrings): TemplateResult {
  const words = {
    waiting: text.processing,
    hls: text.playable,
    mp4: text.playable,
    timeout: text.playableTimeout,
    failed: text.playableFailed,
  }[entry.playable];
  return html`<p part="playable-status" data-playable=${entry.playable}>${words}</p>`;
}

/** The uploaded video in the element: the service's player in an iframe, or a `<video>` of its MP4 file. */
function renderPlayer(
  { file, video, playable }: Completed,
  player: string,
  text: VideoUploaderStrings,
): TemplateResult {
  const label = text.playerLabel(file.name);
  if (player === 'video' && video.assets.mp4) {
    // The thumbnail exists where the service made renditions (it did when the HLS one is what played).
    return html`<video
      part="player"
      controls
      playsinline
      preload="metadata"
      src=${video.assets.mp4}
      poster=${ifDefined(playable === 'hls' ? video.assets.thumbnail : undefined)}
      aria-label=${label}
    ></video>`;
  }
  return html`<iframe
    part="player"
    src=${video.assets.player}
    title=${label}
    allow="autoplay; fullscreen; picture-in-picture"
    allowfullscreen
  ></iframe>`;
}

function renderVideos(view: UploadView, text: VideoUploaderStrings): TemplateResult {
  return html`<ul part="videos">
    ${view.completed.map(
      ({ file, video, playable }) =>
        html`<li>
          ${doneIcon}<span title=${file.name}>${file.name}</span>
          <a part="link" href=${video.assets.player} target="_blank" rel="noopener">${text.openVideo}</a>
          ${playable === 'waiting' ? html`<span part="playable-status" data-playable="waiting">${text.processing}</span>` : nothing}
        </li>`,
    )}
  </ul>`;
}
