/**
 * What a visitor reads for an upload's error: the catalogue's words for its code. Part of the engine's chunk
 * (and the recorder's): only an upload fails this way.
 */
import type { UploadErrorCode, UploadErrorLike } from '../upload/types.js';
import type { VideoUploaderStrings } from './strings.js';

/** The keys of the upload-failure messages, by engine error code. */
const errorStringKeys: Record<Exclude<UploadErrorCode, 'file-type' | 'file-too-large'>, keyof VideoUploaderStrings> = {
  'token-request-failed': 'errorTokenRequestFailed',
  'token-missing': 'errorSetup',
  'api-url-missing': 'errorSetup',
  'token-endpoint-missing': 'errorSetup',
  'token-endpoint-cors': 'errorSetup',
  'token-endpoint-not-json': 'errorSetup',
  'token-endpoint-refused': 'errorTokenRefused',
  'token-endpoint-unreachable': 'errorTokenUnreachable',
  // A grant of the wrong shape is the token endpoint's mistake, not the visitor's.
  'token-invalid': 'errorSetup',
  'token-expired': 'errorTokenExpired',
  unauthorized: 'errorUnauthorized',
  network: 'errorNetwork',
  server: 'errorServer',
  'rate-limited': 'errorRateLimited',
  canceled: 'errorCanceled',
  protocol: 'errorProtocol',
};

/** The catalogue's words for an error's code, else the engine's message. */
export function errorText(text: VideoUploaderStrings, error: UploadErrorLike): string {
  if (error.code === 'file-type' || error.code === 'file-too-large') return text.errorFileRefused;
  const key = errorStringKeys[error.code];
  const value = key ? text[key] : undefined;
  return typeof value === 'string' ? value : error.message;
}
