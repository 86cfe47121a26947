/**
 * node:http hardening shared by the local video API and the issuer's server: problem bodies for what
 * node:http would answer bare or not at all, early refusals that still reach the client, header
 * deadlines, and the listen address.
 */
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { PROBLEM_TYPE_BASE } from '../protocol/index.js';

/** A problem response written straight to a socket, for errors found before a request reaches a handler. */
export function rawProblem(status: number, slug: string, title: string, headers: Record<string, string> = {}): string {
  const body = JSON.stringify({ type: PROBLEM_TYPE_BASE + slug, title, status });
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/problem+json\r\n${extra}` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** The 408 written when a request stops arriving. */
export const timedOut = (headers: Record<string, string> = {}): string =>
  rawProblem(408, 'request-timeout', 'The request took too long to arrive.', headers);

/** Writes a last answer and closes the connection a few seconds later at most. */
export function answerAndClose(socket: Socket, response: string): void {
  // What the client still sends is read and dropped for a few seconds: closing at once would reset the
  // connection, and the client's kernel would drop the answer it has not read yet.
  socket.on('data', () => {});
  socket.resume();
  socket.end(response);
  setTimeout(() => socket.destroy(), 3_000).unref();
}

export const hasBody = (req: IncomingMessage): boolean =>
  (req.headers['content-length'] ?? '0') !== '0' || req.headers['transfer-encoding'] !== undefined;

/**
 * A request may be answered before its body is read (a refusal). The rest of the body is skipped
 * for a moment, so that the client sees the answer, then the connection goes: a body that never
 * ends is not read forever. A client that asked to close would otherwise be closed on at once,
 * and the reset that its next bytes cause would lose the answer: its connection is kept for that
 * moment too, and closed after it.
 */
export function lingerOnUnreadBody(req: IncomingMessage, res: ServerResponse): void {
  const socket = req.socket;
  if (hasBody(req) && !res.shouldKeepAlive) {
    res.shouldKeepAlive = true;
    res.once('finish', () => {
      if (req.complete) socket.end();
      else req.once('end', () => socket.end());
    });
  }
  res.once('finish', () => {
    if (!req.complete)
      setTimeout(() => {
        if (!req.complete) socket.destroy();
      }, 1_000).unref();
  });
}

function clientErrorResponse(code: string | undefined, headers: Record<string, string>): string {
  if (code === 'HPE_HEADER_OVERFLOW')
    return rawProblem(431, 'headers-too-large', 'The request headers are too large.', headers);
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return timedOut(headers);
  return rawProblem(400, 'malformed-request', 'The request is not valid HTTP.', headers);
}

/** Header deadlines: the headers must arrive within `headersMs`, checked every second (node's default is every 30 s). */
export function headerDeadlines(headersMs: number): { headersTimeout: number; connectionsCheckingInterval: number } {
  return { headersTimeout: headersMs, connectionsCheckingInterval: Math.min(1_000, headersMs) };
}

/**
 * Problem bodies, with `headers` (CORS, cache policy), for what node:http would otherwise answer by
 * itself, bare: requests it cannot parse, headers too large, the request timeout, CONNECT, an unknown
 * Expect. Returns the response each connection owes while its request is in progress.
 */
export function answerHttpErrors(
  server: Server,
  headers: Record<string, string> = {},
): WeakMap<Socket, ServerResponse> {
  const owed = new WeakMap<Socket, ServerResponse>();
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    owed.set(socket, res);
    res.once('close', () => {
      if (owed.get(socket) === res) owed.delete(socket);
    });
    lingerOnUnreadBody(req, res);
  });
  const refused = new WeakSet<Socket>();
  server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
    // The parser is gone: every later byte reports the error again. One answer is enough.
    if (refused.has(socket)) return;
    refused.add(socket);
    const refuse = (): void => {
      if (socket.writable) answerAndClose(socket, clientErrorResponse(error.code, headers));
      else socket.destroy();
    };
    // Answers owed to requests pipelined before the broken one go first; the refusal follows them.
    const res = owed.get(socket);
    if (res && !res.writableFinished) res.once('close', refuse);
    else refuse();
  });
  // Without these listeners node:http drops a CONNECT and answers an unknown Expect with a bare 417.
  const methodNotAllowed = rawProblem(405, 'method-not-allowed', 'Method is not allowed for this route.', headers);
  server.on('connect', (_req: IncomingMessage, socket: Socket) => answerAndClose(socket, methodNotAllowed));
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const body = JSON.stringify({
      type: PROBLEM_TYPE_BASE + 'expectation-failed',
      title: 'The Expect header cannot be met.',
      status: 417,
    });
    lingerOnUnreadBody(req, res);
    res.writeHead(417, {
      'content-type': 'application/problem+json',
      'content-length': Buffer.byteLength(body),
      ...headers,
    });
    res.end(body);
  });
  return owed;
}

/** Listens and resolves with the URL, e.g. `http://127.0.0.1:8787` or `http://[::1]:8787`. */
export async function listenOn(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return urlOf(server.address() as AddressInfo);
}

export function urlOf(address: AddressInfo): string {
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shown}:${address.port}`;
}

/** Stops listening and drops every connection; resolves once closed. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
