import { MAX_CHUNK_SIZE, MAX_PARTS, MiB, MIN_CHUNK_SIZE } from '../protocol/index.js';
import { UploadError } from './errors.js';

/** Clamps a chunk size to 5…128 MiB and grows it when the file would need more than 10 000 parts. */
export function planParts(fileSize: number, requested: number): { chunkSize: number; parts: number } {
  let chunkSize = Math.min(MAX_CHUNK_SIZE, Math.max(MIN_CHUNK_SIZE, Math.floor(requested)));
  if (Math.ceil(fileSize / chunkSize) > MAX_PARTS) chunkSize = Math.ceil(fileSize / MAX_PARTS / MiB) * MiB;
  if (chunkSize > MAX_CHUNK_SIZE) {
    throw new UploadError(
      'file-too-large',
      `The file is ${fileSize} bytes; at most ${MAX_PARTS} parts of ${MAX_CHUNK_SIZE / MiB} MiB can be uploaded.`,
      { retryable: false },
    );
  }
  return { chunkSize, parts: Math.max(1, Math.ceil(fileSize / chunkSize)) };
}
