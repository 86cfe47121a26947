import type Database from 'better-sqlite3';
import type { Metadata } from '../protocol/index.js';
import { registerMigration, type Db } from './db.js';
// The upload tokens' migration must come first: migrations apply in registration order.
import './token-store.js';
import { randomId } from './token-store.js';

registerMigration(`
  CREATE TABLE videos (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    public INTEGER NOT NULL,
    panoramic INTEGER NOT NULL,
    mp4_support INTEGER NOT NULL,
    tags TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    published_at INTEGER NOT NULL,
    -- NULL until a first chunk is accepted, then 'uploading', then 'uploaded'.
    ingest TEXT,
    -- 'part' or 'bytes': the Content-Range form of the upload; the two never mix in one video.
    range_kind TEXT,
    -- Number of parts ('part') or of bytes ('bytes'); NULL while a 'part N/*' upload has not sent its last part.
    range_total INTEGER,
    filesize INTEGER,
    -- Token and file name of the first chunk: clients that send later chunks without videoId are matched on them.
    upload_token TEXT,
    upload_name TEXT,
    tus_upload_id TEXT UNIQUE
  );
  CREATE INDEX videos_by_created ON videos (created_at, seq);
  CREATE INDEX videos_by_updated ON videos (updated_at, seq);
  CREATE INDEX videos_by_title ON videos (title, seq);
  CREATE INDEX videos_uploading ON videos (upload_token, upload_name, seq) WHERE ingest = 'uploading';
  CREATE TABLE video_chunks (
    video_seq INTEGER NOT NULL REFERENCES videos (seq) ON DELETE CASCADE,
    -- Part number ('part' uploads) or first byte ('bytes' uploads).
    key INTEGER NOT NULL,
    size INTEGER NOT NULL,
    -- 1: the bytes already sit at their offset in source.partial; 0: they are in parts/<key>.
    placed INTEGER NOT NULL,
    PRIMARY KEY (video_seq, key)
  ) WITHOUT ROWID;
`);

export const VIDEO_ID_PATTERN = /^vi[0-9A-Za-z]{22}$/;

/** The title of an upload whose file name is blank or missing. */
export const UNTITLED = 'untitled';
/** Ids that the tus mount gives its uploads (16 random bytes in hex). */
export const TUS_UPLOAD_ID = /^[0-9a-f]{32}$/;

export type RangeKind = 'part' | 'bytes';
export type IngestState = 'uploading' | 'uploaded';

export interface VideoRecord {
  seq: number;
  id: string;
  title: string;
  description: string;
  public: boolean;
  panoramic: boolean;
  mp4Support: boolean;
  tags: string[];
  metadata: Metadata[];
  createdAt: number;
  updatedAt: number;
  publishedAt: number;
  ingest: IngestState | null;
  rangeKind: RangeKind | null;
  rangeTotal: number | null;
  filesize: number | null;
  uploadToken: string | null;
  uploadName: string | null;
  tusUploadId: string | null;
}

export interface ChunkRecord {
  key: number;
  size: number;
  placed: boolean;
}

export interface NewVideo {
  title: string;
  description?: string;
  public?: boolean;
  panoramic?: boolean;
  mp4Support?: boolean;
  tags?: string[];
  metadata?: Metadata[];
}

export type VideoSortBy = 'createdAt' | 'updatedAt' | 'title';

export interface VideoListQuery {
  sortBy: VideoSortBy;
  sortOrder: 'asc' | 'desc';
  offset: number;
  limit: number;
}

/** Where video records and their received chunks live. SQLite here; the routes and the ingest see only this. */
export interface VideoStore {
  create(input: NewVideo): VideoRecord;
  get(id: string): VideoRecord | undefined;
  list(query: VideoListQuery): { items: VideoRecord[]; total: number };
  delete(id: string): boolean;
  chunks(id: string): ChunkRecord[];
  /** Marks the first accepted chunk: the range form, its total if known, and who sent it. */
  startUpload(id: string, kind: RangeKind, total: number | null, token: string | null, name: string | null): void;
  setTotal(id: string, total: number): void;
  addChunk(id: string, chunk: ChunkRecord): void;
  markUploaded(id: string, filesize: number): void;
  /** The newest unfinished upload started with this token and file name, for chunks sent without videoId. */
  findContinuation(token: string, name: string, kind: RangeKind): VideoRecord | undefined;
  setTusUpload(id: string, uploadId: string): void;
  byTusUpload(uploadId: string): VideoRecord | undefined;
  /** Videos whose upload has not been assembled, for recovery after a restart. */
  unfinished(): VideoRecord[];
}

interface VideoRow {
  seq: number;
  id: string;
  title: string;
  description: string;
  public: number;
  panoramic: number;
  mp4_support: number;
  tags: string;
  metadata: string;
  created_at: number;
  updated_at: number;
  published_at: number;
  ingest: IngestState | null;
  range_kind: RangeKind | null;
  range_total: number | null;
  filesize: number | null;
  upload_token: string | null;
  upload_name: string | null;
  tus_upload_id: string | null;
}

const toRecord = (row: VideoRow): VideoRecord => ({
  seq: row.seq,
  id: row.id,
  title: row.title,
  description: row.description,
  public: row.public === 1,
  panoramic: row.panoramic === 1,
  mp4Support: row.mp4_support === 1,
  tags: JSON.parse(row.tags) as string[],
  metadata: JSON.parse(row.metadata) as Metadata[],
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  publishedAt: row.published_at,
  ingest: row.ingest,
  rangeKind: row.range_kind,
  rangeTotal: row.range_total,
  filesize: row.filesize,
  uploadToken: row.upload_token,
  uploadName: row.upload_name,
  tusUploadId: row.tus_upload_id,
});

const COLUMNS: Record<VideoSortBy, string> = { createdAt: 'created_at', updatedAt: 'updated_at', title: 'title' };

export class SqliteVideoStore implements VideoStore {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #insert;
  readonly #get;
  readonly #delete;
  readonly #count;
  readonly #chunks;
  readonly #start;
  readonly #setTotal;
  readonly #addChunk;
  readonly #uploaded;
  readonly #continuation;
  readonly #setTus;
  readonly #byTus;
  readonly #unfinished;
  readonly #pages = new Map<string, Database.Statement<{ limit: number; offset: number }, VideoRow>>();

  constructor(db: Db, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
    this.#insert = db.prepare(
      `INSERT INTO videos (id, title, description, public, panoramic, mp4_support, tags, metadata, created_at, updated_at, published_at)
       VALUES (@id, @title, @description, @public, @panoramic, @mp4_support, @tags, @metadata, @now, @now, @now)`,
    );
    this.#get = db.prepare<[string], VideoRow>('SELECT * FROM videos WHERE id = ?');
    this.#delete = db.prepare<[string]>('DELETE FROM videos WHERE id = ?');
    this.#count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM videos');
    this.#chunks = db.prepare<[string], { key: number; size: number; placed: number }>(
      'SELECT key, size, placed FROM video_chunks WHERE video_seq = (SELECT seq FROM videos WHERE id = ?) ORDER BY key',
    );
    this.#start = db.prepare<{
      id: string;
      kind: RangeKind;
      total: number | null;
      token: string | null;
      name: string | null;
      now: number;
    }>(
      `UPDATE videos SET ingest = 'uploading', range_kind = @kind, range_total = @total, upload_token = @token,
       upload_name = @name, updated_at = @now WHERE id = @id`,
    );
    this.#setTotal = db.prepare<{ id: string; total: number }>('UPDATE videos SET range_total = @total WHERE id = @id');
    this.#addChunk = db.prepare<{ id: string; key: number; size: number; placed: number }>(
      `INSERT OR REPLACE INTO video_chunks (video_seq, key, size, placed)
       SELECT seq, @key, @size, @placed FROM videos WHERE id = @id`,
    );
    this.#uploaded = db.prepare<{ id: string; filesize: number; now: number }>(
      `UPDATE videos SET ingest = 'uploaded', filesize = @filesize, updated_at = @now WHERE id = @id`,
    );
    this.#continuation = db.prepare<{ token: string; name: string; kind: RangeKind }, VideoRow>(
      `SELECT * FROM videos INDEXED BY videos_uploading
       WHERE ingest = 'uploading' AND upload_token = @token AND upload_name = @name AND range_kind = @kind
       ORDER BY seq DESC LIMIT 1`,
    );
    this.#setTus = db.prepare<{ id: string; upload: string }>(
      'UPDATE videos SET tus_upload_id = @upload WHERE id = @id',
    );
    this.#byTus = db.prepare<[string], VideoRow>('SELECT * FROM videos WHERE tus_upload_id = ?');
    this.#unfinished = db.prepare<[], VideoRow>(`SELECT * FROM videos WHERE ingest = 'uploading'`);
  }

  create(input: NewVideo): VideoRecord {
    const now = this.#now();
    for (;;) {
      const id = randomId('vi');
      try {
        this.#insert.run({
          id,
          title: input.title,
          description: input.description ?? '',
          public: input.public === false ? 0 : 1,
          panoramic: input.panoramic ? 1 : 0,
          mp4_support: input.mp4Support === false ? 0 : 1,
          tags: JSON.stringify(input.tags ?? []),
          metadata: JSON.stringify(input.metadata ?? []),
          now,
        });
        return this.get(id)!;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
      }
    }
  }

  get(id: string): VideoRecord | undefined {
    const row = this.#get.get(id);
    return row && toRecord(row);
  }

  list({ sortBy, sortOrder, offset, limit }: VideoListQuery): { items: VideoRecord[]; total: number } {
    const key = `${sortBy}:${sortOrder}`;
    let statement = this.#pages.get(key);
    if (!statement) {
      const dir = sortOrder === 'asc' ? 'ASC' : 'DESC';
      statement = this.#db.prepare(
        `SELECT * FROM videos ORDER BY ${COLUMNS[sortBy]} ${dir}, seq ${dir} LIMIT @limit OFFSET @offset`,
      );
      this.#pages.set(key, statement);
    }
    const page = statement;
    return this.#db.transaction(() => ({
      total: this.#count.get()!.n,
      items: page.all({ limit, offset }).map(toRecord),
    }))();
  }

  delete(id: string): boolean {
    return this.#delete.run(id).changes > 0;
  }

  chunks(id: string): ChunkRecord[] {
    return this.#chunks.all(id).map((row) => ({ key: row.key, size: row.size, placed: row.placed === 1 }));
  }

  startUpload(id: string, kind: RangeKind, total: number | null, token: string | null, name: string | null): void {
    this.#start.run({ id, kind, total, token, name, now: this.#now() });
  }

  setTotal(id: string, total: number): void {
    this.#setTotal.run({ id, total });
  }

  addChunk(id: string, chunk: ChunkRecord): void {
    this.#addChunk.run({ id, key: chunk.key, size: chunk.size, placed: chunk.placed ? 1 : 0 });
  }

  markUploaded(id: string, filesize: number): void {
    this.#uploaded.run({ id, filesize, now: this.#now() });
  }

  findContinuation(token: string, name: string, kind: RangeKind): VideoRecord | undefined {
    const row = this.#continuation.get({ token, name, kind });
    return row && toRecord(row);
  }

  setTusUpload(id: string, uploadId: string): void {
    this.#setTus.run({ id, upload: uploadId });
  }

  byTusUpload(uploadId: string): VideoRecord | undefined {
    const row = this.#byTus.get(uploadId);
    return row && toRecord(row);
  }

  unfinished(): VideoRecord[] {
    return this.#unfinished.all().map(toRecord);
  }
}
