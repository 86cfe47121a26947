/**
 * Which container and codecs a recording uses: the first of these that the browser's `MediaRecorder`
 * says it can record. WebM (VP9, then VP8, with Opus) first; MP4 where that is what the browser offers
 * (Safari, branded Chrome).
 */
export const RECORDER_MIME_TYPES = [
  'video/webm;codecs=vp9,opus',
  'video/webm;codecs=vp8,opus',
  'video/webm',
  'video/mp4;codecs=avc1,mp4a.40.2',
  'video/mp4;codecs=avc1',
  'video/mp4',
] as const;

/**
 * The MIME type to record with. `override` is used when the browser can record it, else `null`
 * (a developer error). Without an override: the first supported candidate, or `''` to let the browser choose.
 */
export function pickRecorderMimeType(override?: string): string | null {
  if (typeof MediaRecorder !== 'function') return null;
  const supported = (type: string): boolean =>
    typeof MediaRecorder.isTypeSupported !== 'function' || MediaRecorder.isTypeSupported(type);
  if (override) return supported(override) ? override : null;
  if (typeof MediaRecorder.isTypeSupported !== 'function') return 'video/mp4';
  return RECORDER_MIME_TYPES.find((type) => MediaRecorder.isTypeSupported(type)) ?? '';
}

/** The file name a recording of `mimeType` is uploaded under. */
export function recordingFileName(mimeType: string): string {
  return /^video\/mp4/i.test(mimeType) ? 'recording.mp4' : 'recording.webm';
}
