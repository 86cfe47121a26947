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
