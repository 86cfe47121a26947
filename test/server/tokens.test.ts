import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page, Problem, UploadToken } from '../../src/protocol/index.js';
import { basic, startTestApi, tempDir, type TestApi } from '../support/api.js';

const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });

async function problemOf(response: Response, status: number): Promise<Problem> {
  assert.equal(response.status, status);
  assert.match(response.headers.get('content-type') ?? '', /json/);
  const problem = (await response.json()) as Problem;
  assert.equal(problem.status, status);
  assert.match(problem.type, /^https:\/\/docs\.api\.video\/reference\//);
  assert.equal(typeof problem.title, 'string');
  return problem;
}

describe('POST /upload-tokens', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await api.stop();
  });

  it('creates a token with a ttl, answering 200 with the UploadToken', async () => {
    const before = Date.now();
    const response = await api.authed('/upload-tokens', json({ ttl: 3600 }));
    assert.equal(response.status, 200);
    const token = (await response.json()) as UploadToken;
    assert.match(token.token, /^to[0-9A-Za-z]{22}$/);
    assert.equal(token.ttl, 3600);
    const created = Date.parse(token.createdAt);
    assert.ok(created >= before - 1000 && created <= Date.now() + 1000);
    assert.equal(Date.parse(token.expiresAt!) - created, 3600_000);
  });

  it('defaults ttl to 0 (never expires) with expiresAt null, for an empty object or no body', async () => {
    for (const init of [json({}), { method: 'POST' }]) {
      const token = (await (await api.authed('/upload-tokens', init)).json()) as UploadToken;
      assert.equal(token.ttl, 0);
      assert.equal(token.expiresAt, null);
    }
  });

  it('accepts the largest ttl', async () => {
    const response = await api.authed('/upload-tokens', json({ ttl: 2147483647 }));
    assert.equal(response.status, 200);
  });

  for (const ttl of [-1, 2147483648, 1.5, '60', null, true, [], {}]) {
    it(`refuses ttl ${JSON.stringify(ttl)} with a 400 naming ttl`, async () => {
      const problem = await problemOf(await api.authed('/upload-tokens', json({ ttl })), 400);
      assert.equal(problem.name, 'ttl');
      assert.equal(problem.problems?.[0]?.name, 'ttl');
    });
  }

  for (const body of ['{"ttl":', 'ttl=60', '[1]', '"x"', 'null', '\xff\xfe']) {
    it(`refuses the body ${JSON.stringify(body)} as an invalid payload`, async () => {
      const problem = await problemOf(await api.authed('/upload-tokens', { method: 'POST', body }), 400);
      assert.equal(problem.title, 'The payload is invalid.');
    });
  }

  it('refuses invalid UTF-8 as an invalid payload', async () => {
    const body = new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]);
    const problem = await problemOf(await api.authed('/upload-tokens', { method: 'POST', body }), 400);
    assert.equal(problem.title, 'The payload is invalid.');
  });

  it('answers an oversized body with 413', async () => {
    const body = JSON.stringify({ ttl: 60, pad: 'x'.repeat(200_000) });
    await problemOf(await api.authed('/upload-tokens', { method: 'POST', body }), 413);
  });

  it('answers a chunked body that grows past the limit with 413, without reading it all', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${api.url}/upload-tokens`, {
        method: 'POST',
        headers: { authorization: basic(api.apiKey), 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"ttl":60,"pad":"');
      // Keeps sending until the server answers: a client that never stops on its own.
      const timer = setInterval(() => {
        if (!req.destroyed) req.write('x'.repeat(16 * 1024));
      }, 1);
      req.on('response', () => {
        clearInterval(timer);
        req.destroy();
      });
    });
    assert.equal(status, 413);
    assert.equal((await api.authed('/upload-tokens')).status, 200);
  });

  it('gives 200 concurrent creates 200 distinct tokens', async () => {
    const responses = await Promise.all(
      Array.from({ length: 200 }, () => api.authed('/upload-tokens', json({ ttl: 60 }))),
    );
    const tokens = await Promise.all(responses.map(async (r) => ((await r.json()) as UploadToken).token));
    assert.equal(new Set(tokens).size, 200);
  });
});

describe('authentication', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await api.stop();
  });

  const routes: [string, string][] = [
    ['POST', '/upload-tokens'],
    ['GET', '/upload-tokens'],
    ['GET', '/upload-tokens/to1tcmSFHeYY5KzyhOqVKMKb'],
    ['DELETE', '/upload-tokens/to1tcmSFHeYY5KzyhOqVKMKb'],
  ];

  for (const [method, path] of routes) {
    it(`${method} ${path} refuses no, wrong and malformed credentials with 401`, async () => {
      const attempts: (string | undefined)[] = [
        undefined,
        basic('wrong-key'),
        basic(''),
        `Basic ${Buffer.from(`${api.apiKey.slice(0, -1)}:`).toString('base64')}`,
        'Basic !!!not-base64',
        'Bearer not-a-token',
        api.apiKey,
        `Digest ${api.apiKey}`,
      ];
      for (const authorization of attempts) {
        const headers: Record<string, string> = authorization ? { authorization } : {};
        const problem = await problemOf(await fetch(api.url + path, { method, headers }), 401);
        assert.ok(!JSON.stringify(problem).includes(api.apiKey));
      }
    });
  }

  it('accepts the key as Basic user name with or without the colon', async () => {
    const plain = `Basic ${Buffer.from(api.apiKey).toString('base64')}`;
    assert.equal((await fetch(`${api.url}/upload-tokens`, { headers: { authorization: plain } })).status, 200);
    assert.equal(
      (await fetch(`${api.url}/upload-tokens`, { headers: { authorization: basic(api.apiKey) } })).status,
      200,
    );
  });

  it('exchanges the key for a bearer token, which works until refreshed', async () => {
    const response = await fetch(`${api.url}/auth/api-key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiKey: api.apiKey }),
    });
    assert.equal(response.status, 200);
    const grant = (await response.json()) as Record<string, unknown>;
    assert.equal(grant.token_type, 'Bearer');
    assert.equal(grant.expires_in, 3600);
    const list = await fetch(`${api.url}/upload-tokens`, {
      headers: { authorization: `Bearer ${grant.access_token}` },
    });
    assert.equal(list.status, 200);
    // The refresh token is not an access token.
    const misuse = await fetch(`${api.url}/upload-tokens`, {
      headers: { authorization: `Bearer ${grant.refresh_token}` },
    });
    assert.equal(misuse.status, 401);

    const refreshed = await fetch(`${api.url}/auth/refresh`, {
      method: 'POST',
      body: JSON.stringify({ refreshToken: grant.refresh_token }),
    });
    assert.equal(refreshed.status, 200);
    const next = (await refreshed.json()) as Record<string, unknown>;
    assert.notEqual(next.access_token, grant.access_token);
    const created = await fetch(`${api.url}/upload-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${next.access_token}` },
      body: '{"ttl":60}',
    });
    assert.equal(created.status, 200);
  });

  it('refuses a wrong key, a tampered token and a missing field on the auth routes', async () => {
    // A wrong key or refresh token is a 400, as api.video's spec has it.
    const wrong = await problemOf(
      await fetch(`${api.url}/auth/api-key`, { method: 'POST', body: '{"apiKey":"nope"}' }),
      400,
    );
    assert.equal(wrong.type, 'https://docs.api.video/reference/authentication-invalid-user-credentials');
    assert.equal(wrong.title, 'The user credentials were incorrect.');
    await problemOf(await fetch(`${api.url}/auth/api-key`, { method: 'POST', body: '{}' }), 400);
    await problemOf(await fetch(`${api.url}/auth/api-key`, { method: 'POST', body: 'nope' }), 400);
    await problemOf(await fetch(`${api.url}/auth/refresh`, { method: 'POST', body: '{"refreshToken":"a.b"}' }), 400);
    await problemOf(await fetch(`${api.url}/auth/api-key`), 405);
  });

  it('rejects a bearer token signed for another key', async () => {
    const other = await startTestApi({ apiKey: 'another-key-entirely' });
    try {
      const grant = (await (
        await fetch(`${other.url}/auth/api-key`, {
          method: 'POST',
          body: JSON.stringify({ apiKey: other.apiKey }),
        })
      ).json()) as { access_token: string };
      const response = await fetch(`${api.url}/upload-tokens`, {
        headers: { authorization: `Bearer ${grant.access_token}` },
      });
      assert.equal(response.status, 401);
    } finally {
      await other.stop();
    }
  });
});

describe('GET and DELETE /upload-tokens/{token}', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await api.stop();
  });

  it('shows a token, deletes it once, then 404s', async () => {
    const token = (await (await api.authed('/upload-tokens', json({ ttl: 60 }))).json()) as UploadToken;
    const shown = await api.authed(`/upload-tokens/${token.token}`);
    assert.equal(shown.status, 200);
    assert.deepEqual(await shown.json(), token);

    const deleted = await api.authed(`/upload-tokens/${token.token}`, { method: 'DELETE' });
    assert.equal(deleted.status, 204);
    assert.equal(await deleted.text(), '');

    const again = await problemOf(await api.authed(`/upload-tokens/${token.token}`, { method: 'DELETE' }), 404);
    assert.equal(again.name, 'uploadToken');
    assert.equal(again.title, 'The requested resource was not found.');
    await problemOf(await api.authed(`/upload-tokens/${token.token}`), 404);
  });

  for (const id of [
    'tonope',
    'to1tcmSFHeYY5KzyhOqVKMKb',
    '..%2F..%2Fetc%2Fpasswd',
    '%00',
    'x'.repeat(3000),
    '%E2%9C%93',
  ]) {
    it(`404s for the unknown token ${id.slice(0, 30)}`, async () => {
      await problemOf(await api.authed(`/upload-tokens/${id}`), 404);
    });
  }

  it('lets a 1 s token disappear from get, list and delete once it expires', async () => {
    const token = (await (await api.authed('/upload-tokens', json({ ttl: 1 }))).json()) as UploadToken;
    const listed = async (): Promise<boolean> => {
      const page = (await (await api.authed('/upload-tokens?pageSize=100')).json()) as Page<UploadToken>;
      return page.data.some((t) => t.token === token.token);
    };
    assert.equal((await api.authed(`/upload-tokens/${token.token}`)).status, 200);
    assert.equal(await listed(), true);
    // Its expiry is a whole second, at most one second past the ttl.
    await sleep(2100);
    assert.equal((await api.authed(`/upload-tokens/${token.token}`)).status, 404);
    assert.equal(await listed(), false);
    assert.equal((await api.authed(`/upload-tokens/${token.token}`, { method: 'DELETE' })).status, 404);
  });
});

describe('routes and methods', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => {
    await api.stop();
  });

  it('answers an unknown route with 404 "Unrecognized request URL."', async () => {
    for (const path of ['/nope', '/upload-tokens/a/b', '/', '/%ff%fe']) {
      const problem = await problemOf(await api.authed(path), 404);
      assert.equal(problem.title, 'Unrecognized request URL.');
    }
  });

  it('answers a wrong method with 405', async () => {
    for (const [method, path] of [
      ['PUT', '/upload-tokens'],
      ['DELETE', '/upload-tokens'],
      ['POST', '/upload-tokens/x'],
      ['PATCH', '/upload-tokens/x'],
    ]) {
      const problem = await problemOf(await api.authed(path, { method }), 405);
      assert.equal(problem.title, 'Method is not allowed for this route.');
    }
  });
});

describe('rate limiting', () => {
  it('limits per credential with the X-RateLimit headers and 429', async () => {
    const api = await startTestApi({ rateLimit: { limit: 3, windowMs: 60_000 } });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 4; i++) {
        last = await api.authed('/upload-tokens');
        statuses.push(last.status);
        if (i === 0) {
          assert.equal(last.headers.get('x-ratelimit-limit'), '3');
          assert.equal(last.headers.get('x-ratelimit-remaining'), '2');
        }
      }
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      const problem = await problemOf(last!, 429);
      assert.equal(problem.title, 'Too many requests.');
      assert.equal(last!.headers.get('x-ratelimit-remaining'), '0');
      const retryAfter = Number(last!.headers.get('x-ratelimit-retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60);
      // A wrong key does not spend the real key's budget: it is refused before counting.
      assert.equal(
        (await fetch(`${api.url}/upload-tokens`, { headers: { authorization: basic('wrong') } })).status,
        401,
      );
    } finally {
      await api.stop();
    }
  });
});

describe('persistence', () => {
  it('keeps tokens across a restart on the same data directory', async () => {
    const dataDir = tempDir();
    const first = await startTestApi({ dataDir });
    const token = (await (await first.authed('/upload-tokens', json({ ttl: 3600 }))).json()) as UploadToken;
    await first.stop();
    const second = await startTestApi({ dataDir });
    try {
      const shown = await second.authed(`/upload-tokens/${token.token}`);
      assert.equal(shown.status, 200);
      assert.deepEqual(await shown.json(), token);
    } finally {
      await second.stop();
    }
  });
});
