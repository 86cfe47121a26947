import type { Video } from '../protocol/index.js';
import { canceledError } from './errors.js';
import { parseRetryAfter, sleep } from './retry.js';

/** How the video can be watched once it is playable: its HLS rendition, or its MP4 file. */
export type PlayableVia = 'hls' | 'mp4';

/** Why the wait for a playable video ended without one. */
export type NotPlayableReason = 'timeout' | 'failed';

export type PlayableResult = { playable: true; via: PlayableVia } | { playable: false; reason: NotPlayableReason };

export interface WaitForPlayableOptions {
  signal?: AbortSignal;
  /** Milliseconds to wait in all before giving up. Default 10 minutes. */
  timeoutMs?: number;
  /** First delay between two looks, in milliseconds; it grows by half each time up to `maxDelayMs`. Default 1000. */
  delayMs?: number;
  /** Longest delay between two looks. Default 10 000. */
  maxDelayMs?: number;
}

export const DEFAULT_PLAYABLE_TIMEOUT_MS = 10 * 60_000;

/** Statuses that say "not yet": the rendition is being made (202), or is not there yet (404, 425). Also waited out: 429 and 5xx but 501. */
const NOT_YET = new Set([202, 404, 425]);

/**
 * Waits until an uploaded video can be watched, with no key: the way api.video's own uploader does it, by
 * asking for the video's HLS manifest (HEAD) until it is served (202, or 404, while it is being encoded). A video
 * API that makes no HLS (the local one without ffmpeg answers 501) is watched through its MP4 asset, when
 * the video has one. The looks back off (1 s, 1.5 s, … up to 10 s, or what `Retry-After` says), and stop at
 * the time limit, on a rendition that failed, or when `signal` aborts (which rejects with `canceled`).
 */
export async function waitForPlayable(video: Video, options: WaitForPlayableOptions = {}): Promise<PlayableResult> {
  // Never aborted when the caller gives no signal: the wait then ends by its time limit alone.
  const signal = options.signal ?? new AbortController().signal;
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_PLAYABLE_TIMEOUT_MS);
  const maxDelay = options.maxDelayMs ?? 10_000;
  let delay = options.delayMs ?? 1000;
  const targets: Array<[PlayableVia, string]> = [['hls', video.assets.hls]];
  if (video.assets.mp4) targets.push(['mp4', video.assets.mp4]);
  let target = 0;
  for (;;) {
    if (signal.aborted) throw canceledError();
    const [via, url] = targets[target];
    let wait = delay;
    try {
      // HEAD: the status is the answer; nothing is downloaded.
      const response = await fetch(url, { method: 'HEAD', cache: 'no-store', signal });
      // 200 only: 202 means "being made", and is "ok" to fetch.
      if (response.status === 200) return { playable: true, via };
      const later =
        NOT_YET.has(response.status) || response.status === 429 || (response.status >= 500 && response.status !== 501);
      if (!later) {
        // This rendition will not come (501: none on this video API; 422: it could not be made): try the next.
        if (++target < targets.length) continue;
        return { playable: false, reason: 'failed' };
      }
      wait = parseRetryAfter((name) => response.headers.get(name)) ?? delay;
    } catch {
      // A lost connection: look again later.
      if (signal.aborted) throw canceledError();
    }
    if (Date.now() + wait > deadline) return { playable: false, reason: 'timeout' };
    await sleep(wait, signal);
    delay = Math.min(maxDelay, delay * 1.5);
  }
}
