import type { UploadProgress } from './types.js';

/** Progress events are emitted at most this often, plus a final one. */
export const PROGRESS_INTERVAL_MS = 100;
const RATE_WINDOW_MS = 5_000;

/**
 * Counts file bytes: parts the server accepted plus the file bytes of parts in flight. What it
 * reports never exceeds the total and never goes back, even when a part in flight is lost and resent.
 */
export class ProgressTracker {
  readonly totalBytes: number;
  parts: number;
  #accepted = 0;
  readonly #inFlight = new Map<number, number>();
  #reported = 0;
  #currentPart = 1;
  #samples: Array<[number, number]> = [];
  #lastEmit = -Infinity;
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #emit: (progress: UploadProgress) => void;
  readonly #now: () => number;

  constructor(
    totalBytes: number,
    parts: number,
    emit: (progress: UploadProgress) => void,
    now: () => number = () => performance.now(),
  ) {
    this.totalBytes = totalBytes;
    this.parts = parts;
    this.#emit = emit;
    this.#now = now;
  }

  /** Bytes that were on the server before this session started (resume); they do not count towards the rate. */
  setAccepted(bytes: number): void {
    this.#accepted = bytes;
    this.#reported = Math.max(this.#reported, Math.min(this.totalBytes, bytes));
    this.#samples = [];
  }

  /** Bytes of part `part` (1-based) sent so far, in file bytes. */
  partProgress(part: number, fileBytes: number): void {
    this.#inFlight.set(part, fileBytes);
    this.#currentPart = Math.min(...this.#inFlight.keys());
    this.#update();
  }

  partAccepted(part: number, size: number): void {
    this.#inFlight.delete(part);
    this.#accepted += size;
    if (this.#inFlight.size) this.#currentPart = Math.min(...this.#inFlight.keys());
    else this.#currentPart = Math.min(this.parts, part + 1);
    this.#update();
  }

  /** A part in flight was lost (abort, retry): its bytes will be sent again. */
  partLost(part: number): void {
    this.#inFlight.delete(part);
  }

  /** Bytes as one absolute count (tus reports that way). */
  setSent(bytes: number, part: number): void {
    this.#accepted = bytes;
    this.#inFlight.clear();
    this.#currentPart = part;
    this.#update();
  }

  #actual(): number {
    let sum = this.#accepted;
    for (const bytes of this.#inFlight.values()) sum += bytes;
    return sum;
  }

  #update(): void {
    const actual = Math.min(this.totalBytes, this.#actual());
    if (actual > this.#reported) {
      const now = this.#now();
      this.#samples.push([now, actual]);
      while (this.#samples.length > 2 && now - this.#samples[0][0] > RATE_WINDOW_MS) this.#samples.shift();
      this.#reported = actual;
    }
    this.#schedule();
  }

  snapshot(): UploadProgress {
    const uploadedBytes = this.#reported;
    const totalBytes = this.totalBytes;
    let bytesPerSecond = 0;
    if (this.#samples.length >= 2) {
      const [t0, b0] = this.#samples[0];
      const [t1, b1] = this.#samples[this.#samples.length - 1];
      if (t1 - t0 >= 200) bytesPerSecond = ((b1 - b0) * 1000) / (t1 - t0);
    }
    const remaining = totalBytes - uploadedBytes;
    return {
      uploadedBytes,
      totalBytes,
      percent: totalBytes === 0 ? (uploadedBytes === 0 ? 0 : 100) : Math.min(100, (uploadedBytes / totalBytes) * 100),
      bytesPerSecond: Math.round(bytesPerSecond),
      secondsRemaining: remaining === 0 ? 0 : bytesPerSecond > 0 ? remaining / bytesPerSecond : null,
      part: this.#currentPart,
      parts: this.parts,
    };
  }

  #schedule(): void {
    if (this.#timer !== null) return;
    const wait = this.#lastEmit + PROGRESS_INTERVAL_MS - this.#now();
    if (wait <= 0) {
      this.#fire();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#fire();
    }, wait);
  }

  #fire(): void {
    this.#lastEmit = this.#now();
    this.#emit(this.snapshot());
  }

  /** Emits the current state at once (the final event) and drops a pending one. */
  flush(): void {
    this.stop();
    this.#fire();
  }

  /** Drops a pending event (pause, cancel, error). */
  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
