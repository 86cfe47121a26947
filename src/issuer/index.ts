/**
 * The token issuer: a web-standard `(Request) => Promise<Response>` handler that keeps the API key
 * on the server, decides who may upload, and hands the browser a short-lived upload token.
 * Runs unchanged in node:http (see `./node.ts`), Express, Next.js, Hono, Deno, Bun and Workers.
 */
import { MAX_TTL, type FileFacts, type TokenGrant } from '../protocol/index.js';
import { ProblemError } from '../protocol/problem.js';
import type { FixedWindowLimiter, RateVerdict } from '../protocol/rate-limit.js';
import { titleFromFileName } from '../protocol/title.js';
import { readFileFacts } from './body.js';
import {
  isTtl,
  resolveIssuerOptions,
  type AuthorizeResult,
  type GrantNarrowing,
  type IssuerConfig,
  type IssuerContext,
  type TokenIssuerOptions,
} from './options.js';
import { checkOrigin, corsHeaders, preflightHeaders, type OriginCheck } from './origins.js';
import { issuerProblems } from './problems.js';
import type { VideoFields } from './upstream.js';

export { MAX_BODY_BYTES, MAX_FILE_NAME_LENGTH, MAX_FILE_TYPE_LENGTH } from './body.js';
export {
  DEFAULT_TIMEOUT,
  DEFAULT_TTL,
  resolveIssuerOptions,
  type AuthorizeResult,
  type GrantNarrowing,
  type IssuerContext,
  type TokenIssuerOptions,
} from './options.js';
export { normalizeOrigin, type OriginPolicy } from './origins.js';
export type { TrustProxy } from './client-address.js';
export { ProblemError, ProblemError as IssuerProblem } from '../protocol/problem.js';
export { MemoryRateLimitStore, type RateLimitStore, type WindowCount } from '../protocol/rate-limit.js';
export { DEFAULT_ISSUER_RATE_LIMIT, defaultClientKey, type IssuerRateLimit } from './rate-limit.js';
export type { VideoFields } from './upstream.js';

export type TokenIssuer = (request: Request, context?: IssuerContext) => Promise<Response>;

/** Every answer of the issuer: never cached, dated (the element corrects clock skew with it), CORS for an allowed origin. */
function respond(
  config: IssuerConfig,
  status: number,
  body: string | null,
  headers: Record<string, string>,
  check: OriginCheck,
): Response {
  return new Response(body, {
    status,
    headers: {
      'cache-control': 'no-store',
      date: new Date(config.now()).toUTCString(),
      vary: 'Origin',
      'x-content-type-options': 'nosniff',
      ...corsHeaders(check),
      ...headers,
    },
  });
}

function ttlFor(config: IssuerConfig, narrowing: GrantNarrowing): number {
  if (narrowing.ttl === undefined) return config.ttl;
  if (!isTtl(narrowing.ttl))
    throw issuerProblems.authorizeMisconfigured(
      `authorize returned a ttl that is not a whole number of seconds from 0 to ${MAX_TTL}.`,
    );
  if (narrowing.ttl === 0) {
    if (!config.allowZeroTtl)
      throw issuerProblems.authorizeMisconfigured(
        'authorize returned ttl 0 (never expires) but allowZeroTtl is not set.',
      );
    return 0;
  }
  return Math.min(narrowing.ttl, config.maxTtl);
}

async function videoFieldsFor(
  config: IssuerConfig,
  request: Request,
  file: FileFacts,
  narrowing: GrantNarrowing,
): Promise<VideoFields | undefined> {
  if (narrowing.video !== undefined && (narrowing.video === null || typeof narrowing.video !== 'object')) {
    throw issuerProblems.authorizeMisconfigured('authorize returned a video that is not an object.');
  }
  const { createVideo } = config;
  if (!createVideo && !narrowing.video) return undefined;
  const base: VideoFields =
    typeof createVideo === 'function' ? await runHook(config, 'createVideo', createVideo, request, file) : {};
  // The visitor's title and description, else a title from the file name; the site's hooks have the last word.
  const title = file.title ?? titleFromFileName(file.fileName);
  return {
    ...(title ? { title } : {}),
    ...(file.description ? { description: file.description } : {}),
    ...base,
    ...narrowing.video,
  };
}

const describe = (error: unknown): string =>
  error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);

/**
 * Runs one of the site's hooks. A throw is the site's bug, not the visitor's: it is logged whole
 * (the `log` function, else `console.error`) and answered 500 with a body that does not carry it.
 */
async function runHook<T>(
  config: IssuerConfig,
  name: 'authorize' | 'createVideo',
  hook: (request: Request, file: FileFacts) => T | Promise<T>,
  request: Request,
  file: FileFacts,
): Promise<T> {
  try {
    return await hook(request, file);
  } catch (error) {
    config.logError(`issuer: ${name} threw: ${describe(error)}`);
    throw issuerProblems.hookFailed(name);
  }
}

async function authorizeRequest(config: IssuerConfig, request: Request, file: FileFacts): Promise<GrantNarrowing> {
  if (!config.authorize) return {};
  const result: AuthorizeResult = await runHook(config, 'authorize', config.authorize, request, file);
  if (result === true) return {};
  if (result && typeof result === 'object') {
    if (
      result.videoId !== undefined &&
      (typeof result.videoId !== 'string' || result.videoId === '' || result.videoId.length > 128)
    ) {
      throw issuerProblems.authorizeMisconfigured('authorize returned a videoId that is not a non-empty string.');
    }
    if (result.videoId !== undefined && result.video !== undefined) {
      throw issuerProblems.authorizeMisconfigured(
        'authorize returned both a videoId and video fields; return one of them.',
      );
    }
    return result;
  }
  throw issuerProblems.notAuthorized();
}

/** Issuers that already said they see no client address: said once each. */
const warnedUnknown = new WeakSet<IssuerConfig>();

/** One hit on the limiter; a store that fails (Redis down) answers 503, logged, never a hang. */
async function hitLimit(config: IssuerConfig, limiter: FixedWindowLimiter, key: string): Promise<RateVerdict> {
  if (key === 'unknown' && !warnedUnknown.has(config) && config.log) {
    warnedUnknown.add(config);
    config.log(
      'issuer: no client address reached the issuer, so every client shares one rate-limit window; pass context.clientAddress, the clientAddress option, or clientKey.',
    );
  }
  try {
    return await limiter.hit(key);
  } catch (error) {
    config.log?.(`issuer: the rate-limit store failed: ${error instanceof Error ? error.message : String(error)}`);
    throw issuerProblems.rateLimitUnavailable();
  }
}

/** A `POST` from an allowed page: rate limit, file facts, authorize, then the token (and the video) upstream. */
async function grant(
  config: IssuerConfig,
  request: Request,
  context: IssuerContext,
  check: OriginCheck,
): Promise<Response> {
  let rateHeaders: Record<string, string> = {};
  if (config.limiter) {
    const clientAddress = config.clientAddress(request, context);
    const key = config.clientKey(request, { ...context, clientAddress });
    const verdict = await hitLimit(config, config.limiter, key);
    if (!verdict.allowed) throw issuerProblems.tooManyRequests(verdict);
    rateHeaders = verdict.headers;
  }
  const file = await readFileFacts(request);
  const narrowing = await authorizeRequest(config, request, file);
  const tokenTtl = ttlFor(config, narrowing);
  const signal = AbortSignal.timeout(config.timeout);
  const token = await config.upstream.createToken(tokenTtl, signal);
  let videoId = narrowing.videoId;
  if (videoId === undefined) {
    const fields = await videoFieldsFor(config, request, file, narrowing);
    if (fields) videoId = await config.upstream.createVideo(fields, signal);
  }
  const { uploadUrl, protocol } = config;
  const body: TokenGrant = {
    ...token,
    apiUrl: uploadUrl,
    ...(protocol ? { protocol } : {}),
    ...(videoId ? { videoId } : {}),
  };
  return respond(config, 200, JSON.stringify(body), { 'content-type': 'application/json', ...rateHeaders }, check);
}

/** Routes by method and origin: a preflight, a grant, or a refusal (thrown as a problem). */
async function route(
  config: IssuerConfig,
  request: Request,
  context: IssuerContext,
  check: OriginCheck,
): Promise<Response> {
  if (request.method === 'OPTIONS') {
    if (check.kind === 'refused') throw issuerProblems.originNotAllowed();
    return respond(
      config,
      204,
      null,
      {
        allow: 'POST, OPTIONS',
        ...(check.kind === 'allowed' ? preflightHeaders(check, request) : {}),
        vary: 'Origin, Access-Control-Request-Headers',
      },
      check,
    );
  }
  if (request.method !== 'POST') throw issuerProblems.methodNotAllowed();
  if (check.kind === 'refused') throw issuerProblems.originNotAllowed();
  return grant(config, request, context, check);
}

/** The problem a failure is answered with; an unexpected one is logged and answered as a bare 500. */
function problemOf(config: IssuerConfig, error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  config.logError(`issuer: unexpected error: ${describe(error)}`);
  return issuerProblems.internal();
}

/** Creates the handler. Throws a TypeError at once on a missing key or an unsafe configuration. */
export function createTokenIssuer(options: TokenIssuerOptions): TokenIssuer {
  const config = resolveIssuerOptions(options);
  return async function issueToken(request: Request, context: IssuerContext = {}): Promise<Response> {
    const started = config.now();
    let check: OriginCheck = { kind: 'none' };
    let response: Response;
    let failure = '';
    try {
      check = checkOrigin(request, config.matches);
      response = await route(config, request, context, check);
    } catch (error) {
      const problem = problemOf(config, error);
      failure = ` ${problem.problem.title}`;
      const headers = { 'content-type': 'application/problem+json', ...problem.headers };
      response = respond(
        config,
        problem.problem.status,
        JSON.stringify(problem.problem),
        headers,
        check.kind === 'refused' ? { kind: 'none' } : check,
      );
    }
    if (config.log) {
      const origin = check.origin ? ` origin=${check.origin}` : '';
      config.log(`issuer: ${request.method} ${response.status}${failure}${origin} ${config.now() - started}ms`);
    }
    return response;
  };
}
