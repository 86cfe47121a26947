/** What the element checks on a file before it is uploaded: its type against `accept`, and its duration. */

// Browsers leave `File.type` empty for some video containers; these extensions still count as `video/*`.
const videoExtensions = new Set([
  '3gp',
  'avi',
  'flv',
  'm2ts',
  'm4v',
  'mkv',
  'mov',
  'mp4',
  'mpeg',
  'mpg',
  'mts',
  'mxf',
  'ogv',
  'ts',
  'webm',
  'wmv',
]);

/** Whether a file matches an `accept` list the way `<input type=file accept>` reads it. An empty list accepts all. */
export function matchesAccept(file: File, accept: string): boolean {
  const tokens = accept
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter(Boolean);
  if (tokens.length === 0) return true;
  const type = file.type.toLowerCase();
  const name = file.name.toLowerCase();
  const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1) : '';
  return tokens.some((token) => {
    if (token.startsWith('.')) return name.endsWith(token);
    if (token.endsWith('/*')) {
      if (type) return type.startsWith(token.slice(0, -1));
      return token === 'video/*' && videoExtensions.has(extension);
    }
    return type === token;
  });
}

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
