import { MAX_TTL } from '../protocol/index.js';
import { requireApiKey } from './auth.js';
import { DEFAULT_MAX_JSON_BODY, readJsonObject } from './body.js';
import type { ApiContext, App } from './context.js';
import { buildPagination, parsePageQuery } from './pagination.js';
import { problems } from './problem.js';

const SORT_FIELDS = ['createdAt', 'ttl'] as const;

/** The Upload Tokens resource: create, list, show, delete. */
export function registerTokenRoutes(app: App, ctx: ApiContext): void {
  const auth = requireApiKey(ctx);
  const limit = ctx.options.maxJsonBody ?? DEFAULT_MAX_JSON_BODY;

  app.post('/upload-tokens', auth, async (c) => {
    const body = await readJsonObject(c, limit);
    const ttl = body.ttl === undefined ? 0 : body.ttl;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL) {
      throw problems.invalidAttribute('ttl', `ttl must be a whole number of seconds from 0 to ${MAX_TTL}.`);
    }
    return c.json(await ctx.tokens.create(ttl));
  });

  app.get('/upload-tokens', auth, (c) => {
    const url = new URL(c.req.url);
    const query = parsePageQuery(url, SORT_FIELDS);
    const offset = (query.currentPage - 1) * query.pageSize;
    const { items, total } = ctx.tokens.list({
      sortBy: query.sortBy,
      sortOrder: query.sortOrder,
      offset,
      limit: query.pageSize,
    });
    return c.json({
      data: items,
      pagination: buildPagination(url, total, query.currentPage, query.pageSize, items.length),
    });
  });

  app.get('/upload-tokens/:uploadToken', auth, (c) => {
    const token = ctx.tokens.get(c.req.param('uploadToken'));
    if (!token) throw problems.notFound('uploadToken');
    return c.json(token);
  });

  app.delete('/upload-tokens/:uploadToken', auth, (c) => {
    if (!ctx.tokens.delete(c.req.param('uploadToken'))) throw problems.notFound('uploadToken');
    return c.body(null, 204);
  });

  // Wrong methods are answered once the caller is known, with the methods the route takes.
  app.all('/upload-tokens', auth, () => {
    throw problems.methodNotAllowed('GET, POST');
  });
  app.all('/upload-tokens/:uploadToken', auth, () => {
    throw problems.methodNotAllowed('GET, DELETE');
  });
}
