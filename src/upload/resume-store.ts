import type { TokenGrant } from '../protocol/index.js';
/** Where resume records live; `localStorage` by default. */
export type ResumeStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> & {
  key?(index: number): string | null;
  length?: number;
};

export const RESUME_KEY_PREFIX = 'video-uploader:resume:';
/** Records older than this are dropped: the video API forgets unfinished uploads too. */
export const RESUME_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * What is kept between page loads for one file and API. With it, the grant whose token wrote the last
 * part (when it was fetched, not a static one): a short-lived upload token that any script of the page could
 * ask the token endpoint for anyway.
 * After a reload the upload goes on with it while it is valid, since the video API lets a video be
 * continued only by the token that holds it (the local API hands it over once that token expires).
 */
export interface ResumeRecord {
  v: 1;
  videoId: string;
  chunkSize: number;
  parts: number;
  /** 1-based numbers of the parts the server accepted. */
  done: number[];
  grant?: TokenGrant;
  createdAt: number;
  updatedAt: number;
}

/** Identifies a file across page loads (the browser gives no stable handle, so: its visible facts). */
export function fileFingerprint(file: File, apiUrl: string): string {
  return JSON.stringify([file.name, file.size, file.type, file.lastModified, apiUrl]);
}

function defaultStorage(): ResumeStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    // Storage access can throw (blocked cookies, sandboxed frames); resume is then off.
    return null;
  }
}

/** Resume records in Web Storage. Every access is guarded: a full or blocked storage never fails an upload. */
export class ResumeStore {
  readonly #storage: ResumeStorage | null;
  readonly #now: () => number;

  constructor(storage?: ResumeStorage | null, now: () => number = Date.now) {
    this.#storage = storage === undefined ? defaultStorage() : storage;
    this.#now = now;
  }

  /** The storage behind the records (tus keeps its upload URLs there too). */
  get storage(): ResumeStorage | null {
    return this.#storage;
  }

  #key(file: File, apiUrl: string): string {
    return RESUME_KEY_PREFIX + fileFingerprint(file, apiUrl);
  }

  get(file: File, apiUrl: string): ResumeRecord | null {
    if (!this.#storage) return null;
    const key = this.#key(file, apiUrl);
    try {
      const raw = this.#storage.getItem(key);
      if (!raw) return null;
      const record = JSON.parse(raw) as ResumeRecord;
      const valid =
        record?.v === 1 &&
        typeof record.videoId === 'string' &&
        Number.isInteger(record.chunkSize) &&
        Number.isInteger(record.parts) &&
        Array.isArray(record.done) &&
        record.parts === Math.max(1, Math.ceil(file.size / record.chunkSize)) &&
        typeof record.updatedAt === 'number';
      if (!valid || this.#now() - record.updatedAt > RESUME_MAX_AGE_MS) {
        this.#storage.removeItem(key);
        return null;
      }
      record.done = record.done.filter((n) => Number.isInteger(n) && n >= 1 && n <= record.parts);
      if (record.grant !== undefined && (typeof record.grant?.token !== 'string' || record.grant.token === '')) {
        delete record.grant;
      }
      return record;
    } catch {
      return null;
    }
  }

  save(
    file: File,
    apiUrl: string,
    record: Omit<ResumeRecord, 'v' | 'createdAt' | 'updatedAt'> & { createdAt?: number },
  ): void {
    if (!this.#storage) return;
    const now = this.#now();
    const full: ResumeRecord = {
      v: 1,
      ...record,
      done: [...record.done].sort((a, b) => a - b),
      createdAt: record.createdAt ?? now,
      updatedAt: now,
    };
    try {
      this.#storage.setItem(this.#key(file, apiUrl), JSON.stringify(full));
    } catch {
      // Quota exceeded or storage blocked: the upload goes on, only resume is lost.
    }
  }

  clear(file: File, apiUrl: string): void {
    try {
      this.#storage?.removeItem(this.#key(file, apiUrl));
    } catch {
      // see save()
    }
  }

  /** Drops every record older than the maximum age. */
  sweep(): void {
    const storage = this.#storage;
    if (!storage?.key || typeof storage.length !== 'number') return;
    try {
      const stale: string[] = [];
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i);
        if (!key?.startsWith(RESUME_KEY_PREFIX)) continue;
        try {
          const record = JSON.parse(storage.getItem(key) ?? 'null') as ResumeRecord | null;
          if (!record || typeof record.updatedAt !== 'number' || this.#now() - record.updatedAt > RESUME_MAX_AGE_MS)
            stale.push(key);
        } catch {
          stale.push(key);
        }
      }
      for (const key of stale) storage.removeItem(key);
    } catch {
      // see save()
    }
  }
}

/** An upload that stopped before its end, as its resume record tells it. */
export interface InterruptedUpload {
  fileName: string;
  fileSize: number;
  /** 0…100, from the parts the server accepted. */
  percent: number;
  updatedAt: number;
}

/**
 * The most recent upload left unfinished in this storage (a closed tab, a reload), or null. The file's
 * name and size come from the record's key, which is the file's fingerprint; its progress from the parts
 * accepted. Picking the same file again continues it.
 */
export function lastInterruptedUpload(
  storage: ResumeStorage | null = defaultStorage(),
  now: number = Date.now(),
): InterruptedUpload | null {
  if (!storage?.key || typeof storage.length !== 'number') return null;
  let found: InterruptedUpload | null = null;
  try {
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (!key?.startsWith(RESUME_KEY_PREFIX)) continue;
      try {
        const [fileName, fileSize] = JSON.parse(key.slice(RESUME_KEY_PREFIX.length)) as [unknown, unknown];
        const record = JSON.parse(storage.getItem(key) ?? 'null') as ResumeRecord | null;
        if (typeof fileName !== 'string' || typeof fileSize !== 'number' || fileSize <= 0) continue;
        if (!record || !Array.isArray(record.done) || typeof record.updatedAt !== 'number') continue;
        if (now - record.updatedAt > RESUME_MAX_AGE_MS || (found && found.updatedAt >= record.updatedAt)) continue;
        const sent = record.done.reduce(
          (sum, part) => sum + (part === record.parts ? fileSize - (part - 1) * record.chunkSize : record.chunkSize),
          0,
        );
        const percent = Math.max(0, Math.min(99, Math.floor((sent / fileSize) * 100)));
        found = { fileName, fileSize, percent, updatedAt: record.updatedAt };
      } catch {
        // a record of another shape: not ours to judge
      }
    }
  } catch {
    return null;
  }
  return found;
}
