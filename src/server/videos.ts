/**
 * The Videos resource (management routes with the API key): create, list with filters, show,
 * update, delete, and the ingest status. Uploads to a video are in `video-uploads.ts`, its
 * playback assets in `vod.ts`.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Metadata } from '../protocol/index.js';
import { requireApiKey } from './auth.js';
import { DEFAULT_MAX_JSON_BODY, readJsonObject } from './body.js';
import type { ApiContext, App } from './context.js';
import type { Ingest } from './ingest.js';
import type { MediaStore } from './media-store.js';
import { buildPagination, parsePageQuery } from './pagination.js';
import { problems, type ProblemItem } from './problem.js';
import { parseNewVideo, parseVideoPatch } from './video-input.js';
import { videoJson } from './video-json.js';
import { videoStatus } from './video-status.js';
import {
  TUS_UPLOAD_ID,
  VIDEO_ID_PATTERN,
  type VideoFilter,
  type VideoRecord,
  type VideoSortBy,
} from './video-store.js';

export { originOf, toVideo } from './video-json.js';

const SORT_FIELDS: readonly VideoSortBy[] = ['createdAt', 'publishedAt', 'updatedAt', 'title'];
const MAX_FILTER = 256;
const MAX_FILTER_ITEMS = 64;
const FILTERS = new Set([
  'title',
  'description',
  'liveStreamId',
  'tags[]',
  'sortBy',
  'sortOrder',
  'currentPage',
  'pageSize',
]);

/** `title`, `description`, `liveStreamId`, `tags[]` and `metadata[KEY]=VALUE`, as the official clients send them. */
function parseFilter(url: URL, found: ProblemItem[]): VideoFilter {
  const filter: VideoFilter = {};
  const tooLong = (name: string): void => {
    found.push({
      slug: 'request-invalid-query-parameter',
      title: 'A query parameter is invalid.',
      name,
      detail: `This value should not contain more than ${MAX_FILTER} characters.`,
    });
  };
  for (const name of ['title', 'description', 'liveStreamId'] as const) {
    const value = url.searchParams.get(name);
    if (value === null) continue;
    if (value.length > MAX_FILTER) tooLong(name);
    else filter[name] = value;
  }
  const tags = url.searchParams.getAll('tags[]');
  const metadata: Metadata[] = [];
  for (const [name, value] of url.searchParams) {
    const key = /^metadata\[([^\][]+)\]$/.exec(name)?.[1];
    if (key !== undefined) {
      if (value.length > MAX_FILTER || key.length > MAX_FILTER) tooLong(name);
      else metadata.push({ key, value });
    } else if (!FILTERS.has(name)) {
      found.push({
        slug: 'request-invalid-query-parameter',
        title: 'A query parameter is invalid.',
        name,
        detail: 'This field was not expected.',
      });
    }
  }
  if (tags.length > MAX_FILTER_ITEMS || tags.some((t) => t.length > MAX_FILTER)) tooLong('tags[]');
  else if (tags.length) filter.tags = tags;
  if (metadata.length > MAX_FILTER_ITEMS) tooLong('metadata');
  else if (metadata.length) filter.metadata = metadata;
  return filter;
}

export function registerVideoRoutes(app: App, ctx: ApiContext, ingest: Ingest, media: MediaStore): void {
  const auth = requireApiKey(ctx);
  const limit = ctx.options.maxJsonBody ?? DEFAULT_MAX_JSON_BODY;
  const store = ingest.store;
  const find = (id: string): VideoRecord => {
    const video = VIDEO_ID_PATTERN.test(id) ? store.get(id) : undefined;
    if (!video) throw problems.notFound('videoId');
    return video;
  };

  app.post('/videos', auth, async (c) => {
    const input = parseNewVideo(await readJsonObject(c, limit));
    return c.json(videoJson(ctx, store.create(input), c.req.url), 201);
  });

  app.get('/videos', auth, (c) => {
    const url = new URL(c.req.url);
    const found: ProblemItem[] = [];
    const filter = parseFilter(url, found);
    const query = parsePageQuery(url, SORT_FIELDS, found);
    const { items, total } = store.list({
      sortBy: query.sortBy,
      sortOrder: query.sortOrder,
      offset: (query.currentPage - 1) * query.pageSize,
      limit: query.pageSize,
      filter,
    });
    return c.json({
      data: items.map((v) => videoJson(ctx, v, c.req.url)),
      pagination: buildPagination(url, total, query.currentPage, query.pageSize, items.length),
    });
  });

  app.get('/videos/:videoId', auth, (c) => c.json(videoJson(ctx, find(c.req.param('videoId')), c.req.url)));

  app.patch('/videos/:videoId', auth, async (c) => {
    const video = find(c.req.param('videoId'));
    const patch = parseVideoPatch(await readJsonObject(c, limit));
    const updated = store.update(video.id, patch);
    if (!updated) throw problems.notFound('videoId');
    return c.json(videoJson(ctx, updated, c.req.url));
  });

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

  app.get('/videos/:videoId/status', auth, (c) => {
    const video = find(c.req.param('videoId'));
    return c.json(videoStatus(video, store.chunks(video.id), media.get(video.id)));
  });

  // Wrong methods are answered once the caller is known, with the methods the route takes.
  for (const [path, allow] of [
    ['/videos', 'GET, POST'],
    ['/videos/:videoId', 'GET, PATCH, DELETE'],
    ['/videos/:videoId/status', 'GET'],
  ] as const) {
    app.all(path, auth, () => {
      throw problems.methodNotAllowed(allow);
    });
  }
}
