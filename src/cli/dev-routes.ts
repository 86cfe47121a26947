/**
 * What `video-uploader dev` adds to the local video API: a token issuer route for the demo pages,
 * a server-side list of videos, and the demo pages with the built element, all on one origin.
 * The API key stays here: the pages only ever see upload tokens.
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { createTokenIssuer, MAX_BODY_BYTES, type TokenIssuer } from '../issuer/index.js';
import { readBody } from '../node/body.js';
import type { ApiContext, App } from '../server/context.js';
import { problems } from '../server/problem.js';

export const ISSUER_PATH = '/api/upload-token';
export const VIDEOS_PATH = '/api/videos';
const VIDEOS_PAGE_SIZE = 12;
/** A fresh object per answer: the node adapter writes the body's Content-Length into the one it is given. */
const listHeaders = (): Record<string, string> => ({ 'content-type': 'application/json', 'cache-control': 'no-store' });

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.mp4': 'video/mp4',
};

export interface DevOptions {
  /** Folder of the demo pages. */
  demoDir: string;
  /** Folder of the built CDN bundle (served under /cdn/). */
  cdnDir: string;
  /** Origin the browser uploads to; resolved once the server listens. */
  publicUrl: () => string;
  /** Seconds each demo token lives. */
  ttl?: number;
  /**
   * Origins of other sites (a developer's own, on another port) that may ask the token route for
   * tokens and load the element's files from /cdn/. Normalized (`http://localhost:3000`).
   */
  allowedOrigins?: readonly string[];
  log?: (line: string) => void;
}

/**
 * Files served are listed once, at start: a request path is looked up in that list and never
 * joined onto a folder, so no request can reach a file outside it.
 */
function listFiles(dir: string, prefix: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) && TYPES[extname(name)] && statSync(path).isFile()) {
      files.set(prefix + name, path);
    }
  }
  return files;
}

export function registerDevRoutes(app: App, ctx: ApiContext, options: DevOptions): void {
  const files = new Map([...listFiles(options.demoDir, '/'), ...listFiles(options.cdnDir, '/cdn/')]);
  const index = files.get('/index.html');
  if (index) files.set('/', index);
  // Browsers that ignore the pages' SVG icon still ask for /favicon.ico.
  const icon = files.get('/favicon.svg');
  if (icon) files.set('/favicon.ico', icon);

  // The issuer calls the API in-process: same wire, no second socket.
  let issuer: TokenIssuer | undefined;
  const issue = (request: Request, clientAddress: string | undefined): Promise<Response> => {
    issuer ??= createTokenIssuer({
      apiKey: ctx.options.apiKey,
      apiUrl: 'http://video-api.internal',
      uploadUrl: options.publicUrl(),
      ttl: options.ttl ?? 900,
      rateLimit: { limit: 120, windowMs: 60_000 },
      // The video is made with the token: a first part sent again after a lost answer fills the same video.
      createVideo: true,
      fetch: async (input, init) => app.fetch(new Request(input, init)),
      allowedOrigins: options.allowedOrigins ?? [],
      log: options.log,
    });
    return issuer(request, { clientAddress });
  };
  app.on(['POST', 'OPTIONS'], ISSUER_PATH, async (c) => {
    const clientAddress = c.env.incoming.socket.remoteAddress;
    if (c.req.method !== 'POST') return issue(c.req.raw, clientAddress);
    // The body is read here, within the issuer's limit: cancelling the request stream past it, as
    // the issuer does, would tear the connection down under the 413. What crossed the limit
    // stands for a larger body, which the issuer then refuses; the rest is skipped by the server.
    const { body } = await readBody(c.env.incoming, MAX_BODY_BYTES);
    const headers = new Headers(c.req.raw.headers);
    headers.delete('content-length');
    headers.delete('transfer-encoding');
    return issue(
      new Request(c.req.url, { method: 'POST', headers, body: body.length > 0 ? new Uint8Array(body) : undefined }),
      clientAddress,
    );
  });
  app.all(ISSUER_PATH, () => {
    throw problems.methodNotAllowed();
  });

  app.get(VIDEOS_PATH, async (c) => {
    const url = new URL(c.req.url);
    const page = url.searchParams.get('currentPage') ?? '1';
    const authorization = `Basic ${Buffer.from(`${ctx.options.apiKey}:`).toString('base64')}`;
    const internal = async (path: string): Promise<Response> =>
      app.fetch(new Request(`http://video-api.internal${path}`, { headers: { authorization } }));
    const response = await internal(`/videos?pageSize=${VIDEOS_PAGE_SIZE}&currentPage=${encodeURIComponent(page)}`);
    // The list is rebuilt with this server's public origin in asset URLs (the internal call had none).
    const text = (await response.text()).replaceAll('http://video-api.internal', url.origin);
    if (!response.ok) return new Response(text, { status: response.status, headers: listHeaders() });
    // Each video says whether its file arrived whole, so the page can tell unfinished uploads apart.
    const list = JSON.parse(text) as { data: { videoId: string; ingest?: string }[] };
    await Promise.all(
      list.data.map(async (video) => {
        const status = (await (await internal(`/videos/${encodeURIComponent(video.videoId)}/status`)).json()) as {
          ingest?: { status?: string };
        };
        video.ingest = status.ingest?.status ?? 'missing';
      }),
    );
    return new Response(JSON.stringify(list), { status: 200, headers: listHeaders() });
  });

  // The element's files may be loaded by the allowed sites' pages (module scripts need CORS); the
  // demo pages themselves stay on this origin.
  const allowed = new Set(options.allowedOrigins ?? []);
  app.get('*', async (c, next) => {
    const pathname = new URL(c.req.url).pathname;
    const path = files.get(pathname);
    if (!path) return next();
    const headers: Record<string, string> = { 'content-type': TYPES[extname(path)], 'cache-control': 'no-cache' };
    if (pathname.startsWith('/cdn/')) {
      const origin = c.req.header('origin');
      if (origin && allowed.has(origin)) headers['access-control-allow-origin'] = origin;
      headers.vary = 'Origin';
    }
    return new Response(Readable.toWeb(createReadStream(path)) as ReadableStream, { headers });
  });
}
