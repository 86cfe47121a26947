// Static: this module is itself the lazily loaded part (see tus-loader.ts), so tus-js-client comes with it.
import {
  Upload as TusUpload,
  type DetailedError,
  type HttpRequest,
  type HttpResponse,
  type PreviousUpload,
  type UrlStorage,
} from 'tus-js-client';
import { HeaderNames, TUS_PATH, type Video } from '../protocol/index.js';
import { canceledError, errorFromResponse, UploadError } from './errors.js';
import { planParts } from './parts.js';
import { parseRetryAfter } from './retry.js';
import { RESUME_MAX_AGE_MS, type ResumeStorage } from './resume-store.js';
import { watchStall } from './stall.js';
import type { Transport, TransportContext } from './transport.js';
import { ORIGIN_CLIENT } from './transport.js';
import { markUnreadRefusal, RequestWatch, UnreadRefusalGuard } from './unread-refusal.js';

const TUS_KEY_PREFIX = 'video-uploader:tus:';

/** tus-js-client's URL storage over the session's storage, so resume records live in one place. */
class TusUrlStorage implements UrlStorage {
  readonly #storage: ResumeStorage;

  constructor(storage: ResumeStorage) {
    this.#storage = storage;
  }

  #read(key: string): PreviousUpload | null {
    try {
      const raw = this.#storage.getItem(key);
      return raw ? { ...(JSON.parse(raw) as PreviousUpload), urlStorageKey: key } : null;
    } catch {
      return null;
    }
  }

  async findAllUploads(): Promise<PreviousUpload[]> {
    return this.findUploadsByFingerprint('');
  }

  async findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]> {
    const { key, length } = this.#storage;
    const found: PreviousUpload[] = [];
    if (!key || typeof length !== 'number') {
      const only = this.#read(TUS_KEY_PREFIX + fingerprint);
      return only ? [only] : [];
    }
    for (let i = 0; i < length; i++) {
      const name = key.call(this.#storage, i);
      if (!name?.startsWith(TUS_KEY_PREFIX + fingerprint)) continue;
      const upload = this.#read(name);
      if (upload) found.push(upload);
    }
    return found;
  }

  async removeUpload(urlStorageKey: string): Promise<void> {
    try {
      this.#storage.removeItem(urlStorageKey);
    } catch {
      // storage blocked: nothing to remove
    }
  }

  async addUpload(fingerprint: string, upload: PreviousUpload): Promise<string> {
    // One record per fingerprint: a file resumes its latest upload.
    const key = TUS_KEY_PREFIX + fingerprint;
    try {
      this.#storage.setItem(key, JSON.stringify(upload));
    } catch {
      // quota: resume is lost, the upload goes on
    }
    return key;
  }
}

/**
 * The tus protocol through tus-js-client; `loadTusTransport()` loads this module, and tus-js-client with
 * it, on first use. The token travels in `Authorization: Bearer`, set on every request so that a refreshed
 * token is used; retries, stalls, 401 refreshes and progress go through the same session machinery as
 * the `apivideo` transport.
 */
export class TusTransport implements Transport {
  #upload: TusUpload | null = null;
  #chunkSize = 0;
  #offset = 0;
  #resumedBytes = 0;
  #storage: UrlStorage | null = null;
  #lastToken = '';
  /** The request in flight and its watch, to tell a refusal the browser could not read from a lost connection. */
  #watched: { request: HttpRequest; watch: RequestWatch } | null = null;
  readonly #refusals = new UnreadRefusalGuard();

  /** The 1-based PATCH a byte offset falls in. */
  #partAt(sent: number, size: number): number {
    return Math.max(1, Math.ceil(Math.min(size, sent + 1) / this.#chunkSize));
  }

  #endpoint(apiUrl: string): string {
    return apiUrl + TUS_PATH;
  }

  #fingerprint(file: File, apiUrl: string): string {
    // Stable across reloads: the file's visible facts and the endpoint.
    return ['video-uploader-tus', file.name, file.type, file.size, file.lastModified, this.#endpoint(apiUrl)].join('|');
  }

  async prepare(context: TransportContext): Promise<number> {
    const { file, apiUrl, options } = context;
    const storage = options.resume ? (context.resume?.storage ?? null) : null;
    this.#storage = storage ? new TusUrlStorage(storage) : null;
    // tus sends one PATCH per chunk; progress counts those as the parts.
    const { chunkSize, parts } = planParts(file.size, options.chunkSize);
    this.#chunkSize = chunkSize;
    const progress = context.progress(parts);
    const upload = new TusUpload(file, {
      endpoint: this.#endpoint(apiUrl),
      chunkSize,
      retryDelays: null,
      metadata: {
        filename: file.name,
        filetype: file.type,
        ...(context.grant.videoId ? { videoId: context.grant.videoId } : {}),
      },
      headers: { [HeaderNames.originClient]: ORIGIN_CLIENT },
      fingerprint: async () => this.#fingerprint(file, apiUrl),
      storeFingerprintForResuming: Boolean(this.#storage),
      removeFingerprintOnSuccess: true,
      ...(this.#storage ? { urlStorage: this.#storage } : {}),
      onBeforeRequest: async (request: HttpRequest) => {
        const active = await this.#tokens(context);
        this.#lastToken = active;
        request.setHeader('Authorization', `Bearer ${active}`);
        // Only requests with a body (PATCH) can be refused while they are still being sent.
        const xhr = request.getUnderlyingObject() as unknown;
        this.#watched =
          request.getMethod() === 'PATCH' && typeof XMLHttpRequest !== 'undefined' && xhr instanceof XMLHttpRequest
            ? { request, watch: new RequestWatch(xhr) }
            : null;
      },
      onProgress: (sent) => {
        this.#armStall?.();
        progress.setSent(sent, this.#partAt(sent, file.size));
      },
      onChunkComplete: (_chunk, accepted) => {
        this.#offset = accepted;
        this.#refusals.progressed();
      },
    });
    this.#upload = upload;
    if (this.#storage) {
      const previous = (await upload.findPreviousUploads()).filter(
        (p) => Date.now() - Date.parse(p.creationTime) < RESUME_MAX_AGE_MS,
      );
      if (previous.length > 0) {
        upload.resumeFromPreviousUpload(previous[0]);
        // The offset is only known after the HEAD request of the first run; report it then.
      }
    }
    return this.#resumedBytes;
  }

  #currentContext: TransportContext | null = null;
  #armStall: (() => void) | null = null;

  async #tokens(context: TransportContext): Promise<string> {
    const active = await (this.#currentContext ?? context).tokens.get((this.#currentContext ?? context).signal);
    return active.grant.token;
  }

  discard(context: Pick<TransportContext, 'file' | 'apiUrl' | 'resume'>): void {
    void this.#storage?.removeUpload(TUS_KEY_PREFIX + this.#fingerprint(context.file, context.apiUrl));
  }

  async run(context: TransportContext): Promise<Video> {
    const upload = this.#upload!;
    this.#currentContext = context;
    const progress = context.progress(1);
    // One refresh per 401 for each stretch of progress: a later 401 after more bytes went through gets its own.
    let refreshedAt = -1;
    // The token of an attempt whose network error may hide a refusal: the next attempt gets a fresh one.
    let suspect: string | null = null;
    const response = await context.withRetries(
      async () => {
        if (suspect) {
          await context.tokens.refreshAfterRejection(suspect, context.signal);
          suspect = null;
        }
        for (;;) {
          try {
            return await this.#once(upload, context);
          } catch (error) {
            if (this.#refusals.shouldRefresh(error, context.tokens)) suspect = this.#lastToken;
            if (error instanceof UploadError && error.status === 401) {
              if (refreshedAt === this.#offset) throw error;
              await context.tokens.refreshAfterRejection(this.#lastToken, context.signal);
              refreshedAt = this.#offset;
              continue;
            }
            throw error;
          }
        }
      },
      context.signal,
      () => this.#offset,
    );
    progress.setSent(context.file.size, this.#partAt(context.file.size, context.file.size));
    return this.#videoFrom(response, context);
  }

  /** One `start()` of tus-js-client until success, error, or abort. */
  #once(upload: TusUpload, context: TransportContext): Promise<HttpResponse> {
    const { signal, options } = context;
    return new Promise<HttpResponse>((resolve, reject) => {
      if (signal.aborted) return reject(canceledError());
      let settled = false;
      const watchdog = watchStall(options.stallTimeout, () => {
        if (settled) return;
        finish();
        void upload.abort(false);
        reject(watchdog.error());
      });
      const finish = (): void => {
        settled = true;
        watchdog.stop();
        this.#armStall = null;
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        if (settled) return;
        finish();
        void upload.abort(false);
        reject(canceledError());
      };
      this.#armStall = watchdog.arm;
      upload.options.onSuccess = ({ lastResponse }) => {
        if (settled) return;
        finish();
        resolve(lastResponse);
      };
      upload.options.onError = (error: Error | DetailedError) => {
        if (settled) return;
        finish();
        reject(this.#toUploadError(error));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      watchdog.arm();
      upload.start();
    });
  }

  #toUploadError(error: Error | DetailedError): UploadError {
    if (error instanceof UploadError) return error;
    const response = 'originalResponse' in error ? error.originalResponse : null;
    if (response) {
      const status = response.getStatus();
      if (status === 409 && 'originalRequest' in error && error.originalRequest?.getMethod() === 'PATCH') {
        // The server holds other bytes than this PATCH assumed: typically a PATCH it stored whose answer was
        // lost (the browser resends such a request by itself). The next attempt asks for the offset (HEAD).
        return new UploadError(
          'network',
          'The tus upload: the server holds a different offset (409); continuing from its offset.',
          { status, cause: error },
        );
      }
      return errorFromResponse(
        status,
        response.getBody() ?? '',
        parseRetryAfter((name) => response.getHeader(name) ?? null),
        'The tus upload',
      );
    }
    const failure = new UploadError('network', `The tus upload failed: ${error.message}`, { cause: error });
    const watched = this.#watched;
    const request = 'originalRequest' in error ? error.originalRequest : undefined;
    if (watched && request === watched.request && watched.watch.looksLikeUnreadRefusal()) markUnreadRefusal(failure);
    return failure;
  }

  /**
   * The video a finished tus upload became. The server names it in `X-Video-Id`; reading the Video
   * itself needs the API key, so the object is filled from what the session knows.
   */
  #videoFrom(response: HttpResponse, context: TransportContext): Video {
    const videoId = response.getHeader(HeaderNames.videoId);
    const body = response.getBody();
    if (body) {
      try {
        const video = JSON.parse(body) as Video;
        if (video && typeof video.videoId === 'string') return video;
      } catch {
        // tus answers carry no body: build the Video below
      }
    }
    if (!videoId) {
      throw new UploadError(
        'protocol',
        `The tus upload finished but the server sent no ${HeaderNames.videoId} header.`,
        { retryable: false },
      );
    }
    const now = new Date().toISOString();
    return {
      videoId,
      title: context.file.name,
      description: '',
      public: true,
      panoramic: false,
      mp4Support: true,
      tags: [],
      metadata: [],
      createdAt: now,
      updatedAt: now,
      publishedAt: now,
      source: { type: 'upload', uri: `/videos/${videoId}/source` },
      assets: { player: '', hls: '', thumbnail: '', mp4: '', iframe: '' },
    };
  }
}
