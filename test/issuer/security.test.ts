/**
 * The issuer as an attacker meets it, over real HTTP in front of the real local video API.
 * test/issuer/issuer.test.ts already covers the basics (a foreign origin refused with 403 minting
 * nothing, the preflight refused, 10 a minute then 429, ttl 0 refused at creation and from
 * authorize, the 900 s default, the key in no answer or log line); this file adds what a
 * determined client tries: any foreign origin at all, bursts in parallel, spoofed forwarding
 * headers, and whatever ttl a site's authorize returns.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createTokenIssuer, type TokenIssuerOptions } from '../../src/issuer/index.js';
import { serveTokenIssuer, type RunningIssuer } from '../../src/issuer/node.js';
import { MAX_TTL, type UploadToken } from '../../src/protocol/index.js';
import { startTestApi, type TestApi } from '../support/api.js';

const ALLOWED = 'https://shop.example';

describe('the issuer under attack', () => {
  let api: TestApi;
  const issuers: RunningIssuer[] = [];

  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    for (const issuer of issuers) await issuer.close();
    await api.stop();
  });

  async function serve(options: Partial<TokenIssuerOptions>): Promise<string> {
    const issuer = await serveTokenIssuer(createTokenIssuer({ apiKey: api.apiKey, apiUrl: api.url, ...options }));
    issuers.push(issuer);
    return issuer.url;
  }

  const tokensOnApi = async (): Promise<UploadToken[]> => {
    const all: UploadToken[] = [];
    for (let page = 1; ; page++) {
      const body = (await (await api.authed(`/upload-tokens?pageSize=100&currentPage=${page}`)).json()) as {
        data: UploadToken[];
        pagination: { pagesTotal: number };
      };
      all.push(...body.data);
      if (page >= body.pagination.pagesTotal) return all;
    }
  };

  it('refuses every foreign origin server-side, preflight or not, minting nothing', async () => {
    const url = await serve({ allowedOrigins: [ALLOWED], rateLimit: false });
    const before = (await tokensOnApi()).length;
    const tricks = fc.constantFrom(
      'https://shop.example.evil.test',
      'https://evil.test/https://shop.example',
      'https://shop.example:8443',
      'http://shop.example',
      'https://xn--shop-example.test',
      'null',
      'https://shop.example@evil.test',
      'file://',
      'https://shop%2eexample',
      'shop.example',
      '*',
    );
    const origins = fc
      .oneof(
        tricks,
        fc.webUrl().map((u) => new URL(u).origin),
      )
      .filter((origin) => {
        try {
          return new URL(origin).origin !== ALLOWED;
        } catch {
          return true;
        }
      });
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(origins, fc.boolean(), async (origin, preflight) => {
        runs++;
        const response = await fetch(
          url,
          preflight
            ? {
                method: 'OPTIONS',
                headers: {
                  origin,
                  'access-control-request-method': 'POST',
                  'access-control-request-headers': 'content-type',
                },
              }
            : { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{"fileName":"a.mp4"}' },
        );
        const text = await response.text();
        assert.equal(response.status, 403, `${origin}: ${text}`);
        assert.equal(response.headers.get('access-control-allow-origin'), null, origin);
        assert.equal(JSON.parse(text).title, 'The origin is not allowed.');
      }),
      { numRuns: 150, seed: 8 },
    );
    assert.equal(runs, 150);
    assert.equal((await tokensOnApi()).length, before, 'no token minted for a refused origin');
    // The allowed origin does get one: the refusals are about the origin.
    const allowed = await fetch(url, {
      method: 'POST',
      headers: { origin: ALLOWED, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), ALLOWED);
  });

  it('holds its rate limit against a burst in parallel: exactly the limit is minted', async () => {
    const url = await serve({ rateLimit: { limit: 10, windowMs: 60_000 } });
    const before = (await tokensOnApi()).length;
    const answers = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
      ),
    );
    const statuses = answers.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 10);
    assert.equal(statuses.filter((s) => s === 429).length, 30);
    for (const answer of answers.filter((r) => r.status === 429))
      assert.ok(Number(answer.headers.get('retry-after')) >= 1);
    await Promise.all(answers.map((r) => r.text()));
    assert.equal((await tokensOnApi()).length, before + 10);
  });

  it('keyed on the socket, cannot be bypassed by spoofed forwarding headers', async () => {
    const url = await serve({
      rateLimit: { limit: 5, windowMs: 60_000 },
      clientKey: (_request, context) => context.clientAddress ?? 'unknown',
    });
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-for': `203.0.113.${i}`,
          'x-real-ip': `198.51.100.${i}`,
          'cf-connecting-ip': `192.0.2.${i}`,
        },
        body: '{}',
      });
      await response.text();
      statuses.push(response.status);
    }
    assert.deepEqual(statuses, [...Array(5).fill(200), ...Array(10).fill(429)]);
  });

  it('answers any file name a page may send, pre-creating the video, never with a 5xx', async () => {
    const url = await serve({ rateLimit: false, createVideo: true });
    const names = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 400 }),
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.constantFrom(' ', '   ', '\u3000', '😀'.repeat(300), `${'é'.repeat(255)}😀`, '\u200b', '.mp4', '../../x.mp4'),
    );
    await fc.assert(
      fc.asyncProperty(names, async (fileName) => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ fileName }),
        });
        const body = (await response.json()) as { videoId?: string; title?: string };
        // Control characters and names over 1024 characters are refused as input; everything else gets a grant.
        assert.ok(
          response.status === 200 || response.status === 400,
          `${JSON.stringify(fileName.slice(0, 20))}: ${response.status} ${JSON.stringify(body)}`,
        );
        if (response.status === 200) assert.match(body.videoId ?? '', /^vi[0-9A-Za-z]{22}$/);
      }),
      { numRuns: 150, seed: 10 },
    );
  });

  it('never mints a token that does not expire, whatever ttl authorize returns', async () => {
    let asked = 0;
    const url = await serve({
      rateLimit: false,
      maxTtl: 3600,
      authorize: (request) => {
        const raw = request.headers.get('x-ttl');
        asked++;
        return raw === 'none' ? true : { ttl: JSON.parse(raw!) as number };
      },
    });
    const ttls = fc.oneof(
      fc.constant('none'),
      fc.integer({ min: 0, max: MAX_TTL }).map(String),
      fc.constantFrom('0', '-1', '1.5', '1e9', 'null', '"900"', '2147483648', '0.0'),
    );
    const minted: string[] = [];
    await fc.assert(
      fc.asyncProperty(ttls, async (ttl) => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-ttl': ttl },
          body: '{}',
        });
        const body = (await response.json()) as {
          token?: string;
          ttl?: number;
          expiresAt?: string | null;
          status?: number;
        };
        if (response.status === 200) {
          assert.ok(body.ttl! > 0 && body.ttl! <= 3600, `ttl ${body.ttl} for ${ttl}`);
          assert.ok(
            body.expiresAt && Date.parse(body.expiresAt) > Date.now(),
            `expiresAt ${String(body.expiresAt)} for ${ttl}`,
          );
          minted.push(body.token!);
        } else {
          // A ttl the issuer cannot honour is the site's misconfiguration: refused, nothing minted.
          assert.equal(response.status, 500, `${ttl}: ${JSON.stringify(body)}`);
          assert.equal(body.status, 500);
        }
      }),
      { numRuns: 120, seed: 9 },
    );
    assert.ok(asked >= 120 && minted.length > 50, `${minted.length} minted`);
    // What the video API holds agrees: every token it has expires.
    const all = await tokensOnApi();
    for (const token of minted) {
      const stored = all.find((t) => t.token === token);
      assert.ok(stored && stored.ttl > 0 && stored.expiresAt !== null, token);
    }
    assert.deepEqual(
      all.filter((t) => t.expiresAt === null),
      [],
    );
  });
});
