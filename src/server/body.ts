import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { problems } from './problem.js';

export const DEFAULT_MAX_JSON_BODY = 64 * 1024;

/** Collects a body of at most `limit` bytes; undefined once it grows past the limit (reading stops there). */
export function collect(incoming: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        incoming.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (): void => {
      cleanup();
      // The client went away (or timed out) before its body was complete: a client error, not ours.
      reject(problems.invalidPayload('The request ended before its body was complete.'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
  });
}

/** Reads a JSON object body within `limit` bytes; an empty body is `{}`. */
export async function readJsonObject(c: Context, limit: number): Promise<Record<string, unknown>> {
  const declared = Number(c.req.header('content-length') ?? '0');
  const tooLarge = (): never => {
    // The rest of the body is skipped briefly, then the connection closes (app.ts `listen`). Closing
    // at once would make the client's kernel drop the answer on the reset that its next bytes cause.
    throw problems.payloadTooLarge(limit);
  };
  if (declared > limit) tooLarge();
  // On node:http, read the socket stream directly: the web-stream wrapper costs more than the rest of the request.
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const buffer = incoming
    ? await collect(incoming, limit)
    : Buffer.from(await c.req.arrayBuffer());
  if (!buffer || buffer.length > limit) return tooLarge();
  if (buffer.length === 0) return {};
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
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
