import type { TokenGrant, UploadProtocol } from '../protocol/index.js';
import { canceledError, excerpt, UploadError, type UploadErrorInit } from './errors.js';
import { parseRetryAfter } from './retry.js';
import type { TokenProvider, UploadErrorCode } from './types.js';

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
      return this.#activate(await checkedGrant(value, { from: 'The tokenProvider' }), 'the tokenProvider', true);
    }
    return this.#fetchUrl(tokenUrl as string, signal);
  }

  async #fetchUrl(url: string, signal: AbortSignal): Promise<ActiveGrant> {
    const wait = notBefore.get(url);
    if (wait !== undefined && wait > Date.now()) {
      // The endpoint said its allowance is spent until then: wait without asking (and spending more).
      const waitMs = Math.max(0, Math.round(wait - Date.now()));
      throw await tokenError({ code: 'rate-limited', url, waitMs }, { retryAfterMs: waitMs });
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
      if (timedOut) throw await tokenError({ code: 'token-request-failed', url, timeoutMs }, { cause: error });
      throw await unreachable(url, error, signal);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
    const type = response.headers.get('content-type') ?? '';
    const said = excerpt(text);
    const headers = (name: string): string | null => response.headers.get(name);
    const { status, statusText } = response;
    if (!response.ok) {
      const failure = { url, status, statusText, said };
      if (status === 429 || (status === 503 && headers('retry-after'))) {
        const waitMs = rateLimitWait(headers) ?? undefined;
        throw await tokenError(
          { ...failure, code: 'rate-limited', waitMs },
          { status, ...(waitMs === undefined ? {} : { retryAfterMs: Math.max(0, Math.round(waitMs)) }) },
        );
      }
      const code =
        status === 404 || status === 405
          ? 'token-endpoint-missing'
          : status === 401 || status === 403
            ? 'token-endpoint-refused'
            : 'token-request-failed';
      const retryable = code === 'token-request-failed' && (status >= 500 || status === 408);
      throw await tokenError(
        { ...failure, code },
        { status, retryable, ...(retryable ? { retryAfterMs: parseRetryAfter(headers) } : {}) },
      );
    }
    const html = /html/i.test(type) || /^\s*</.test(text);
    let parsed: unknown = null;
    let json = !html;
    try {
      if (json) parsed = JSON.parse(text);
    } catch {
      json = false;
    }
    if (!json) {
      throw await tokenError(
        { code: 'token-endpoint-not-json', url, status, said, type, html },
        { status, retryable: false },
      );
    }
    this.observeServerDate(response.headers.get('date'));
    if (headers('x-ratelimit-remaining')?.trim() === '0') {
      const until = rateLimitWait(headers);
      if (until) notBefore.set(url, Date.now() + until);
    }
    return this.#activate(await checkedGrant(parsed, { url }), `the token endpoint ${url}`, true);
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
      return tokenError({ code: 'token-endpoint-cors', url, origin }, { cause: error, retryable: false });
    } catch {
      if (signal.aborted) return canceledError();
    }
  }
  return tokenError({ code: 'token-endpoint-unreachable', url, reason }, { cause: error });
}

const PROTOCOLS: readonly UploadProtocol[] = ['apivideo', 'tus'];

/** What was wrong with a grant: its shape, or the field named. */
export type GrantProblem = 'shape' | 'token' | 'expiresAt' | 'apiUrl' | 'protocol' | 'videoId';

/** A grant read from what a token source returned, or what is wrong with it (diagnosis.ts words it). */
export function readGrant(value: unknown): TokenGrant | GrantProblem {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'shape';
  const { token, ttl, createdAt, expiresAt, apiUrl, protocol, videoId } = value as Record<string, unknown>;
  if (typeof token !== 'string' || token === '') return 'token';
  if (expiresAt != null && (typeof expiresAt !== 'string' || Number.isNaN(Date.parse(expiresAt)))) return 'expiresAt';
  if (apiUrl !== undefined && (typeof apiUrl !== 'string' || !/^https?:\/\//.test(apiUrl))) return 'apiUrl';
  if (protocol !== undefined && !PROTOCOLS.includes(protocol as UploadProtocol)) return 'protocol';
  if (videoId != null && typeof videoId !== 'string') return 'videoId';
  return {
    token,
    ttl: typeof ttl === 'number' ? ttl : 0,
    createdAt: typeof createdAt === 'string' ? createdAt : '',
    expiresAt: typeof expiresAt === 'string' ? expiresAt : null,
    ...(typeof apiUrl === 'string' ? { apiUrl } : {}),
    ...(typeof videoId === 'string' && videoId ? { videoId } : {}),
    ...(protocol ? { protocol: protocol as UploadProtocol } : {}),
  };
}

/** The grant in `value`, or a `token-invalid` error that says what is wrong with it. */
async function checkedGrant(value: unknown, where: { url?: string; from?: string }): Promise<TokenGrant> {
  const grant = readGrant(value);
  if (typeof grant !== 'string') return grant;
  throw await tokenError({ code: 'token-invalid', url: where.url ?? '', from: where.from, problem: grant, value });
}

/** What the engine knows of a failed token request; diagnosis.ts puts it into words. */
export interface TokenFailure {
  code: UploadErrorCode;
  url: string;
  status?: number;
  statusText?: string;
  /** An excerpt of the answer's body. */
  said?: string;
  /** The answer's content type, and whether it looked like an HTML page. */
  type?: string;
  html?: boolean;
  timeoutMs?: number;
  /** Why the request failed without an answer. */
  reason?: string;
  /** The page's origin, for a CORS refusal. */
  origin?: string;
  waitMs?: number;
  /** Who returned a wrong grant, when not the endpoint at `url` (the tokenProvider). */
  from?: string;
  problem?: GrantProblem;
  value?: unknown;
}

let diagnosis: Promise<typeof import('./diagnosis.js') | null> | null = null;

/**
 * The error of a failed token request, worded by diagnosis.ts, which is loaded now (an upload that goes well
 * never needs it). When it cannot load, the error keeps its code and gets a shorter message; the next
 * failure tries to load it again.
 */
async function tokenError(failure: TokenFailure, init: UploadErrorInit = {}): Promise<UploadError> {
  diagnosis ??= import('./diagnosis.js').catch(() => (diagnosis = null));
  const words = await diagnosis;
  const status = failure.status ? ` ${failure.status}` : '';
  const message = words
    ? words.tokenFailureMessage(failure)
    : `${failure.from ?? `The token endpoint ${failure.url}`} failed: ${failure.code}${status}.`;
  return new UploadError(failure.code, message, init);
}
