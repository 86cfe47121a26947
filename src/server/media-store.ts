/** The media work's state per video: probe results, thumbnail and HLS rendition, in SQLite. */
import type { EncodingMetadata } from '../protocol/index.js';
import { registerMigration, type Db } from './db.js';
// The videos' migrations come first: migrations apply in registration order.
import './video-store.js';

registerMigration(`
  CREATE TABLE video_media (
    video_seq INTEGER PRIMARY KEY REFERENCES videos (seq) ON DELETE CASCADE,
    -- waiting | probing | encoding | encoded | failed | unavailable (no ffmpeg)
    state TEXT NOT NULL,
    metadata TEXT,
    detail TEXT,
    -- The MIME type of a thumbnail sent through POST /videos/{id}/thumbnail, when one was.
    custom_thumbnail TEXT
  );
`);

export type MediaState = 'waiting' | 'probing' | 'encoding' | 'encoded' | 'failed' | 'unavailable';

export interface MediaRecord {
  state: MediaState;
  metadata: EncodingMetadata | null;
  detail: string | null;
  customThumbnail: string | null;
}

interface Row {
  state: MediaState;
  metadata: string | null;
  detail: string | null;
  custom_thumbnail: string | null;
}

const SEQ = '(SELECT seq FROM videos WHERE id = @id)';

export class MediaStore {
  readonly #get;
  readonly #upsert;
  readonly #thumb;
  readonly #pending;

  constructor(db: Db) {
    this.#get = db.prepare<{ id: string }, Row>(`SELECT * FROM video_media WHERE video_seq = ${SEQ}`);
    this.#upsert = db.prepare<{ id: string; state: MediaState; metadata: string | null; detail: string | null }>(
      `INSERT INTO video_media (video_seq, state, metadata, detail) SELECT seq, @state, @metadata, @detail FROM videos WHERE id = @id
       ON CONFLICT (video_seq) DO UPDATE SET state = excluded.state, metadata = coalesce(excluded.metadata, metadata),
       detail = excluded.detail`,
    );
    this.#thumb = db.prepare<{ id: string; type: string }>(
      `INSERT INTO video_media (video_seq, state, custom_thumbnail) SELECT seq, 'waiting', @type FROM videos WHERE id = @id
       ON CONFLICT (video_seq) DO UPDATE SET custom_thumbnail = excluded.custom_thumbnail`,
    );
    // Uploaded videos whose media work has not ended: after a restart, it starts again.
    this.#pending = db.prepare<[], { id: string }>(
      `SELECT v.id FROM videos v LEFT JOIN video_media m ON m.video_seq = v.seq
       WHERE v.ingest = 'uploaded' AND (m.state IS NULL OR m.state IN ('waiting', 'probing', 'encoding')) ORDER BY v.seq`,
    );
  }

  get(id: string): MediaRecord | undefined {
    const row = this.#get.get({ id });
    if (!row) return undefined;
    return {
      state: row.state,
      metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as EncodingMetadata),
      detail: row.detail,
      customThumbnail: row.custom_thumbnail,
    };
  }

  set(id: string, state: MediaState, extra: { metadata?: EncodingMetadata; detail?: string } = {}): void {
    this.#upsert.run({
      id,
      state,
      metadata: extra.metadata ? JSON.stringify(extra.metadata) : null,
      detail: extra.detail ?? null,
    });
  }

  setCustomThumbnail(id: string, type: string): void {
    this.#thumb.run({ id, type });
  }

  pending(): string[] {
    return this.#pending.all().map((row) => row.id);
  }
}
