/** Helpers of the issuer tests: a recorder of everything the issuer says, and real misbehaving upstreams. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Everything the issuer said across a test file: bodies, headers, log lines, error messages. */
export class Transcript {
  readonly entries: string[] = [];

  add(text: string): void {
    this.entries.push(text);
  }

  /** Reads a response whole, records its status line, headers and body, and returns them. */
  async read(response: Response): Promise<Seen> {
    const text = await response.text();
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
      this.add(`${name}: ${value}`);
    });
    this.add(`${response.status} ${response.statusText}`);
    this.add(text);
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers, text, json };
  }

  log = (line: string): void => this.add(line);
}

export interface Seen {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: any;
}

export interface Upstream {
  url: string;
  /** Requests received, with the Authorization header they carried. */
  requests: { method: string; url: string; authorization?: string }[];
  close(): Promise<void>;
}

/** A real loopback server whose behaviour a test picks. */
export async function startUpstream(
  behave: (req: IncomingMessage, res: ServerResponse, socket: Socket) => void,
): Promise<Upstream> {
  const sockets = new Set<Socket>();
  const requests: Upstream['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    behave(req, res, req.socket);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on. */
export async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
