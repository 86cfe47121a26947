import type { Metadata, UploadToken } from '../protocol/index.js';
import { issuerProblems } from './problems.js';

/** Fields of a video created in advance (`POST /videos`), as api.video names them. */
export interface VideoFields {
  title?: string;
  description?: string;
  /** false makes a private video, playable only with a private token. */
  public?: boolean;
  panoramic?: boolean;
  mp4Support?: boolean;
  tags?: string[];
  /** A list of `{key, value}` pairs, or a plain record of strings. */
  metadata?: Metadata[] | Record<string, string>;
  playerId?: string;
}

export interface UpstreamOptions {
  apiUrl: string;
  authorization: string;
  timeout: number;
  fetch: typeof fetch;
  /** Removes the API key from any text before it leaves the issuer. */
  redact: (text: string) => string;
}

export interface Upstream {
  createToken(ttl: number, signal: AbortSignal): Promise<UploadToken>;
  createVideo(fields: VideoFields, signal: AbortSignal): Promise<string>;
}

function toBase64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** HTTP Basic with the API key as user name and an empty password, as api.video expects. */
export const basicAuthorization = (apiKey: string): string => `Basic ${toBase64(`${apiKey}:`)}`;

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

/** The video API calls of the issuer, each failure turned into the problem the browser gets. */
export function createUpstream(options: UpstreamOptions): Upstream {
  const { apiUrl, authorization, timeout, redact } = options;
  const doFetch = options.fetch;

  async function call(path: string, payload: unknown, signal: AbortSignal): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await doFetch(apiUrl + path, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(payload),
        signal,
      });
    } catch (error) {
      if (isAbort(error) && signal.aborted) throw issuerProblems.upstreamTimeout(timeout);
      throw issuerProblems.upstreamUnreachable();
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      if (isAbort(error) && signal.aborted) throw issuerProblems.upstreamTimeout(timeout);
      throw issuerProblems.upstreamUnreachable();
    }
    if (response.status === 401 || response.status === 403) throw issuerProblems.keyRefused(response.status);
    if (response.status === 429) {
      const retryAfter = response.headers.get('retry-after') ?? response.headers.get('x-ratelimit-retry-after') ?? '1';
      throw issuerProblems.upstreamBusy(/^[0-9]{1,6}$/.test(retryAfter) ? retryAfter : '1');
    }
    if (!response.ok) {
      throw issuerProblems.upstreamFailed(`${path} answered HTTP ${response.status}${titleOf(text, redact)}.`);
    }
    try {
      const value: unknown = JSON.parse(text);
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // Falls through to the problem below.
    }
    throw issuerProblems.upstreamFailed(`${path} answered something other than a JSON object.`);
  }

  return {
    async createToken(ttl, signal) {
      const body = await call('/upload-tokens', { ttl }, signal);
      const { token, createdAt, expiresAt } = body;
      if (typeof token !== 'string' || token === '' || typeof createdAt !== 'string') {
        throw issuerProblems.upstreamFailed('/upload-tokens answered without a token.');
      }
      return {
        token,
        ttl: typeof body.ttl === 'number' ? body.ttl : ttl,
        createdAt,
        expiresAt: typeof expiresAt === 'string' ? expiresAt : null,
      };
    },
    async createVideo(fields, signal) {
      const body = await call('/videos', toVideoPayload(fields), signal);
      if (typeof body.videoId !== 'string' || body.videoId === '') {
        throw issuerProblems.upstreamFailed('/videos answered without a videoId.');
      }
      return body.videoId;
    },
  };
}

/** The upstream problem's title, when it has one, for the detail of ours. */
function titleOf(text: string, redact: (text: string) => string): string {
  try {
    const value = JSON.parse(text) as { title?: unknown };
    if (typeof value.title === 'string' && value.title.length <= 200) {
      // The sentence ends once: titles such as "This attribute must be an array." carry their own stop.
      return `: ${redact(value.title).replace(/\.$/, '')}`;
    }
  } catch {
    // Not a problem body: say nothing of it.
  }
  return '';
}

function toVideoPayload(fields: VideoFields): Record<string, unknown> {
  const payload: Record<string, unknown> = { ...fields };
  if (fields.metadata && !Array.isArray(fields.metadata)) {
    payload.metadata = Object.entries(fields.metadata).map(([key, value]) => ({ key, value: String(value) }));
  }
  if (payload.title === undefined || payload.title === '') payload.title = 'Untitled video';
  return payload;
}
