/** The duration reader: loaded with the upload engine (engine.ts), since only an upload needs it. */

/**
 * The duration in seconds from the file's metadata, read by a detached `<video>`; null when the browser cannot
 * read it in time (a codec it does not play, a file that is not a video).
 */
export function readDuration(file: File, timeoutMs = 4000): Promise<number | null> {
  return new Promise((resolve) => {
    const url = URL.createObjectURL(file);
    const video = document.createElement('video');
    let timer = 0;
    const finish = (duration: number | null): void => {
      clearTimeout(timer);
      video.onloadedmetadata = video.ondurationchange = video.onerror = null;
      video.removeAttribute('src');
      video.load();
      URL.revokeObjectURL(url);
      resolve(duration !== null && Number.isFinite(duration) ? duration : null);
    };
    timer = window.setTimeout(() => finish(null), timeoutMs);
    video.onerror = () => finish(null);
    video.onloadedmetadata = () => {
      if (Number.isFinite(video.duration)) return finish(video.duration);
      // Recordings from MediaRecorder carry no duration in their header; seeking past the end makes the browser find it.
      video.ondurationchange = () => {
        if (Number.isFinite(video.duration)) finish(video.duration);
      };
      video.currentTime = Number.MAX_SAFE_INTEGER;
    };
    video.preload = 'metadata';
    video.muted = true;
    video.src = url;
  });
}
