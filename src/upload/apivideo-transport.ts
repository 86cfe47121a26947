import { HeaderNames, PROBLEM_TYPE_BASE, type Video } from '../protocol/index.js';
import { canceledError, errorFromResponse, problemType, UploadError } from './errors.js';
import { planParts } from './parts.js';
import { parseRetryAfter } from './retry.js';
import type { ResumeRecord } from './resume-store.js';
import type { Transport, TransportContext } from './transport.js';
import { ORIGIN_CLIENT } from './transport.js';
import { UnreadRefusalGuard } from './unread-refusal.js';
import { sendXhr } from './xhr.js';

/** The local video API's answer to a token writing into a video that another live token started. */
const VIDEO_HELD_BY_ANOTHER_TOKEN = PROBLEM_TYPE_BASE + 'video-bound-to-another-token';

/**
 * api.video's delegated upload: `POST {apiUrl}/upload?token=…`, multipart `file` (+ `videoId`),
 * `Content-Range: part N/M`. The first part creates the video; later parts name it. Parts are sent
 * one at a time, or up to `parallel` at once after the first.
 */
export class ApiVideoTransport implements Transport {
  #chunkSize = 0;
  #parts = 0;
  #videoId: string | null = null;
  #grantVideoId: string | null = null;
  readonly #done = new Set<number>();
  #createdAt: number | undefined;
  #fromRecord = false;
  #acceptedThisSession = 0;
  #lastVideo: Video | null = null;
  readonly #refusals = new UnreadRefusalGuard();

  async prepare(context: TransportContext): Promise<number> {
    const { file, apiUrl, grant, resume, options } = context;
    this.#grantVideoId = grant.videoId ?? null;
    const plan = planParts(file.size, options.chunkSize);
    this.#chunkSize = plan.chunkSize;
    this.#parts = plan.parts;
    this.#videoId = this.#grantVideoId;
    const record = options.resume ? resume?.get(file, apiUrl) : null;
    if (record && (!this.#grantVideoId || this.#grantVideoId === record.videoId) && record.done.length > 0) {
      this.#useRecord(record);
      if (record.grant) context.tokens.adopt(record.grant);
    }
    return this.#doneBytes(file.size);
  }

  #useRecord(record: ResumeRecord): void {
    this.#fromRecord = true;
    this.#chunkSize = record.chunkSize;
    this.#parts = record.parts;
    this.#videoId = record.videoId;
    this.#createdAt = record.createdAt;
    for (const part of record.done) this.#done.add(part);
  }

  #partSize(part: number, size: number): number {
    const start = (part - 1) * this.#chunkSize;
    return Math.max(0, Math.min(size, start + this.#chunkSize) - start);
  }

  #doneBytes(size: number): number {
    let bytes = 0;
    for (const part of this.#done) bytes += this.#partSize(part, size);
    return bytes;
  }

  get parts(): number {
    return this.#parts;
  }

  discard(context: Pick<TransportContext, 'file' | 'apiUrl' | 'resume'>): void {
    context.resume?.clear(context.file, context.apiUrl);
  }

  async run(context: TransportContext): Promise<Video> {
    const progress = context.progress(this.#parts);
    progress.setAccepted(this.#doneBytes(context.file.size));
    try {
      return await this.#runParts(context);
    } catch (error) {
      // A record for an upload the server no longer knows: start over once, with a new video.
      if (
        error instanceof UploadError &&
        error.code === 'protocol' &&
        this.#fromRecord &&
        this.#acceptedThisSession === 0 &&
        !context.signal.aborted
      ) {
        this.discard(context);
        this.#fromRecord = false;
        this.#done.clear();
        this.#videoId = this.#grantVideoId;
        this.#createdAt = undefined;
        const { chunkSize, parts } = planParts(context.file.size, context.options.chunkSize);
        this.#chunkSize = chunkSize;
        this.#parts = parts;
        progress.parts = parts;
        return await this.#runParts(context);
      }
      throw error;
    }
  }

  async #runParts(context: TransportContext): Promise<Video> {
    const { signal } = context;
    const queue: number[] = [];
    for (let part = 1; part <= this.#parts; part++) if (!this.#done.has(part)) queue.push(part);
    if (!this.#videoId && queue.length > 0) await this.#sendPart(context, queue.shift()!, signal);

    // Every worker shares one controller so that the first fatal error stops the others at once.
    const workers = new AbortController();
    const stop = (): void => workers.abort();
    signal.addEventListener('abort', stop, { once: true });
    let failure: unknown = null;
    const worker = async (): Promise<void> => {
      while (queue.length > 0 && !workers.signal.aborted) {
        const part = queue.shift()!;
        try {
          await this.#sendPart(context, part, workers.signal);
        } catch (error) {
          failure ??= error;
          workers.abort();
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(context.options.parallel, queue.length)) }, worker));
    } finally {
      signal.removeEventListener('abort', stop);
    }
    if (signal.aborted) throw canceledError();
    if (failure) throw failure;
    if (!this.#lastVideo) {
      throw new UploadError(
        'protocol',
        'Every part had already been accepted before this page load; the video cannot be fetched with an upload token.',
        { retryable: false },
      );
    }
    this.discard(context);
    return this.#lastVideo;
  }

  #sendPart(context: TransportContext, part: number, signal: AbortSignal): Promise<void> {
    // The token of an attempt whose network error may hide a refusal: the next attempt gets a fresh one.
    let suspect: string | null = null;
    return context.withRetries(async () => {
      let active = suspect
        ? await context.tokens.refreshAfterRejection(suspect, signal, true)
        : await context.tokens.get(signal);
      suspect = null;
      let refreshed = false;
      for (;;) {
        let result: 'ok' | 'unauthorized' | 'held-by-another-token';
        try {
          result = await this.#attempt(context, part, active.grant.token, signal);
        } catch (error) {
          if (this.#refusals.shouldRefresh(error, context.tokens)) suspect = active.grant.token;
          throw error;
        }
        if (result === 'held-by-another-token') {
          // A token fetched on a suspicion met a video still bound to the one it replaced: go back to that one.
          const previous = context.tokens.restoreSuspected(active.grant.token);
          if (!previous) {
            throw new UploadError(
              'unauthorized',
              `Part ${part} of ${this.#parts}: the video API refused the upload token (403: another upload token is writing this video).`,
              { status: 403, retryable: false },
            );
          }
          active = previous;
          continue;
        }
        if (result === 'unauthorized') {
          if (refreshed) {
            throw new UploadError(
              'unauthorized',
              `Part ${part} of ${this.#parts}: the video API refused a freshly fetched upload token (401).`,
              { status: 401, retryable: false },
            );
          }
          // Refresh once and resend the part; refreshAfterRejection throws `token-expired` for a static token.
          active = await context.tokens.refreshAfterRejection(active.grant.token, signal);
          refreshed = true;
          continue;
        }
        return;
      }
    }, signal);
  }

  async #attempt(
    context: TransportContext,
    part: number,
    token: string,
    signal: AbortSignal,
  ): Promise<'ok' | 'unauthorized' | 'held-by-another-token'> {
    const { file, apiUrl, options } = context;
    const progress = context.progress(this.#parts);
    const start = (part - 1) * this.#chunkSize;
    const size = this.#partSize(part, file.size);
    const form = new FormData();
    // videoId first, so the server knows the video before the file bytes stream in.
    if (this.#videoId) form.append('videoId', this.#videoId);
    form.append('file', file.slice(start, start + size, file.type), file.name);
    const url = `${apiUrl}/upload?token=${encodeURIComponent(token)}`;
    progress.partProgress(part, 0);
    let result;
    try {
      result = await sendXhr({
        method: 'POST',
        url,
        headers: {
          [HeaderNames.contentRange]: `part ${part}/${this.#parts}`,
          [HeaderNames.originClient]: ORIGIN_CLIENT,
        },
        body: form,
        signal,
        stallTimeout: options.stallTimeout,
        // XHR counts multipart bytes; scale to the file bytes of this part.
        onUploadProgress: (loaded, total) =>
          progress.partProgress(part, total > 0 ? Math.min(size, Math.floor((loaded * size) / total)) : 0),
      });
    } catch (error) {
      progress.partLost(part);
      if (error instanceof UploadError && error.code === 'network') {
        throw new UploadError('network', `Part ${part} of ${this.#parts}: ${error.message}`, {
          retryable: true,
          cause: error,
        });
      }
      throw error;
    }
    if (result.status === 401) {
      progress.partLost(part);
      return 'unauthorized';
    }
    if (result.status === 403 && problemType(result.body) === VIDEO_HELD_BY_ANOTHER_TOKEN) {
      progress.partLost(part);
      return 'held-by-another-token';
    }
    if (result.status < 200 || result.status >= 300) {
      progress.partLost(part);
      throw errorFromResponse(
        result.status,
        result.body,
        parseRetryAfter(result.header),
        `Part ${part} of ${this.#parts}`,
      );
    }
    let video: Video;
    try {
      video = JSON.parse(result.body) as Video;
      if (!video || typeof video.videoId !== 'string') throw new Error('no videoId');
    } catch {
      progress.partLost(part);
      throw new UploadError(
        'protocol',
        `Part ${part} of ${this.#parts}: the video API answered ${result.status} without a Video object.`,
        { status: result.status, retryable: false },
      );
    }
    if (this.#videoId && video.videoId !== this.#videoId) {
      progress.partLost(part);
      throw new UploadError(
        'protocol',
        `Part ${part} of ${this.#parts} landed in video ${video.videoId} instead of ${this.#videoId}.`,
        { status: result.status, retryable: false },
      );
    }
    this.#videoId = video.videoId;
    this.#lastVideo = video;
    this.#done.add(part);
    this.#acceptedThisSession++;
    this.#refusals.progressed();
    progress.partAccepted(part, size);
    if (options.resume && this.#done.size < this.#parts) {
      context.resume?.save(file, apiUrl, {
        videoId: video.videoId,
        chunkSize: this.#chunkSize,
        parts: this.#parts,
        done: [...this.#done],
        // A static token is the same after a reload: only a fetched one is kept.
        ...(context.tokens.canRefresh ? { grant: context.tokens.current?.grant ?? context.grant } : {}),
        ...(this.#createdAt === undefined ? {} : { createdAt: this.#createdAt }),
      });
      this.#createdAt ??= Date.now();
    }
    return 'ok';
  }
}
