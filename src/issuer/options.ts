/** The issuer's options, and their checks: a misconfiguration fails at creation, never per request. */
import { MAX_TTL, PRODUCTION_API_URL, type FileFacts, type UploadProtocol } from '../protocol/index.js';
import { FixedWindowLimiter, type RateLimitStore } from '../protocol/rate-limit.js';
import { clientAddressResolver, type TrustProxy } from './client-address.js';
import { originMatcher, type OriginPolicy } from './origins.js';
import {
  DEFAULT_ISSUER_RATE_LIMIT,
  defaultClientKey,
  ISSUER_RATE_LIMIT_HEADERS,
  type IssuerRateLimit,
} from './rate-limit.js';
import { basicAuthorization, createUpstream, type Upstream, type VideoFields } from './upstream.js';

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
  /** Per-client limit: `{limit, windowMs}`, a number per minute, or false. Default 60 a minute (a 20-file batch fits, all at once). */
  rateLimit?: IssuerRateLimit | number | false;
  /** Where the rate-limit counts live; a shared store (Redis) when more than one instance serves. Default: memory. */
  rateLimitStore?: RateLimitStore;
  /**
   * The rate-limit key of a request. Default: the client's address (`context.clientAddress`, which
   * `trustProxy` and `clientIpHeader` may replace with a forwarded one), or `unknown`.
   */
  clientKey?: (request: Request, context: IssuerContext) => string;
  /**
   * The connection's address where the runtime hands the handler only a `Request` (the node adapter
   * passes it in the context, which wins). Default: none.
   */
  clientAddress?: (request: Request) => string | undefined;
  /**
   * Proxies in front of the issuer whose `X-Forwarded-For` is believed: how many (a hop count), or
   * their addresses and CIDR ranges (`loopback`, `private` and `linklocal` name the usual ones).
   * Default: none, the header is ignored.
   */
  trustProxy?: TrustProxy;
  /** A header the platform in front sets to the client's address (`cf-connecting-ip`). Default: none. */
  clientIpHeader?: string;
  /** Milliseconds allowed for the video API calls of one request. Default 10 000. */
  timeout?: number;
  /** The fetch used to call the video API. Default the global fetch. */
  fetch?: typeof fetch;
  /** Upload protocol the grant names, which then wins over the element's `protocol`. Default: none named, the element chooses. */
  protocol?: UploadProtocol;
  /**
   * Receives one line per request and one per failure. Never the key, never a token. Default: failures
   * only (a hook that threw, an unexpected error), to `console.error`; `false` logs nothing.
   */
  log?: ((line: string) => void) | false;
  now?: () => number;
}

/** The options, checked, with their defaults, and what they build. */
export interface IssuerConfig {
  uploadUrl: string;
  ttl: number;
  maxTtl: number;
  allowZeroTtl: boolean;
  timeout: number;
  protocol: UploadProtocol | undefined;
  authorize: TokenIssuerOptions['authorize'];
  createVideo: NonNullable<TokenIssuerOptions['createVideo']>;
  matches: ReturnType<typeof originMatcher>;
  limiter: FixedWindowLimiter | undefined;
  clientKey: NonNullable<TokenIssuerOptions['clientKey']>;
  /** The client's address: the context's, the option's, or a forwarded one the options trust. */
  clientAddress: (request: Request, context: IssuerContext) => string | undefined;
  upstream: Upstream;
  /** One line per request, when a `log` function was given. */
  log: ((line: string) => void) | undefined;
  /** Failures: the `log` function, else `console.error`. */
  logError: (line: string) => void;
  now: () => number;
}

function configError(message: string): TypeError {
  return new TypeError(`createTokenIssuer: ${message}`);
}

export const isTtl = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TTL;

function baseUrl(value: string, name: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configError(`${name} must be an absolute http(s) URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw configError(`${name} must be an absolute http(s) URL.`);
  if (url.search || url.hash || url.username || url.password)
    throw configError(`${name} must have no query, fragment or credentials.`);
  return url.href.replace(/\/+$/, '');
}

function rateLimitOf(option: TokenIssuerOptions['rateLimit']): IssuerRateLimit | undefined {
  if (option === false) return undefined;
  if (option === undefined) return DEFAULT_ISSUER_RATE_LIMIT;
  const rate = typeof option === 'number' ? { limit: option, windowMs: 60_000 } : option;
  if (!Number.isInteger(rate.limit) || rate.limit < 1) throw configError('rateLimit.limit must be a whole number ≥ 1.');
  if (!Number.isFinite(rate.windowMs) || rate.windowMs < 1)
    throw configError('rateLimit.windowMs must be a positive number of milliseconds.');
  return rate;
}

function ttlsOf(options: TokenIssuerOptions): Pick<IssuerConfig, 'ttl' | 'maxTtl' | 'allowZeroTtl'> {
  const allowZeroTtl = options.allowZeroTtl === true;
  const ttl = options.ttl ?? DEFAULT_TTL;
  if (!isTtl(ttl)) throw configError(`ttl must be a whole number of seconds from 0 to ${MAX_TTL}.`);
  if (ttl === 0 && !allowZeroTtl) {
    throw configError('ttl 0 makes tokens that never expire; set allowZeroTtl: true if that is really meant.');
  }
  const maxTtl = options.maxTtl ?? (ttl === 0 ? MAX_TTL : ttl);
  if (!isTtl(maxTtl) || maxTtl === 0)
    throw configError(`maxTtl must be a whole number of seconds from 1 to ${MAX_TTL}.`);
  if (ttl > maxTtl) throw configError(`ttl (${ttl}) exceeds maxTtl (${maxTtl}).`);
  return { ttl, maxTtl, allowZeroTtl };
}

/** Checks the options and builds what the issuer needs. Throws a TypeError on a missing key or an unsafe configuration. */
export function resolveIssuerOptions(options: TokenIssuerOptions): IssuerConfig {
  if (!options || typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw configError('an apiKey is required (the video API key, kept on the server).');
  }
  const apiKey = options.apiKey;
  const apiUrl = baseUrl(options.apiUrl ?? PRODUCTION_API_URL, 'apiUrl');
  const uploadUrl = options.uploadUrl === undefined ? apiUrl : baseUrl(options.uploadUrl, 'uploadUrl');
  const ttls = ttlsOf(options);
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw configError('timeout must be a positive number of milliseconds.');
  const protocol = options.protocol;
  if (protocol !== undefined && protocol !== 'apivideo' && protocol !== 'tus')
    throw configError('protocol must be "apivideo" or "tus".');
  if (options.authorize !== undefined && typeof options.authorize !== 'function')
    throw configError('authorize must be a function.');
  const createVideo = options.createVideo ?? false;
  if (typeof createVideo !== 'boolean' && typeof createVideo !== 'function') {
    throw configError('createVideo must be a boolean or a function.');
  }
  const now = options.now ?? Date.now;
  const matches = originMatcher(options.allowedOrigins);
  const rate = rateLimitOf(options.rateLimit);
  const authorization = basicAuthorization(apiKey);
  const redact = (text: string): string =>
    text.split(apiKey).join('[redacted]').split(authorization).join('[redacted]');
  const log = options.log;
  if (log !== undefined && log !== false && typeof log !== 'function') {
    throw configError('log must be a function, or false.');
  }
  const logError = log === false ? () => {} : (log ?? ((line: string) => console.error(line)));
  if (options.clientAddress !== undefined && typeof options.clientAddress !== 'function')
    throw configError('clientAddress must be a function (request) => address.');
  const resolve = clientAddressResolver(options, configError);
  const fromRequest = options.clientAddress;
  return {
    uploadUrl,
    ...ttls,
    timeout,
    protocol,
    authorize: options.authorize,
    createVideo,
    matches,
    limiter: rate ? new FixedWindowLimiter(rate, ISSUER_RATE_LIMIT_HEADERS, options.rateLimitStore, now) : undefined,
    clientKey: options.clientKey ?? defaultClientKey,
    clientAddress: (request, context) => resolve(request, context.clientAddress ?? fromRequest?.(request)),
    upstream: createUpstream({
      apiUrl,
      authorization,
      timeout,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      redact,
    }),
    log: log ? (line) => log(redact(line)) : undefined,
    logError: (line) => logError(redact(line)),
    now,
  };
}
