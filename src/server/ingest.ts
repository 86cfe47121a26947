/**
 * Chunk ingest: turns accepted `/upload` chunks into one source file per video.
 *
 * Durability: a chunk's bytes are all written (and, when `durable`, synced) before the chunk is
 * recorded in SQLite, and a chunk counts as received only once recorded; a process killed mid-chunk
 * therefore loses at most that chunk. Chunks whose offset is known when they start (the common, sequential case) are
 * written straight into `source.partial` at that offset, so assembly costs no copy; the others wait
 * in `parts/<key>` and are copied in when the last chunk arrives.
 */
import { constants, mkdirSync, rmSync } from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { MAX_PARTS, MAX_UPLOAD_REQUEST, MIN_PART_SIZE } from '../protocol/index.js';
import type { Readable } from 'node:stream';
import type { ChunkRange } from './content-range.js';
import { problems, uploadProblems } from './problem.js';
import { titleFromFileName } from '../protocol/title.js';
import type { VideoFiles } from './video-files.js';
import { UNTITLED, type ChunkRecord, type VideoRecord, type VideoStore } from './video-store.js';

/** Where one chunk's bytes are being written. */
export type ChunkTarget =
  | { kind: 'direct'; videoId: string; path: string; offset: number; maxBytes: number; release(): void }
  | { kind: 'temp'; path: string; offset: 0; maxBytes: number };

export interface ChunkInput {
  /** From the form, when sent. */
  videoId: string | undefined;
  range: ChunkRange;
  /** Null for `/videos/{id}/source`, which names its video. */
  token: string | null;
  fileName: string;
  size: number;
  target: ChunkTarget;
}

/** The file part ran past the length its range announced. */
export class ChunkTooLong extends Error {}

const SHARED = constants.O_RDWR | constants.O_CREAT;
const COPY_BUFFER = 1024 * 1024;
const WRITE_BATCH = 1024 * 1024;

interface Flight {
  key: number;
  from: number;
  to: number;
}

/**
 * How long a part waits for the earlier parts still arriving before it is written to a temporary file.
 * A part sent beside the one before it (the element's `parallel` option, or a client that sends the next
 * part before the previous answer is back) often arrives while that one is still being written; its place
 * is known as soon as that one is recorded, and it is then written in place instead of copied at assembly.
 */
export const PLACE_WAIT_MS = 500;

const keyOf = (range: ChunkRange): number => (range.kind === 'part' ? range.part : range.from);

export class Ingest {
  readonly store: VideoStore;
  readonly files: VideoFiles;
  readonly #locks = new Map<string, Promise<void>>();
  /** Direct writes in progress, per video. */
  readonly #flights = new Map<string, Flight[]>();
  /** Videos whose `source.partial` is being replaced by a rename: no direct write may open it meanwhile. */
  readonly #renaming = new Set<string>();
  /** Per video, what to call when one of its direct writes ends (see `placeSoon`). */
  readonly #landed = new Map<string, Set<() => void>>();

  readonly #durable: boolean;
  readonly #minPartSize: number;

  /**
   * `durable`: sync every chunk to the device before recording it. Without it a chunk is recorded
   * once the kernel holds its bytes, which survives a killed process (like the database in WAL mode
   * with synchronous=NORMAL) but not a power cut.
   */
  constructor(store: VideoStore, files: VideoFiles, options: { durable?: boolean; minPartSize?: number } = {}) {
    this.store = store;
    this.files = files;
    this.#durable = options.durable ?? false;
    this.#minPartSize = Math.max(1, Math.floor(options.minPartSize ?? MIN_PART_SIZE));
  }

  /** Prepares the directories; chunks a previous process was receiving when it stopped are dropped. */
  prepare(): void {
    rmSync(this.files.incoming, { recursive: true, force: true });
    mkdirSync(this.files.incoming, { recursive: true });
    mkdirSync(this.files.root, { recursive: true });
  }

  /** Assembles the videos whose last chunk was recorded by a process that stopped before assembling them. */
  async recover(): Promise<void> {
    for (const video of this.store.unfinished()) {
      if (!this.#complete(video, this.store.chunks(video.id))) continue;
      await this.#withLock(video.id, () => this.#assemble(video.id));
    }
  }

  /**
   * A direct write target when the chunk's place in the source is known now and nothing else writes
   * there; undefined means "write to a temporary file and decide at commit".
   */
  planDirect(videoId: string, range: ChunkRange): ChunkTarget | undefined {
    if (this.#renaming.has(videoId)) return undefined;
    const video = this.store.get(videoId);
    if (!video || video.ingest === 'uploaded' || (video.rangeKind !== null && video.rangeKind !== range.kind))
      return undefined;
    const chunks = this.store.chunks(videoId);
    const flights = this.#flights.get(videoId) ?? [];
    let flight: Flight;
    let maxBytes = MAX_UPLOAD_REQUEST;
    if (range.kind === 'part') {
      // No direct write while an earlier part is still being written in place: a retry of it with
      // another length could run past its end into this part's bytes.
      if (chunks.some((c) => c.key === range.part) || flights.some((f) => f.key <= range.part)) return undefined;
      // The offset is known once parts 1..N-1 are all in.
      let offset = 0;
      for (let part = 1; part < range.part; part++) {
        const chunk = chunks[part - 1];
        if (chunk?.key !== part) return undefined;
        offset += chunk.size;
      }
      flight = { key: range.part, from: offset, to: offset + MAX_UPLOAD_REQUEST - 1 };
    } else {
      const overlaps = (from: number, to: number): boolean => range.from <= to && from <= range.to;
      if (chunks.some((c) => overlaps(c.key, c.key + c.size - 1)) || flights.some((f) => overlaps(f.from, f.to)))
        return undefined;
      flight = { key: range.from, from: range.from, to: range.to };
      maxBytes = range.to - range.from + 1;
    }
    flights.push(flight);
    this.#flights.set(videoId, flights);
    let released = false;
    return {
      kind: 'direct',
      videoId,
      path: this.files.partial(videoId),
      offset: flight.from,
      maxBytes,
      release: () => {
        if (released) return;
        released = true;
        const list = this.#flights.get(videoId) ?? [];
        list.splice(list.indexOf(flight), 1);
        if (list.length === 0) this.#flights.delete(videoId);
        for (const wake of this.#landed.get(videoId) ?? []) wake();
      },
    };
  }

  /**
   * `planDirect`, after waiting up to `waitMs` for the parts before this one that are still arriving
   * in place: once they are recorded, this part's offset is known and it is written in place too,
   * instead of to a temporary file that assembly would copy. Only a part whose every earlier part is
   * either recorded or arriving waits; nothing else does.
   */
  async placeSoon(videoId: string, range: ChunkRange, waitMs = PLACE_WAIT_MS): Promise<ChunkTarget | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const direct = this.planDirect(videoId, range);
      if (direct || range.kind !== 'part' || !this.#earlierArriving(videoId, range.part)) return direct;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const wakers = this.#landed.get(videoId) ?? new Set<() => void>();
        this.#landed.set(videoId, wakers);
        const wake = (): void => {
          clearTimeout(timer);
          wakers.delete(wake);
          if (wakers.size === 0 && this.#landed.get(videoId) === wakers) this.#landed.delete(videoId);
          resolve();
        };
        const timer = setTimeout(wake, left);
        wakers.add(wake);
      });
      // The write that ended is recorded right after it releases its place (same turn, or after the
      // video's lock): give the commit a turn before planning again.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Every part before `part` is recorded or being written in place, and at least one is still arriving. */
  #earlierArriving(videoId: string, part: number): boolean {
    const flights = this.#flights.get(videoId) ?? [];
    if (flights.length === 0 || flights.some((f) => f.key >= part)) return false;
    const recorded = new Set(this.store.chunks(videoId).map((c) => c.key));
    for (let p = 1; p < part; p++) if (!recorded.has(p) && !flights.some((f) => f.key === p)) return false;
    return true;
  }

  tempTarget(): ChunkTarget {
    return { kind: 'temp', path: this.files.temp(), offset: 0, maxBytes: MAX_UPLOAD_REQUEST };
  }

  /**
   * Streams a file part to its target and syncs it; resolves with its size. Throws ChunkTooLong
   * (nothing past the limit is written) or whatever ended the source stream.
   */
  async write(source: Readable, target: ChunkTarget): Promise<number> {
    if (target.kind === 'direct') await mkdir(this.files.dir(target.videoId), { recursive: true });
    const handle = await open(target.path, target.kind === 'temp' ? 'wx' : SHARED, 0o644);
    let size = 0;
    let written = 0;
    let batch: Buffer[] = [];
    let batched = 0;
    // One batch is written while the next one fills: reads and disk writes overlap, and at most two
    // batches are held in memory per request.
    let flushing: Promise<void> = Promise.resolve();
    const flush = async (): Promise<void> => {
      await flushing;
      const buffers = batch;
      const position = target.offset + written;
      written += batched;
      batch = [];
      batched = 0;
      flushing = writeBuffers(handle, buffers, position);
    };
    try {
      // The stream is left alone on failure: destroying a busboy file stream while busboy is still
      // fed makes busboy throw; the caller tears the parser down first.
      for await (const chunk of source.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
        if (size + chunk.length > target.maxBytes) throw new ChunkTooLong();
        size += chunk.length;
        batch.push(chunk);
        batched += chunk.length;
        if (batched >= WRITE_BATCH) await flush();
      }
      if (batched > 0) await flush();
      await flushing;
      if (this.#durable) await handle.datasync();
    } finally {
      await flushing.catch(() => {});
      await handle.close();
    }
    return size;
  }

  /** Drops what a refused or failed chunk left behind. */
  async discard(target: ChunkTarget): Promise<void> {
    if (target.kind === 'temp') {
      await rm(target.path, { force: true });
      return;
    }
    target.release();
    // The video was deleted while the chunk arrived: its directory was made again for the chunk.
    if (!this.store.get(target.videoId)) await this.removeFiles(target.videoId);
  }

  /**
   * Validates a received chunk against its video and records it; the chunk that completes the video
   * assembles the source. Resolves with the video as it stands afterwards. Throws a ProblemError for
   * every refused chunk (the caller discards the target).
   */
  async commit(input: ChunkInput): Promise<VideoRecord> {
    const { range } = input;
    let id = input.videoId;
    if (id === undefined) {
      const first = range.kind === 'part' ? range.part === 1 : range.from === 0;
      if (!first) {
        const found =
          input.token === null ? undefined : this.store.findContinuation(input.token, input.fileName, range.kind);
        if (!found) throw uploadProblems.videoIdMissing();
        id = found.id;
      }
    }
    if (id === undefined) {
      this.#check(undefined, [], range, input.size);
      const video = this.store.create({ title: titleFromFileName(input.fileName, UNTITLED) });
      this.store.startUpload(video.id, range.kind, range.total, input.token, input.fileName);
      return this.#withLock(video.id, () => this.#place(video.id, input));
    }
    const videoId = id;
    return this.#withLock(videoId, async () => {
      const video = this.store.get(videoId);
      if (!video) throw problems.notFound('videoId');
      const verdict = this.#check(video, this.store.chunks(videoId), range, input.size);
      if (verdict === 'duplicate') {
        // The video exists, so this never waits for the lock held here.
        await this.discard(input.target);
        return video;
      }
      if (video.ingest === null) {
        this.store.startUpload(videoId, range.kind, range.total, input.token, input.fileName);
      } else if (video.rangeTotal === null && range.total !== null) {
        this.store.setTotal(videoId, range.total);
      }
      return this.#place(videoId, input);
    });
  }

  /** Throws the problem of a refused chunk; 'duplicate' is a chunk sent again, identical in place and size. */
  #check(
    video: VideoRecord | undefined,
    chunks: ChunkRecord[],
    range: ChunkRange,
    size: number,
  ): 'accept' | 'duplicate' {
    const key = keyOf(range);
    const same = chunks.find((c) => c.key === key);
    const known = video?.rangeTotal ?? null;
    if (video?.rangeKind && video.rangeKind !== range.kind) {
      throw video.ingest === 'uploaded'
        ? uploadProblems.alreadyUploaded()
        : uploadProblems.mixedRanges(video.rangeKind);
    }
    if (range.kind === 'bytes' && size !== range.to - range.from + 1) throw uploadProblems.rangeLength();
    if (video?.ingest === 'uploaded') {
      // A client that lost the last 201 sends its chunk again: answer as before.
      const sameTotal = range.total === null || range.total === known;
      if (same && same.size === size && sameTotal) return 'duplicate';
      throw uploadProblems.alreadyUploaded();
    }
    if (range.kind === 'part') {
      if (range.total !== null && known !== null && range.total !== known) throw uploadProblems.totalChanged();
      const total = range.total ?? known;
      if (total !== null && range.part > total) throw uploadProblems.partTooHighTotal();
      if (total !== null && chunks.some((c) => c.key > total)) throw uploadProblems.totalPartsTooLow();
      if (same) {
        if (same.size === size) return 'duplicate';
        throw uploadProblems.partAlreadySent();
      }
      const last = total !== null && range.part === total;
      if (!last && size < this.#minPartSize) throw uploadProblems.partTooSmall(this.#minPartSize);
    } else {
      if (known !== null && range.total !== known) throw uploadProblems.totalChanged('bytes');
      if (same && same.size === size) return 'duplicate';
      if (chunks.some((c) => range.from <= c.key + c.size - 1 && c.key <= range.to))
        throw uploadProblems.rangeOverlaps();
      if (range.to !== range.total - 1 && size < this.#minPartSize)
        throw uploadProblems.partTooSmall(this.#minPartSize);
      if (chunks.length + 1 > MAX_PARTS) throw uploadProblems.tooManyParts(MAX_PARTS);
    }
    return 'accept';
  }

  async #place(id: string, input: ChunkInput): Promise<VideoRecord> {
    const key = keyOf(input.range);
    const { target } = input;
    let placed: boolean;
    if (target.kind === 'direct') {
      placed = true;
      target.release();
    } else {
      await mkdir(this.files.parts(id), { recursive: true });
      const startsAtZero = input.range.kind === 'part' ? input.range.part === 1 : input.range.from === 0;
      const partial = this.files.partial(id);
      if (startsAtZero && !this.#flights.has(id) && !(await exists(partial))) {
        // A first chunk becomes the start of the source by a rename instead of a copy.
        this.#renaming.add(id);
        try {
          await rename(target.path, partial);
        } finally {
          this.#renaming.delete(id);
        }
        placed = true;
      } else {
        await rename(target.path, this.files.part(id, key));
        placed = false;
      }
    }
    this.store.addChunk(id, { key, size: input.size, placed });
    const video = this.store.get(id)!;
    if (this.#complete(video, this.store.chunks(id))) await this.#assemble(id);
    return this.store.get(id)!;
  }

  #complete(video: VideoRecord, chunks: ChunkRecord[]): boolean {
    if (video.rangeTotal === null) return false;
    if (video.rangeKind === 'part') return chunks.length === video.rangeTotal;
    return chunks.reduce((sum, c) => sum + c.size, 0) === video.rangeTotal;
  }

  /** Copies waiting chunks into place, trims, syncs, and renames the partial file to `source`. */
  async #assemble(id: string): Promise<void> {
    const video = this.store.get(id)!;
    const chunks = this.store.chunks(id);
    const partial = this.files.partial(id);
    const source = this.files.source(id);
    let total: number;
    if (!(await exists(partial)) && (await exists(source))) {
      // A previous process renamed it but stopped before recording it.
      total = (await stat(source)).size;
    } else {
      await mkdir(this.files.dir(id), { recursive: true });
      const handle = await open(partial, SHARED, 0o644);
      try {
        let offset = 0;
        for (const chunk of chunks) {
          const at = video.rangeKind === 'bytes' ? chunk.key : offset;
          if (!chunk.placed) await copyInto(this.files.part(id, chunk.key), handle, at);
          offset += chunk.size;
        }
        total = video.rangeKind === 'bytes' ? video.rangeTotal! : offset;
        await handle.truncate(total);
        if (this.#durable) await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(partial, source);
    }
    this.store.markUploaded(id, total);
    await rm(this.files.parts(id), { recursive: true, force: true });
  }

  /** Deletes a video's files; waits for a commit in progress on it. */
  async removeFiles(id: string): Promise<void> {
    await this.#withLock(id, () => rm(this.files.dir(id), { recursive: true, force: true }));
  }

  /** Runs `task` after every earlier task on the same video. */
  async #withLock<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(id) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.#locks.set(id, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.#locks.get(id) === tail) this.#locks.delete(id);
    }
  }
}

async function writeAll(handle: FileHandle, buffer: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, done, buffer.length - done, position + done);
    done += bytesWritten;
  }
}

async function writeBuffers(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  const total = buffers.reduce((sum, b) => sum + b.length, 0);
  const { bytesWritten } = await handle.writev(buffers, position);
  if (bytesWritten < total)
    await writeAll(handle, Buffer.concat(buffers).subarray(bytesWritten), position + bytesWritten);
}

async function copyInto(from: string, to: FileHandle, position: number): Promise<void> {
  const input = await open(from, 'r');
  const buffer = Buffer.allocUnsafe(COPY_BUFFER);
  try {
    let at = 0;
    for (;;) {
      const { bytesRead } = await input.read(buffer, 0, buffer.length, at);
      if (bytesRead === 0) break;
      await writeAll(to, buffer.subarray(0, bytesRead), position + at);
      at += bytesRead;
    }
  } finally {
    await input.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
