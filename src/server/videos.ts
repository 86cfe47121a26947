/**
 * The Videos resource (management routes with the API key), the ingest status, and the playback
 * assets: `assets.mp4` serves the uploaded source with Range support, `assets.player` a bare page.
 */
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Metadata, Video } from '../protocol/index.js';
import { requireApiKey } from './auth.js';
import { DEFAULT_MAX_JSON_BODY, readJsonObject } from './body.js';
import type { ApiContext, App } from './context.js';
import type { Ingest } from './ingest.js';
import { buildPagination, parsePageQuery } from './pagination.js';
import { problems } from './problem.js';
import { MAX_TITLE } from '../protocol/title.js';
import { TUS_UPLOAD_ID, VIDEO_ID_PATTERN, type NewVideo, type VideoRecord, type VideoSortBy } from './video-store.js';

const SORT_FIELDS: readonly VideoSortBy[] = ['createdAt', 'updatedAt', 'title'];
const MAX_DESCRIPTION = 8192;
const MAX_TAGS = 64;
const MAX_METADATA = 64;

/** Origin used in asset URLs: the configured public URL, else the one the request came to. */
export function originOf(ctx: ApiContext, requestUrl: string): string {
  return (ctx.options.publicUrl ?? new URL(requestUrl).origin).replace(/\/+$/, '');
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function toVideo(record: VideoRecord, origin: string): Video {
  const vod = `${origin}/vod/${record.id}`;
  return {
    videoId: record.id,
    title: record.title,
    description: record.description,
    public: record.public,
    panoramic: record.panoramic,
    mp4Support: record.mp4Support,
    tags: record.tags,
    metadata: record.metadata,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    publishedAt: iso(record.publishedAt),
    source: { type: 'upload', uri: `/videos/${record.id}/source` },
    assets: {
      iframe: `<iframe src="${vod}/player" width="100%" height="100%" frameborder="0" scrolling="no" allowfullscreen=""></iframe>`,
      player: `${vod}/player`,
      hls: `${vod}/hls/manifest.m3u8`,
      thumbnail: `${vod}/thumbnail.jpg`,
      mp4: `${vod}/mp4/source.mp4`,
    },
  };
}

function validateNewVideo(body: Record<string, unknown>): NewVideo {
  const { title, description, tags, metadata, panoramic, mp4Support } = body;
  if (typeof title !== 'string' || title.trim() === '' || title.length > MAX_TITLE) {
    throw problems.invalidAttribute('title', `title must be a non-empty string of at most ${MAX_TITLE} characters.`);
  }
  if (description !== undefined && (typeof description !== 'string' || description.length > MAX_DESCRIPTION)) {
    throw problems.invalidAttribute(
      'description',
      `description must be a string of at most ${MAX_DESCRIPTION} characters.`,
    );
  }
  for (const name of ['public', 'panoramic', 'mp4Support'] as const) {
    if (body[name] !== undefined && typeof body[name] !== 'boolean')
      throw problems.invalidAttribute(name, `${name} must be a boolean.`);
  }
  if (
    tags !== undefined &&
    (!Array.isArray(tags) || tags.length > MAX_TAGS || !tags.every((t) => typeof t === 'string' && t.length <= 256))
  ) {
    throw problems.invalidAttribute('tags', `tags must be a list of at most ${MAX_TAGS} strings.`);
  }
  const validMetadata = (m: unknown): m is Metadata =>
    typeof m === 'object' &&
    m !== null &&
    typeof (m as Metadata).key === 'string' &&
    typeof (m as Metadata).value === 'string';
  if (
    metadata !== undefined &&
    (!Array.isArray(metadata) || metadata.length > MAX_METADATA || !metadata.every(validMetadata))
  ) {
    throw problems.invalidAttribute(
      'metadata',
      `metadata must be a list of at most ${MAX_METADATA} {key, value} string pairs.`,
    );
  }
  return {
    title,
    description: description,
    public: body.public as boolean | undefined,
    panoramic: panoramic as boolean | undefined,
    mp4Support: mp4Support as boolean | undefined,
    tags: tags as string[] | undefined,
    metadata: metadata?.map(({ key, value }) => ({ key, value })),
  };
}

export function registerVideoRoutes(app: App, ctx: ApiContext, ingest: Ingest): void {
  const auth = requireApiKey(ctx);
  const limit = ctx.options.maxJsonBody ?? DEFAULT_MAX_JSON_BODY;
  const store = ingest.store;
  const find = (id: string): VideoRecord => {
    const video = VIDEO_ID_PATTERN.test(id) ? store.get(id) : undefined;
    if (!video) throw problems.notFound('videoId');
    return video;
  };

  app.post('/videos', auth, async (c) => {
    const input = validateNewVideo(await readJsonObject(c, limit));
    return c.json(toVideo(store.create(input), originOf(ctx, c.req.url)), 201);
  });

  app.get('/videos', auth, (c) => {
    const url = new URL(c.req.url);
    const query = parsePageQuery(url, SORT_FIELDS);
    const { items, total } = store.list({
      sortBy: query.sortBy,
      sortOrder: query.sortOrder,
      offset: (query.currentPage - 1) * query.pageSize,
      limit: query.pageSize,
    });
    const origin = originOf(ctx, c.req.url);
    return c.json({
      data: items.map((v) => toVideo(v, origin)),
      pagination: buildPagination(url, total, query.currentPage, query.pageSize, items.length),
    });
  });

  app.get('/videos/:videoId', auth, (c) => c.json(toVideo(find(c.req.param('videoId')), originOf(ctx, c.req.url))));

  app.delete('/videos/:videoId', auth, async (c) => {
    const video = find(c.req.param('videoId'));
    store.delete(video.id);
    await ingest.removeFiles(video.id);
    // A tus upload keeps a second link to the bytes for its HEAD answers; it goes with the video.
    if (video.tusUploadId && TUS_UPLOAD_ID.test(video.tusUploadId)) {
      for (const name of [video.tusUploadId, `${video.tusUploadId}.json`])
        await rm(join(ingest.files.tus, name), { force: true });
    }
    return c.body(null, 204);
  });

  app.get('/videos/:videoId/status', auth, (c) => c.json(ingest.status(find(c.req.param('videoId')))));

  app.all('/videos', () => {
    throw problems.methodNotAllowed();
  });
  app.all('/videos/:videoId', () => {
    throw problems.methodNotAllowed();
  });
  app.all('/videos/:videoId/status', () => {
    throw problems.methodNotAllowed();
  });

  const uploaded = (id: string): VideoRecord => {
    const video = VIDEO_ID_PATTERN.test(id) ? store.get(id) : undefined;
    if (!video || video.ingest !== 'uploaded') throw problems.notFound('videoId');
    return video;
  };

  // Playback is public, like the hosted service's vod URLs: whoever has the URL may play it.
  app.on(['GET', 'HEAD'], '/vod/:videoId/mp4/source.mp4', async (c) => {
    const video = uploaded(c.req.param('videoId'));
    const path = ingest.files.source(video.id);
    const size = (await stat(path)).size;
    const headers: Record<string, string> = {
      'content-type': 'video/mp4',
      'accept-ranges': 'bytes',
      'cache-control': 'public, max-age=3600',
      etag: `"${video.id}-${size}"`,
      'last-modified': new Date(video.updatedAt).toUTCString(),
    };
    const range = parseRange(c.req.header('range'), size);
    // A refusal like the others: a problem body, with the size the client may ask within.
    if (range === 'unsatisfiable') throw problems.rangeNotSatisfiable(size);
    const [start, end] = range ?? [0, size - 1];
    const length = size === 0 ? 0 : end - start + 1;
    Object.assign(headers, { 'content-length': String(length) });
    if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    const status = range ? 206 : 200;
    if (c.req.method === 'HEAD' || length === 0) return c.body(null, status, headers);
    const stream = Readable.toWeb(createReadStream(path, { start, end })) as ReadableStream<Uint8Array>;
    return c.body(stream, status, headers);
  });

  app.get('/vod/:videoId/player', (c) => {
    const video = uploaded(c.req.param('videoId'));
    const mp4 = toVideo(video, originOf(ctx, c.req.url)).assets.mp4;
    const title = video.title.replace(/[<>&"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
    return c.html(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
        '<style>html,body{margin:0;height:100%;background:#000}video{width:100%;height:100%}</style></head>' +
        `<body><video src="${mp4}" controls playsinline aria-label="${title}"></video></body></html>`,
    );
  });
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
