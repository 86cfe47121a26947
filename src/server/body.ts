import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { readBody } from '../node/body.js';
import { problems } from './problem.js';

export const DEFAULT_MAX_JSON_BODY = 64 * 1024;

/** Reads a JSON object body within `limit` bytes; an empty body is `{}`. */
export async function readJsonObject(c: Context, limit: number): Promise<Record<string, unknown>> {
  const declared = Number(c.req.header('content-length') ?? '0');
  const tooLarge = (): never => {
    // The rest of the body is skipped briefly, then the connection closes (node/http.ts `lingerOnUnreadBody`). Closing
    // at once would make the client's kernel drop the answer on the reset that its next bytes cause.
    throw problems.payloadTooLarge(limit);
  };
  if (declared > limit) tooLarge();
  // On node:http, read the socket stream directly: the web-stream wrapper costs more than the rest of the request.
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const buffer = incoming
    ? await readBody(incoming, limit)
    : { body: Buffer.from(await c.req.arrayBuffer()), truncated: false };
  if (buffer.truncated || buffer.body.length > limit) return tooLarge();
  if (buffer.body.length === 0) return {};
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer.body);
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
