/**
 * The rate limit shared through Redis: two issuer processes against one real redis-server keep one
 * limit; Redis down answers 503 with a problem body at once (or counts in memory when told to).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createTokenIssuer } from '../../src/issuer/index.js';
import { RedisRateLimitStore, type RedisEvalClient } from '../../src/issuer/redis.js';
import { MemoryRateLimitStore } from '../../src/protocol/rate-limit.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { startRedis, type RedisProcess } from '../support/redis.js';

const API_KEY = 'sk_redis_Hc3Vn8Qx1Lw5Bz';

describe('issuer rate limit in Redis', () => {
  let api: TestApi;
  let redis: RedisProcess;
  const issuers: CliProcess[] = [];

  before(async () => {
    [api, redis] = await Promise.all([startTestApi({ apiKey: API_KEY }), startRedis()]);
  });
  after(async () => {
    for (const cli of issuers) if (cli.child.exitCode === null) cli.child.kill('SIGTERM');
    await Promise.all(issuers.map((cli) => cli.exited));
    await redis.stop();
    await api.stop();
  });

  async function startIssuer(...extra: string[]): Promise<string> {
    const cli = runCli(['issuer', '--port', '0', '--api-url', api.url, '--rate-limit', '5', ...extra], {
      APIVIDEO_API_KEY: API_KEY,
    });
    issuers.push(cli);
    const [, url] = await cli.waitFor(/listening on (http:\/\/\S+)/);
    return url + '/upload-token';
  }

  async function ask(url: string): Promise<{ status: number; type: string; body: any; ms: number }> {
    const started = Date.now();
    const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    const body = await response.json();
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      body,
      ms: Date.now() - started,
    };
  }

  it('two issuer processes share one limit', async () => {
    const [first, second] = await Promise.all([
      startIssuer('--redis-url', redis.url),
      startIssuer('--redis-url', redis.url),
    ]);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await ask(i % 2 === 0 ? first : second)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);
    // The count is in Redis, under the issuer's prefix.
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('video-uploader:rate:*');
      assert.equal(keys.length, 1);
      assert.equal(await client.get(keys[0]), '12');
      const ttl = await client.pttl(keys[0]);
      assert.ok(ttl > 0 && ttl <= 60_000, `ttl ${ttl}`);
    } finally {
      client.disconnect();
    }
  });

  it('answers 503 with a problem body, not hanging, when Redis is down; the fallback counts in memory', async () => {
    const down = await startRedis();
    const url = await startIssuer('--redis-url', down.url);
    const fallback = await startIssuer('--redis-url', down.url, '--redis-fallback');
    assert.equal((await ask(url)).status, 200);
    await down.stop();
    const refused = await ask(url);
    assert.equal(refused.status, 503);
    assert.match(refused.type, /application\/problem\+json/);
    assert.equal(refused.body.title, 'The issuer cannot check its rate limit.');
    assert.ok(refused.ms < 3_000, `answered in ${refused.ms} ms`);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await ask(fallback)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
  });

  it('answers 503 when Redis hangs past the timeout', async () => {
    const hanging: RedisEvalClient = { eval: () => new Promise(() => {}) };
    const lines: string[] = [];
    const issuer = createTokenIssuer({
      apiKey: API_KEY,
      apiUrl: api.url,
      rateLimitStore: new RedisRateLimitStore({ client: hanging, timeout: 200 }),
      log: (line) => lines.push(line),
    });
    const started = Date.now();
    const response = await issuer(new Request('http://issuer.test/t', { method: 'POST' }), {
      clientAddress: '1.2.3.4',
    });
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '5');
    assert.equal(((await response.json()) as { status: number }).status, 503);
    assert.ok(Date.now() - started < 2_000);
    assert.ok(lines.some((line) => /rate-limit store failed: Redis did not answer within 200 ms/.test(line)));
  });

  it('works with a client that only has eval, and falls back on an odd answer when told to', async () => {
    const client = new Redis(redis.url);
    try {
      const store = new RedisRateLimitStore({ client, prefix: 'test:' });
      const first = await store.increment('k', 1_000, 5_000);
      const second = await store.increment('k', 1_000, 5_100);
      assert.deepEqual([first.count, second.count], [1, 2]);
      assert.ok(second.resetAt > 5_100 && second.resetAt <= 6_100);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      assert.equal((await store.increment('k', 1_000, 7_000)).count, 1, 'a new window after expiry');
    } finally {
      client.disconnect();
    }
    const errors: unknown[] = [];
    const odd = new RedisRateLimitStore({
      client: { eval: () => Promise.resolve('OK') },
      fallback: new MemoryRateLimitStore(),
      onError: (error) => errors.push(error),
    });
    assert.equal((await odd.increment('k', 1_000, 0)).count, 1);
    assert.equal(errors.length, 1);
    assert.throws(() => new RedisRateLimitStore({ client: {} as RedisEvalClient }), /eval/);
    assert.throws(() => new RedisRateLimitStore({ client: { eval: () => Promise.resolve() }, timeout: 0 }), /timeout/);
  });

  it('refuses a --redis-url that is not redis://', async () => {
    const cli = runCli(['issuer', '--port', '0', '--redis-url', 'http://x'], { APIVIDEO_API_KEY: API_KEY });
    assert.equal(await cli.exited, 2);
    assert.match(cli.output(), /Invalid --redis-url/);
  });
});
