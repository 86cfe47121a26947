import type { Context } from 'hono';
import { problems } from './problem.js';

export const DEFAULT_MAX_JSON_BODY = 64 * 1024;

/** Reads a JSON object body within `limit` bytes; an empty body is `{}`. */
export async function readJsonObject(c: Context, limit: number): Promise<Record<string, unknown>> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > limit) throw problems.payloadTooLarge(limit);
  const body = c.req.raw.body;
  if (!body) return {};
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw problems.payloadTooLarge(limit);
    }
    chunks.push(value);
  }
  if (size === 0) return {};
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw problems.invalidPayload('The request body is not valid UTF-8.');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw problems.invalidPayload('The request body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw problems.invalidPayload('The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}
