import { css } from 'lit';

/**
 * The styles of the views of a picked file (upload-views.template.ts), which come with them in the engine's
 * chunk; the element adopts them beside its own once that has loaded.
 */
export const viewStyles = css`
  /* With multiple, the zone stays while files upload; it gives the room to them. */
  [part~='dropzone'].compact {
    padding: 0.75rem;
  }

  [part~='dropzone'].compact > svg,
  [part~='dropzone'].compact [part~='hint'],
  [part~='dropzone'].compact [part~='separator'] {
    display: none;
  }

  [part~='file'] {
    display: grid;
    gap: 0.5rem;
    min-width: 0;
  }

  [part~='file-info'] {
    display: flex;
    align-items: center;
    gap: 0.625rem;
    min-width: 0;
  }

  [part~='file-info'] > svg {
    color: var(--video-uploader-muted-color);
  }

  [part~='file-text'] {
    display: grid;
    min-width: 0;
  }

  [part~='file-name'] {
    font-weight: 600;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  [part~='file-meta'],
  [part~='queue'] {
    color: var(--video-uploader-muted-color);
    font-size: 0.875em;
  }

  [part~='progress'] {
    appearance: none;
    display: block;
    width: 100%;
    height: var(--video-uploader-progress-height);
    border: none;
    border-radius: 999px;
    overflow: hidden;
    background: var(--video-uploader-track-color);
    color: var(--video-uploader-accent-color);
  }

  [part~='progress']::-webkit-progress-bar {
    background: var(--video-uploader-track-color);
  }

  [part~='progress']::-webkit-progress-value {
    background: var(--video-uploader-accent-color);
    border-radius: 999px;
    transition: width 0.2s;
  }

  [part~='progress']::-moz-progress-bar {
    background: var(--video-uploader-accent-color);
    border-radius: 999px;
  }

  :host(:state(paused)) [part~='progress']::-webkit-progress-value {
    background: var(--video-uploader-muted-color);
  }

  :host(:state(paused)) [part~='progress']::-moz-progress-bar {
    background: var(--video-uploader-muted-color);
  }

  [part~='queue-list'],
  [part~='refused'],
  [part~='videos'] {
    display: grid;
    gap: 0.25rem;
    margin: 0;
    padding: 0;
    list-style: none;
    font-size: 0.875em;
  }

  [part~='queued-file'] {
    display: flex;
    align-items: center;
    gap: 0.5rem;
    min-width: 0;
  }

  [part~='queued-file'] [part~='file-meta'] {
    white-space: nowrap;
  }

  [part~='queued-name'] {
    flex: 1 1 auto;
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  [part~='remove-button'] {
    display: inline-grid;
    place-items: center;
    min-height: 2.75rem;
    min-width: 2.75rem;
    padding: 0;
    border-color: transparent;
  }

  [part~='remove-button'] svg {
    width: 1.125em;
    height: 1.125em;
  }

  [part~='refused'] li {
    display: flex;
    gap: 0.5rem;
    align-items: flex-start;
    color: var(--video-uploader-danger-color);
  }

  [part~='refused-label'] {
    font-size: 0.875em;
    font-weight: 600;
  }

  [part~='confirm-cancel'] [part~='status'] {
    flex-basis: 100%;
  }

  [part~='poster'] {
    flex: none;
    width: 4.5rem;
    aspect-ratio: 16 / 9;
    object-fit: cover;
    border-radius: 0.375rem;
    background: #000;
  }

  [part~='player'] {
    display: block;
    width: 100%;
    aspect-ratio: 16 / 9;
    border: 0;
    border-radius: calc(var(--video-uploader-border-radius) - 0.25rem);
    background: #000;
  }

  [part~='playable-status'] {
    color: var(--video-uploader-muted-color);
    font-size: 0.875em;
  }

  [part~='interrupted'] {
    display: flex;
    gap: 0.5rem;
    align-items: flex-start;
    font-size: 0.875em;
  }

  [part~='done'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0.25rem 0.5rem;
    font-weight: 600;
    color: var(--video-uploader-success-color);
  }

  /* Each uploaded video: its name and link on one line, where it is on its way to being watched below. */
  [part~='videos'] li {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 0 0.5rem;
    min-width: 0;
  }

  [part~='videos'] [part~='link'] {
    white-space: nowrap;
  }

  [part~='videos'] [part~='playable-status'] {
    flex-basis: 100%;
    padding-inline-start: 1.75em;
  }

  [part~='videos'] svg {
    width: 1.25em;
    height: 1.25em;
    color: var(--video-uploader-success-color);
  }

  [part~='videos'] span {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  [part~='interrupted'] svg,
  [part~='refused'] svg,
  [part~='done'] svg {
    flex: none;
    width: 1.25em;
    height: 1.25em;
    margin-top: 0.125em;
  }

  /* Windows high contrast and other forced colors: keep the bar's fill visible. */
  @media (forced-colors: active) {
    [part~='progress'] {
      forced-color-adjust: none;
      background: Canvas;
      border: 1px solid CanvasText;
    }
    [part~='progress']::-webkit-progress-value {
      background: Highlight;
    }
    [part~='progress']::-moz-progress-bar {
      background: Highlight;
    }
  }
`;
