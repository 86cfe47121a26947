import type Database from 'better-sqlite3';
import { randomFillSync } from 'node:crypto';
import type { UploadToken } from '../protocol/index.js';
import { registerMigration, type Db } from './db.js';

/** api.video's date form: UTC, whole seconds, `+00:00` (`2024-01-23T14:36:39+00:00`). */
export const atomDate = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

registerMigration(`
  CREATE TABLE upload_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL UNIQUE,
    ttl INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER
  );
  -- The sort key and the tie-breaker live in the index, so paging with OFFSET walks the index
  -- alone; expired rows are purged before a list, so the walk needs no filter.
  CREATE INDEX upload_tokens_by_created ON upload_tokens (created_at, id);
  CREATE INDEX upload_tokens_by_ttl ON upload_tokens (ttl, id);
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
  /** Resolves once the token is durably stored. */
  create(ttl: number): Promise<UploadToken>;
  /** An active token, or undefined when unknown, expired or deleted. */
  get(token: string): UploadToken | undefined;
  /** Active tokens in a stable order (ties broken by creation sequence). */
  list(query: TokenListQuery): { items: UploadToken[]; total: number };
  /** True when an active token was deleted. */
  delete(token: string): boolean;
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// Random bytes are drawn from the CSPRNG in blocks: one call per id costs more than the id's insert.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomByte(): number {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  return pool[poolOffset++];
}

/** `prefix` + `length` alphanumerics from the CSPRNG, without modulo bias. */
export function randomId(prefix: string, length = 22): string {
  let out = prefix;
  while (out.length < prefix.length + length) {
    const byte = randomByte();
    // 248 = 4 * 62: bytes from 248 up would bias the first characters.
    if (byte < 248) out += ALPHABET[byte % 62];
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
  createdAt: atomDate(row.created_at),
  expiresAt: row.expires_at === null ? null : atomDate(row.expires_at),
});

const ACTIVE = '(expires_at IS NULL OR expires_at > @now)';

export class SqliteTokenStore implements TokenStore {
  readonly #db: Db;
  readonly #now: () => number;
  readonly #insert;
  readonly #get;
  readonly #delete;
  readonly #count;
  readonly #purge;
  readonly #pages: Record<string, Database.Statement<{ limit: number; offset: number }, TokenRow>>;

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
    this.#count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM upload_tokens');
    this.#purge = db.prepare<{ now: number }>('DELETE FROM upload_tokens WHERE expires_at <= @now');
    this.#pages = {};
    for (const [sortBy, column, index] of [
      ['createdAt', 'created_at', 'upload_tokens_by_created'],
      ['ttl', 'ttl', 'upload_tokens_by_ttl'],
    ] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const dir = order.toUpperCase();
        this.#pages[`${sortBy}:${order}`] = db.prepare(
          `SELECT token, ttl, created_at, expires_at FROM upload_tokens INDEXED BY ${index}
           ORDER BY ${column} ${dir}, id ${dir} LIMIT @limit OFFSET @offset`,
        );
      }
    }
  }

  /**
   * Creates arriving in the same turn of the event loop are committed in one transaction (group
   * commit): a commit costs far more than an insert. Each caller resolves only after the commit.
   */
  create(ttl: number): Promise<UploadToken> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ ttl, resolve, reject });
      if (this.#pending.length === 1) setImmediate(this.#flush);
    });
  }

  readonly #pending: { ttl: number; resolve: (token: UploadToken) => void; reject: (error: unknown) => void }[] = [];

  readonly #flush = (): void => {
    const batch = this.#pending.splice(0);
    let rows: TokenRow[];
    try {
      rows = this.#db.transaction(() => batch.map(({ ttl }) => this.#insertOne(ttl)))();
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    }
    batch.forEach(({ resolve }, i) => resolve(toToken(rows[i])));
  };

  #insertOne(ttl: number): TokenRow {
    // Whole seconds, as the dates are written (rounded up, so a token never lives less than its ttl):
    // the expiry a client reads is the one enforced, and it is createdAt + ttl exactly.
    const createdAt = Math.ceil(this.#now() / 1000) * 1000;
    const expiresAt = ttl === 0 ? null : createdAt + ttl * 1000;
    for (;;) {
      const token = randomId('to');
      try {
        this.#insert.run(token, ttl, createdAt, expiresAt);
        return { token, ttl, created_at: createdAt, expires_at: expiresAt };
      } catch (error) {
        // A collision among 62^22 values is practically impossible; draw again rather than fail if it happens.
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
      // Expired tokens are never shown again, so they go; what remains is exactly the active set.
      this.#purge.run({ now });
      const total = this.#count.get()!.n;
      if (offset >= total) return { items: [], total };
      // Deep pages are read from the other end of the index: the last page costs what the first does.
      const reverse = offset + limit / 2 > total / 2;
      if (!reverse) {
        const rows = this.#pages[`${sortBy}:${sortOrder}`].all({ limit, offset });
        return { items: rows.map(toToken), total };
      }
      const flipped = sortOrder === 'asc' ? 'desc' : 'asc';
      const end = Math.min(offset + limit, total);
      const rows = this.#pages[`${sortBy}:${flipped}`].all({ limit: end - offset, offset: total - end });
      return { items: rows.reverse().map(toToken), total };
    })();
  }

  delete(token: string): boolean {
    return this.#delete.run({ token, now: this.#now() }).changes > 0;
  }
}
