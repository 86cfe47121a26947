/** Node-side helpers for upload tests: deterministic data, multipart chunks, hashes. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
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

/**
 * A chunk sent in two steps: the multipart head, the videoId and all but the last `holdBytes` bytes of
 * the file at once; the rest when `finish()` is called, which resolves with the answer.
 */
export function heldChunk(
  api: Pick<TestApi, 'url'>,
  token: string,
  data: Uint8Array,
  options: { range: string; videoId: string; holdBytes: number },
): { sent: Promise<void>; finish(): Promise<{ status: number; body: string }> } {
  const boundary = 'vu-held-chunk-boundary';
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="videoId"\r\n\r\n${options.videoId}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="clip.mp4"\r\n` +
    'Content-Type: video/mp4\r\n\r\n';
  const tail = `\r\n--${boundary}--\r\n`;
  const req = request(`${api.url}/upload?token=${encodeURIComponent(token)}`, {
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-range': options.range,
      'content-length': Buffer.byteLength(head) + data.length + Buffer.byteLength(tail),
    },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
  const split = data.length - options.holdBytes;
  req.write(head);
  const sent = new Promise<void>((resolve) => req.write(data.subarray(0, split), () => resolve()));
  return {
    sent,
    finish: () => {
      req.end(Buffer.concat([data.subarray(split), Buffer.from(tail)]));
      return answer;
    },
  };
}
