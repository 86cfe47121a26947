/**
 * A fault-injecting HTTP proxy on loopback, for upload tests: it forwards to a target server and,
 * by rule, resets connections mid-body, answers 503 or 429 (with Retry-After), stalls, adds latency,
 * or caps bandwidth. Synthetic answers carry CORS headers, so browsers see them as real responses.
 * Reusable from node tests directly and from browser tests through web-test-runner server commands.
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
      req.resume();
      req.on('end', () => {
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
      });
      return;
    }
    const delay = (this.#config.latencyMs ?? 0) + (action?.type === 'delay' ? action.ms : 0);
    if (delay > 0) {
      req.pause();
      setTimeout(() => this.#forward(req, res, entry, action?.type === 'drop'), delay);
    } else this.#forward(req, res, entry, action?.type === 'drop');
  }

  #forward(req: IncomingMessage, res: ServerResponse, entry: ProxyLogEntry, drop = false): void {
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
        res.writeHead(answer.statusCode ?? 502, answer.headers);
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
      if (clientGone) return;
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
      if (upstreamFailed) return;
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
    req.on('end', () => upstream.end());
    req.resume();
  }
}
