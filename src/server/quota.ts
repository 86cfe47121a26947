/**
 * What one upload token may still do on the local API, checked before a body is read: a quota of
 * bytes and parts per token, the free space of the data directory's disk, a video continued only by
 * the token that started it, and a resent first part recognised as the same video.
 *
 * The ingest routes call `uploadGuardOf(ctx)`: `admit` before reading a body (413 quota, 507 disk),
 * `claim` when a body names a video (403 for another token), `resentVideo` before creating a video
 * for a first part sent without one.
 */
import { open, statfs, type FileHandle } from 'node:fs/promises';
import { MAX_UPLOAD_REQUEST } from '../protocol/index.js';
import { problem, type ProblemError } from '../protocol/problem.js';
import type { ChunkRange } from './content-range.js';
import type { ApiContext } from './context.js';
import type { Db } from './db.js';
import type { ChunkTarget } from './ingest.js';
import type { TokenStore } from './token-store.js';
import type { VideoFiles } from './video-files.js';

const GiB = 1024 ** 3;

export interface TokenQuota {
  /** Bytes of file parts one token may send, over all its uploads. Default 12 GiB: a 10 GiB upload and its retries fit. */
  bytes?: number;
  /** File parts one token may send. Default 4096: a 10 GiB upload in 5 MiB parts is 2048. */
  parts?: number;
}

export const DEFAULT_TOKEN_QUOTA: Required<TokenQuota> = { bytes: 12 * GiB, parts: 4096 };
/** Space kept free on the data directory's disk: a body that would eat into it is refused with 507. */
export const DEFAULT_MIN_FREE_SPACE = GiB;
/**
 * A token that expires within this many milliseconds (or is gone) hands its unfinished videos to the
 * next token that writes them: the element refreshes its token that close to expiry and continues.
 */
export const TOKEN_HANDOVER_MS = 60_000;
/** How long a first part sent again (same token, file name and size) answers with the video it made. */
export const DEFAULT_RESEND_WINDOW_MS = 10 * 60_000;

export interface UploadGuardOptions {
  tokenQuota?: TokenQuota;
  /** Bytes kept free on the data directory's disk. Default 1 GiB. */
  minFreeSpace?: number;
  /** Milliseconds a resent first part is recognised. Default 10 minutes; 0 turns it off. */
  resendWindowMs?: number;
}

export const quotaProblems = {
  quotaExceeded: (quota: Required<TokenQuota>): ProblemError =>
    problem('upload-quota-exceeded', 413, "The upload token's quota is used up.", {
      detail: `One upload token may send ${quota.bytes} bytes in ${quota.parts} parts at most. Ask the token endpoint for a new token.`,
    }),
  insufficientStorage: (): ProblemError =>
    problem('insufficient-storage', 507, 'The server has no room for this upload.', {
      detail: 'The disk that keeps the videos is too full for this request. Try again later.',
    }),
  videoBound: (): ProblemError =>
    problem('video-bound-to-another-token', 403, 'Another upload token is writing this video.', {
      detail: 'A video is continued only by the upload token that started it.',
    }),
} as const;

/** Space and quota held by one admitted request until it ends. */
export interface Admission {
  /** The request's file part was accepted: its bytes count against the token from now on. */
  accept(bytes: number): void;
  /** The request ended (accepted or not): its reservation goes. Safe to call twice. */
  release(): void;
}

interface Usage {
  bytes: number;
  parts: number;
}

export class UploadGuard {
  readonly #quota: Required<TokenQuota>;
  readonly #minFree: number;
  readonly #window: number;
  readonly #dataDir: string;
  readonly #tokens: Pick<TokenStore, 'get'>;
  readonly #now: () => number;
  /** Requests admitted and not yet ended, per token, and their declared bytes over all tokens. */
  readonly #inFlight = new Map<string, Usage>();
  #inFlightBytes = 0;
  readonly #usage: ReturnType<Db['prepare']>;
  readonly #add: ReturnType<Db['prepare']>;
  readonly #claim: ReturnType<Db['prepare']>;
  readonly #owner: ReturnType<Db['prepare']>;
  readonly #handOver: ReturnType<Db['prepare']>;
  readonly #resent: ReturnType<Db['prepare']>;

  constructor(
    db: Db,
    dataDir: string,
    tokens: Pick<TokenStore, 'get'>,
    options: UploadGuardOptions = {},
    now: () => number = Date.now,
  ) {
    this.#quota = { ...DEFAULT_TOKEN_QUOTA, ...options.tokenQuota };
    for (const [name, value] of Object.entries(this.#quota))
      if (!Number.isInteger(value) || value < 1) throw new TypeError(`tokenQuota.${name} must be a whole number ≥ 1.`);
    this.#minFree = options.minFreeSpace ?? DEFAULT_MIN_FREE_SPACE;
    this.#window = options.resendWindowMs ?? DEFAULT_RESEND_WINDOW_MS;
    if (!(this.#minFree >= 0) || !(this.#window >= 0))
      throw new TypeError('minFreeSpace and resendWindowMs must be numbers ≥ 0.');
    this.#dataDir = dataDir;
    this.#tokens = tokens;
    this.#now = now;
    // Kept outside the numbered migrations: created where missing, on every start.
    db.exec(`
      CREATE TABLE IF NOT EXISTS token_usage (
        token TEXT PRIMARY KEY,
        bytes INTEGER NOT NULL,
        parts INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS videos_by_upload_token ON videos (upload_token, seq) WHERE upload_token IS NOT NULL;
    `);
    this.#usage = db.prepare('SELECT bytes, parts FROM token_usage WHERE token = ?');
    this.#add = db.prepare(
      `INSERT INTO token_usage (token, bytes, parts) VALUES (@token, @bytes, 1)
       ON CONFLICT (token) DO UPDATE SET bytes = bytes + @bytes, parts = parts + 1`,
    );
    this.#claim = db.prepare('UPDATE videos SET upload_token = @token WHERE id = @id AND upload_token IS NULL');
    this.#owner = db.prepare('SELECT upload_token AS token FROM videos WHERE id = ?');
    this.#handOver = db.prepare('UPDATE videos SET upload_token = @token WHERE id = @id AND upload_token = @previous');
    this.#resent = db.prepare(
      `SELECT v.id AS id, c.placed AS placed FROM videos v INDEXED BY videos_by_upload_token
       JOIN video_chunks c ON c.video_seq = v.seq AND c.key = @key AND c.size = @size
       WHERE v.upload_token = @token AND v.upload_name = @name AND v.range_kind = @kind AND v.created_at >= @since
         AND v.range_total IS @total
       ORDER BY v.seq DESC LIMIT 4`,
    );
  }

  /** What `token` has sent and had accepted so far. */
  used(token: string): Usage {
    return (this.#usage.get(token) as Usage | undefined) ?? { bytes: 0, parts: 0 };
  }

  /**
   * Before a body is read: refuses with 413 when one more part of `declared` bytes would pass the
   * token's quota (counting its requests in flight), and with 507 when the disk cannot take it and
   * keep `minFreeSpace`. `declared` unknown (chunked) counts as the largest request. `token`
   * undefined (the API key's own writes) skips the quota.
   */
  async admit(token: string | undefined, declared: number | undefined): Promise<Admission> {
    const bytes = declared !== undefined && Number.isFinite(declared) && declared >= 0 ? declared : MAX_UPLOAD_REQUEST;
    let held: Usage | undefined;
    if (token !== undefined) {
      const used = this.used(token);
      const flying = this.#inFlight.get(token) ?? { bytes: 0, parts: 0 };
      // The multipart envelope around the file is a few hundred bytes: a part that exactly fits is let through.
      const fileBytes = Math.max(0, bytes - 64 * 1024);
      if (
        used.parts + flying.parts + 1 > this.#quota.parts ||
        used.bytes + flying.bytes + fileBytes > this.#quota.bytes
      )
        throw quotaProblems.quotaExceeded(this.#quota);
      flying.bytes += fileBytes;
      flying.parts += 1;
      this.#inFlight.set(token, flying);
      held = { bytes: fileBytes, parts: 1 };
    }
    this.#inFlightBytes += bytes;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.#inFlightBytes -= bytes;
      if (token === undefined || !held) return;
      const flying = this.#inFlight.get(token)!;
      flying.bytes -= held.bytes;
      flying.parts -= held.parts;
      if (flying.parts <= 0) this.#inFlight.delete(token);
    };
    try {
      await this.checkSpace(0, this.#inFlightBytes);
    } catch (error) {
      release();
      throw error;
    }
    return {
      accept: (size) => {
        if (token !== undefined) this.#add.run({ token, bytes: size });
      },
      release,
    };
  }

  /** Throws 507 when `bytes` more (plus `pending`, already promised to requests in flight) would not fit. */
  async checkSpace(bytes: number, pending = this.#inFlightBytes): Promise<void> {
    const disk = await statfs(this.#dataDir);
    const free = disk.bavail * disk.bsize;
    if (free - pending - bytes < this.#minFree) throw quotaProblems.insufficientStorage();
  }

  /**
   * A body names `videoId`: a video nobody wrote yet (created in advance) is bound to `token` now;
   * one bound to another live token is refused with 403. The video passes to `token` when its token
   * is gone or expires within `TOKEN_HANDOVER_MS` (a refreshed token continuing the upload).
   * Synchronous, so two requests never both bind.
   */
  claim(videoId: string, token: string | undefined): void {
    if (token === undefined) return;
    this.#claim.run({ id: videoId, token });
    const row = this.#owner.get(videoId) as { token: string | null } | undefined;
    if (!row || row.token === token || row.token === null) return;
    const bound = this.#tokens.get(row.token);
    const expiresAt = bound?.expiresAt ? Date.parse(bound.expiresAt) : null;
    if (bound && (expiresAt === null || expiresAt - this.#now() > TOKEN_HANDOVER_MS)) throw quotaProblems.videoBound();
    this.#handOver.run({ id: videoId, token, previous: row.token });
  }

  /**
   * A first part sent without a video, when the same token already sent a first part of the same
   * file name, range form and size within the window: the client lost the answer and sent it again.
   * Returns that video's id, so the part is answered as a duplicate instead of making a second video.
   */
  async resentVideo(
    token: string,
    fileName: string,
    range: ChunkRange,
    size: number,
    received: ChunkTarget,
    files: VideoFiles,
  ): Promise<string | undefined> {
    if (this.#window === 0 || received.kind !== 'temp') return undefined;
    const first = range.kind === 'part' ? range.part === 1 : range.from === 0;
    if (!first) return undefined;
    const key = range.kind === 'part' ? 1 : 0;
    const rows = this.#resent.all({
      token,
      name: fileName,
      kind: range.kind,
      key,
      size,
      total: range.total,
      since: this.#now() - this.#window,
    }) as { id: string; placed: number }[];
    // Same token, name and size is a strong hint; the bytes decide.
    for (const row of rows) {
      const stored = row.placed ? [files.partial(row.id), files.source(row.id)] : [files.part(row.id, key)];
      for (const path of stored) {
        const same = await sameStart(received.path, path, size);
        if (same) return row.id;
        if (same === false) break;
      }
    }
    return undefined;
  }
}

/** Whether the first `size` bytes of two files are equal; undefined when `stored` cannot be read. */
async function sameStart(receivedPath: string, storedPath: string, size: number): Promise<boolean | undefined> {
  let stored: FileHandle;
  try {
    stored = await open(storedPath, 'r');
  } catch {
    return undefined;
  }
  const received = await open(receivedPath, 'r');
  const a = Buffer.allocUnsafe(1024 * 1024);
  const b = Buffer.allocUnsafe(1024 * 1024);
  try {
    for (let at = 0; at < size;) {
      const want = Math.min(a.length, size - at);
      const [x, y] = await Promise.all([received.read(a, 0, want, at), stored.read(b, 0, want, at)]);
      if (x.bytesRead !== want || y.bytesRead !== want || !a.subarray(0, want).equals(b.subarray(0, want)))
        return false;
      at += want;
    }
    return true;
  } finally {
    await Promise.all([received.close(), stored.close()]);
  }
}

const guards = new WeakMap<ApiContext, UploadGuard>();

/** The guard of one API instance, made on first use from its options. */
export function uploadGuardOf(ctx: ApiContext): UploadGuard {
  let guard = guards.get(ctx);
  if (!guard) {
    guard = new UploadGuard(ctx.db, ctx.options.dataDir, ctx.tokens, ctx.options, ctx.now);
    guards.set(ctx, guard);
  }
  return guard;
}
