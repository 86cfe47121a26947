import { html, svg, type TemplateResult } from 'lit';

/** An icon of the element: a 24×24 stroke drawing, hidden from screen readers (the words beside it say it). */
export const icon = (path: TemplateResult): TemplateResult =>
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
export const errorIcon = icon(svg`<circle cx="12" cy="12" r="9"/><path d="M12 8v5m0 3h.01"/>`);
