/**
 * What the element checks on a file before it is uploaded: its type against `accept`, its first bytes, its
 * size, then its duration. Part of the engine's chunk (engine.ts): the checks run once a file is picked.
 */
import { UploadError } from '../upload/upload-error.js';
import type { LocalizeController } from './controllers/localize.js';
import type { Upload, UploadSettings } from './controllers/upload.js';
import { readDuration } from './duration.js';
import { formatBytes, formatDuration } from './format.js';
import { sniffNotVideo } from './sniff.js';

/** Milliseconds the duration check may take before the file is let through without it. */
export const DURATION_TIMEOUT_MS = 4000;

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

/** Why a file was refused: the error for events and developers, and the words a visitor reads. */
export interface Refusal {
  refusal: UploadError;
  words: string;
}

const refused = (code: 'file-type' | 'file-too-large', message: string, words = message): Refusal => ({
  refusal: new UploadError(code, message, { retryable: false }),
  words,
});

/** Checks a picked file against the element's `accept`, `max-file-size` and `max-duration`, and its first bytes. */
export async function checkFile(
  file: File,
  settings: Pick<UploadSettings, 'accept' | 'maxFileSize' | 'maxDuration'>,
  localize: LocalizeController,
): Promise<Upload | Refusal> {
  const { accept, maxFileSize, maxDuration } = settings;
  const text = localize.text;
  const locale = localize.locale;
  if (!matchesAccept(file, accept)) {
    // The visitor reads words; the developer's message names the type and the pattern.
    const message = `The file ${file.name} (type "${file.type || 'unknown'}") does not match accept="${accept}".`;
    return refused('file-type', message, text.errorFileType(accept));
  }
  if (maxFileSize !== null && maxFileSize > 0 && file.size > maxFileSize)
    return refused(
      'file-too-large',
      text.errorFileTooLarge(formatBytes(file.size, locale), formatBytes(maxFileSize, locale)),
    );
  const kind = await sniffNotVideo(file);
  if (kind)
    return refused(
      'file-type',
      `The file ${file.name} is ${kind} (by its first bytes), not a video container.`,
      text.errorNotVideo,
    );
  if (maxDuration === null || !(maxDuration > 0)) return { file, duration: null };
  const duration = await readDuration(file, DURATION_TIMEOUT_MS);
  // A duration the browser cannot read (a codec it does not play) is left to the video API to judge.
  if (duration !== null && duration > maxDuration)
    return refused(
      'file-too-large',
      text.errorFileTooLong(formatDuration(duration, locale), formatDuration(maxDuration, locale)),
    );
  return { file, duration };
}
