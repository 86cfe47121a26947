import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createTokenIssuer } from '../../src/issuer/index.js';
import { FixedWindowLimiter, MemoryRateLimitStore, type RateLimitStore } from '../../src/protocol/rate-limit.js';
import { titleFromFileName } from '../../src/protocol/title.js';
import { ORIGIN_CLIENT, PACKAGE_VERSION } from '../../src/protocol/version.js';

describe('shared protocol pieces', () => {
  it('announces the version package.json holds', () => {
    const { name, version } = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string };
    assert.equal(PACKAGE_VERSION, version, 'run node scripts/sync-version.mjs');
    assert.equal(ORIGIN_CLIENT, `${name}:${version}`);
  });

  it('titles a video after its file name: trimmed, cut within 256 units without halving a pair, the fallback when blank', () => {
    assert.equal(titleFromFileName('  clip.mp4 '), 'clip.mp4');
    assert.equal(titleFromFileName('   '), undefined);
    assert.equal(titleFromFileName(undefined, 'untitled'), 'untitled');
    assert.equal(titleFromFileName('a'.repeat(255) + '😀'), 'a'.repeat(255));
    assert.equal(titleFromFileName('é'.repeat(300))?.length, 256);
  });

  it('counts in fixed windows, with the header names it is given', async () => {
    let now = 1_000;
    const limiter = new FixedWindowLimiter(
      { limit: 2, windowMs: 10_000 },
      { limit: 'L', remaining: 'R', retryAfter: 'W' },
      undefined,
      () => now,
    );
    assert.deepEqual(await limiter.hit('a'), { allowed: true, headers: { L: '2', R: '1' }, retryAfterHeader: 'W' });
    await limiter.hit('a');
    now += 4_000;
    assert.deepEqual(await limiter.hit('a'), {
      allowed: false,
      headers: { L: '2', R: '0', W: '6' },
      retryAfterHeader: 'W',
    });
    assert.equal((await limiter.hit('b')).allowed, true);
    now += 6_000;
    assert.equal((await limiter.hit('a')).allowed, true);
  });

  it('keeps at most its bound of keys in memory', () => {
    const store = new MemoryRateLimitStore(100);
    for (let i = 0; i < 1_000; i++) store.increment(`k${i}`, 60_000, 0);
    assert.equal(store.increment('k999', 60_000, 0).count, 2);
    assert.equal(store.increment('k0', 60_000, 0).count, 1, 'the oldest key was dropped');
  });

  it('lets two issuers share one store, as instances behind a load balancer share Redis', async () => {
    const windows = new Map<string, number>();
    const shared: RateLimitStore = {
      // An asynchronous store, as a network one is.
      increment: async (key) => {
        windows.set(key, (windows.get(key) ?? 0) + 1);
        return { count: windows.get(key)!, resetAt: Date.now() + 60_000 };
      },
    };
    const make = () =>
      createTokenIssuer({
        apiKey: 'k',
        apiUrl: 'http://127.0.0.1:9',
        rateLimit: 1,
        rateLimitStore: shared,
        timeout: 2_000,
      });
    const request = () => new Request('http://issuer.test/', { method: 'POST', headers: { 'x-real-ip': '192.0.2.1' } });
    const first = await make()(request());
    assert.notEqual(first.status, 429);
    const second = await make()(request());
    assert.equal(second.status, 429);
    assert.equal(second.headers.get('content-type'), 'application/problem+json');
    assert.ok(Number(second.headers.get('retry-after')) >= 1);
  });
});
