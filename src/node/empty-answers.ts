import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** Statuses whose answers carry no body, hence no Content-Type. */
const BODILESS = new Set([204, 304]);

/**
 * @hono/node-server gives every answer a `Content-Type` (`text/plain; charset=UTF-8` when the
 * handler set none), 204s included. Clients that parse by media type (api.video's official ones)
 * fail on it, so the header is taken off the answers that have no body.
 */
export function stripEmptyContentType(res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, status: number, ...rest: unknown[]) {
    if (BODILESS.has(status)) {
      for (const arg of rest) {
        if (arg && typeof arg === 'object' && !Array.isArray(arg)) {
          const headers = arg as OutgoingHttpHeaders;
          for (const name of Object.keys(headers)) if (name.toLowerCase() === 'content-type') delete headers[name];
        }
      }
      this.removeHeader('content-type');
    }
    return (writeHead as (...args: unknown[]) => ServerResponse).call(this, status, ...rest);
  };
}
