/**
 * The server side of bench/ingest.ts, one process per server so that each one's RSS is its own:
 * `bare` is a node:http handler that streams request bodies to a file, `api` is the local video API.
 * Prints one JSON line `{url, apiKey}`; then answers each `stats` line on stdin with `{rss, maxRss}` (bytes) and `cpuSeconds`.
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { startVideoApiServer } from '../src/server/app.js';

const mode = process.argv[2];
const dataDir = mkdtempSync(join(tmpdir(), `vu-bench-ingest-${mode}-`));
const apiKey = 'bench-api-key-0000000000';
let close: () => Promise<void>;
let url: string;

if (mode === 'bare') {
  mkdirSync(join(dataDir, 'bare'));
  // Every request body of one upload is appended to one file, deleted with DELETE once the round is
  // over: the same disk traffic as the API's source file, without any parsing.
  const fileOf = (url: string | undefined): string => {
    const upload = new URL(url ?? '/', 'http://x').searchParams.get('upload') ?? '';
    if (!/^[0-9]{1,6}$/.test(upload)) throw new Error('bad upload number');
    return join(dataDir, 'bare', upload);
  };
  const server = createServer((req, res) => {
    const path = fileOf(req.url);
    if (req.method === 'DELETE') {
      rmSync(path, { force: true });
      res.writeHead(204).end();
      return;
    }
    pipeline(req, createWriteStream(path, { flags: 'a' })).then(
      () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end('{}');
      },
      (error: Error) => {
        res.writeHead(500);
        res.end(error.message);
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((resolve) => server.close(() => resolve()));
} else {
  const running = await startVideoApiServer({ apiKey, dataDir, fsync: process.env.VIDEO_UPLOADER_FSYNC === '1' });
  url = running.url;
  close = running.close;
}

process.stdout.write(JSON.stringify({ url, apiKey }) + '\n');
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'stats') {
    const cpu = process.cpuUsage();
    const stats = {
      rss: process.memoryUsage.rss(),
      maxRss: process.resourceUsage().maxRSS * 1024,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
    process.stdout.write(JSON.stringify(stats) + '\n');
  }
});
lines.on('close', () => {
  void close().then(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
