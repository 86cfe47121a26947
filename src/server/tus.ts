/**
 * tus 1.0 at TUS_PATH (`@tus/server` over its file store, under `<dataDir>/tus`), with the creation,
 * creation-with-upload, termination and expiration extensions. The upload token travels in
 * `Authorization: Bearer TOKEN` and is checked on every request but OPTIONS (which browsers send
 * without credentials). A finished upload becomes a Video; its id is sent in `X-Video-Id` on the
 * response that finished it (whose body is the Video) and on every later HEAD of the upload.
 */
import { FileStore } from '@tus/file-store';
import { Server } from '@tus/server';
import { randomBytes } from 'node:crypto';
import { link, mkdir, statfs, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context } from 'hono';
import { HeaderNames, PROBLEM_TYPE_BASE, TUS_PATH } from '../protocol/index.js';
import type { ApiContext, App, AppEnv } from './context.js';
import type { Ingest } from './ingest.js';
import { ProblemError, problems } from './problem.js';
import { titleFromFileName } from '../protocol/title.js';
import { UNTITLED, TUS_UPLOAD_ID, VIDEO_ID_PATTERN, type VideoRecord } from './video-store.js';
import { videoJson } from './video-json.js';

/** Space kept free on the data directory's disk when sizing tus uploads. */
const DISK_RESERVE = 1024 ** 3;

/** Unfinished tus uploads are removed a day after their last write. */
const EXPIRATION_MS = 24 * 3600 * 1000;
const CLEANUP_INTERVAL_MS = 3600 * 1000;

/** The error shape `@tus/server` turns into a response when a hook throws it. */
const tusError = (status: number, problem: ProblemError): { status_code: number; body: string } => ({
  status_code: status,
  body: JSON.stringify(problem.problem),
});

export interface TusMount {
  close(): void;
}

export function registerTusRoutes(app: App, ctx: ApiContext, ingest: Ingest): TusMount {
  const { store, files } = ingest;
  const datastore = new FileStore({ directory: files.tus, expirationPeriodInMilliseconds: EXPIRATION_MS });
  const publicUrl = ctx.options.publicUrl?.replace(/\/+$/, '');
  const finishing = new Map<string, Promise<VideoRecord>>();

  /** Turns a finished upload into a Video once; a second call returns the same video. */
  const finish = (
    uploadId: string,
    size: number,
    metadata: Record<string, string | null> | undefined,
  ): Promise<VideoRecord> => {
    const running = finishing.get(uploadId);
    if (running) return running;
    const task = (async () => {
      const existing = store.byTusUpload(uploadId);
      if (existing) return existing;
      const wanted = metadata?.videoId;
      const video =
        (wanted && VIDEO_ID_PATTERN.test(wanted) ? store.get(wanted) : undefined) ??
        store.create({ title: titleFromFileName(metadata?.filename || metadata?.name, UNTITLED) });
      await mkdir(files.dir(video.id), { recursive: true });
      const source = files.source(video.id);
      // A hard link: the video keeps its bytes even when the tus upload is terminated or expires.
      await unlink(source).catch(() => {});
      await link(join(files.tus, uploadId), source);
      store.setTusUpload(video.id, uploadId);
      store.markUploaded(video.id, size);
      return store.get(video.id)!;
    })();
    finishing.set(uploadId, task);
    return task.finally(() => finishing.delete(uploadId));
  };

  const tus = new Server({
    path: TUS_PATH,
    datastore,
    maxSize: async () => {
      if (ctx.options.maxUploadSize !== undefined) return ctx.options.maxUploadSize;
      const disk = await statfs(files.tus);
      return Math.max(0, disk.bavail * disk.bsize - DISK_RESERVE);
    },
    namingFunction: () => randomBytes(16).toString('hex'),
    exposedHeaders: [HeaderNames.videoId],
    ...(publicUrl
      ? { generateUrl: (_req: unknown, { path, id }: { path: string; id: string }) => `${publicUrl}${path}/${id}` }
      : {}),
    onUploadCreate: async (_req, upload) => {
      const wanted = upload.metadata?.videoId;
      if (wanted) {
        // Filling a video created in advance (private, titled) by the issuer.
        const video = VIDEO_ID_PATTERN.test(wanted) ? store.get(wanted) : undefined;
        if (!video) throw tusError(404, problems.notFound('videoId'));
        if (video.ingest !== null) {
          throw tusError(
            400,
            problems.badRequest('video-source-already-uploaded', 'The source of the video is already uploaded.'),
          );
        }
      }
      return {};
    },
    onUploadFinish: async (req, upload) => {
      const video = await finish(upload.id, upload.size ?? upload.offset, upload.metadata);
      // The Video in the body too (tus clients ignore it): a PATCH answers 200 instead of 204 to carry it.
      return {
        ...(req.method === 'PATCH' ? { status_code: 200 } : {}),
        headers: { [HeaderNames.videoId]: video.id, 'Content-Type': 'application/json' },
        body: JSON.stringify(videoJson(ctx, video, req.url)),
      };
    },
  });

  const cleanup = setInterval(() => {
    tus.cleanUpExpiredUploads().catch((error: unknown) => console.error('video-uploader: tus cleanup failed', error));
  }, CLEANUP_INTERVAL_MS);
  cleanup.unref();

  const handle = async (c: Context<AppEnv>): Promise<Response> => {
    if (c.req.method !== 'OPTIONS') checkBearer(ctx, c.req.header('authorization'));
    const uploadId = c.req.param('uploadId');
    if (uploadId !== undefined && !TUS_UPLOAD_ID.test(uploadId)) throw problems.notFound('uploadId');
    const response = await asProblem(await tus.handleWeb(c.req.raw));
    if (uploadId !== undefined && c.req.method === 'HEAD' && response.ok) {
      const offset = response.headers.get('upload-offset');
      if (offset !== null && offset === response.headers.get('upload-length')) {
        // A finished upload whose video was not made (the process stopped in between) gets it now.
        const upload = await datastore.getUpload(uploadId);
        const video = await finish(uploadId, Number(offset), upload.metadata);
        response.headers.set(HeaderNames.videoId, video.id);
      }
    }
    return response;
  };
  app.all(TUS_PATH, handle);
  app.all(`${TUS_PATH}/:uploadId`, handle);

  return { close: () => clearInterval(cleanup) };
}

/**
 * `@tus/server` answers its own refusals in plain text: they become problem bodies like every other
 * error of the API. 501 (an extension this server does not announce, such as concatenation) is the
 * client's mistake and becomes 400, so that clients do not retry it as a server failure.
 */
async function asProblem(response: Response): Promise<Response> {
  if (response.status < 400 || /json/i.test(response.headers.get('content-type') ?? '')) return response;
  const text = (await response.text()).trim();
  const status = response.status === 501 ? 400 : response.status;
  const headers = new globalThis.Headers(response.headers);
  headers.delete('content-length');
  headers.set('content-type', 'application/problem+json');
  // The hooks' refusals already are problem bodies (see tusError), only without the content type.
  if (text.startsWith('{"type":')) return new Response(text, { status, headers });
  const problem = {
    type: `${PROBLEM_TYPE_BASE}${response.status === 501 ? 'tus-extension-not-supported' : 'tus-request-refused'}`,
    title: text.split('\n')[0].slice(0, 200) || 'The tus request was refused.',
    status,
  };
  return new Response(JSON.stringify(problem), { status, headers });
}

function checkBearer(ctx: ApiContext, header: string | undefined): void {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) {
    const missing = problems.uploadTokenMissing();
    throw new ProblemError({
      ...missing.problem,
      detail: 'Send the delegated upload token as `Authorization: Bearer TOKEN`.',
    });
  }
  if (!ctx.tokens.get(match[1])) throw problems.uploadTokenInvalid();
}
