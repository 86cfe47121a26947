/**
 * Playback assets, at api.video's URL shapes: `/vod/{id}/mp4/source.mp4` (the uploaded source, with
 * Range support), `/vod/{id}/thumbnail.jpg`, `/vod/{id}/hls/manifest.m3u8` and its segments, and
 * `/vod/{id}/player`. A private video's assets answer only under a private token: `/vod/{id}/token/{t}/…`
 * (the player: `?token=`); without one they are refused with a 404 problem, as the service does.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Context } from 'hono';
import type { ApiContext, App, AppEnv } from './context.js';
import type { Ingest } from './ingest.js';
import type { MediaStore } from './media-store.js';
import { customThumbnailPath, hlsDir, thumbnailPath } from './media-worker.js';
import { checkPrivateToken } from './private-tokens.js';
import { problem, problems } from './problem.js';
import { toVideo, originOf } from './video-json.js';
import { VIDEO_ID_PATTERN, type VideoRecord } from './video-store.js';

const SEGMENT = /^segment[0-9]{4}\.ts$/;

const notReady = (what: string): ProblemError =>
  problem('media-not-ready', 404, `The ${what} is not ready yet.`, {
    detail: 'The video is still being uploaded or processed; ask again shortly.',
  });
const noFfmpeg = (what: string): ProblemError =>
  problem('media-unavailable', 501, `The ${what} is not available: ffmpeg is not installed on the server.`, {
    detail: 'Install ffmpeg on the machine that runs the local video API (or pass its path), then restart it.',
  });
const failed = (what: string, detail: string | null): ProblemError =>
  problem('media-failed', 422, `The ${what} could not be made from this video.`, detail ? { detail } : {});

type ProblemError = ReturnType<typeof problem>;

export function registerVodRoutes(app: App, ctx: ApiContext, ingest: Ingest, media: MediaStore): void {
  const files = ingest.files;

  /** The video an asset request is for, once its privacy is satisfied. */
  const video = (c: Context<AppEnv>): VideoRecord => {
    const id = c.req.param('videoId') ?? '';
    const record = VIDEO_ID_PATTERN.test(id) ? ingest.store.get(id) : undefined;
    if (!record) throw problems.notFound('videoId');
    if (!record.public) {
      const token = c.req.param('token') ?? c.req.query('token');
      if (!checkPrivateToken(ctx.signingKey, record.id, token, ctx.now())) {
        throw problem('resource-not-found', 404, 'The requested resource was not found.', {
          name: 'token',
          detail: 'This video is private: use the asset URLs (with their private token) of a fresh read of the video.',
        });
      }
    }
    return record;
  };

  const mp4 = async (c: Context<AppEnv>): Promise<Response> => {
    const record = video(c);
    if (record.ingest !== 'uploaded' || !record.mp4Support) throw problems.notFound('videoId');
    return serveFile(c, files.source(record.id), 'video/mp4', `"${record.id}-source"`, record.updatedAt);
  };

  const thumbnail = async (c: Context<AppEnv>): Promise<Response> => {
    const record = video(c);
    const state = media.get(record.id);
    if (state?.customThumbnail) {
      return serveFile(c, customThumbnailPath(files, record.id), state.customThumbnail, undefined, record.updatedAt);
    }
    if (state?.state === 'unavailable') throw noFfmpeg('thumbnail');
    const path = thumbnailPath(files, record.id);
    if (await exists(path)) return serveFile(c, path, 'image/jpeg', undefined, record.updatedAt);
    if (state?.state === 'failed') throw failed('thumbnail', state.detail);
    throw notReady('thumbnail');
  };

  /** 202 with no body while the rendition is being made: what api.video's uploader polls for `onPlayable`. */
  const manifest = async (c: Context<AppEnv>): Promise<Response> => {
    const record = video(c);
    const state = media.get(record.id);
    if (state?.state === 'unavailable') throw noFfmpeg('HLS rendition');
    if (state?.state === 'failed') throw failed('HLS rendition', state.detail);
    const path = join(hlsDir(files, record.id), 'manifest.m3u8');
    if (state?.state !== 'encoded' || !(await exists(path))) {
      return c.body(null, 202, { 'retry-after': '1', 'cache-control': 'no-store' });
    }
    return serveFile(c, path, 'application/vnd.apple.mpegurl', undefined, record.updatedAt);
  };

  const segment = async (c: Context<AppEnv>): Promise<Response> => {
    const record = video(c);
    const name = c.req.param('segment') ?? '';
    if (!SEGMENT.test(name) || media.get(record.id)?.state !== 'encoded') throw problems.notFound('segment');
    const path = join(hlsDir(files, record.id), name);
    if (!(await exists(path))) throw problems.notFound('segment');
    return serveFile(c, path, 'video/mp2t', undefined, record.updatedAt);
  };

  const player = (c: Context<AppEnv>): Response => {
    const record = video(c);
    if (record.ingest !== 'uploaded') throw problems.notFound('videoId');
    const token = c.req.query('token');
    const assets = toVideo(record, originOf(ctx, c.req.url), record.public ? undefined : token).assets;
    const title = record.title.replace(/[<>&"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
    const src = assets.mp4 ?? assets.hls;
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
        '<style>html,body{margin:0;height:100%;background:#000}video{width:100%;height:100%}</style></head>' +
        `<body><video src="${src}" poster="${assets.thumbnail}" controls playsinline aria-label="${title}"></video></body></html>`,
    );
  };

  for (const prefix of ['/vod/:videoId', '/vod/:videoId/token/:token']) {
    app.on(['GET', 'HEAD'], `${prefix}/mp4/source.mp4`, mp4);
    app.on(['GET', 'HEAD'], `${prefix}/thumbnail.jpg`, thumbnail);
    app.on(['GET', 'HEAD'], `${prefix}/hls/manifest.m3u8`, manifest);
    app.on(['GET', 'HEAD'], `${prefix}/hls/:segment`, segment);
  }
  app.get('/vod/:videoId/player', player);
  // A private token is its own viewing session here: the session token is the same.
  app.get('/vod/:videoId/token/:token/session', (c) => {
    video(c);
    return c.json({ session_token: c.req.param('token') });
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** A file with Range support; `etag` defaults to its size and time. */
async function serveFile(
  c: Context<AppEnv>,
  path: string,
  type: string,
  etag: string | undefined,
  modified: number,
): Promise<Response> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw problems.notFound('file');
  const size = info.size;
  const headers: Record<string, string> = {
    'content-type': type,
    'accept-ranges': 'bytes',
    'cache-control': 'public, max-age=60',
    etag: etag ? etag.replace(/"$/, `-${size}"`) : `"${size}-${Math.floor(info.mtimeMs)}"`,
    'last-modified': new Date(Math.max(modified, info.mtimeMs)).toUTCString(),
  };
  const range = parseRange(c.req.header('range'), size);
  // A refusal like the others: a problem body, with the size the client may ask within.
  if (range === 'unsatisfiable') throw problems.rangeNotSatisfiable(size);
  const [start, end] = range ?? [0, size - 1];
  const length = size === 0 ? 0 : end - start + 1;
  headers['content-length'] = String(length);
  if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  const status = range ? 206 : 200;
  if (c.req.method === 'HEAD' || length === 0) return c.body(null, status, headers);
  const stream = Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream<Uint8Array>;
  return c.body(stream, status, headers);
}

/**
 * One `bytes=` range of an HTTP Range header; undefined (serve it all) when absent, not bytes, or
 * several ranges were asked for.
 */
export function parseRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first, last] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return undefined;
  return [start, end];
}
