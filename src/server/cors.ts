import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './context.js';

const ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'Content-Range',
  'AV-Origin-Client',
  'AV-Origin-App',
  'AV-Origin-Sdk',
  'Tus-Resumable',
  'Upload-Length',
  'Upload-Offset',
  'Upload-Metadata',
  'Upload-Defer-Length',
  'Upload-Concat',
  'X-HTTP-Method-Override',
  'X-Requested-With',
].join(', ');
const EXPOSE_HEADERS = [
  'Location',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Expires',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
  'X-Video-Id',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Retry-After',
  'Date',
].join(', ');
const ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/** Headers every response carries, problems included. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': EXPOSE_HEADERS,
};

/**
 * Any origin may call: credentials travel in headers or `?token=`, never in cookies, so `*` is safe.
 * Headers are prepared before the handler runs: setting them on a finished response would turn
 * @hono/node-server's light response into a full web Response on every request.
 */
export function cors(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      return new Response(null, {
        status: 204,
        headers: {
          ...CORS_HEADERS,
          'Access-Control-Allow-Methods': ALLOW_METHODS,
          'Access-Control-Allow-Headers': ALLOW_HEADERS,
          'Access-Control-Max-Age': '600',
          Vary: 'Access-Control-Request-Headers',
        },
      });
    }
    for (const [name, value] of Object.entries(CORS_HEADERS)) c.header(name, value);
    await next();
  };
}
