/**
 * `POST /upload?token=TOKEN`: delegated upload ingest, wire-compatible with api.video.
 * The multipart body is streamed from the socket through busboy to disk; it is never held in memory.
 */
import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { HeaderNames, MAX_PARTS, MAX_UPLOAD_REQUEST } from '../protocol/index.js';
import { parseContentRange, type ChunkRange } from './content-range.js';
import type { Context } from 'hono';
import type { ApiContext, App, AppEnv } from './context.js';
import { ChunkTooLong, type ChunkTarget, type Ingest } from './ingest.js';
import { problems, uploadProblems } from './problem.js';
import { uploadGuardOf, type UploadGuard } from './quota.js';
import { VIDEO_ID_PATTERN } from './video-store.js';
import { addressOf, countRequest } from './rate-headers.js';
import { videoJson } from './video-json.js';

/** Room for the multipart boundaries and headers around a file part of the largest allowed size. */
const ENVELOPE = 64 * 1024;

export interface UploadOptions {
  /** Largest request body, in bytes. */
  maxRequest?: number;
}

export function registerUploadRoutes(app: App, ctx: ApiContext, ingest: Ingest, options: UploadOptions = {}): void {
  const maxRequest = options.maxRequest ?? MAX_UPLOAD_REQUEST;

  app.post('/upload', async (c) => {
    const token = c.req.query('token');
    const known = token ? ctx.tokens.get(token) : undefined;
    await countRequest(c, ctx, known ? `upload:${known.token}` : `upload-from:${addressOf(c)}`);
    if (!token) throw problems.uploadTokenMissing();
    if (!known) throw problems.uploadTokenInvalid();
    return acceptChunk(c, ctx, ingest, { token, maxRequest });
  });

  app.all('/upload', () => {
    throw problems.methodNotAllowed('POST');
  });
}

/** Whose chunk it is: a delegated upload's token, or (`/videos/{id}/source`) the video named in the path. */
export interface ChunkSender {
  token: string | null;
  videoId?: string;
  maxRequest?: number;
}

/**
 * The ingest of one chunk request, shared by `/upload` and `/videos/{id}/source` once the caller is
 * authenticated: Content-Range, the multipart body streamed to disk, the commit, `201` + the Video.
 */
export async function acceptChunk(
  c: Context<AppEnv>,
  ctx: ApiContext,
  ingest: Ingest,
  sender: ChunkSender,
): Promise<Response> {
  const maxRequest = sender.maxRequest ?? MAX_UPLOAD_REQUEST;
  const range = parseContentRange(c.req.header('content-range'));
  if (range === 'malformed') throw uploadProblems.malformedRange();
  if (range === 'zero-parts') throw uploadProblems.zeroParts();
  if (range === 'too-many-parts') throw uploadProblems.tooManyParts(MAX_PARTS);
  if (range === 'part-too-high-total') throw uploadProblems.partTooHighTotal();

  if (!/^multipart\/form-data\b/i.test(c.req.header('content-type') ?? '')) throw uploadProblems.notMultipart();
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxRequest + ENVELOPE) throw uploadProblems.requestTooLarge(maxRequest);

  // Quota and disk room are checked before the body is read; the reservation holds until the answer.
  const guard = uploadGuardOf(ctx);
  const token = sender.token ?? undefined;
  const admission = await guard.admit(token, c.req.header('content-length') ? declared : undefined);
  let video;
  try {
    const received = await receive(c.env.incoming, ingest, range, maxRequest, guard, token, sender.videoId);
    if (token) {
      received.videoId ??= await guard.resentVideo(
        token,
        received.fileName,
        range,
        received.size,
        received.target,
        ingest.files,
      );
    }
    try {
      video = await ingest.commit({ ...received, range, token: sender.token });
    } catch (error) {
      await ingest.discard(received.target);
      throw error;
    }
    admission.accept(received.size);
  } finally {
    admission.release();
  }
  return c.json(videoJson(ctx, video, c.req.url), 201, { [HeaderNames.videoId]: video.id });
}

interface Received {
  videoId: string | undefined;
  fileName: string;
  size: number;
  target: ChunkTarget;
}

/**
 * Reads the multipart body: the optional `videoId` field and exactly one file part, written to disk
 * as it arrives. Rejects with a ProblemError as soon as a rule is broken, without reading further
 * (the HTTP layer drains or closes the connection after the answer).
 */
function receive(
  incoming: IncomingMessage,
  ingest: Ingest,
  range: ChunkRange,
  maxRequest: number,
  guard: UploadGuard,
  token: string | undefined,
  /** The video named in the path: a `videoId` field is then ignored. */
  pathVideoId?: string,
): Promise<Received> {
  return new Promise<Received>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: incoming.headers,
        // Browsers and fetch send file names as raw UTF-8; busboy would read them as latin1.
        defParamCharset: 'utf8',
        // busboy reports the limit when it is reached, so one byte more lets a file of exactly maxRequest through.
        limits: { files: 1, fields: 16, parts: 32, fieldSize: 1024, headerPairs: 32, fileSize: maxRequest + 1 },
      });
    } catch (error) {
      reject(uploadProblems.malformedBody(error instanceof Error ? error.message : 'The body cannot be parsed.'));
      return;
    }

    let videoId = pathVideoId;
    let fileName = '';
    let file: Readable | undefined;
    let target: ChunkTarget | undefined;
    let writing: Promise<unknown> | undefined;
    let size: number | undefined;
    let parsed = false;
    let failed = false;
    let bytes = 0;

    const fail = (problem: unknown): void => {
      if (failed) return;
      failed = true;
      incoming.off('data', count);
      incoming.off('close', onClose);
      // Torn down on the next turn: busboy throws if destroyed from inside one of its own events.
      setImmediate(() => {
        // The parser goes first: busboy must not be fed once its file stream is gone.
        incoming.unpipe(parser);
        parser.removeAllListeners();
        parser.on('error', () => {});
        parser.destroy();
        file?.destroy();
        const settled = writing ?? Promise.resolve();
        void settled.then(() => (target ? ingest.discard(target) : undefined)).finally(() => reject(problem));
      });
    };

    const finish = (): void => {
      if (failed || !parsed) return;
      if (!file) {
        fail(uploadProblems.fileMissing());
        return;
      }
      // The file's bytes are still being placed or written.
      if (size === undefined || !target) return;
      incoming.off('close', onClose);
      if (size === 0) fail(uploadProblems.fileEmpty());
      else resolve({ videoId, fileName, size, target });
    };

    const count = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > maxRequest + ENVELOPE) fail(uploadProblems.requestTooLarge(maxRequest));
    };
    const onClose = (): void => {
      if (!incoming.complete) fail(uploadProblems.malformedBody('The request ended before its body was complete.'));
    };

    parser.on('field', (name, value) => {
      if (name !== 'videoId' || videoId !== undefined) return;
      // An unknown video is refused now, before its bytes are read.
      if (!VIDEO_ID_PATTERN.test(value) || !ingest.store.get(value)) {
        fail(problems.notFound('videoId'));
        return;
      }
      try {
        guard.claim(value, token);
      } catch (problem) {
        fail(problem);
        return;
      }
      videoId = value;
    });
    parser.on('file', (_name, stream, info) => {
      // Errors also reach the writer through its iterator; this listener only keeps them from being
      // unhandled, also on a part skipped below, which the teardown destroys with an error.
      stream.on('error', () => {});
      if (failed) {
        stream.resume();
        return;
      }
      file = stream;
      fileName = info.filename ?? '';
      stream.once('limit', () => fail(uploadProblems.requestTooLarge(maxRequest)));
      // A part whose earlier parts are still arriving waits a moment for its place (Ingest.placeSoon);
      // the file stream is not read meanwhile, so the connection holds its bytes.
      const planned = videoId !== undefined ? ingest.placeSoon(videoId, range) : Promise.resolve(undefined);
      writing = planned
        .then((direct) => {
          target = direct ?? ingest.tempTarget();
          // Failed while waiting: the teardown discards the target once this settles.
          return failed ? undefined : ingest.write(stream, target);
        })
        .then(
          (written) => {
            if (written === undefined) return;
            size = written;
            finish();
          },
          (error: unknown) => {
            if (error instanceof ChunkTooLong) fail(uploadProblems.rangeLength());
            else fail(uploadProblems.malformedBody('The upload was interrupted.'));
          },
        );
    });
    parser.on('filesLimit', () => fail(uploadProblems.tooManyFiles()));
    parser.on('fieldsLimit', () => fail(uploadProblems.malformedBody('The body has too many fields.')));
    parser.on('partsLimit', () => fail(uploadProblems.malformedBody('The body has too many parts.')));
    parser.on('error', (error: Error) => fail(uploadProblems.malformedBody(error.message)));
    parser.on('close', () => {
      parsed = true;
      finish();
    });

    incoming.on('data', count);
    incoming.on('close', onClose);
    incoming.pipe(parser);
  });
}
