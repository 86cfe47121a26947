import type { TokenGrant, Video } from '../protocol/index.js';
import type { ProgressTracker } from './progress.js';
import type { ResumeStore } from './resume-store.js';
import type { TokenSource } from './token-source.js';

/** Options after defaults and limits are applied. */
export interface ResolvedOptions {
  chunkSize: number;
  parallel: number;
  retries: number;
  stallTimeout: number;
  resume: boolean;
}

/** What a transport gets from the session for one run (one `AbortController`). */
export interface TransportContext {
  file: File;
  apiUrl: string;
  grant: TokenGrant;
  signal: AbortSignal;
  tokens: TokenSource;
  options: ResolvedOptions;
  resume: ResumeStore | null;
  /** The tracker, created on the first run once the number of parts is known. */
  progress(parts: number): ProgressTracker;
  /** Runs `op` under the retry policy (backoff, Retry-After, offline wait); `mark` resets the attempt count when it grows. */
  withRetries<T>(op: () => Promise<T>, signal: AbortSignal, mark?: () => number): Promise<T>;
}

/** Moves the file to the video API. Keeps its own state across runs, so a new run after a pause continues. */
export interface Transport {
  /** File bytes already on the server when the first run starts (resume after reload). */
  prepare(context: TransportContext): Promise<number>;
  run(context: TransportContext): Promise<Video>;
  /** Forgets what was kept for resuming (cancel). */
  discard(context: Pick<TransportContext, 'file' | 'apiUrl' | 'resume'>): void;
}

export { ORIGIN_CLIENT } from '../protocol/version.js';
