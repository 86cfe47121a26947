/** Reading a request body from node:http within a limit. */
import type { IncomingMessage } from 'node:http';
import { problems } from '../protocol/problem.js';

export interface BodyRead {
  /** What arrived: at most the limit plus the one chunk that crossed it. */
  body: Buffer;
  /** The body grew past the limit; reading stopped there. */
  truncated: boolean;
}

/**
 * Collects a body up to `limit` bytes. Past it, reading stops (the stream is paused) and the read is
 * `truncated`. A client that goes away mid-body is a client error: the promise rejects with a 400 problem.
 */
export function readBody(incoming: IncomingMessage, limit: number): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        cleanup();
        incoming.pause();
        resolve({ body: Buffer.concat(chunks, size), truncated: true });
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ body: Buffer.concat(chunks, size), truncated: false });
    };
    const onError = (): void => {
      cleanup();
      reject(problems.invalidPayload('The request ended before its body was complete.'));
    };
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
  });
}
