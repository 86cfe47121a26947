/** The few video API calls the CMS server makes with the key: read a video, delete a video. */
import type { Settings } from './settings';
import { VIDEO_ID, type VideoDetails } from './types';

const TIMEOUT_MS = 10_000;

export class VideoApiError extends Error {
  constructor(
    readonly code: 'not-configured' | 'not-found' | 'unreachable' | 'refused',
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'VideoApiError';
  }
}

function authorization(settings: Settings): string {
  if (!settings.apiKey) throw new VideoApiError('not-configured', 'The video API key is not set.', 500);
  return `Basic ${btoa(`${settings.apiKey}:`)}`;
}

async function call(settings: Settings, method: 'GET' | 'DELETE', videoId: string): Promise<Response> {
  if (!VIDEO_ID.test(videoId)) throw new VideoApiError('not-found', 'No such video.', 404);
  try {
    return await fetch(`${settings.apiUrl}/videos/${encodeURIComponent(videoId)}`, {
      method,
      headers: { authorization: authorization(settings), accept: 'application/json' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    if (error instanceof VideoApiError) throw error;
    throw new VideoApiError('unreachable', 'The video API is unreachable.', 502);
  }
}

function refusal(response: Response): VideoApiError {
  if (response.status === 404) return new VideoApiError('not-found', 'No such video.', 404);
  if (response.status === 401 || response.status === 403) {
    return new VideoApiError('refused', 'The video API refused the API key.', 502);
  }
  return new VideoApiError('refused', `The video API answered ${response.status}.`, 502);
}

/** The video's title and playable addresses, as the video API gives them now (private ones carry a fresh token). */
export async function getVideo(settings: Settings, videoId: string): Promise<VideoDetails> {
  const response = await call(settings, 'GET', videoId);
  if (!response.ok) {
    await response.body?.cancel();
    throw refusal(response);
  }
  const video = (await response.json()) as { videoId?: unknown; title?: unknown; assets?: Record<string, unknown> };
  const asset = (name: string): string | undefined => {
    const value = video.assets?.[name];
    return typeof value === 'string' && /^https?:\/\//.test(value) ? value : undefined;
  };
  return {
    videoId,
    title: typeof video.title === 'string' ? video.title : '',
    assets: { mp4: asset('mp4'), player: asset('player'), thumbnail: asset('thumbnail'), hls: asset('hls') },
  };
}

/** Deletes the video; one that is already gone counts as deleted. */
export async function deleteVideo(settings: Settings, videoId: string): Promise<void> {
  const response = await call(settings, 'DELETE', videoId);
  await response.body?.cancel();
  if (response.ok || response.status === 404) return;
  throw refusal(response);
}
