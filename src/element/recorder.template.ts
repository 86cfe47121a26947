import { html, nothing, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { live } from 'lit/directives/live.js';
import { ref } from 'lit/directives/ref.js';
import type { RecorderController } from './controllers/recorder.js';
import { formatBytes } from './format.js';
import { errorText } from './error-text.js';
import { playableWords } from './playable.js';

/** m:ss (h:mm:ss past an hour), the way recorders show elapsed time. */
function clock(ms: number): string {
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Binds a MediaStream to the preview `<video>` (srcObject has no attribute). */
const attachStream = (stream: MediaStream | null) => (video: Element | undefined) => {
  if (video instanceof HTMLVideoElement && video.srcObject !== stream) video.srcObject = stream;
};

/** The recorder view: set-up (preview, devices), recording (preview, timer, upload), playback and result. */
export function renderRecorder(r: RecorderController): TemplateResult {
  const text = r.text;
  const common = r.localize.text;
  const locale = r.localize.locale;
  const session = r.session;
  const progress = session?.progress;
  const live$ = r.phase === 'setup' || r.phase === 'recording' || r.phase === 'starting';
  const left = r.secondsLeft;
  const warning = r.phase === 'recording' && left !== null && left <= r.warnAt ? text.stopsIn(left) : '';
  return html`
    <style>
      .recorder video {
        display: block;
        width: 100%;
        max-height: 24rem;
        border-radius: calc(var(--video-uploader-border-radius, 0.75rem) / 2);
        background: #000;
      }
      .recorder video.mirrored {
        transform: scaleX(-1);
      }
      .recorder .timer {
        display: flex;
        align-items: center;
        gap: 0.5em;
        font-variant-numeric: tabular-nums;
        font-weight: 600;
      }
      .recorder .dot {
        width: 0.75em;
        height: 0.75em;
        border-radius: 50%;
        background: var(--video-uploader-danger-color, #b91c1c);
      }
      .recorder .warning {
        color: var(--video-uploader-danger-color, #b91c1c);
        font-weight: 600;
      }
      .recorder [part~='devices'] {
        display: flex;
        flex-wrap: wrap;
        gap: var(--video-uploader-gap, 0.75rem);
      }
      .recorder [part~='device'] {
        display: grid;
        gap: 0.25em;
        flex: 1 1 12rem;
      }
      .recorder a[part~='action'] {
        display: inline-flex;
        align-items: center;
        justify-content: center;
        min-height: 2.75rem;
        padding: 0 1.125rem;
        border-radius: 0.5rem;
        border: 1px solid var(--video-uploader-border-color, #cbd5e1);
        color: inherit;
        font-weight: 600;
        text-decoration: none;
      }
      .recorder select {
        font: inherit;
        padding: 0.4em;
        color: inherit;
        background: var(--video-uploader-background, #fff);
        border: 1px solid var(--video-uploader-border-color, #cbd5e1);
        border-radius: 0.375rem;
      }
    </style>
    <div part="base recorder" class="recorder">
      ${
        live$ && r.stream
          ? html`<video
              part="preview"
              class=${r.mirrored && r.source === 'camera' ? 'mirrored' : ''}
              aria-label=${text.previewLabel}
              muted
              autoplay
              playsinline
              .muted=${true}
              ${ref(attachStream(r.stream))}
            ></video>`
          : nothing
      }
      ${
        !live$ && r.playbackUrl
          ? html`<video
              part="playback"
              controls
              playsinline
              aria-label=${text.playbackLabel}
              src=${r.playbackUrl}
            ></video>`
          : nothing
      }
      ${r.phase === 'setup' ? renderDevices(r) : nothing}
      ${
        r.phase === 'recording'
          ? html`<p part="timer" class="timer">
              <span class="dot" aria-hidden="true"></span>${text.recordingTime(clock(session?.durationMs ?? 0))}
            </p>`
          : nothing
      }
      ${warning ? html`<p part="warning" class="warning">${warning}</p>` : nothing}
      ${r.notice ? html`<p part="status">${r.notice}</p>` : nothing}
      ${
        progress && (r.phase === 'recording' || r.phase === 'finishing')
          ? html`<progress
                part="progress"
                max=${Math.max(1, progress.recordedBytes)}
                value=${progress.uploadedBytes}
                aria-label=${common.uploading}
              ></progress>
              <p part="status">
                ${r.phase === 'finishing' ? text.finishing : nothing}${r.phase === 'finishing' && progress.recordedBytes ? ' · ' : ''}${
                  progress.recordedBytes
                    ? text.sentOf(
                        formatBytes(progress.uploadedBytes, locale),
                        formatBytes(progress.recordedBytes, locale),
                      )
                    : nothing
                }
              </p>`
          : nothing
      }
      ${r.phase === 'blocked' ? html`<p part="error" role="alert">${r.message}</p>` : nothing}
      ${
        r.phase === 'error' && r.failure
          ? html`<p part="error" role="alert">${errorText(r.localize.text, r.failure)} ${text.uploadKept}</p>`
          : nothing
      }
      ${
        r.phase === 'complete'
          ? html`<p part="done">
                <span>${common.complete}</span>
                ${r.video ? html`<a part="link" href=${r.video.assets.player} target="_blank" rel="noopener">${common.openVideo}</a>` : nothing}
              </p>
              ${r.playable ? html`<p part="playable-status" data-playable=${r.playable}>${playableWords(r.playable, common)}</p>` : nothing}`
          : nothing
      }
      <div part="actions">${renderActions(r)}</div>
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${r.announcement}</div>
    </div>
  `;
}

function renderDevices(r: RecorderController): TemplateResult | typeof nothing {
  const text = r.text;
  const select = (kind: 'camera' | 'microphone', label: string, devices: MediaDeviceInfo[], value: string) =>
    html`<label part="device">
      <span>${label}</span>
      <select .value=${live(value)} @change=${(e: Event) => void r.choose(kind, (e.target as HTMLSelectElement).value)}>
        ${devices.map(
          (d, i) =>
            html`<option value=${d.deviceId} ?selected=${d.deviceId === value}>
              ${d.label || `${label} ${i + 1}`}
            </option>`,
        )}
        ${kind === 'microphone' ? html`<option value="none" ?selected=${value === 'none'}>${text.noMicrophone}</option>` : nothing}
      </select>
    </label>`;
  const cameras = r.cameras.length > 1;
  const mics = r.microphones.length > 1;
  if (!cameras && !mics) return nothing;
  return html`<div part="devices">
    ${cameras ? select('camera', text.cameraLabel, r.cameras, r.cameraId) : nothing}
    ${mics ? select('microphone', text.microphoneLabel, r.microphones, r.microphoneId) : nothing}
  </div>`;
}

function renderActions(r: RecorderController): TemplateResult {
  const text = r.text;
  const common = r.localize.text;
  const button = (part: string, label: string, onClick: () => void, primary = false) =>
    html`<button
      part="action ${part}"
      class=${ifDefined(primary ? 'primary' : undefined)}
      type="button"
      @click=${onClick}
    >
      ${label}
    </button>`;
  switch (r.phase) {
    case 'setup':
      return html`${button('record-button', text.startRecording, () => r.record(), true)}
      ${button('cancel-button', common.cancel, () => r.cancel())}`;
    case 'recording':
      return html`${button('stop-button', text.stopRecording, () => r.stop(), true)}
      ${button('cancel-button', common.cancel, () => r.cancel())}`;
    case 'finishing':
      return button('cancel-button', common.cancel, () => r.cancel());
    case 'error':
      return html`${button('retry-button', common.retry, () => r.retry(), true)}
      ${
        r.saveUrl
          ? html`<a part="action save-link" href=${r.saveUrl} download=${r.saveName}>${text.saveRecording}</a>`
          : nothing
      }
      ${button('cancel-button', common.cancel, () => r.cancel())}`;
    case 'blocked':
      return html`${button('retry-button', common.retry, () => void r.open(r.source), true)}
      ${button('cancel-button', common.cancel, () => r.cancel())}`;
    case 'complete':
      return html`${button('again-button', text.recordAgain, () => void r.open(r.source))}
      ${button('another-button', common.uploadAnother, () => r.close())}`;
    default:
      return button('cancel-button', common.cancel, () => r.cancel());
  }
}
