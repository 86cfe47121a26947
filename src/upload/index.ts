/** The browser upload engine: `UploadSession` and everything it reports. */
export { UploadSession, DEFAULT_STALL_TIMEOUT_MS, MAX_PARALLEL } from './session.js';
export { UploadError, type UploadErrorInit } from './errors.js';
export { validateGrant } from './diagnosis.js';
export {
  TokenSource,
  DEFAULT_TOKEN_SAFETY_MARGIN_S,
  DEFAULT_TOKEN_REQUEST_TIMEOUT_MS,
  type ActiveGrant,
  type TokenSourceOptions,
} from './token-source.js';
export {
  ResumeStore,
  fileFingerprint,
  RESUME_KEY_PREFIX,
  RESUME_MAX_AGE_MS,
  type ResumeRecord,
  type ResumeStorage,
  lastInterruptedUpload,
  type InterruptedUpload,
} from './resume-store.js';
export { backoffDelay, parseRetryAfter, DEFAULT_RETRIES } from './retry.js';
export { planParts } from './parts.js';
export {
  waitForPlayable,
  DEFAULT_PLAYABLE_TIMEOUT_MS,
  type PlayableResult,
  type PlayableVia,
  type WaitForPlayableOptions,
} from './playable.js';
export { PROGRESS_INTERVAL_MS } from './progress.js';
export type {
  TokenProvider,
  UploadErrorCode,
  UploadErrorLike,
  UploadEvent,
  UploadEventMap,
  UploadProgress,
  UploadSessionOptions,
  UploadState,
} from './types.js';
export {
  RecordingSession,
  DEFAULT_TIMESLICE_MS,
  type RecordingEventMap,
  type RecordingProgress,
  type RecordingSessionOptions,
  type RecordingState,
} from './recording-session.js';
export { canRecord } from './can-record.js';
export { pickRecorderMimeType, recordingFileName, RECORDER_MIME_TYPES } from './recorder-mime.js';
