import type { MiddlewareHandler } from 'hono';
import { readJsonObject, DEFAULT_MAX_JSON_BODY } from './body.js';
import type { ApiContext, App, AppEnv } from './context.js';
import { problems, type Unauthorized } from './problem.js';
import { addressOf, countRequest } from './rate-headers.js';
import { fingerprint, secretMatcher, signToken, verifyToken } from './secrets.js';

export const ACCESS_TOKEN_TTL = 3600;
const REFRESH_TOKEN_TTL = 30 * 24 * 3600;

const matchers = new WeakMap<ApiContext, { isKey: (candidate: string) => boolean; bucket: string }>();

/** Per server: the key's digest and rate-limit bucket, computed once rather than per request. */
function keyOf(ctx: ApiContext): { isKey: (candidate: string) => boolean; bucket: string } {
  let entry = matchers.get(ctx);
  if (!entry) {
    entry = { isKey: secretMatcher(ctx.options.apiKey), bucket: fingerprint(ctx.options.apiKey) };
    matchers.set(ctx, entry);
  }
  return entry;
}

/**
 * What an `Authorization` header proves: the key (Basic, the key as user name, empty password, or a
 * bearer access token), or why not. An empty header is no header (key-less clients send one).
 */
function credentialOf(ctx: ApiContext, header: string | undefined): 'ok' | Unauthorized {
  if (!header?.trim()) return 'missing';
  if (header.length > 8192) return 'malformed';
  const space = header.indexOf(' ');
  if (space < 0) return 'malformed';
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    return user !== '' && keyOf(ctx).isKey(user) ? 'ok' : 'key';
  }
  if (scheme === 'bearer') {
    const payload = verifyToken(ctx.signingKey, value);
    if (payload?.kind === 'access' && typeof payload.exp === 'number' && payload.exp > ctx.now()) return 'ok';
    return 'token';
  }
  return 'malformed';
}

/**
 * Management routes: API key (Basic) or bearer access token, then the per-credential rate limit.
 * Refusals are counted too (per address), so that every answer carries X-RateLimit-* headers.
 */
export function requireApiKey(ctx: ApiContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const credential = credentialOf(ctx, c.req.header('authorization'));
    if (credential !== 'ok') {
      await countRequest(c, ctx, `refused:${addressOf(c)}`);
      throw problems.unauthorized(credential);
    }
    await countRequest(c, ctx, keyOf(ctx).bucket);
    c.set('credential', 'key');
    await next();
  };
}

function issueTokens(ctx: ApiContext): Record<string, unknown> {
  const now = ctx.now();
  return {
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_TTL,
    access_token: signToken(ctx.signingKey, { kind: 'access', exp: now + ACCESS_TOKEN_TTL * 1000, n: Math.random() }),
    refresh_token: signToken(ctx.signingKey, {
      kind: 'refresh',
      exp: now + REFRESH_TOKEN_TTL * 1000,
      n: Math.random(),
    }),
  };
}

/** `POST /auth/api-key {apiKey}` and `POST /auth/refresh {refreshToken}`, as the real service has them. */
export function registerAuthRoutes(app: App, ctx: ApiContext): void {
  const limit = ctx.options.maxJsonBody ?? DEFAULT_MAX_JSON_BODY;
  const rateLimited: MiddlewareHandler<AppEnv> = async (c, next) => {
    const address = c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
    const result = await ctx.limiter.hit(`auth:${address}`);
    if (!result.allowed) throw problems.tooManyRequests(result);
    await next();
  };
  app.post('/auth/api-key', rateLimited, async (c) => {
    const body = await readJsonObject(c, limit);
    if (typeof body.apiKey !== 'string' || body.apiKey === '') {
      throw problems.invalidAttribute('apiKey', 'apiKey must be a non-empty string.');
    }
    if (!keyOf(ctx).isKey(body.apiKey)) throw problems.badCredentials();
    return c.json(issueTokens(ctx));
  });
  app.post('/auth/refresh', rateLimited, async (c) => {
    const body = await readJsonObject(c, limit);
    if (typeof body.refreshToken !== 'string' || body.refreshToken === '') {
      throw problems.invalidAttribute('refreshToken', 'refreshToken must be a non-empty string.');
    }
    const payload = verifyToken(ctx.signingKey, body.refreshToken);
    if (payload?.kind !== 'refresh' || typeof payload.exp !== 'number' || payload.exp <= ctx.now()) {
      throw problems.badCredentials();
    }
    return c.json(issueTokens(ctx));
  });
  app.all('/auth/api-key', () => {
    throw problems.methodNotAllowed('POST');
  });
  app.all('/auth/refresh', () => {
    throw problems.methodNotAllowed('POST');
  });
}
