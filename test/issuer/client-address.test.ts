/** The issuer's rate-limit key: the connection's address unless the operator trusts a proxy or a platform header. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTokenIssuer, type TokenIssuerOptions } from '../../src/issuer/index.js';
import { serveTokenIssuer, type RunningIssuer } from '../../src/issuer/node.js';
import { startTestApi, type TestApi } from '../support/api.js';

const API_KEY = 'sk_address_T4nQ8wLp2Rz6Xc';

describe('issuer client address', () => {
  let api: TestApi;
  const running: RunningIssuer[] = [];
  before(async () => {
    api = await startTestApi({ apiKey: API_KEY });
  });
  after(async () => {
    await Promise.all(running.map((r) => r.close()));
    await api.stop();
  });

  async function serve(options: Partial<TokenIssuerOptions> = {}): Promise<string> {
    const issuer = createTokenIssuer({ apiKey: API_KEY, apiUrl: api.url, rateLimit: 3, ...options });
    const served = await serveTokenIssuer(issuer);
    running.push(served);
    return served.url + '/upload-token';
  }

  async function statuses(url: string, headersOf: (i: number) => Record<string, string>, n = 8): Promise<number[]> {
    const seen: number[] = [];
    for (let i = 0; i < n; i++) {
      const response = await fetch(url, { method: 'POST', headers: headersOf(i) });
      await response.text();
      seen.push(response.status);
    }
    return seen;
  }

  const tokensOnApi = async (): Promise<number> =>
    ((await (await api.authed('/upload-tokens?pageSize=1')).json()) as { pagination: { itemsTotal: number } })
      .pagination.itemsTotal;

  const spoofed = (i: number): Record<string, string> => ({
    'x-forwarded-for': `203.0.113.${i}`,
    'x-real-ip': `198.51.100.${i}`,
    'cf-connecting-ip': `192.0.2.${i}`,
  });

  it('with default options, a new X-Forwarded-For per request mints no more than the limit', async () => {
    const url = await serve();
    const before = await tokensOnApi();
    assert.deepEqual(await statuses(url, spoofed), [200, 200, 200, 429, 429, 429, 429, 429]);
    assert.equal(await tokensOnApi(), before + 3, 'three tokens minted, no more');
  });

  it('honours X-Forwarded-For from a trusted hop count: the address the last proxy saw', async () => {
    const url = await serve({ trustProxy: 1 });
    // One proxy in front: the entry it appended is the client; what the client wrote before it is not believed.
    const perClient = await statuses(url, (i) => ({ 'x-forwarded-for': `10.9.9.9, 203.0.113.${i}` }));
    assert.deepEqual(perClient, Array(8).fill(200));
    const sameClient = await statuses(url, (i) => ({ 'x-forwarded-for': `10.0.0.${i}, 203.0.113.50` }));
    assert.deepEqual(sameClient, [200, 200, 200, 429, 429, 429, 429, 429]);
  });

  it('honours X-Forwarded-For through a list of trusted proxies, skipping them from the right', async () => {
    const url = await serve({ trustProxy: ['127.0.0.1', '10.0.0.0/8'] });
    const seen = await statuses(url, (i) => ({ 'x-forwarded-for': `203.0.113.${i}, 10.1.2.3` }));
    assert.deepEqual(seen, Array(8).fill(200));
    const one = await statuses(url, () => ({ 'x-forwarded-for': '198.51.100.7, 10.1.2.3' }));
    assert.deepEqual(one, [200, 200, 200, 429, 429, 429, 429, 429]);
  });

  it('ignores X-Forwarded-For when the peer is not a listed proxy', async () => {
    const url = await serve({ trustProxy: ['10.0.0.0/8'] });
    assert.deepEqual(await statuses(url, spoofed), [200, 200, 200, 429, 429, 429, 429, 429]);
  });

  it('reads a platform header only when named', async () => {
    const url = await serve({ clientIpHeader: 'cf-connecting-ip' });
    assert.deepEqual(await statuses(url, spoofed), Array(8).fill(200));
  });

  it('takes the address from the clientAddress option when the runtime gives only a Request', async () => {
    const lines: string[] = [];
    const issuer = createTokenIssuer({
      apiKey: API_KEY,
      apiUrl: api.url,
      rateLimit: 2,
      clientAddress: (request) => request.headers.get('x-test-peer') ?? undefined,
      log: (line) => lines.push(line),
    });
    const ask = async (peer?: string): Promise<number> => {
      const response = await issuer(
        new Request('http://issuer.test/t', { method: 'POST', headers: peer ? { 'x-test-peer': peer } : {} }),
      );
      await response.text();
      return response.status;
    };
    assert.deepEqual([await ask('192.0.2.1'), await ask('192.0.2.1'), await ask('192.0.2.1')], [200, 200, 429]);
    assert.equal(await ask('192.0.2.2'), 200);
    // No address at all: one shared window, and one log line saying what to fix.
    await ask();
    await ask();
    assert.equal(lines.filter((line) => /no client address/.test(line)).length, 1);
  });

  it('refuses a bad trustProxy or clientIpHeader at creation, naming the option', () => {
    const bad: Partial<TokenIssuerOptions>[] = [
      { trustProxy: -1 },
      { trustProxy: 1.5 },
      { trustProxy: ['10.0.0.0/33'] },
      { trustProxy: ['not-an-ip'] },
      { trustProxy: ['::1/129'] },
      { trustProxy: ['256.1.1.1'] },
      { trustProxy: 'loopback' as unknown as string[] },
      { clientIpHeader: 'bad header' },
      { clientAddress: 'x' as unknown as () => string },
    ];
    for (const options of bad) {
      assert.throws(
        () => createTokenIssuer({ apiKey: API_KEY, ...options }),
        (error: Error) => error instanceof TypeError && /trustProxy|clientIpHeader|clientAddress/.test(error.message),
        JSON.stringify(options),
      );
    }
    for (const trustProxy of [0, 2, ['loopback', 'private', 'linklocal', '::1', 'fd00::/8', '::ffff:10.0.0.0/104']])
      assert.doesNotThrow(() => createTokenIssuer({ apiKey: API_KEY, trustProxy }));
  });

  it('matches IPv6 and IPv4-mapped peers against the list', async () => {
    const issuer = createTokenIssuer({
      apiKey: API_KEY,
      apiUrl: api.url,
      rateLimit: 1,
      trustProxy: ['10.0.0.0/8', '2001:db8::/32'],
    });
    const ask = async (peer: string, forwarded: string): Promise<number> => {
      const response = await issuer(
        new Request('http://issuer.test/t', { method: 'POST', headers: { 'x-forwarded-for': forwarded } }),
        { clientAddress: peer },
      );
      await response.text();
      return response.status;
    };
    assert.equal(await ask('::ffff:10.2.3.4', '198.51.100.1'), 200);
    assert.equal(await ask('2001:db8::7', '198.51.100.2'), 200);
    assert.equal(await ask('2001:db8:0:0::8', '198.51.100.3'), 200);
    // An untrusted peer: its own address is the key, whatever it forwards.
    assert.equal(await ask('2001:db9::1', '198.51.100.4'), 200);
    assert.equal(await ask('2001:db9::1', '198.51.100.5'), 429);
  });
});
