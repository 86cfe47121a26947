import type { TokenGrant, UploadProtocol } from '../protocol/index.js';
import { canceledError, excerpt, UploadError } from './errors.js';
import { parseRetryAfter } from './retry.js';
import type { TokenProvider } from './types.js';

export const DEFAULT_TOKEN_SAFETY_MARGIN_S = 60;
export const DEFAULT_TOKEN_REQUEST_TIMEOUT_MS = 15_000;

export interface TokenSourceOptions {
  token?: string;
  tokenProvider?: TokenProvider;
  tokenUrl?: string;
  /** Seconds before expiry at which a grant is refetched. */
  safetyMargin?: number;
  /** Milliseconds for the token endpoint. */
  requestTimeout?: number;
  /** Extra facts sent to the token endpoint with the file's (a title, a description). */
  fields?: Record<string, string>;
  now?: () => number;
}

/** A grant with its expiry parsed. */
export interface ActiveGrant {
  grant: TokenGrant;
  /** Server-clock milliseconds at which the token expires, or null if it never does (or nobody said). */
  expiresAtServer: number | null;
}

/**
 * Where tokens come from: a static token, a `tokenProvider`, or a `token-url`. Refetches a grant
 * that expires within the safety margin, shares one request among callers that ask at once, and
 * corrects the grant's `expiresAt` for client clock skew using the response `Date` header.
 */
export class TokenSource {
  readonly #options: TokenSourceOptions;
  readonly #file: File;
  readonly #now: () => number;
  #current: ActiveGrant | null = null;
  #pending: Promise<ActiveGrant> | null = null;
  /** The grant replaced by the last refresh made on a suspicion alone (a network error), while it may still hold. */
  #suspected: ActiveGrant | null = null;
  /** Server clock minus local clock, in milliseconds. */
  #skewMs = 0;
  #onGrant: (grant: TokenGrant, refreshed: boolean) => void;

  constructor(
    file: File,
    options: TokenSourceOptions,
    onGrant: (grant: TokenGrant, refreshed: boolean) => void = () => {},
  ) {
    const sources = [options.token, options.tokenProvider, options.tokenUrl].filter((s) => s !== undefined && s !== '');
    if (sources.length === 0) {
      throw new UploadError(
        'token-missing',
        'No way to get an upload token: set token-url to your token issuer (or the tokenProvider property, or a static token with api-url).',
        { retryable: false },
      );
    }
    this.#file = file;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#onGrant = onGrant;
  }

  /** A static token cannot be refreshed: nothing could hand out another one. */
  get canRefresh(): boolean {
    return !this.#options.token && Boolean(this.#options.tokenProvider || this.#options.tokenUrl);
  }

  get current(): ActiveGrant | null {
    return this.#current;
  }

  get skewMs(): number {
    return this.#skewMs;
  }

  /**
   * Feeds the `Date` header of any response from the video API, to keep the skew estimate current.
   * The header counts whole seconds: the server's clock read up to a second past it, so the skew is taken
   * at the top of that second. A grant then never looks longer-lived than the server holds it (up to a
   * second shorter), which matters for short tokens whose margin is a fraction of a second.
   */
  observeServerDate(date: string | null | undefined): void {
    const server = date ? Date.parse(date) : NaN;
    if (!Number.isNaN(server)) this.#skewMs = server + 1000 - this.#now();
  }

  /**
   * The safety margin as configured; the default one is never more than a quarter of the grant's
   * lifetime: a 5 s token under a 60 s margin would otherwise count as expiring the moment it
   * arrives, and be refetched before every part (and spend the issuer's rate limit).
   */
  #marginMs(active: ActiveGrant): number {
    if (this.#options.safetyMargin !== undefined) return this.#options.safetyMargin * 1000;
    const margin = DEFAULT_TOKEN_SAFETY_MARGIN_S * 1000;
    const created = Date.parse(active.grant.createdAt);
    if (active.expiresAtServer == null || Number.isNaN(created)) return margin;
    return Math.min(margin, Math.max(0, active.expiresAtServer - created) / 4);
  }

  /** Local-clock milliseconds at which a grant expires, corrected for the server's clock skew. */
  expiresAtLocal(active: ActiveGrant | null = this.#current): number | null {
    return active?.expiresAtServer == null ? null : active.expiresAtServer - this.#skewMs;
  }

  /** Whether a grant expires within the safety margin. */
  isExpiring(active: ActiveGrant | null = this.#current): boolean {
    if (!active) return true;
    const local = this.expiresAtLocal(active);
    if (local === null) return false;
    return local - this.#marginMs(active) <= this.#now();
  }

  /**
   * The grant to use now: the current one unless it expires within the margin (or `force`), in which
   * case a fresh one is fetched. A grant that the source just handed out is used even if it is
   * within the margin, so short-lived tokens do not loop.
   */
  async get(signal: AbortSignal, force = false): Promise<ActiveGrant> {
    if (this.#current && !force && !(this.canRefresh && this.isExpiring())) return this.#current;
    if (this.#current && !this.canRefresh) {
      const local = this.expiresAtLocal();
      if (local !== null && local <= this.#now()) throw this.#staticExpired();
      return this.#current;
    }
    this.#pending ??= this.#fetch(signal).finally(() => {
      this.#pending = null;
    });
    const refreshed = this.#current !== null;
    const active = await this.#pending;
    if (this.#current !== active) {
      this.#current = active;
      this.#onGrant(active.grant, refreshed);
    }
    return active;
  }

  /**
   * Refetches unless the token changed since `usedToken` was read (another part already refreshed it).
   * `suspected`: the token was not refused for sure (a network error that may hide a refusal), so the
   * grant it replaces is kept for `restoreSuspected`.
   */
  async refreshAfterRejection(usedToken: string, signal: AbortSignal, suspected = false): Promise<ActiveGrant> {
    if (!this.canRefresh) throw this.#staticExpired();
    if (this.#current && this.#current.grant.token !== usedToken) return this.#current;
    const replaced = this.#current;
    const active = await this.get(signal, true);
    this.#suspected = suspected && replaced && replaced !== active ? replaced : null;
    return active;
  }

  /**
   * The grant of a resume record: the token that wrote the video's parts before the page was reloaded is
   * used again while it is valid, since the video is continued by the token that holds it. Ignored for a
   * static token (there is no other), and for a grant that expires within the safety margin.
   */
  adopt(grant: TokenGrant): void {
    if (!this.canRefresh || this.#current?.grant.token === grant.token) return;
    const active = this.#activate(grant, 'the resume record', false);
    if (!this.isExpiring(active)) this.#current = active;
  }

  /**
   * The video API said the video is still held by the token that a suspicion replaced (it was not
   * refused after all): use that token again while it is valid. Null when there is none to go back to.
   */
  restoreSuspected(usedToken: string): ActiveGrant | null {
    if (this.#current && this.#current.grant.token !== usedToken) return this.#current;
    const previous = this.#suspected;
    this.#suspected = null;
    if (!previous || this.isExpiring(previous)) return null;
    this.#current = previous;
    return previous;
  }

  #staticExpired(): UploadError {
    return new UploadError(
      'token-expired',
      'The upload token is invalid or has expired, and a static `token` cannot be refreshed: use `tokenProvider` or `tokenUrl` for uploads that may outlive a token.',
      { status: 401, retryable: false },
    );
  }

  async #fetch(signal: AbortSignal): Promise<ActiveGrant> {
    if (signal.aborted) throw canceledError();
    const { token, tokenProvider, tokenUrl } = this.#options;
    if (token)
      return this.#activate(
        { token, ttl: 0, createdAt: new Date(this.#now()).toISOString(), expiresAt: null },
        'the `token` option',
        false,
      );
    if (tokenProvider) {
      let value: TokenGrant | string;
      try {
        value = await tokenProvider(this.#file, signal);
      } catch (error) {
        if (signal.aborted) throw canceledError();
        if (error instanceof UploadError) throw error;
        throw new UploadError(
          'token-request-failed',
          `The tokenProvider failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      if (signal.aborted) throw canceledError();
      if (typeof value === 'string') {
        if (!value)
          throw new UploadError('token-invalid', 'The tokenProvider returned an empty string instead of a token.');
        return this.#activate(
          { token: value, ttl: 0, createdAt: new Date(this.#now()).toISOString(), expiresAt: null },
          'the tokenProvider',
          false,
        );
      }
      return this.#activate(validateGrant(value, 'The tokenProvider'), 'the tokenProvider', true);
    }
    return this.#fetchUrl(tokenUrl as string, signal);
  }

  async #fetchUrl(url: string, signal: AbortSignal): Promise<ActiveGrant> {
    const wait = notBefore.get(url);
    if (wait !== undefined && wait > Date.now()) {
      // The endpoint said its allowance is spent until then: wait without asking (and spending more).
      throw rateLimited(url, wait - Date.now(), 0);
    }
    const timeoutMs = this.#options.requestTimeout ?? DEFAULT_TOKEN_REQUEST_TIMEOUT_MS;
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const file = this.#file;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          fileName: file.name,
          fileSize: file.size,
          fileType: file.type,
          ...this.#options.fields,
        }),
        signal: controller.signal,
      });
      text = await response.text();
    } catch (error) {
      if (signal.aborted) throw canceledError();
      if (timedOut) {
        throw new UploadError(
          'token-request-failed',
          `The token endpoint ${url} did not answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}.`,
          { cause: error },
        );
      }
      throw await unreachable(url, error, signal);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
    const type = response.headers.get('content-type') ?? '';
    const said = excerpt(text);
    const headers = (name: string): string | null => response.headers.get(name);
    if (!response.ok) {
      const answered = `The token endpoint ${url} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}: ${said || 'no body'}`;
      if (response.status === 429 || (response.status === 503 && headers('retry-after'))) {
        throw rateLimited(url, rateLimitWait(headers) ?? undefined, response.status, said);
      }
      if (response.status === 404 || response.status === 405) {
        throw new UploadError(
          'token-endpoint-missing',
          `${answered}. Nothing answers token requests there: check token-url (a typo, a missing route, or a route that takes GET instead of POST).`,
          { status: response.status, retryable: false },
        );
      }
      if (response.status === 401 || response.status === 403) {
        throw new UploadError(
          'token-endpoint-refused',
          `${answered}. The token issuer refused this visitor (authorize said no, the visitor is not signed in, or the page's origin is not in allowedOrigins).`,
          { status: response.status, retryable: false },
        );
      }
      const retryable = response.status >= 500 || response.status === 408;
      throw new UploadError('token-request-failed', answered, {
        status: response.status,
        retryable,
        ...(retryable ? { retryAfterMs: parseRetryAfter(headers) } : {}),
      });
    }
    if (/html/i.test(type) || /^\s*</.test(text)) {
      throw new UploadError(
        'token-endpoint-not-json',
        `The token endpoint ${url} returned an HTML page (${type || 'no content type'}) instead of a JSON token grant: "${said}". Check that token-url points at the token issuer.`,
        { status: response.status, retryable: false },
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UploadError(
        'token-endpoint-not-json',
        `The token endpoint ${url} returned something that is not JSON (${type || 'no content type'}): "${said || 'an empty body'}". It must answer a JSON token grant.`,
        { status: response.status, retryable: false },
      );
    }
    this.observeServerDate(response.headers.get('date'));
    if (headers('x-ratelimit-remaining')?.trim() === '0') {
      const until = rateLimitWait(headers);
      if (until) notBefore.set(url, Date.now() + until);
    }
    return this.#activate(validateGrant(parsed, `The token endpoint ${url}`), `the token endpoint ${url}`, true);
  }

  #activate(grant: TokenGrant, from: string, checkExpiry: boolean): ActiveGrant {
    const server = grant.expiresAt ? Date.parse(grant.expiresAt) : NaN;
    const active: ActiveGrant = { grant, expiresAtServer: Number.isNaN(server) ? null : server };
    const expiresAtLocal = this.expiresAtLocal(active);
    if (checkExpiry && expiresAtLocal !== null && expiresAtLocal <= this.#now()) {
      const ago = Math.round((this.#now() - expiresAtLocal) / 1000);
      throw new UploadError(
        'token-expired',
        `${capitalize(from)} returned a token that had already expired (expiresAt ${grant.expiresAt}, ${ago} s ago after correcting for clock skew).`,
      );
    }
    return active;
  }
}

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Per token URL: the time (local ms) before which its allowance is known to be spent. Shared by the page's uploads. */
const notBefore = new Map<string, number>();

/** The longest the element waits for a busy endpoint in one go, whatever it asks. */
const MAX_RATE_WAIT_MS = 5 * 60_000;

/**
 * How long a token endpoint asks to wait: `Retry-After` (seconds or a date), `X-RateLimit-Retry-After`,
 * or `X-RateLimit-Reset` (seconds from now, or a Unix time when it is that large).
 */
function rateLimitWait(get: (name: string) => string | null): number | null {
  const direct = parseRetryAfter(get);
  if (direct !== undefined) return Math.min(direct, MAX_RATE_WAIT_MS);
  const reset = get('x-ratelimit-reset')?.trim();
  if (!reset || !/^\d+(\.\d+)?$/.test(reset)) return null;
  const value = Number(reset);
  const ms = value > 1e9 ? value * 1000 - Date.now() : value * 1000;
  return Math.min(Math.max(0, ms), MAX_RATE_WAIT_MS);
}

function rateLimited(url: string, waitMs: number | undefined, status: number, said = ''): UploadError {
  const wait =
    waitMs === undefined ? '' : ` It asked to wait ${Math.ceil(waitMs / 1000)} s; the upload waits and goes on.`;
  const what = status
    ? `answered ${status} (too many token requests${said ? `: ${said}` : ''})`
    : 'has no tokens left in this window';
  return new UploadError('rate-limited', `The token endpoint ${url} ${what}.${wait}`, {
    ...(status ? { status } : {}),
    ...(waitMs === undefined ? {} : { retryAfterMs: Math.max(0, Math.round(waitMs)) }),
  });
}

/**
 * Why a request to the token endpoint failed without an answer. A browser hides a CORS refusal behind the
 * same network error as a dead host, so a `no-cors` probe tells them apart: it reaches a live host (and gets
 * an opaque answer) but fails like the request when nothing listens.
 */
async function unreachable(url: string, error: unknown, signal: AbortSignal): Promise<UploadError> {
  const reason = error instanceof Error ? error.message : String(error);
  let crossOrigin: boolean;
  try {
    crossOrigin = typeof location !== 'undefined' && new URL(url, location.href).origin !== location.origin;
  } catch {
    crossOrigin = false;
  }
  if (crossOrigin) {
    try {
      await fetch(url, { method: 'HEAD', mode: 'no-cors', credentials: 'omit', signal });
      const origin = typeof location === 'undefined' ? 'this page' : location.origin;
      return new UploadError(
        'token-endpoint-cors',
        `The token endpoint ${url} answered, but the browser refused to let the page read it (CORS). The issuer must allow the origin ${origin} (allowedOrigins) and answer its preflight (OPTIONS), or serve token-url from the page's own origin.`,
        { cause: error, retryable: false },
      );
    } catch {
      if (signal.aborted) return canceledError();
    }
  }
  return new UploadError(
    'token-endpoint-unreachable',
    `The token endpoint ${url} could not be reached (${reason}). Check that the token issuer is running and that token-url's host and port are right.`,
    { cause: error },
  );
}

const PROTOCOLS: readonly UploadProtocol[] = ['apivideo', 'tus'];

/** Checks the shape of a grant; names what is wrong and what came back. */
export function validateGrant(value: unknown, from: string): TokenGrant {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new UploadError(
      'token-invalid',
      `${from} returned ${JSON.stringify(value)?.slice(0, 80) ?? String(value)} instead of an object with a "token".`,
    );
  }
  const record = value as Record<string, unknown>;
  if (typeof record.token !== 'string' || record.token === '') {
    const keys = Object.keys(record);
    throw new UploadError(
      'token-invalid',
      `${from} returned JSON without a "token" string (keys: ${keys.length ? keys.join(', ') : 'none'}).`,
    );
  }
  if (
    record.expiresAt !== undefined &&
    record.expiresAt !== null &&
    (typeof record.expiresAt !== 'string' || Number.isNaN(Date.parse(record.expiresAt)))
  ) {
    throw new UploadError(
      'token-invalid',
      `${from} returned an "expiresAt" that is not a date: ${JSON.stringify(record.expiresAt)}.`,
    );
  }
  if (record.apiUrl !== undefined && (typeof record.apiUrl !== 'string' || !/^https?:\/\//.test(record.apiUrl))) {
    throw new UploadError(
      'token-invalid',
      `${from} returned an "apiUrl" that is not an http(s) URL: ${JSON.stringify(record.apiUrl)}.`,
    );
  }
  if (record.protocol !== undefined && !PROTOCOLS.includes(record.protocol as UploadProtocol)) {
    throw new UploadError(
      'token-invalid',
      `${from} returned an unknown "protocol": ${JSON.stringify(record.protocol)} (expected apivideo or tus).`,
    );
  }
  if (record.videoId !== undefined && record.videoId !== null && typeof record.videoId !== 'string') {
    throw new UploadError('token-invalid', `${from} returned a "videoId" that is not a string.`);
  }
  return {
    token: record.token,
    ttl: typeof record.ttl === 'number' ? record.ttl : 0,
    createdAt: typeof record.createdAt === 'string' ? record.createdAt : '',
    expiresAt: typeof record.expiresAt === 'string' ? record.expiresAt : null,
    ...(typeof record.apiUrl === 'string' ? { apiUrl: record.apiUrl } : {}),
    ...(typeof record.videoId === 'string' && record.videoId ? { videoId: record.videoId } : {}),
    ...(record.protocol ? { protocol: record.protocol as UploadProtocol } : {}),
  };
}
