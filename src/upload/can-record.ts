/**
 * Whether this browser can record: a module of its own, so that a page that only shows the Record buttons
 * does not load the choice of recording formats (recorder-mime.ts) with them.
 */
/** Whether this browser has a `MediaRecorder` and a way to ask for a camera or the screen. */
export function canRecord(): boolean {
  return (
    typeof MediaRecorder === 'function' &&
    typeof navigator !== 'undefined' &&
    typeof navigator.mediaDevices?.getUserMedia === 'function'
  );
}
