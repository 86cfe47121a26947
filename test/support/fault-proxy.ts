/**
 * A fault-injecting HTTP proxy on loopback, for upload tests: it forwards to a target server and,
 * by rule, resets connections mid-body, answers 503 or 429 (with Retry-After), stalls, adds latency,
 * or caps bandwidth. Synthetic answers carry CORS headers, so browsers see them as real responses.
 * Reusable from node tests directly and from browser tests through web-test-runner server commands.
 *
 * Refusals (4xx and 5xx answers) that come before the request body has all arrived are, by default,
 * handed on as most proxies do: the rest of the body is read into nothing, then the answer is sent, so
 * every browser reads it. With `refusals: 'close'` the proxy answers at once and closes the connection
 * while the body is still coming, as some servers and proxies do: Firefox and WebKit then report a
 * network error (status 0) instead of the answer, Chromium usually the answer.
 */
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type FaultAction =
  /** Destroys the connection after reading `afterBytes` of the request body. */
  | { type: 'reset'; afterBytes?: number }
  /** Reads the whole body, then answers `status` with these headers (e.g. `Retry-After`). */
  | { type: 'status'; status: number; headers?: Record<string, string>; body?: string }
  /** Reads `afterBytes` of the body, then neither reads nor answers until the client gives up (or `ms`). */
  | { type: 'stall'; afterBytes?: number; ms?: number }
  /** Delays forwarding by `ms`. */
  | { type: 'delay'; ms: number }
  /** Forwards the request, lets the target answer, then drops the connection instead of relaying the answer. */
  | { type: 'drop' };

export interface FaultRule {
  /** Method to match; default any method but OPTIONS (preflights pass). */
  method?: string;
  /** Path prefix to match, without the query; default any. */
  path?: string;
  /** Matches `Content-Range: part N/…` with this N. */
  part?: number;
  /** Skip this many matching requests before acting; default 0. */
  skip?: number;
  /** Act on this many matching requests; default 1; 0 for every one. */
  times?: number;
  action: FaultAction;
}

export interface FaultConfig {
  rules?: FaultRule[];
  /**
   * What the proxy does with a refusal (status ≥ 400, forwarded or injected) that comes before the
   * request body has all arrived: `drain` (default) reads the rest of the body, then answers; `close`
   * answers at once and closes the connection without reading the rest.
   */
  refusals?: 'drain' | 'close';
  /** Added to every forwarded request. */
  latencyMs?: number;
  /** Cap on request-body bytes per second, per request. */
  bandwidth?: number;
}

export interface ProxyLogEntry {
  method: string;
  path: string;
  contentRange: string | null;
  /** What the proxy did: `forward`, or the fault's type. */
  fault: string;
  /** The status sent back, or 0 for a reset/stalled connection. */
  status: number;
  bodyBytes: number;
  /** The upload token the request carried (`?token=` or `Authorization: Bearer`), if any. */
  token: string | null;
  /** Why the forwarded request failed on the target's side (e.g. `ECONNRESET`), when it did; the proxy then answered 502 itself. */
  upstreamError?: string;
  /** Milliseconds since the epoch when the request came in and when it ended. */
  startedAt: number;
  endedAt: number | null;
}

interface ActiveRule extends FaultRule {
  seen: number;
  acted: number;
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers':
    'Retry-After, X-RateLimit-Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, Date, X-Video-Id, Location, Upload-Offset',
};

export class FaultProxy {
  readonly target: URL;
  #server: Server | null = null;
  #rules: ActiveRule[] = [];
  #config: FaultConfig = {};
  #log: ProxyLogEntry[] = [];
  readonly #sockets = new Set<Socket>();
  url = '';

  constructor(target: string) {
    this.target = new URL(target);
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => this.#handle(req, res));
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    server.on('clientError', (_error, socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** Replaces the rules and limits, and clears the log. */
  configure(config: FaultConfig): void {
    this.#config = config;
    this.#rules = (config.rules ?? []).map((rule) => ({ ...rule, seen: 0, acted: 0 }));
    this.#log = [];
  }

  get log(): ProxyLogEntry[] {
    return [...this.#log];
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  #match(req: IncomingMessage): ActiveRule | null {
    const path = (req.url ?? '/').split('?')[0];
    const range = req.headers['content-range'];
    const part = typeof range === 'string' ? /^part (\d+)\//.exec(range)?.[1] : undefined;
    for (const rule of this.#rules) {
      if (rule.method ? rule.method.toUpperCase() !== req.method : req.method === 'OPTIONS') continue;
      if (rule.path && !path.startsWith(rule.path)) continue;
      if (rule.part !== undefined && Number(part) !== rule.part) continue;
      rule.seen++;
      if (rule.seen <= (rule.skip ?? 0)) continue;
      const times = rule.times ?? 1;
      if (times !== 0 && rule.acted >= times) continue;
      rule.acted++;
      return rule;
    }
    return null;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const entry: ProxyLogEntry = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0],
      contentRange: typeof req.headers['content-range'] === 'string' ? req.headers['content-range'] : null,
      fault: 'forward',
      status: 0,
      bodyBytes: 0,
      token:
        new URL(req.url ?? '/', 'http://x').searchParams.get('token') ??
        /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1] ??
        null,
      startedAt: Date.now(),
      endedAt: null,
    };
    res.on('close', () => {
      entry.endedAt = Date.now();
    });

    this.#log.push(entry);
    req.on('error', () => {});
    res.on('error', () => {});
    const rule = this.#match(req);
    const action = rule?.action;
    if (action) entry.fault = action.type;
    req.on('data', (chunk: Buffer) => {
      entry.bodyBytes += chunk.length;
    });

    if (action?.type === 'reset' || action?.type === 'stall') {
      const after = action.afterBytes ?? 0;
      const act = (): void => {
        if (action.type === 'reset') {
          req.socket.destroy();
          return;
        }
        req.pause();
        if (action.ms) setTimeout(() => req.socket.destroy(), action.ms);
      };
      if (after <= 0) act();
      else {
        let seen = 0;
        const onData = (chunk: Buffer): void => {
          seen += chunk.length;
          if (seen >= after) {
            req.off('data', onData);
            act();
          }
        };
        req.on('data', onData);
        req.on('end', () => {
          if (seen < after) act();
        });
      }
      return;
    }
    if (action?.type === 'status') {
      const answer = (): void => {
        entry.status = action.status;
        res.writeHead(action.status, {
          ...CORS_HEADERS,
          'content-type': 'application/problem+json',
          ...(action.headers ?? {}),
        });
        res.end(
          action.body ??
            JSON.stringify({
              type: 'https://docs.api.video/reference/fault',
              title: `Injected ${action.status}.`,
              status: action.status,
            }),
        );
      };
      if (this.#config.refusals === 'close' && action.status >= 400 && !req.readableEnded) {
        entry.fault = 'status-close';
        this.#answerAndClose(req, res, answer);
        return;
      }
      req.resume();
      req.on('end', answer);
      return;
    }
    const delay = (this.#config.latencyMs ?? 0) + (action?.type === 'delay' ? action.ms : 0);
    if (delay > 0) {
      req.pause();
      setTimeout(() => this.#forward(req, res, entry, action?.type === 'drop'), delay);
    } else this.#forward(req, res, entry, action?.type === 'drop');
  }

  /** Answers before the body has all arrived, then closes the connection without reading the rest. */
  #answerAndClose(req: IncomingMessage, res: ServerResponse, answer: () => void): void {
    req.pause();
    res.shouldKeepAlive = false;
    res.once('finish', () => req.socket.destroy());
    answer();
  }

  #forward(req: IncomingMessage, res: ServerResponse, entry: ProxyLogEntry, drop = false): void {
    // Set once the target refused the request before its body had all arrived: the body then goes nowhere.
    let refused = false;
    const upstream = httpRequest(
      {
        host: this.target.hostname,
        port: this.target.port,
        method: req.method,
        path: req.url,
        // The Host stays the proxy's, so URLs the server builds (tus Location) lead back through it.
        headers: req.headers,
      },
      (answer) => {
        entry.status = answer.statusCode ?? 0;
        if (drop) {
          // The target did the work; the client never hears of it.
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        const status = answer.statusCode ?? 502;
        if (status >= 400 && !req.readableEnded) {
          refused = true;
          req.unpipe(upstream);
          // The target has said all it will: its side of the request goes.
          answer.once('end', () => upstream.destroy());
          entry.fault = this.#config.refusals === 'close' ? 'refusal-close' : 'refusal-drain';
          if (this.#config.refusals === 'close') {
            this.#answerAndClose(req, res, () => {
              res.writeHead(status, answer.headers);
              answer.pipe(res);
            });
            return;
          }
          // As most proxies do: the answer (a short problem body) waits until the client has sent its body.
          const held: Buffer[] = [];
          let answered = false;
          let bodyDone = false;
          const send = (): void => {
            if (!answered || !bodyDone || res.headersSent) return;
            res.writeHead(status, answer.headers);
            res.end(Buffer.concat(held));
          };
          answer.on('data', (chunk: Buffer) => held.push(chunk));
          answer.on('end', () => {
            answered = true;
            send();
          });
          req.on('end', () => {
            bodyDone = true;
            send();
          });
          req.resume();
          return;
        }
        res.writeHead(status, answer.headers);
        answer.pipe(res);
      },
    );
    let upstreamFailed = false;
    // Set when the client went away first: the upstream request is then torn down by the proxy itself,
    // and the entry keeps status 0 (nobody was answered) instead of a 502 nobody saw.
    let clientGone = false;
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      upstreamFailed = true;
      entry.upstreamError = error.code ?? error.message;
      if (clientGone || refused) return;
      if (!res.headersSent) {
        entry.status = 502;
        res.writeHead(502, { ...CORS_HEADERS, connection: 'close' });
        res.end();
        // As a gateway does: read the rest of the body into nothing, so the client gets to see the 502.
        req.resume();
      } else res.destroy();
    });
    req.on('aborted', () => {
      clientGone = true;
      upstream.destroy();
    });
    res.on('close', () => {
      if (res.writableFinished) return;
      clientGone = true;
      upstream.destroy();
    });
    // A body-less request (a preflight) may have ended while it waited out the latency: nothing left to pipe.
    if (req.readableEnded) {
      upstream.end();
      return;
    }
    const bandwidth = this.#config.bandwidth;
    if (!bandwidth) {
      req.pipe(upstream);
      req.resume();
      return;
    }
    // Pace the body: after each chunk, wait until the budget allows the bytes sent so far.
    const started = Date.now();
    let sent = 0;
    req.on('data', (chunk: Buffer) => {
      if (upstreamFailed || refused) return;
      sent += chunk.length;
      const ok = upstream.write(chunk);
      const due = started + (sent / bandwidth) * 1000 - Date.now();
      if (due > 0 || !ok) {
        req.pause();
        const go = (): void => {
          req.resume();
        };
        if (!ok) upstream.once('drain', () => setTimeout(go, Math.max(0, due)));
        else setTimeout(go, due);
      }
    });
    req.on('end', () => {
      if (!refused) upstream.end();
    });
    req.resume();
  }
}
