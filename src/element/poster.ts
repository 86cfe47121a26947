/** The poster reader: loaded with the upload engine (engine.ts), since only a picked file needs it. */

/** A frame of the picked file, and its size in pixels. */
export interface Poster {
  /** An object URL of a small JPEG of the frame; revoke it when done. */
  url: string;
  width: number;
  height: number;
}

/** Widest the poster frame is drawn: it is shown as a thumbnail beside the file name. */
const POSTER_WIDTH = 320;

/**
 * A frame from early in the file (a second in, or a quarter of a short clip), drawn by a detached `<video>`
 * into a canvas; null when the browser cannot decode the file in time (a codec it does not play, such as
 * HEVC in some browsers, which is no reason to refuse the file).
 */
export function readPoster(file: File, timeoutMs = 4000): Promise<Poster | null> {
  return new Promise((resolve) => {
    const source = URL.createObjectURL(file);
    const video = document.createElement('video');
    let done = false;
    const finish = (poster: Poster | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      video.onloadeddata = video.onseeked = video.onerror = null;
      video.removeAttribute('src');
      video.load();
      URL.revokeObjectURL(source);
      resolve(poster);
    };
    const timer = window.setTimeout(() => finish(null), timeoutMs);
    video.onerror = () => finish(null);
    video.onloadeddata = () => {
      const at = Number.isFinite(video.duration) ? Math.min(1, video.duration / 4) : 0;
      if (at > 0) video.currentTime = at;
      else draw();
    };
    video.onseeked = () => draw();
    const draw = (): void => {
      const { videoWidth: width, videoHeight: height } = video;
      if (!width || !height) return finish(null);
      const scale = Math.min(1, POSTER_WIDTH / width);
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      const context = canvas.getContext('2d');
      if (!context) return finish(null);
      try {
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
      } catch {
        return finish(null);
      }
      canvas.toBlob(
        (blob) => finish(blob ? { url: URL.createObjectURL(blob), width, height } : null),
        'image/jpeg',
        0.8,
      );
    };
    video.preload = 'auto';
    video.muted = true;
    video.playsInline = true;
    video.src = source;
  });
}
