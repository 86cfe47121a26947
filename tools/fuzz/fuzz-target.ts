/**
 * What the bad-input suite attacks, in its own process so that a crash shows: the local video API
 * with the dev routes (issuer route, videos list, demo and bundle files), and the token issuer
 * served alone by its node adapter in front of it. Prints one JSON line `{apiUrl, issuerUrl}` once
 * both listen; stops on SIGTERM or when stdin closes.
 *
 * Env: FUZZ_DATA_DIR, FUZZ_API_KEY, FUZZ_TIMEOUTS (JSON ServerTimeouts, optional).
 */
import { fileURLToPath } from 'node:url';
import { createTokenIssuer } from '../../src/issuer/index.js';
import { createNodeFetch, serveTokenIssuer } from '../../src/issuer/node.js';
import { startVideoApiServer, type ServerTimeouts } from '../../src/server/app.js';
import { registerDevRoutes } from '../../src/cli/dev-routes.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dataDir = process.env.FUZZ_DATA_DIR!;
const apiKey = process.env.FUZZ_API_KEY!;
const timeouts = process.env.FUZZ_TIMEOUTS ? (JSON.parse(process.env.FUZZ_TIMEOUTS) as ServerTimeouts) : undefined;

let publicUrl = '';
const api = await startVideoApiServer(
  // The fuzzer sends the key on many requests: the per-key limit must not turn them all into 429s.
  { apiKey, dataDir, port: 0, host: '127.0.0.1', timeouts, rateLimit: { limit: 10_000_000, windowMs: 60_000 } },
  (app, ctx) =>
    registerDevRoutes(app, ctx, {
      demoDir: `${root}demo`,
      cdnDir: `${root}dist/cdn`,
      publicUrl: () => publicUrl,
      ttl: 300,
    }),
);
publicUrl = api.url;

const issuer = createTokenIssuer({
  apiKey,
  apiUrl: api.url,
  fetch: createNodeFetch(),
  allowedOrigins: ['https://allowed.example'],
  maxTtl: 900,
  // A low limit, so that both sides of it are fuzzed; clients that vary X-Forwarded-For get their own window.
  rateLimit: { limit: 40, windowMs: 60_000 },
  // A careful site: the titles it makes from file names are ones the video API takes.
  authorize: (_request, file) => {
    if (file.fileName?.startsWith('deny')) return false;
    if (file.fileName?.startsWith('private'))
      return { ttl: 120, video: { title: file.fileName.slice(0, 200), public: false } };
    return true;
  },
  createVideo: (_request, file) =>
    file.fileType?.startsWith('video/') && file.fileName?.trim() ? { title: file.fileName.slice(0, 200) } : {},
});
const served = await serveTokenIssuer(issuer);

process.stdout.write(JSON.stringify({ apiUrl: api.url, issuerUrl: served.url }) + '\n');

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await served.close();
  await api.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
