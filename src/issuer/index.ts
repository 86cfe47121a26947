/**
 * The token issuer: a web-standard `(Request) => Promise<Response>` handler that keeps the API key
 * on the server, decides who may upload, and hands the browser a short-lived upload token.
 * Runs unchanged in node:http (see `./node.ts`), Express, Next.js, Hono, Deno, Bun and Workers.
 */
import {
  MAX_TTL,
  PRODUCTION_API_URL,
  type FileFacts,
  type TokenGrant,
  type UploadProtocol,
} from '../protocol/index.js';
import { readFileFacts } from './body.js';
import { checkOrigin, corsHeaders, originMatcher, preflightHeaders, type OriginCheck, type OriginPolicy } from './origins.js';
import { IssuerProblem, issuerProblems } from './problems.js';
import { ClientRateLimiter, DEFAULT_ISSUER_RATE_LIMIT, defaultClientKey, type IssuerRateLimit } from './rate-limit.js';
import { basicAuthorization, createUpstream, type VideoFields } from './upstream.js';

export { MAX_BODY_BYTES, MAX_FILE_NAME_LENGTH, MAX_FILE_TYPE_LENGTH } from './body.js';
export { normalizeOrigin, type OriginPolicy } from './origins.js';
export { IssuerProblem } from './problems.js';
export { DEFAULT_ISSUER_RATE_LIMIT, defaultClientKey, type IssuerRateLimit } from './rate-limit.js';
export type { VideoFields } from './upstream.js';

export const DEFAULT_TTL = 900;
export const DEFAULT_TIMEOUT = 10_000;

/** What `authorize` may return to narrow one grant. */
export interface GrantNarrowing {
  /** A shorter ttl for this token, in seconds (capped at `maxTtl`). */
  ttl?: number;
  /** A video the site created itself; the upload fills it. */
  videoId?: string;
  /** Create a video with these fields and hand its `videoId` out (merged over `createVideo`'s). */
  video?: VideoFields;
}

/** `true` or an object allows the upload; anything else (false, undefined, a throw) refuses it with 403. */
export type AuthorizeResult = boolean | GrantNarrowing | null | undefined;

/** What a runtime adapter knows of the request beyond the web `Request`. */
export interface IssuerContext {
  /** The peer's address, e.g. the socket's remote address in node:http. */
  clientAddress?: string;
}

export type TokenIssuer = (request: Request, context?: IssuerContext) => Promise<Response>;

export interface TokenIssuerOptions {
  /** The video API key. Required; it never leaves the issuer. */
  apiKey: string;
  /** Base URL of the video API the issuer calls. Default `https://ws.api.video`. */
  apiUrl?: string;
  /** Base URL the browser uploads to, when it differs from `apiUrl` (an internal address). Default `apiUrl`. */
  uploadUrl?: string;
  /** Seconds each token lives. Default 900. 0 (never expires) needs `allowZeroTtl`. */
  ttl?: number;
  /** Ceiling of any ttl `authorize` asks for. Default `ttl`. */
  maxTtl?: number;
  /** Permits never-expiring tokens (ttl 0). Default false. */
  allowZeroTtl?: boolean;
  /** Cross-origin pages that may ask for tokens: origins, or a predicate. The issuer's own origin always may. */
  allowedOrigins?: OriginPolicy;
  /** Decides per request; may refuse or narrow the grant. */
  authorize?: (request: Request, file: FileFacts) => AuthorizeResult | Promise<AuthorizeResult>;
  /** Create a video for every token: `true` titles it after the file, a function gives its fields. */
  createVideo?: boolean | ((request: Request, file: FileFacts) => VideoFields | Promise<VideoFields>);
  /** Per-client limit: `{limit, windowMs}`, a number per minute, or false. Default 10 a minute. */
  rateLimit?: IssuerRateLimit | number | false;
  /** The rate-limit key of a request. Default: CF-Connecting-IP, X-Forwarded-For's first entry, X-Real-IP, the socket. */
  clientKey?: (request: Request, context: IssuerContext) => string;
  /** Milliseconds allowed for the video API calls of one request. Default 10 000. */
  timeout?: number;
  /** The fetch used to call the video API. Default the global fetch. */
  fetch?: typeof fetch;
  /** Upload protocol the grant names, which then wins over the element's `protocol`. Default: none named, the element chooses. */
  protocol?: UploadProtocol;
  /** Receives one line per request and one per failure. Never the key, never a token. */
  log?: (line: string) => void;
  now?: () => number;
}

function configError(message: string): TypeError {
  return new TypeError(`createTokenIssuer: ${message}`);
}

/**
 * A file name as a video title: within the 256 UTF-16 units a title may hold (a character outside
 * the BMP counts two, and is never cut in half); none for a name of blanks, which the video API
 * refuses as a title.
 */
function titleOf(fileName: string): string | undefined {
  if (fileName.trim() === '') return undefined;
  let title = '';
  for (const char of fileName) {
    if (title.length + char.length > 256) break;
    title += char;
  }
  return title;
}

const isTtl = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TTL;

function baseUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(`${name} must be an absolute http(s) URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw configError(`${name} must be an absolute http(s) URL.`);
  if (url.search || url.hash || url.username || url.password) throw configError(`${name} must have no query, fragment or credentials.`);
  return url.href.replace(/\/+$/, '');
}

function rateLimitOf(option: TokenIssuerOptions['rateLimit']): IssuerRateLimit | undefined {
  if (option === false) return undefined;
  if (option === undefined) return DEFAULT_ISSUER_RATE_LIMIT;
  if (typeof option === 'number') return { limit: option, windowMs: 60_000 };
  return option;
}

/** Creates the handler. Throws a TypeError at once on a missing key or an unsafe configuration. */
export function createTokenIssuer(options: TokenIssuerOptions): TokenIssuer {
  if (!options || typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw configError('an apiKey is required (the video API key, kept on the server).');
  }
  const apiKey = options.apiKey;
  const apiUrl = baseUrl(options.apiUrl ?? PRODUCTION_API_URL, 'apiUrl');
  const uploadUrl = options.uploadUrl === undefined ? apiUrl : baseUrl(options.uploadUrl, 'uploadUrl');
  const allowZeroTtl = options.allowZeroTtl === true;
  const ttl = options.ttl ?? DEFAULT_TTL;
  if (!isTtl(ttl)) throw configError(`ttl must be a whole number of seconds from 0 to ${MAX_TTL}.`);
  if (ttl === 0 && !allowZeroTtl) {
    throw configError('ttl 0 makes tokens that never expire; set allowZeroTtl: true if that is really meant.');
  }
  const maxTtl = options.maxTtl ?? (ttl === 0 ? MAX_TTL : ttl);
  if (!isTtl(maxTtl) || maxTtl === 0) throw configError(`maxTtl must be a whole number of seconds from 1 to ${MAX_TTL}.`);
  if (ttl > maxTtl) throw configError(`ttl (${ttl}) exceeds maxTtl (${maxTtl}).`);
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  if (!Number.isFinite(timeout) || timeout <= 0) throw configError('timeout must be a positive number of milliseconds.');
  const protocol: UploadProtocol | undefined = options.protocol;
  if (protocol !== undefined && protocol !== 'apivideo' && protocol !== 'tus') throw configError('protocol must be "apivideo" or "tus".');
  if (options.authorize !== undefined && typeof options.authorize !== 'function') throw configError('authorize must be a function.');
  const createVideo = options.createVideo ?? false;
  if (typeof createVideo !== 'boolean' && typeof createVideo !== 'function') {
    throw configError('createVideo must be a boolean or a function.');
  }
  const now = options.now ?? Date.now;
  const matches = originMatcher(options.allowedOrigins);
  const rate = rateLimitOf(options.rateLimit);
  const limiter = rate ? new ClientRateLimiter(rate, now) : undefined;
  const clientKey = options.clientKey ?? defaultClientKey;
  const authorization = basicAuthorization(apiKey);
  const redact = (text: string): string => text.split(apiKey).join('[redacted]').split(authorization).join('[redacted]');
  const log = options.log ? (line: string) => options.log!(redact(line)) : undefined;
  const upstream = createUpstream({ apiUrl, authorization, timeout, fetch: options.fetch ?? ((input, init) => fetch(input, init)), redact });

  function respond(status: number, body: string | null, headers: Record<string, string>, check: OriginCheck): Response {
    return new Response(body, {
      status,
      headers: {
        'cache-control': 'no-store',
        date: new Date(now()).toUTCString(),
        vary: 'Origin',
        'x-content-type-options': 'nosniff',
        ...corsHeaders(check),
        ...headers,
      },
    });
  }

  function ttlFor(narrowing: GrantNarrowing): number {
    if (narrowing.ttl === undefined) return ttl;
    if (!isTtl(narrowing.ttl)) throw issuerProblems.authorizeMisconfigured(`authorize returned a ttl that is not a whole number of seconds from 0 to ${MAX_TTL}.`);
    if (narrowing.ttl === 0) {
      if (!allowZeroTtl) throw issuerProblems.authorizeMisconfigured('authorize returned ttl 0 (never expires) but allowZeroTtl is not set.');
      return 0;
    }
    return Math.min(narrowing.ttl, maxTtl);
  }

  async function videoFieldsFor(request: Request, file: FileFacts, narrowing: GrantNarrowing): Promise<VideoFields | undefined> {
    if (narrowing.video !== undefined && (narrowing.video === null || typeof narrowing.video !== 'object')) {
      throw issuerProblems.authorizeMisconfigured('authorize returned a video that is not an object.');
    }
    if (!createVideo && !narrowing.video) return undefined;
    const base: VideoFields = typeof createVideo === 'function' ? await createVideo(request, file) : {};
    const title = file.fileName ? titleOf(file.fileName) : undefined;
    return { ...(title ? { title } : {}), ...base, ...narrowing.video };
  }

  async function authorizeRequest(request: Request, file: FileFacts): Promise<GrantNarrowing> {
    if (!options.authorize) return {};
    let result: AuthorizeResult;
    try {
      result = await options.authorize(request, file);
    } catch (error) {
      log?.(`issuer: authorize threw: ${error instanceof Error ? error.message : String(error)}`);
      throw issuerProblems.notAuthorized();
    }
    if (result === true) return {};
    if (result && typeof result === 'object') {
      if (result.videoId !== undefined && (typeof result.videoId !== 'string' || result.videoId === '' || result.videoId.length > 128)) {
        throw issuerProblems.authorizeMisconfigured('authorize returned a videoId that is not a non-empty string.');
      }
      if (result.videoId !== undefined && result.video !== undefined) {
        throw issuerProblems.authorizeMisconfigured('authorize returned both a videoId and video fields; return one of them.');
      }
      return result;
    }
    throw issuerProblems.notAuthorized();
  }

  async function grant(request: Request, context: IssuerContext, check: OriginCheck): Promise<Response> {
    let rateHeaders: Record<string, string> = {};
    if (limiter) {
      const verdict = limiter.hit(clientKey(request, context));
      if (!verdict.allowed) throw issuerProblems.tooManyRequests(verdict.headers);
      rateHeaders = verdict.headers;
    }
    const file = await readFileFacts(request);
    const narrowing = await authorizeRequest(request, file);
    const tokenTtl = ttlFor(narrowing);
    const signal = AbortSignal.timeout(timeout);
    const token = await upstream.createToken(tokenTtl, signal);
    let videoId = narrowing.videoId;
    if (videoId === undefined) {
      const fields = await videoFieldsFor(request, file, narrowing);
      if (fields) videoId = await upstream.createVideo(fields, signal);
    }
    const body: TokenGrant = { ...token, apiUrl: uploadUrl, ...(protocol ? { protocol } : {}), ...(videoId ? { videoId } : {}) };
    return respond(200, JSON.stringify(body), { 'content-type': 'application/json', ...rateHeaders }, check);
  }

  return async function issueToken(request: Request, context: IssuerContext = {}): Promise<Response> {
    const started = now();
    let check: OriginCheck = { kind: 'none' };
    let response: Response;
    let failure = '';
    try {
      check = checkOrigin(request, matches);
      if (request.method === 'OPTIONS') {
        if (check.kind === 'refused') throw issuerProblems.originNotAllowed();
        response = respond(204, null, {
          allow: 'POST, OPTIONS',
          ...(check.kind === 'allowed' ? preflightHeaders(check, request) : {}),
          vary: 'Origin, Access-Control-Request-Headers',
        }, check);
      } else if (request.method !== 'POST') {
        throw issuerProblems.methodNotAllowed();
      } else if (check.kind === 'refused') {
        throw issuerProblems.originNotAllowed();
      } else {
        response = await grant(request, context, check);
      }
    } catch (error) {
      let problem: IssuerProblem;
      if (error instanceof IssuerProblem) {
        problem = error;
      } else {
        problem = issuerProblems.internal();
        log?.(`issuer: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
      failure = ` ${problem.problem.title}`;
      response = respond(
        problem.problem.status,
        JSON.stringify(problem.problem),
        { 'content-type': 'application/problem+json', ...problem.headers },
        check.kind === 'refused' ? { kind: 'none' } : check,
      );
    }
    if (log) {
      const origin = check.origin ? ` origin=${check.origin}` : '';
      log(`issuer: ${request.method} ${response.status}${failure}${origin} ${now() - started}ms`);
    }
    return response;
  };
}
