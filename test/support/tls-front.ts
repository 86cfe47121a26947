/**
 * A TLS front on loopback before a plain-HTTP server: a throwaway self-signed certificate made with
 * `openssl`, and each connection's bytes piped to the server. api.video's own browser uploader builds its
 * URLs as `https://{apiHost}`; this lets it (and the test's browsers, told to accept the certificate) reach the local API.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import { tempDir } from './api.js';

export interface TlsFront {
  /** `127.0.0.1:<port>`, what api.video's uploader takes as `apiHost`. */
  host: string;
  /** `https://127.0.0.1:<port>`. */
  url: string;
  close(): void;
}

export async function startTlsFront(target: string): Promise<TlsFront> {
  const dir = tempDir('vu-tls-');
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const upstream = new URL(target);
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (socket) => {
      const to = connect(Number(upstream.port), upstream.hostname);
      socket.pipe(to).pipe(socket);
      socket.on('error', () => to.destroy());
      to.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { host, url: `https://${host}`, close: () => server.close() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
