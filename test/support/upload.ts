/** Node-side helpers for upload tests: deterministic data, multipart chunks, hashes. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Video } from '../../src/protocol/index.js';
import type { TestApi } from './api.js';

/** Deterministic pseudo-random bytes (xorshift), so that every part differs from the others. */
export function bytes(length: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out.writeUInt32LE(x, i);
  }
  for (; i < length; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

export const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
export const sha256File = (path: string): string => sha256(readFileSync(path));

export interface ChunkOptions {
  range?: string;
  videoId?: string;
  fileName?: string;
  /** Put the videoId field after the file part (as some clients do). */
  videoIdLast?: boolean;
  /** Field name of the file part; default `file`. */
  field?: string;
}

/** Sends one `/upload` chunk as multipart/form-data. */
export function sendChunk(
  api: Pick<TestApi, 'url'>,
  token: string | undefined,
  data: Uint8Array,
  options: ChunkOptions = {},
): Promise<Response> {
  const form = new FormData();
  const file = new Blob([data as Uint8Array<ArrayBuffer>], { type: 'video/mp4' });
  if (options.videoId && !options.videoIdLast) form.append('videoId', options.videoId);
  form.append(options.field ?? 'file', file, options.fileName ?? 'clip.mp4');
  if (options.videoId && options.videoIdLast) form.append('videoId', options.videoId);
  const headers: Record<string, string> = {};
  if (options.range) headers['content-range'] = options.range;
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  return fetch(`${api.url}/upload${query}`, { method: 'POST', body: form, headers });
}

export async function createToken(api: TestApi, ttl = 0): Promise<string> {
  const response = await api.authed('/upload-tokens', { method: 'POST', body: JSON.stringify({ ttl }) });
  if (response.status !== 200) throw new Error(`token: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

export async function expectVideo(response: Response, status = 201): Promise<Video> {
  if (response.status !== status)
    throw new Error(`expected ${status}, got ${response.status}: ${await response.text()}`);
  return (await response.json()) as Video;
}

/** Splits data into parts of `size` bytes (the last one shorter). */
export function split(data: Buffer, size: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += size) parts.push(data.subarray(offset, offset + size));
  return parts;
}
