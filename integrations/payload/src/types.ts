/** What the field stores in the entry: the video's id, and what was known of it when it was uploaded. */
export interface StoredVideo {
  videoId: string;
  title?: string;
  /** Seconds, read from the file before the upload. */
  duration?: number;
  thumbnail?: string;
}

/** What the plugin's video route answers for a stored videoId: fresh, playable addresses. */
export interface VideoDetails {
  videoId: string;
  title: string;
  assets: { mp4?: string; player?: string; thumbnail?: string; hls?: string };
}

/** Where the plugin's routes live under the CMS's REST API (`/api` by default). */
export const TOKEN_PATH = '/video-uploader/token';
export const VIDEO_PATH = '/video-uploader/videos';

/** A videoId as the video API issues them; anything else is refused before any call. */
export const VIDEO_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * While an upload runs, the field's form value is `{pending: message}` with the element's own
 * validation message: the entry cannot be saved (Payload validates on the server, not through the
 * browser's form validity), and the editor reads why.
 */
export function pendingMessage(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const pending = (value as { pending?: unknown }).pending;
  if (pending === undefined) return undefined;
  return typeof pending === 'string' && pending.trim()
    ? pending.trim().slice(0, 300)
    : 'Please wait until the video has finished uploading.';
}

/** The form value while an upload runs; never stored. */
export interface PendingUpload {
  pending: string;
  /** The video the entry held before, given back if the upload is canceled or fails. */
  previous: StoredVideo | null;
}
