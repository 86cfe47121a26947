/** Shared pieces of the upload engine's browser tests: files, hashes, server commands. */
import { executeServerCommand } from '@web/test-runner-commands';
import type { TokenGrant, UploadToken } from '../../../src/protocol/index.js';
import type { FaultConfig, ProxyLogEntry } from '../../support/fault-proxy.js';
import type { UploadSession } from '../../../src/upload/index.js';
import type { UploadErrorLike, UploadEventMap, UploadProgress, UploadState } from '../../../src/upload/index.js';

export const MiB = 1024 * 1024;
export const CHUNK = 5 * MiB;

/**
 * A file of `size` deterministic bytes (xorshift from `seed`), different in every MiB so that a part
 * landing at the wrong offset changes the hash.
 */
export function makeFile(size: number, name = 'clip.mp4', seed = 1, lastModified = 1_700_000_000_000): File {
  const block = new Uint8Array(MiB);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < block.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    block[i] = x & 0xff;
  }
  const parts: BlobPart[] = [];
  for (let offset = 0, n = 0; offset < size; offset += MiB, n++) {
    const piece = block.slice(0, Math.min(MiB, size - offset));
    new DataView(piece.buffer).setUint32(0, n * 2654435761 + seed);
    parts.push(piece);
  }
  return new File(parts, name, { type: 'video/mp4', lastModified });
}

export async function sha256(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export const videoApi = (): Promise<{ url: string }> => executeServerCommand('video-api');
export const mintToken = (ttl = 600): Promise<UploadToken> => executeServerCommand('mint-token', { ttl });
export const deleteToken = (token: string): Promise<{ status: number }> =>
  executeServerCommand('delete-token', { token });
export const configureProxy = (config: FaultConfig = {}): Promise<{ url: string }> =>
  executeServerCommand('fault-proxy', config);
export const proxyLog = (): Promise<ProxyLogEntry[]> => executeServerCommand('fault-proxy-log');
export const sourceSha256 = (videoId: string): Promise<{ sha256?: string; size?: number; error?: string }> =>
  executeServerCommand('source-sha256', { videoId });
export const createVideo = (title: string): Promise<{ videoId: string }> =>
  executeServerCommand('create-video', { title });
export const tokenEndpointLog = (
  reset = false,
): Promise<Array<{ method: string; contentType: string; body: unknown }>> =>
  executeServerCommand('token-endpoint-log', { reset });

/** A grant for `apiUrl` minted on the Node side. */
export async function grantFor(apiUrl: string, ttl = 600, extra: Partial<TokenGrant> = {}): Promise<TokenGrant> {
  return { ...(await mintToken(ttl)), apiUrl, ...extra };
}

/** A tokenProvider that mints a fresh `ttl`-second grant on every call, and the grants it minted. */
export function mintingProvider(
  apiUrl: string,
  ttl: number,
): { minted: TokenGrant[]; tokenProvider: () => Promise<TokenGrant> } {
  const minted: TokenGrant[] = [];
  return {
    minted,
    tokenProvider: async () => {
      const grant = await grantFor(apiUrl, ttl);
      minted.push(grant);
      return grant;
    },
  };
}

/** Uploads through the proxy, so tests see every request; only `/upload` and `/tus` requests are kept. */
export const uploads = (log: ProxyLogEntry[]): ProxyLogEntry[] =>
  log.filter((e) => e.method !== 'OPTIONS' && (e.path === '/upload' || e.path.startsWith('/tus')));

export const partOf = (entry: ProxyLogEntry): number =>
  Number(/^part (\d+)\//.exec(entry.contentRange ?? '')?.[1] ?? 0);

export interface Recorded {
  states: UploadState[];
  progress: Array<UploadProgress & { at: number }>;
  retries: Array<UploadEventMap['retry']>;
  tokens: Array<UploadEventMap['token']>;
  starts: Array<UploadEventMap['start']>;
}

/** Records the session's events. */
export function record(session: UploadSession): Recorded {
  const recorded: Recorded = { states: [], progress: [], retries: [], tokens: [], starts: [] };
  session.addEventListener('statechange', (e) => recorded.states.push(e.detail.state));
  session.addEventListener('progress', (e) => recorded.progress.push({ ...e.detail, at: performance.now() }));
  session.addEventListener('retry', (e) => recorded.retries.push(e.detail));
  session.addEventListener('token', (e) => recorded.tokens.push(e.detail));
  session.addEventListener('start', (e) => recorded.starts.push(e.detail));
  return recorded;
}

/** Resolves once the session is complete, failed or canceled. */
export function settled(
  session: UploadSession,
  timeoutMs = 50_000,
): Promise<{ state: UploadState; error: UploadErrorLike | null }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still ${session.state} after ${timeoutMs} ms`)), timeoutMs);
    const check = (): void => {
      if (session.state === 'complete' || session.state === 'error' || session.state === 'canceled') {
        clearTimeout(timer);
        session.removeEventListener('statechange', check);
        resolve({ state: session.state, error: session.error });
      }
    };
    session.addEventListener('statechange', check);
    check();
  });
}

/** Resolves when `predicate` holds for a progress event; rejects if the session ends first. */
export function progressWhere(
  session: UploadSession,
  predicate: (p: UploadProgress) => boolean,
): Promise<UploadProgress> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      session.removeEventListener('progress', listener);
      session.removeEventListener('statechange', ended);
    };
    const listener = (event: Event): void => {
      const detail = (event as CustomEvent<UploadProgress>).detail;
      if (predicate(detail)) {
        done();
        resolve(detail);
      }
    };
    const ended = (): void => {
      if (['complete', 'error', 'canceled'].includes(session.state)) {
        done();
        reject(
          new Error(`session ended (${session.state}: ${session.error?.message ?? ''}) before the awaited progress`),
        );
      }
    };
    session.addEventListener('progress', listener);
    session.addEventListener('statechange', ended);
  });
}

export const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Empties the resume records between tests. */
export function clearResumeRecords(): void {
  for (let i = localStorage.length - 1; i >= 0; i--) {
    const key = localStorage.key(i);
    if (key?.startsWith('video-uploader:')) localStorage.removeItem(key);
  }
}

/** A token URL on a loopback port where nothing listens. */
export async function closedPortUrl(): Promise<string> {
  const { port } = await executeServerCommand<{ port: number }, undefined>('closed-port');
  return `http://127.0.0.1:${port}/__token`;
}

/** The test server's own token endpoint under the other loopback name: another origin, which sends no CORS headers. */
export function crossOriginTokenUrl(query = ''): string {
  const other = location.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1';
  return `${location.protocol}//${other}:${location.port}/__token${query}`;
}
