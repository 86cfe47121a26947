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

registerMigration(`
  ALTER TABLE videos ADD COLUMN language TEXT;
  -- 'api' when the language was set through the API.
  ALTER TABLE videos ADD COLUMN language_origin TEXT;
  ALTER TABLE videos ADD COLUMN player_id TEXT;
  CREATE INDEX videos_by_published ON videos (published_at, seq);
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
  language: string | null;
  languageOrigin: 'api' | 'auto' | null;
  playerId: string | null;
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
  language?: string | null;
  playerId?: string | null;
}

/** What `PATCH /videos/{id}` may change; an absent field stays as it is. */
export type VideoPatch = Partial<NewVideo>;

export type VideoSortBy = 'createdAt' | 'updatedAt' | 'publishedAt' | 'title';

/** `GET /videos` filters; every one given must match. */
export interface VideoFilter {
  /** Part of the title, any case. */
  title?: string;
  /** Part of the description, any case. */
  description?: string;
  /** Every one of these tags. */
  tags?: string[];
  /** Every one of these key/value pairs. */
  metadata?: Metadata[];
  /** Videos recorded from a live stream: there are none locally. */
  liveStreamId?: string;
}

export interface VideoListQuery {
  sortBy: VideoSortBy;
  sortOrder: 'asc' | 'desc';
  offset: number;
  limit: number;
  filter?: VideoFilter;
}

/** Where video records and their received chunks live. SQLite here; the routes and the ingest see only this. */
export interface VideoStore {
  create(input: NewVideo): VideoRecord;
  get(id: string): VideoRecord | undefined;
  list(query: VideoListQuery): { items: VideoRecord[]; total: number };
  /** Applies the given fields; undefined when the video is unknown. */
  update(id: string, patch: VideoPatch): VideoRecord | undefined;
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
  language: string | null;
  language_origin: 'api' | 'auto' | null;
  player_id: string | null;
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
  language: row.language,
  languageOrigin: row.language_origin,
  playerId: row.player_id,
});

const COLUMNS: Record<VideoSortBy, string> = {
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  publishedAt: 'published_at',
  title: 'title',
};

/** The WHERE clause of a filter, with its parameters: values are always bound, never spliced in. */
function whereOf(filter: VideoFilter = {}): { sql: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.liveStreamId !== undefined) clauses.push('0');
  for (const [column, value] of [
    ['title', filter.title],
    ['description', filter.description],
  ] as const) {
    if (value === undefined) continue;
    clauses.push(`instr(lower(${column}), lower(?)) > 0`);
    params.push(value);
  }
  for (const tag of filter.tags ?? []) {
    clauses.push('EXISTS (SELECT 1 FROM json_each(videos.tags) WHERE value = ?)');
    params.push(tag);
  }
  for (const { key, value } of filter.metadata ?? []) {
    clauses.push(
      `EXISTS (SELECT 1 FROM json_each(videos.metadata) WHERE json_extract(value, '$.key') = ? AND json_extract(value, '$.value') = ?)`,
    );
    params.push(key, value);
  }
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

const UPDATABLE: Record<keyof VideoPatch, (value: unknown) => Record<string, unknown>> = {
  title: (v) => ({ title: v }),
  description: (v) => ({ description: v }),
  public: (v) => ({ public: v ? 1 : 0 }),
  panoramic: (v) => ({ panoramic: v ? 1 : 0 }),
  mp4Support: (v) => ({ mp4_support: v ? 1 : 0 }),
  tags: (v) => ({ tags: JSON.stringify(v) }),
  metadata: (v) => ({ metadata: JSON.stringify(v) }),
  language: (v) => ({ language: v, language_origin: v === null ? null : 'api' }),
  playerId: (v) => ({ player_id: v }),
};

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
  readonly #pages = new Map<string, Database.Statement<unknown[], unknown>>();

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
        const extra: VideoPatch = { language: input.language, playerId: input.playerId };
        if (extra.language != null || extra.playerId != null) this.#set(id, extra, now);
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

  list({ sortBy, sortOrder, offset, limit, filter }: VideoListQuery): { items: VideoRecord[]; total: number } {
    const where = whereOf(filter);
    const dir = sortOrder === 'asc' ? 'ASC' : 'DESC';
    // Titles sort as people read them; ties fall back to creation order.
    const collate = sortBy === 'title' ? ' COLLATE NOCASE' : '';
    const pageSql = `SELECT * FROM videos ${where.sql} ORDER BY ${COLUMNS[sortBy]}${collate} ${dir}, seq ${dir} LIMIT ? OFFSET ?`;
    const countSql = `SELECT count(*) AS n FROM videos ${where.sql}`;
    return this.#db.transaction(() => ({
      total: (where.sql ? this.#statement<{ n: number }>(countSql).get(...where.params) : this.#count.get())!.n,
      items: this.#statement<VideoRow>(pageSql)
        .all(...where.params, limit, offset)
        .map(toRecord),
    }))();
  }

  /** Statements are prepared once per distinct SQL text; the texts come from a fixed set of shapes. */
  #statement<R>(sql: string): Database.Statement<unknown[], R> {
    let statement = this.#pages.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      // Bounded: a filter adds one clause per tag or pair; beyond a few hundred shapes, start afresh.
      if (this.#pages.size > 256) this.#pages.clear();
      this.#pages.set(sql, statement);
    }
    return statement as Database.Statement<unknown[], R>;
  }

  update(id: string, patch: VideoPatch): VideoRecord | undefined {
    if (!this.get(id)) return undefined;
    this.#set(id, patch, this.#now());
    return this.get(id);
  }

  #set(id: string, patch: VideoPatch, now: number): void {
    const values: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      Object.assign(values, UPDATABLE[field as keyof VideoPatch](value));
    }
    const columns = Object.keys(values);
    const sets = [...columns.map((column) => `${column} = @${column}`), 'updated_at = @now'].join(', ');
    this.#db.prepare(`UPDATE videos SET ${sets} WHERE id = @id`).run({ ...values, now, id });
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
