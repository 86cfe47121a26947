/**
 * Upload connections: how many one client address may hold open at once, and the least a body must
 * deliver per window. A client that opens hundreds of uploads, or trickles a byte a minute (which no
 * silence timeout catches), would otherwise hold every socket the server has.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerAndClose, timedOut } from '../node/http.js';
import { PROBLEM_TYPE_BASE } from '../protocol/index.js';

export interface ConnectionLimits {
  /** Upload requests (`/upload`, tus, a video's source) one client address may have in progress. Default 32. */
  maxUploadsPerAddress?: number;
  /** Bytes an upload body must deliver in every `minRateWindowMs`, or it is answered 408 and closed. Default 16 KiB. */
  minRateBytes?: number;
  /** The window of `minRateBytes`, in milliseconds. Default 30 000. */
  minRateWindowMs?: number;
}

export const DEFAULT_CONNECTION_LIMITS: Required<ConnectionLimits> = {
  maxUploadsPerAddress: 32,
  minRateBytes: 16 * 1024,
  minRateWindowMs: 30_000,
};

/** Paths whose bodies are uploads: they take as long as they need, as long as they keep coming. */
export const UPLOAD_PATH = /^\/(upload|tus|videos\/[^/?]+\/source)(\/|\?|$)/;

export interface UploadConnections {
  /**
   * Called for every request to an upload path before anything reads it. Answers it itself (429, and
   * the connection closes) and returns false when its address already holds the most; otherwise
   * watches the body's rate until it has arrived, and returns true.
   */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  /** Upload requests in progress for an address. */
  count(address: string): number;
}

export function uploadConnections(
  limits: ConnectionLimits = {},
  headers: Record<string, string> = {},
): UploadConnections {
  const { maxUploadsPerAddress, minRateBytes, minRateWindowMs } = { ...DEFAULT_CONNECTION_LIMITS, ...limits };
  if (!Number.isInteger(maxUploadsPerAddress) || maxUploadsPerAddress < 1)
    throw new TypeError('connections.maxUploadsPerAddress must be a whole number ≥ 1.');
  if (!(minRateBytes >= 0) || !(minRateWindowMs > 0))
    throw new TypeError('connections.minRateBytes must be ≥ 0 and minRateWindowMs > 0.');
  const open = new Map<string, number>();
  const tooSlow = timedOut(headers);

  function refuse(res: ServerResponse): void {
    const body = JSON.stringify({
      type: PROBLEM_TYPE_BASE + 'too-many-upload-connections',
      title: 'Too many uploads from this address.',
      status: 429,
      detail: `At most ${maxUploadsPerAddress} uploads may be in progress from one address. Wait for one to finish.`,
    });
    res.writeHead(429, {
      ...headers,
      'content-type': 'application/problem+json',
      'content-length': Buffer.byteLength(body),
      'retry-after': '5',
      connection: 'close',
    });
    res.end(body);
  }

  /** Checks the bytes read off the socket every window; a body that stalls below the floor goes. */
  function watchRate(req: IncomingMessage, res: ServerResponse): void {
    if (minRateBytes === 0) return;
    const socket = req.socket;
    let seen = socket.bytesRead;
    const timer = setInterval(() => {
      if (req.complete || socket.destroyed) return stop();
      const now = socket.bytesRead;
      const delivered = now - seen;
      seen = now;
      // A paused socket is the server holding the body back (a slow disk), not the client.
      if (delivered >= minRateBytes || req.isPaused() || socket.isPaused()) return;
      stop();
      if (!res.headersSent && socket.writable) answerAndClose(socket, tooSlow);
      else socket.destroy();
    }, minRateWindowMs);
    timer.unref();
    function stop(): void {
      clearInterval(timer);
    }
    req.once('end', stop);
    res.once('close', stop);
  }

  return {
    admit(req, res) {
      const address = req.socket.remoteAddress ?? 'unknown';
      const held = open.get(address) ?? 0;
      if (held >= maxUploadsPerAddress) {
        refuse(res);
        return false;
      }
      open.set(address, held + 1);
      res.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left <= 0) open.delete(address);
        else open.set(address, left);
      });
      watchRate(req, res);
      return true;
    },
    count: (address) => open.get(address) ?? 0,
  };
}
