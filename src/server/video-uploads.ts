/**
 * Uploads to a video named in the path, with the API key: `POST /videos/{id}/source` (the same
 * chunk ingest as `/upload`, through `acceptChunk`), and its thumbnail, sent as an image
 * (`POST /videos/{id}/thumbnail`) or picked from a frame (`PATCH /videos/{id}/thumbnail`).
 */
import busboy from 'busboy';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { requireApiKey } from './auth.js';
import { DEFAULT_MAX_JSON_BODY, readJsonObject } from './body.js';
import type { ApiContext, App } from './context.js';
import type { Ingest } from './ingest.js';
import type { MediaStore } from './media-store.js';
import { customThumbnailPath, type MediaWorker } from './media-worker.js';
import { problem, problemList, problems, type ProblemError } from './problem.js';
import { acceptChunk } from './upload.js';
import { videoJson } from './video-json.js';
import { VIDEO_ID_PATTERN, type VideoRecord } from './video-store.js';

/** The service's limit for a thumbnail. */
export const MAX_THUMBNAIL = 8 * 1024 * 1024;

const fileProblem = (slug: string, title: string, detail?: string): ProblemError =>
  problem(slug, 400, title, { name: 'file', ...(detail ? { detail } : {}) });
const noFile = (): ProblemError => fileProblem('uploaded-file-no-file', 'There is no uploaded file in the request.');

/** `hh:mm:ss`, `hh:mm:ss.ms`, `hh:mm:ss:frame` or whole seconds; undefined when malformed. */
export function parseTimecode(value: string): number | undefined {
  if (/^\d{1,7}$/.test(value)) return Number(value);
  const m = /^(\d{2,3}):([0-5]\d):([0-5]\d)(?:\.(\d{1,3})|:(\d{1,2}))?$/.exec(value);
  if (!m) return undefined;
  const fraction = m[4] ? Number(`0.${m[4]}`) : m[5] ? Number(m[5]) / 25 : 0;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + fraction;
}

/** The image type from its first bytes; the name and declared type are not trusted (Buffers arrive as `file`). */
function sniff(head: Buffer): string | undefined {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

export function registerVideoUploadRoutes(
  app: App,
  ctx: ApiContext,
  ingest: Ingest,
  media: MediaStore,
  worker: MediaWorker,
): void {
  const auth = requireApiKey(ctx);
  const limit = ctx.options.maxJsonBody ?? DEFAULT_MAX_JSON_BODY;
  const find = (id: string): VideoRecord => {
    const video = VIDEO_ID_PATTERN.test(id) ? ingest.store.get(id) : undefined;
    if (!video) throw problems.notFound('videoId');
    return video;
  };

  app.post('/videos/:videoId/source', auth, async (c) => {
    const video = find(c.req.param('videoId'));
    if (video.ingest === 'uploaded' && !c.req.header('content-range')) {
      throw problemList([
        { slug: 'video-source-already-uploaded', title: 'The source of the video is already uploaded.', name: 'file' },
        {
          slug: 'video-source-already-uploaded',
          title: `The video ${video.id} has already been uploaded.`,
          name: 'video',
        },
      ]);
    }
    return acceptChunk(c, ctx, ingest, { token: null, videoId: video.id });
  });

  app.post('/videos/:videoId/thumbnail', auth, async (c) => {
    const video = find(c.req.param('videoId'));
    if (!/^multipart\/form-data\b/i.test(c.req.header('content-type') ?? '')) throw noFile();
    await mkdir(ingest.files.dir(video.id), { recursive: true });
    const target = customThumbnailPath(ingest.files, video.id);
    const temp = `${target}.tmp`;
    try {
      const type = await receiveImage(c.env.incoming, temp);
      await rename(temp, target);
      media.setCustomThumbnail(video.id, type);
    } finally {
      await rm(temp, { force: true });
    }
    return c.json(videoJson(ctx, ingest.store.update(video.id, {}) ?? video, c.req.url));
  });

  app.patch('/videos/:videoId/thumbnail', auth, async (c) => {
    const video = find(c.req.param('videoId'));
    const body = await readJsonObject(c, limit);
    if (body.timecode === undefined) {
      throw problemList([{ slug: 'attribute-required', title: 'This attribute is required.', name: 'timecode' }]);
    }
    const seconds = typeof body.timecode === 'string' ? parseTimecode(body.timecode) : undefined;
    if (seconds === undefined) {
      throw problemList([
        {
          slug: 'invalid-attribute',
          title: 'An attribute is invalid.',
          name: 'timecode',
          detail: 'Use "hh:mm:ss", "hh:mm:ss.ms", "hh:mm:ss:frame" or a whole number of seconds.',
        },
      ]);
    }
    if (video.ingest !== 'uploaded') {
      throw problem('video-source-not-uploaded', 400, 'The video has no source yet.', {
        name: 'videoId',
        detail: 'Upload the video before picking a frame of it as the thumbnail.',
      });
    }
    if (!(await worker.available())) {
      throw problem(
        'media-unavailable',
        501,
        'Picking a thumbnail needs ffmpeg, which is not installed on the server.',
      );
    }
    try {
      await worker.pickThumbnail(video.id, seconds);
    } catch {
      throw problem('media-failed', 422, 'The thumbnail could not be made from this video.');
    }
    return c.json(videoJson(ctx, ingest.store.update(video.id, {}) ?? video, c.req.url));
  });

  for (const [path, allow] of [
    ['/videos/:videoId/source', 'POST'],
    ['/videos/:videoId/thumbnail', 'POST, PATCH'],
  ] as const) {
    app.all(path, auth, () => {
      throw problems.methodNotAllowed(allow);
    });
  }
}

/** Streams the one image file of a multipart body to `path`, at most 8 MiB; resolves with its type. */
function receiveImage(incoming: IncomingMessage, path: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: incoming.headers,
        limits: { files: 1, fields: 8, parts: 16, fileSize: MAX_THUMBNAIL },
      });
    } catch {
      reject(noFile());
      return;
    }
    let settled = false;
    let files = 0;
    let writing: Promise<string | undefined> | undefined;
    const fail = (error: ProblemError): void => {
      if (settled) return;
      settled = true;
      incoming.unpipe(parser);
      incoming.resume();
      reject(error);
    };
    parser.on('file', (_name, stream, _info) => {
      files++;
      let head = Buffer.alloc(0);
      let size = 0;
      let truncated = false;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (head.length < 12) head = Buffer.concat([head, chunk]).subarray(0, 12);
      });
      stream.on('limit', () => {
        truncated = true;
      });
      writing = pipeline(stream, createWriteStream(path)).then(() => {
        if (truncated)
          throw fileProblem(
            'uploaded-file-too-large',
            'The uploaded file is too large.',
            'A thumbnail holds at most 8 MiB.',
          );
        if (size === 0) throw fileProblem('uploaded-file-empty', 'The uploaded file is empty.');
        const type = sniff(head);
        if (!type) {
          throw fileProblem(
            'uploaded-file-extension-invalid',
            'Only [jpeg, jpg, png, webp] images are supported.',
            'Send a JPEG, PNG or WebP image.',
          );
        }
        return type;
      });
    });
    parser.on('filesLimit', () =>
      fail(fileProblem('uploaded-file-multiple-files', 'There is more than one uploaded file in the request.')),
    );
    parser.on('error', () => fail(noFile()));
    parser.on('close', () => {
      if (settled) return;
      if (files === 0 || !writing) {
        fail(noFile());
        return;
      }
      writing.then(
        (type) => {
          settled = true;
          resolve(type!);
        },
        (error: unknown) => fail(error instanceof Error && 'problem' in error ? (error as ProblemError) : noFile()),
      );
    });
    incoming.pipe(parser);
  });
}
