import type Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import type { UploadToken } from '../protocol/index.js';
import { registerMigration, type Db } from './db.js';

registerMigration(`
  CREATE TABLE upload_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL UNIQUE,
    ttl INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER
  );
  -- Covering indexes: the sort key, the tie-breaker and the expiry filter live in the index,
  -- so paging with OFFSET never touches the table until the page's rows are read.
  CREATE INDEX upload_tokens_by_created ON upload_tokens (created_at, id, expires_at);
  CREATE INDEX upload_tokens_by_ttl ON upload_tokens (ttl, id, expires_at);
  CREATE INDEX upload_tokens_by_expiry ON upload_tokens (expires_at);
`);

export type TokenSortBy = 'createdAt' | 'ttl';
export type SortOrder = 'asc' | 'desc';

export interface TokenListQuery {
  sortBy: TokenSortBy;
  sortOrder: SortOrder;
  offset: number;
  limit: number;
}

/** Where upload tokens live. SQLite here; the interface is all the routes see. */
export interface TokenStore {
  create(ttl: number): UploadToken;
  /** An active token, or undefined when unknown, expired or deleted. */
  get(token: string): UploadToken | undefined;
  /** Active tokens in a stable order (ties broken by creation sequence). */
  list(query: TokenListQuery): { items: UploadToken[]; total: number };
  /** True when an active token was deleted. */
  delete(token: string): boolean;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `prefix` + `length` alphanumerics from the CSPRNG, without modulo bias. */
export function randomId(prefix: string, length = 22): string {
  let out = prefix;
  while (out.length < prefix.length + length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 * 62: bytes above it would bias the first characters.
      if (byte < 248) out += ALPHABET[byte % 62];
      if (out.length === prefix.length + length) break;
    }
  }
  return out;
}

interface TokenRow {
  token: string;
  ttl: number;
  created_at: number;
  expires_at: number | null;
}

const toToken = (row: TokenRow): UploadToken => ({
  token: row.token,
  ttl: row.ttl,
  createdAt: new Date(row.created_at).toISOString(),
  expiresAt: row.expires_at === null ? null : new Date(row.expires_at).toISOString(),
});

const ACTIVE = '(expires_at IS NULL OR expires_at > @now)';

export class SqliteTokenStore implements TokenStore {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #insert;
  readonly #get;
  readonly #delete;
  readonly #count;
  readonly #pages: Record<string, Database.Statement<Record<string, number>, TokenRow>>;

  constructor(db: Db, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
    this.#insert = db.prepare<[string, number, number, number | null]>(
      'INSERT INTO upload_tokens (token, ttl, created_at, expires_at) VALUES (?, ?, ?, ?)',
    );
    this.#get = db.prepare<{ token: string; now: number }, TokenRow>(
      `SELECT token, ttl, created_at, expires_at FROM upload_tokens WHERE token = @token AND ${ACTIVE}`,
    );
    this.#delete = db.prepare<{ token: string; now: number }>(
      `DELETE FROM upload_tokens WHERE token = @token AND ${ACTIVE}`,
    );
    this.#count = db.prepare<{ now: number }, { n: number }>(
      `SELECT count(*) AS n FROM upload_tokens INDEXED BY upload_tokens_by_created WHERE ${ACTIVE}`,
    );
    this.#pages = {};
    for (const [sortBy, column, index] of [
      ['createdAt', 'created_at', 'upload_tokens_by_created'],
      ['ttl', 'ttl', 'upload_tokens_by_ttl'],
    ] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const dir = order.toUpperCase();
        this.#pages[`${sortBy}:${order}`] = db.prepare(
          `SELECT token, ttl, created_at, expires_at FROM upload_tokens INDEXED BY ${index}
           WHERE ${ACTIVE} ORDER BY ${column} ${dir}, id ${dir} LIMIT @limit OFFSET @offset`,
        );
      }
    }
  }

  create(ttl: number): UploadToken {
    const createdAt = this.#now();
    const expiresAt = ttl === 0 ? null : createdAt + ttl * 1000;
    for (;;) {
      const token = randomId('to');
      try {
        this.#insert.run(token, ttl, createdAt, expiresAt);
        return toToken({ token, ttl, created_at: createdAt, expires_at: expiresAt });
      } catch (error) {
        // A collision among 62^22 values is practically impossible; retry rather than fail if it happens.
        if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
      }
    }
  }

  get(token: string): UploadToken | undefined {
    const row = this.#get.get({ token, now: this.#now() });
    return row && toToken(row);
  }

  list({ sortBy, sortOrder, offset, limit }: TokenListQuery): { items: UploadToken[]; total: number } {
    const now = this.#now();
    return this.#db.transaction(() => {
      const total = this.#count.get({ now })!.n;
      if (offset >= total) return { items: [], total };
      // Deep pages are read from the other end of the index: the last page costs what the first does.
      const reverse = offset + limit / 2 > total / 2;
      if (!reverse) {
        const rows = this.#pages[`${sortBy}:${sortOrder}`]!.all({ now, limit, offset });
        return { items: rows.map(toToken), total };
      }
      const flipped = sortOrder === 'asc' ? 'desc' : 'asc';
      const end = Math.min(offset + limit, total);
      const rows = this.#pages[`${sortBy}:${flipped}`]!.all({ now, limit: end - offset, offset: total - end });
      return { items: rows.reverse().map(toToken), total };
    })();
  }

  delete(token: string): boolean {
    return this.#delete.run({ token, now: this.#now() }).changes > 0;
  }
}
