/**
 * The views of a picked file: its facts, progress and status, its actions, the queue and the refused files
 * of a batch, the done message, the player and the list of uploaded videos. They come with the upload
 * engine's chunk (engine.ts), since nothing shows them before a file is picked; the element renders
 * `renderPending` (video-uploader.template.ts) for a file picked before they arrive.
 */
import { html, nothing, svg, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { Completed, Upload, UploadView } from './controllers/upload.js';
import { formatBytes, formatDuration, formatPercent, formatSpeed } from './format.js';
import { errorIcon, icon } from './icons.js';
import type { VideoUploaderStrings } from './strings.js';
import type { UploaderTemplate } from './video-uploader.template.js';
import { errorText } from './error-text.js';
import { playableWords } from './playable.js';

export { viewStyles } from './upload-views.styles.js';

const videoIcon = icon(svg`<rect x="3" y="5" width="13" height="14" rx="2"/><path d="m16 10 5-3v10l-5-3"/>`);
const removeIcon = icon(svg`<path d="M6 6l12 12M18 6 6 18"/>`);
const pausedIcon = icon(svg`<circle cx="12" cy="12" r="9"/><path d="M10 9v6m4-6v6"/>`);
const doneIcon = icon(svg`<circle cx="12" cy="12" r="9"/><path d="m8 12 3 3 5-6"/>`);

/** The lists of a batch: the files waiting, the files refused, the videos uploaded. */
export function renderLists(t: UploaderTemplate, text: VideoUploaderStrings): TemplateResult {
  const { view } = t;
  return html`${view.queue.length ? renderQueue(t, text) : nothing}
  ${t.el.multiple && view.refused.length ? renderRefused(t, text) : nothing}
  ${t.el.multiple && view.completed.length ? renderVideos(view, text) : nothing}`;
}

export function renderFile(t: UploaderTemplate, upload: Upload, text: VideoUploaderStrings): TemplateResult {
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
                  ? html`<p part="error">${errorIcon}<span>${errorText(localize.text, error)}</span></p>`
                  : html`<p part="status">${statusText(t, text)}</p>`
              }
            `
      }
      ${complete && t.el.multiple ? nothing : renderActions(t, text)}
    </div>
  `;
}

export function renderInterrupted(t: UploaderTemplate, text: VideoUploaderStrings): TemplateResult {
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
              @click=${() => t.controls?.removeQueued(file)}
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
  const { on, disabled, controls } = t;
  if (controls?.confirming && t.view.queue.length > 0) {
    return html`<div part="actions confirm-cancel" role="group" aria-labelledby="cancel-question">
      <p part="status" id="cancel-question">${text.cancelQuestion}</p>
      <button part="action cancel-this-button" type="button" ?disabled=${disabled} @click=${controls.cancelThisFile}>
        ${text.cancelThisFile}
      </button>
      <button part="action cancel-all-button" type="button" ?disabled=${disabled} @click=${controls.cancelAll}>
        ${text.cancelAll}
      </button>
      <button
        part="action keep-button"
        class="primary"
        type="button"
        ?disabled=${disabled}
        @click=${controls.keepUploading}
      >
        ${text.keepUploading}
      </button>
    </div>`;
  }
  const { state, checking, error } = t.view;
  if (state === 'complete') {
    return html`<div part="actions">
      <button part="action another-button" type="button" ?disabled=${disabled} @click=${controls?.anotherClick}>
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
            @click=${t.controls?.pauseClick}
          >
            ${state === 'paused' ? text.resume : text.pause}
          </button>`
    }
    <button
      part="action cancel-button"
      type="button"
      ?disabled=${disabled}
      @click=${controls?.cancelClick ?? on.cancelClick}
    >
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
  return html`<p part="playable-status" data-playable=${entry.playable}>${playableWords(entry.playable, text)}</p>`;
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
