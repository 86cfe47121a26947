/**
 * The site's own hooks failing: an exception thrown by `authorize` or `createVideo` is the site's bug.
 * It is logged whole (to `console.error` unless a `log` function is given) and answered 500 with a
 * problem body that does not carry it. `log` defaults to failures only.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { createTokenIssuer, type TokenIssuerOptions } from '../../src/issuer/index.js';
import { serveTokenIssuer, type RunningIssuer } from '../../src/issuer/node.js';
import { startTestApi, type TestApi } from '../support/api.js';

const API_KEY = 'sk_hooks_Zq81Lm4Wx0Pe7Tb2';

describe('issuer hooks that throw', () => {
  let api: TestApi;
  const running: RunningIssuer[] = [];
  let errors: string[];
  let logs: string[];
  const original = { error: console.error, log: console.log };

  before(async () => {
    api = await startTestApi({ apiKey: API_KEY });
  });
  after(async () => {
    await Promise.all(running.map((r) => r.close()));
    await api.stop();
  });
  // What the issuer writes to the console by default is recorded (and still the real console's job to show).
  beforeEach(() => {
    errors = [];
    logs = [];
    console.error = (...args: unknown[]) => errors.push(args.join(' '));
    console.log = (...args: unknown[]) => logs.push(args.join(' '));
  });
  afterEach(() => {
    console.error = original.error;
    console.log = original.log;
  });

  async function serve(options: Partial<TokenIssuerOptions>): Promise<string> {
    const served = await serveTokenIssuer(createTokenIssuer({ apiKey: API_KEY, apiUrl: api.url, ...options }));
    running.push(served);
    return served.url + '/upload-token';
  }

  async function post(url: string): Promise<{ status: number; text: string; json: any }> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fileName: 'clip.mp4', fileSize: 1000, fileType: 'video/mp4' }),
    });
    const text = await response.text();
    return { status: response.status, text, json: JSON.parse(text) };
  }

  async function tokensOnApi(): Promise<number> {
    const response = await api.authed('/upload-tokens?pageSize=1');
    return ((await response.json()) as { pagination: { itemsTotal: number } }).pagination.itemsTotal;
  }

  it('answers 500 without the error when authorize throws, and logs it to console.error by default', async () => {
    const count = await tokensOnApi();
    const url = await serve({
      // The README's example as a developer first pastes it: `sessionUser` is not defined.
      authorize: async (request) => {
        const user = await (globalThis as any).sessionUser(request.headers.get('cookie'));
        return Boolean(user);
      },
    });
    const seen = await post(url);
    assert.equal(seen.status, 500);
    assert.equal(seen.json.type, 'https://docs.api.video/reference/issuer-hook-failed');
    assert.equal(seen.json.title, 'The issuer failed unexpectedly.');
    assert.match(seen.json.detail, /authorize hook threw/);
    assert.doesNotMatch(seen.text, /sessionUser|TypeError|at /);
    assert.equal(await tokensOnApi(), count);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /^issuer: authorize threw: TypeError: .*sessionUser/);
    assert.match(errors[0], /hooks\.test\.ts/, 'the stack says where');
    assert.deepEqual(logs, []);
  });

  it('answers 500 when createVideo throws, and logs it to the log function given', async () => {
    const lines: string[] = [];
    const url = await serve({
      log: (line) => lines.push(line),
      createVideo: () => {
        throw new Error(`lookup failed for key ${API_KEY}`);
      },
    });
    const seen = await post(url);
    assert.equal(seen.status, 500);
    assert.match(seen.json.detail, /createVideo hook threw/);
    assert.doesNotMatch(seen.text, /lookup failed/);
    const threw = lines.filter((line) => line.startsWith('issuer: createVideo threw: Error: lookup failed'));
    assert.equal(threw.length, 1, lines.join('\n'));
    assert.ok(!lines.join('\n').includes(API_KEY), 'the key is redacted from log lines');
    assert.ok(lines.some((line) => /^issuer: POST 500 The issuer failed unexpectedly\./.test(line)));
    assert.deepEqual(errors, [], 'a log function replaces console.error');
  });

  it('logs nothing for requests that went well unless a log function is given', async () => {
    const url = await serve({ authorize: () => true });
    assert.equal((await post(url)).status, 200);
    const refused = await serve({ authorize: () => false });
    assert.equal((await post(refused)).status, 403);
    assert.deepEqual(errors, []);
    assert.deepEqual(logs, []);
  });

  it('logs nothing at all with log: false, and refuses a log that is not a function', async () => {
    const url = await serve({
      log: false,
      authorize: () => {
        throw new Error('quiet');
      },
    });
    assert.equal((await post(url)).status, 500);
    assert.deepEqual(errors, []);
    assert.throws(() => createTokenIssuer({ apiKey: API_KEY, log: 'yes' as never }), {
      name: 'TypeError',
      message: /log must be a function, or false/,
    });
  });
});
