import { waitForPlayable } from '../upload/playable.js';
import type { Video } from '../protocol/index.js';
import type { PlayableStatus } from './controllers/upload.js';
import type { VideoUploaderStrings } from './strings.js';

/**
 * Watches an uploaded video until the video API can play it, or `timeoutSeconds` (the element's
 * `playable-timeout`; null for the default) pass; `done` gets how it plays or why not, unless `signal` aborted first.
 */
export function watchPlayable(
  video: Video,
  signal: AbortSignal,
  timeoutSeconds: number | null,
  done: (status: Exclude<PlayableStatus, 'waiting'>) => void,
): void {
  waitForPlayable(video, {
    signal,
    ...(timeoutSeconds !== null && timeoutSeconds > 0 ? { timeoutMs: timeoutSeconds * 1000 } : {}),
  }).then(
    (result) => {
      if (!signal.aborted) done(result.playable ? result.via : result.reason);
    },
    () => undefined,
  );
}

/** Where an uploaded video is on its way to being watched, in the visitor's words. */
export function playableWords(status: PlayableStatus, text: VideoUploaderStrings): string {
  return {
    waiting: text.processing,
    hls: text.playable,
    mp4: text.playable,
    timeout: text.playableTimeout,
    failed: text.playableFailed,
  }[status];
}
