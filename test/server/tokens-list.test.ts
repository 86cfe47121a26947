import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page, Problem, UploadToken } from '../../src/protocol/index.js';
import { startTestApi, type TestApi } from '../support/api.js';

type TokenPage = Page<UploadToken>;

describe('GET /upload-tokens', () => {
  let api: TestApi;
  const created: UploadToken[] = [];

  before(async () => {
    api = await startTestApi();
    // Ten concurrent creates at a time: many share a millisecond, and ttls repeat, so ties are common.
    for (let batch = 0; batch < 100; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          api.authed('/upload-tokens', {
            method: 'POST',
            body: JSON.stringify({ ttl: 3600 + ((batch * 10 + i) % 7) * 60 }),
          }),
        ),
      );
      for (const response of responses) created.push((await response.json()) as UploadToken);
    }
  });
  after(async () => {
    await api.stop();
  });

  const list = async (query: string): Promise<TokenPage> => {
    const response = await api.authed(`/upload-tokens?${query}`);
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as TokenPage;
  };

  it('defaults to createdAt, newest first, 25 a page, with pagination and links', async () => {
    const page = await list('');
    assert.equal(page.data.length, 25);
    assert.deepEqual(
      { ...page.pagination, links: undefined },
      { itemsTotal: 1000, pagesTotal: 40, pageSize: 25, currentPage: 1, currentPageItems: 25, links: undefined },
    );
    const rels = page.pagination.links.map((l) => l.rel);
    assert.deepEqual(rels, ['self', 'first', 'next', 'last']);
    assert.equal(page.pagination.links.find((l) => l.rel === 'last')!.uri, '/upload-tokens?currentPage=40&pageSize=25');
    for (let i = 1; i < page.data.length; i++) {
      assert.ok(page.data[i - 1].createdAt >= page.data[i].createdAt);
    }
  });

  for (const sortBy of ['createdAt', 'ttl'] as const) {
    for (const sortOrder of ['asc', 'desc'] as const) {
      it(`pages through 1,000 tokens by ${sortBy} ${sortOrder} with no repeat and no gap`, async () => {
        const seen: UploadToken[] = [];
        const pageSize = 37;
        let uri = `/upload-tokens?sortBy=${sortBy}&sortOrder=${sortOrder}&currentPage=1&pageSize=${pageSize}`;
        let pages = 0;
        for (;;) {
          const page = await list(uri.split('?')[1]);
          pages++;
          seen.push(...page.data);
          assert.equal(page.pagination.currentPageItems, page.data.length);
          const self = page.pagination.links.find((l) => l.rel === 'self')!;
          assert.match(self.uri, new RegExp(`sortBy=${sortBy}&sortOrder=${sortOrder}`));
          const next = page.pagination.links.find((l) => l.rel === 'next');
          if (!next) break;
          uri = next.uri;
        }
        assert.equal(pages, Math.ceil(1000 / pageSize));
        assert.equal(seen.length, 1000);
        assert.equal(new Set(seen.map((t) => t.token)).size, 1000);
        const key = (t: UploadToken): string | number => (sortBy === 'ttl' ? t.ttl : t.createdAt);
        for (let i = 1; i < seen.length; i++) {
          const [a, b] = [key(seen[i - 1]), key(seen[i])];
          assert.ok(sortOrder === 'asc' ? a <= b : a >= b, `order broken at ${i}`);
        }
        // The last page, read from the far end of the index, agrees with a walk from the start.
        const last = await list(`sortBy=${sortBy}&sortOrder=${sortOrder}&currentPage=${pages}&pageSize=${pageSize}`);
        assert.deepEqual(last.data, seen.slice((pages - 1) * pageSize));
      });
    }
  }

  it('gives previous and next links in the middle, keeping the other parameters', async () => {
    const page = await list('sortBy=ttl&currentPage=3&pageSize=10&sortOrder=asc');
    const links = Object.fromEntries(page.pagination.links.map((l) => [l.rel, l.uri]));
    assert.equal(links.previous, '/upload-tokens?sortBy=ttl&sortOrder=asc&currentPage=2&pageSize=10');
    assert.equal(links.next, '/upload-tokens?sortBy=ttl&sortOrder=asc&currentPage=4&pageSize=10');
    assert.equal(links.last, '/upload-tokens?sortBy=ttl&sortOrder=asc&currentPage=100&pageSize=10');
  });

  it('answers a page past the last with empty data and correct pagination', async () => {
    const page = await list('currentPage=500&pageSize=100');
    assert.deepEqual(page.data, []);
    assert.equal(page.pagination.currentPageItems, 0);
    assert.equal(page.pagination.itemsTotal, 1000);
    assert.equal(page.pagination.pagesTotal, 10);
    assert.equal(
      page.pagination.links.find((l) => l.rel === 'next'),
      undefined,
    );
  });

  const bad: [string, string][] = [
    ['sortBy=expiresAt', 'sortBy'],
    ['sortBy=', 'sortBy'],
    ['sortOrder=up', 'sortOrder'],
    ['currentPage=0', 'currentPage'],
    ['currentPage=-1', 'currentPage'],
    ['currentPage=1.5', 'currentPage'],
    ['currentPage=abc', 'currentPage'],
    ['currentPage=99999999999999999999', 'currentPage'],
    ['pageSize=0', 'pageSize'],
    ['pageSize=101', 'pageSize'],
    ['pageSize=', 'pageSize'],
  ];
  for (const [query, name] of bad) {
    it(`refuses ${query} with a 400 naming ${name}`, async () => {
      const response = await api.authed(`/upload-tokens?${query}`);
      assert.equal(response.status, 400);
      const problem = (await response.json()) as Problem;
      assert.equal(problem.type, 'https://docs.api.video/reference/request-invalid-query-parameter');
      assert.match(
        problem.title,
        /^(A query parameter is invalid\.|This parameter is out of the allowed range of values\.)$/,
      );
      assert.equal(problem.name, name);
      assert.equal(problem.problems?.[0]?.name, name);
    });
  }

  it('never lists deleted tokens', async () => {
    const victim = created[500];
    assert.equal((await api.authed(`/upload-tokens/${victim.token}`, { method: 'DELETE' })).status, 204);
    const all = await list('pageSize=100&currentPage=1');
    assert.equal(all.pagination.itemsTotal, 999);
    const tokens = new Set<string>();
    for (let p = 1; p <= 10; p++)
      for (const t of (await list(`pageSize=100&currentPage=${p}`)).data) tokens.add(t.token);
    assert.equal(tokens.size, 999);
    assert.equal(tokens.has(victim.token), false);
  });
});
