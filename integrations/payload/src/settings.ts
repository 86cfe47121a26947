/** The plugin's configuration, read from its options and then from the server's environment. */

export const LOCAL_API_URL = 'http://127.0.0.1:8787';
export const LOCAL_API_KEY = 'dev-api-key';
export const PRODUCTION_API_URL = 'https://ws.api.video';

export interface VideoUploaderPluginOptions {
  /** The video API key. Default: `APIVIDEO_API_KEY`; in development, the local video API's `dev-api-key`. */
  apiKey?: string;
  /** The video API. Default: `APIVIDEO_API_URL`; else the local video API in development, `https://ws.api.video` in production. */
  apiUrl?: string;
  /** Delete a video from the video API once a saved entry no longer holds it (removed, replaced, or the entry deleted). Default false. */
  deleteOnRemove?: boolean;
  /** Seconds each upload token lives (default 900); the element asks again when one expires mid-upload. */
  ttl?: number;
  /** Create the videos private (`public: false`), as api.video does for private uploads. Default false. */
  privateVideos?: boolean;
  /** Turns the plugin's routes and hooks off while keeping the field's schema. */
  disabled?: boolean;
}

export interface Settings {
  apiKey: string | undefined;
  apiUrl: string;
  deleteOnRemove: boolean;
  ttl: number;
  privateVideos: boolean;
}

export function resolveSettings(
  options: VideoUploaderPluginOptions,
  env: Record<string, string | undefined> = process.env,
): Settings {
  const production = env.NODE_ENV === 'production';
  const apiUrl =
    trimmed(options.apiUrl) ?? trimmed(env.APIVIDEO_API_URL) ?? (production ? PRODUCTION_API_URL : LOCAL_API_URL);
  let apiKey = trimmed(options.apiKey) ?? trimmed(env.APIVIDEO_API_KEY);
  if (!apiKey && !production && apiUrl === LOCAL_API_URL) apiKey = LOCAL_API_KEY;
  return {
    apiKey,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    deleteOnRemove: options.deleteOnRemove === true,
    ttl: options.ttl ?? 900,
    privateVideos: options.privateVideos === true,
  };
}

function trimmed(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text ? text : undefined;
}
