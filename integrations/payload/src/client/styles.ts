/** The field's look, on the admin's own theme variables so that it follows light and dark mode. */
export const css = `
.vu-field { margin-bottom: var(--spacing-field, 1.5rem); }
.vu-field video-uploader {
  --video-uploader-font-family: var(--font-body, inherit);
  display: block; max-width: 40rem;
}
.vu-field__video {
  display: grid; grid-template-columns: minmax(0, 20rem) 1fr; gap: 1rem; align-items: start;
  max-width: 40rem; padding: 0.75rem; border: 1px solid var(--theme-elevation-150);
  border-radius: var(--style-radius-m, 4px); background: var(--theme-elevation-50);
}
.vu-field__player { width: 100%; aspect-ratio: 16 / 9; background: #000; border-radius: var(--style-radius-s, 3px); display: block; }
.vu-field__frame { border: 0; }
.vu-field__meta { display: flex; flex-direction: column; gap: 0.35rem; min-width: 0; }
.vu-field__title { font-weight: 600; overflow-wrap: anywhere; }
.vu-field__facts { color: var(--theme-elevation-600); font-size: 0.85em; }
.vu-field__id { font-family: var(--font-mono, monospace); font-size: 0.8em; overflow-wrap: anywhere; }
.vu-field__actions { display: flex; gap: 0.5rem; flex-wrap: wrap; margin-top: 0.25rem; }
.vu-field__actions .btn { margin: 0; }
.vu-field__notice { color: var(--theme-elevation-600); }
.vu-field__error {
  margin-top: 0.5rem; max-width: 40rem; padding: 0.5rem 0.75rem; border-radius: var(--style-radius-s, 3px);
  color: var(--theme-error-750, #b3261e); background: var(--theme-error-50, #fdecea); border: 1px solid var(--theme-error-250, #f4b4ae);
}
@media (max-width: 40rem) { .vu-field__video { grid-template-columns: 1fr; } }
`;
