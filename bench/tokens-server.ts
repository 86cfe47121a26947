/**
 * The server side of bench/tokens.ts, in its own process so that the load generator has its own core:
 * a bare node:http handler (the baseline) and the local video API, on loopback.
 * `seed N` stores N tokens through the token store before serving.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startVideoApiServer } from '../src/server/app.js';

const dataDir = mkdtempSync(join(tmpdir(), 'vu-bench-'));
const apiKey = 'bench-api-key-0000000000';
const seed = Number(process.argv[2] ?? 0);

const bare = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.stringify({
      token: 'to0000000000000000000000',
      ttl: 60,
      createdAt: new Date().toISOString(),
      expiresAt: null,
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
});
await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));

const api = await startVideoApiServer({ apiKey, dataDir, rateLimit: { limit: 1e9, windowMs: 60_000 } });
if (seed > 0) {
  const db = api.api.ctx.db;
  const insert = db.prepare('INSERT INTO upload_tokens (token, ttl, created_at, expires_at) VALUES (?, ?, ?, ?)');
  const now = Date.now();
  db.transaction(() => {
    for (let i = 0; i < seed; i++) {
      const ttl = 3600 + (i % 97) * 60;
      insert.run(`to${String(i).padStart(22, '0')}`, ttl, now - seed + i, now - seed + i + ttl * 1000);
    }
  })();
}
process.stdout.write(
  JSON.stringify({ bare: `http://127.0.0.1:${(bare.address() as AddressInfo).port}`, api: api.url, apiKey }) + '\n',
);
process.stdin.on('end', () => {
  bare.close();
  void api.close().then(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
process.stdin.resume();
