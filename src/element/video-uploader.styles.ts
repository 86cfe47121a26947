import { css } from 'lit';

export const styles = css`
  /* light-dark() follows the used color-scheme: the visitor's (below), or a container's \`color-scheme: dark\`. */
  :host {
    --video-uploader-font-family: inherit;
    --video-uploader-font-size: 1rem;
    --video-uploader-color: light-dark(#1f2937, #e5e7eb);
    --video-uploader-muted-color: light-dark(#4b5563, #a1a1aa);
    --video-uploader-background: light-dark(#ffffff, #18181b);
    --video-uploader-border-color: light-dark(#cbd5e1, #52525b);
    --video-uploader-border-radius: 0.75rem;
    --video-uploader-padding: 1.25rem;
    --video-uploader-gap: 0.75rem;
    --video-uploader-accent-color: light-dark(#2563eb, #60a5fa);
    --video-uploader-accent-text-color: light-dark(#ffffff, #0b1220);
    --video-uploader-dropzone-background: light-dark(#f8fafc, #1f1f23);
    --video-uploader-dragover-background: light-dark(#eff6ff, #172554);
    --video-uploader-track-color: light-dark(#e2e8f0, #3f3f46);
    --video-uploader-progress-height: 0.5rem;
    --video-uploader-danger-color: light-dark(#b91c1c, #f87171);
    --video-uploader-success-color: light-dark(#15803d, #4ade80);
    --video-uploader-focus-ring: 2px solid var(--video-uploader-accent-color);

    display: block;
    container-type: inline-size;
    font-family: var(--video-uploader-font-family);
    font-size: var(--video-uploader-font-size);
    line-height: 1.5;
    color: var(--video-uploader-color);
  }

  @media (prefers-color-scheme: dark) {
    :host {
      color-scheme: light dark;
    }
  }

  /* Touch screens have nothing to drag from: the button says it all. */
  @media (pointer: coarse) {
    [part~='label'],
    [part~='separator'] {
      display: none;
    }
  }

  :host([hidden]) {
    display: none;
  }

  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }

  [part~='base'] {
    display: grid;
    gap: var(--video-uploader-gap);
    padding: var(--video-uploader-padding);
    border: 1px solid var(--video-uploader-border-color);
    border-radius: var(--video-uploader-border-radius);
    background: var(--video-uploader-background);
    min-width: 0;
  }

  p {
    margin: 0;
  }

  svg {
    flex: none;
    width: 1.5em;
    height: 1.5em;
  }

  [part~='dropzone'] {
    display: grid;
    justify-items: center;
    gap: 0.5rem;
    padding: 1.5rem 1rem;
    border: 2px dashed var(--video-uploader-border-color);
    border-radius: calc(var(--video-uploader-border-radius) - 0.25rem);
    background: var(--video-uploader-dropzone-background);
    text-align: center;
    cursor: pointer;
    transition:
      border-color 0.15s,
      background-color 0.15s;
  }

  [part~='dropzone'] svg {
    width: 2.25rem;
    height: 2.25rem;
    color: var(--video-uploader-accent-color);
  }

  [part~='dropzone'].dragover {
    border-color: var(--video-uploader-accent-color);
    border-style: solid;
    background: var(--video-uploader-dragover-background);
  }

  [part~='label'] {
    font-weight: 600;
  }

  [part~='hint'],
  [part~='separator'] {
    color: var(--video-uploader-muted-color);
    font-size: 0.875em;
  }

  button {
    font: inherit;
    min-height: 2.75rem;
    padding: 0.5rem 1.125rem;
    border-radius: 0.5rem;
    border: 1px solid var(--video-uploader-border-color);
    background: transparent;
    color: inherit;
    cursor: pointer;
    font-weight: 600;
  }

  [part~='record'] {
    display: flex;
    flex-wrap: wrap;
    justify-content: center;
    gap: 0.5rem;
  }

  [part~='capture'] {
    display: inline-flex;
    align-items: center;
    min-height: 2.75rem;
    padding: 0 1.125rem;
    border-radius: 0.5rem;
    border: 1px solid var(--video-uploader-border-color);
    font-weight: 600;
    cursor: pointer;
  }

  button.primary {
    border-color: var(--video-uploader-accent-color);
    background: var(--video-uploader-accent-color);
    color: var(--video-uploader-accent-text-color);
  }

  button:hover:not(:disabled) {
    filter: brightness(0.95);
  }

  button:focus-visible,
  a:focus-visible {
    outline: var(--video-uploader-focus-ring);
    outline-offset: 2px;
  }

  button:disabled {
    cursor: not-allowed;
    opacity: 0.55;
  }

  :host(:state(disabled)) [part~='dropzone'] {
    cursor: not-allowed;
    opacity: 0.7;
  }

  [part~='status'] {
    font-variant-numeric: tabular-nums;
    color: var(--video-uploader-muted-color);
    font-size: 0.875em;
  }

  [part~='error'] {
    display: flex;
    gap: 0.5rem;
    align-items: flex-start;
    color: var(--video-uploader-danger-color);
  }

  [part~='fields'] {
    display: grid;
    gap: 0.75rem;
  }

  [part~='field'] {
    display: grid;
    gap: 0.25rem;
    font-weight: 600;
    font-size: 0.875em;
  }

  [part~='input'] {
    font: inherit;
    font-weight: 400;
    font-size: 1rem;
    min-height: 2.75rem;
    padding: 0.5rem 0.75rem;
    border: 1px solid var(--video-uploader-border-color);
    border-radius: 0.5rem;
    background: var(--video-uploader-background);
    color: inherit;
    width: 100%;
    resize: vertical;
  }

  [part~='input']:focus-visible {
    outline: var(--video-uploader-focus-ring);
    outline-offset: 1px;
  }

  [part~='error'] svg {
    flex: none;
    width: 1.25em;
    height: 1.25em;
    margin-top: 0.125em;
  }

  a {
    color: var(--video-uploader-accent-color);
    font-weight: 600;
  }

  [part~='actions'] {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }

  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }

  @container (max-width: 24rem) {
    [part~='base'] {
      padding: calc(var(--video-uploader-padding) * 0.75);
    }
    [part~='dropzone'] {
      padding: 1.25rem 0.75rem;
    }
    [part~='actions'] > button {
      flex: 1 1 auto;
    }
  }

  /* Windows high contrast and other forced colors: keep the drag-over border visible. */
  @media (forced-colors: active) {
    [part~='dropzone'].dragover {
      border-color: Highlight;
    }
  }

  @media (prefers-reduced-motion: reduce) {
    * {
      transition: none !important;
    }
  }
`;
