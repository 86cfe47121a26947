/** Longest video title, in UTF-16 units, as `POST /videos` accepts it. */
export const MAX_TITLE = 256;

/**
 * The title a video gets from its file name: trimmed, cut within MAX_TITLE without splitting a
 * surrogate pair, and `fallback` when nothing is left (the video API refuses a blank title).
 */
export function titleFromFileName(name: string | null | undefined, fallback: string): string;
export function titleFromFileName(name: string | null | undefined): string | undefined;
export function titleFromFileName(name: string | null | undefined, fallback?: string): string | undefined {
  let title = (name ?? '').trim();
  if (title.length > MAX_TITLE) {
    title = title.slice(0, MAX_TITLE);
    if (/[\uD800-\uDBFF]$/.test(title)) title = title.slice(0, -1);
    title = title.trimEnd();
  }
  return title || fallback;
}
