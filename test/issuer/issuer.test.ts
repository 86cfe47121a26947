import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Hono } from 'hono';
import { MAX_TTL, UPLOAD_TOKEN_PATTERN } from '../../src/protocol/index.js';
import { createTokenIssuer, type TokenIssuerOptions } from '../../src/issuer/index.js';
import { createNodeFetch, serveTokenIssuer, toNodeHandler, type RunningIssuer } from '../../src/issuer/node.js';
import { basic, startTestApi, type TestApi } from '../support/api.js';
import { closedPort, startUpstream, Transcript, type Seen } from './support.js';

/** Distinctive, so that finding it anywhere in the transcript means a leak. */
const API_KEY = 'sk_issuer_Zq7Vb2Kx9LmW4pRt';
const transcript = new Transcript();

describe('token issuer', () => {
  let api: TestApi;
  const running: RunningIssuer[] = [];

  before(async () => {
    api = await startTestApi({ apiKey: API_KEY });
  });
  after(async () => {
    await Promise.all(running.map((r) => r.close()));
    await api.stop();
  });

  /** An issuer against the local API, served over node:http through the adapter. */
  async function serve(options: Partial<TokenIssuerOptions> = {}): Promise<string> {
    const issuer = createTokenIssuer({ apiKey: API_KEY, apiUrl: api.url, log: transcript.log, ...options });
    const served = await serveTokenIssuer(issuer);
    running.push(served);
    return served.url + '/upload-token';
  }

  async function post(url: string, init: RequestInit = {}): Promise<Seen> {
    return transcript.read(await fetch(url, { method: 'POST', ...init }));
  }

  const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });

  async function tokenOnApi(token: string): Promise<{ status: number; body: any }> {
    const response = await api.authed(`/upload-tokens/${token}`);
    return { status: response.status, body: await response.json() };
  }

  async function videosOnApi(): Promise<number> {
    const response = await api.authed('/videos?pageSize=1');
    return ((await response.json()) as { pagination: { itemsTotal: number } }).pagination.itemsTotal;
  }

  async function tokensOnApi(): Promise<number> {
    const response = await api.authed('/upload-tokens?pageSize=1');
    return ((await response.json()) as { pagination: { itemsTotal: number } }).pagination.itemsTotal;
  }

  function createError(options: Partial<TokenIssuerOptions>): Error {
    try {
      createTokenIssuer({ apiKey: API_KEY, ...options });
    } catch (error) {
      assert.ok(error instanceof TypeError);
      transcript.add(error.message);
      return error;
    }
    assert.fail('createTokenIssuer accepted the options');
  }

  describe('creation', () => {
    it('requires an API key', () => {
      for (const apiKey of [undefined, '', '   ']) {
        assert.throws(() => createTokenIssuer({ apiKey } as unknown as TokenIssuerOptions), /apiKey is required/);
      }
    });

    it('refuses ttl 0 unless allowZeroTtl is set', () => {
      assert.match(createError({ ttl: 0 }).message, /never expire.*allowZeroTtl/);
      assert.doesNotThrow(() => createTokenIssuer({ apiKey: API_KEY, ttl: 0, allowZeroTtl: true }));
    });

    it('refuses a ttl above maxTtl, a bad ttl, a bad URL and a bad origin', () => {
      assert.match(createError({ ttl: 600, maxTtl: 300 }).message, /exceeds maxTtl/);
      assert.match(createError({ ttl: 1.5 }).message, /ttl must be a whole number/);
      assert.match(createError({ ttl: MAX_TTL + 1 }).message, /ttl must be a whole number/);
      assert.match(createError({ apiUrl: 'ws.api.video' }).message, /apiUrl must be an absolute/);
      assert.match(createError({ allowedOrigins: ['example.com'] }).message, /not an origin|bare origin/);
      assert.match(createError({ allowedOrigins: ['https://example.com/path'] }).message, /bare origin/);
      assert.match(createError({ rateLimit: { limit: 0, windowMs: 1000 } }).message, /rateLimit.limit/);
    });
  });

  describe('grants', () => {
    let url: string;
    before(async () => {
      url = await serve({ rateLimit: false });
    });

    it('issues a 900 s token by default, usable on the video API, with no-store and a Date', async () => {
      const before = Date.now();
      const seen = await post(url);
      assert.equal(seen.status, 200);
      assert.match(seen.headers['content-type'], /^application\/json/);
      assert.equal(seen.headers['cache-control'], 'no-store');
      const date = Date.parse(seen.headers.date);
      assert.ok(Math.abs(date - before) < 5_000, 'Date is the server clock');
      const grant = seen.json;
      assert.match(grant.token, UPLOAD_TOKEN_PATTERN);
      assert.equal(grant.ttl, 900);
      assert.equal(Date.parse(grant.expiresAt) - Date.parse(grant.createdAt), 900_000);
      assert.equal(grant.apiUrl, api.url);
      // No protocol named: the element's own `protocol` attribute decides.
      assert.equal(grant.protocol, undefined);
      assert.equal(grant.videoId, undefined);
      const onApi = await tokenOnApi(grant.token);
      assert.equal(onApi.status, 200);
      assert.equal(onApi.body.ttl, 900);
    });

    it('accepts file facts as JSON and ignores unknown fields', async () => {
      const seen = await post(
        url,
        json({ fileName: 'holiday.mp4', fileSize: 123_456_789, fileType: 'video/mp4', extra: [1] }),
      );
      assert.equal(seen.status, 200);
      assert.match(seen.json.token, UPLOAD_TOKEN_PATTERN);
    });

    it('names the upload URL when it differs from the API URL', async () => {
      const other = await serve({ uploadUrl: 'https://upload.example.com/', protocol: 'tus', rateLimit: false });
      const seen = await post(other);
      assert.equal(seen.status, 200);
      assert.equal(seen.json.apiUrl, 'https://upload.example.com');
      assert.equal(seen.json.protocol, 'tus');
    });

    it('answers the Date header on problems too', async () => {
      const seen = transcript.read(await fetch(url, { method: 'GET' }));
      assert.ok(Date.parse((await seen).headers.date) > 0);
    });
  });

  describe('uploads with the grant', () => {
    const mp4 = (): Blob => new Blob([new Uint8Array(2048).fill(7)], { type: 'video/mp4' });

    async function upload(
      grant: { token: string; apiUrl: string; videoId?: string },
      name: string,
      videoId?: string,
    ): Promise<{ status: number; body: any }> {
      const form = new FormData();
      form.set('file', mp4(), name);
      if (videoId) form.set('videoId', videoId);
      const response = await fetch(`${grant.apiUrl}/upload?token=${encodeURIComponent(grant.token)}`, {
        method: 'POST',
        body: form,
      });
      return { status: response.status, body: await response.json() };
    }

    async function video(videoId: string): Promise<any> {
      const response = await api.authed(`/videos/${videoId}`);
      assert.equal(response.status, 200);
      return response.json();
    }

    it('uploads a file on /upload with the token it issued', async () => {
      const grant = (await post(await serve(), json({ fileName: 'clip.mp4', fileSize: 2048, fileType: 'video/mp4' })))
        .json;
      const uploaded = await upload(grant, 'clip.mp4');
      assert.equal(uploaded.status, 201);
      assert.match(uploaded.body.videoId, /^vi/);
      assert.equal(uploaded.body.title, 'clip.mp4');
    });

    it('creates a video titled after the file, whose videoId the upload then fills', async () => {
      const seen = await post(
        await serve({ createVideo: true }),
        json({ fileName: 'holiday.mp4', fileSize: 2048, fileType: 'video/mp4' }),
      );
      assert.equal(seen.status, 200);
      const grant = seen.json;
      assert.match(grant.videoId, /^vi/);
      const before = await video(grant.videoId);
      assert.equal(before.title, 'holiday.mp4');
      const uploaded = await upload(grant, 'holiday.mp4', grant.videoId);
      assert.equal(uploaded.status, 201);
      assert.equal(uploaded.body.videoId, grant.videoId);
      const status = await (await api.authed(`/videos/${grant.videoId}/status`)).json();
      // Whole: then being made into renditions (with ffmpeg), and ingested.
      assert.ok(['uploaded', 'ingesting', 'ingested'].includes(status.ingest.status), status.ingest.status);
    });

    it('creates private, described, tagged videos from createVideo and authorize fields', async () => {
      const url = await serve({
        rateLimit: false,
        createVideo: (request, file) => ({
          title: `Upload of ${file.fileName}`,
          description: 'from the site',
          public: false,
          tags: ['user-upload'],
          metadata: { user: request.headers.get('x-user') ?? 'nobody' },
        }),
        authorize: (request) => (request.headers.get('x-user') === 'ann' ? { video: { title: 'Ann’s video' } } : true),
      });
      const bob = (await post(url, json({ fileName: 'b.mp4' }, { 'x-user': 'bob' }))).json;
      const bobVideo = await video(bob.videoId);
      assert.equal(bobVideo.title, 'Upload of b.mp4');
      assert.equal(bobVideo.description, 'from the site');
      assert.equal(bobVideo.public, false);
      assert.deepEqual(bobVideo.tags, ['user-upload']);
      assert.deepEqual(bobVideo.metadata, [{ key: 'user', value: 'bob' }]);
      const ann = (await post(url, json({ fileName: 'a.mp4' }, { 'x-user': 'ann' }))).json;
      const annVideo = await video(ann.videoId);
      assert.equal(annVideo.title, 'Ann’s video');
      assert.equal(annVideo.public, false);
    });

    it('creates a video when authorize returns video fields, even without createVideo', async () => {
      const grant = (
        await post(await serve({ authorize: () => ({ video: { title: 'Chosen title', public: false } }) }))
      ).json;
      const created = await video(grant.videoId);
      assert.equal(created.title, 'Chosen title');
      assert.equal(created.public, false);
    });

    it('titles a video after a long file name within 256 characters, and "Untitled video" without one', async () => {
      const url = await serve({ createVideo: true, rateLimit: false });
      const long = (await post(url, json({ fileName: `${'é'.repeat(300)}.mp4` }))).json;
      assert.equal((await video(long.videoId)).title, 'é'.repeat(256));
      const untitled = (await post(url)).json;
      assert.equal((await video(untitled.videoId)).title, 'Untitled video');
    });

    it('titles and describes the video with what the visitor typed, and hands it to authorize', async () => {
      const seenByAuthorize: unknown[] = [];
      const url = await serve({
        rateLimit: false,
        createVideo: true,
        authorize: (request, file) => {
          seenByAuthorize.push({ title: file.title, description: file.description });
          return true;
        },
      });
      const typed = json({
        fileName: 'clip.mp4',
        title: '  Our team, day 1  ',
        description: 'Line one.\nLine two, with\ta tab.',
      });
      const grant = (await post(url, typed)).json;
      const created = await video(grant.videoId);
      assert.equal(created.title, 'Our team, day 1');
      assert.equal(created.description, 'Line one.\nLine two, with\ta tab.');
      assert.deepEqual(seenByAuthorize, [
        { title: 'Our team, day 1', description: 'Line one.\nLine two, with\ta tab.' },
      ]);
      // A blank title falls back to the file name.
      const blank = (await post(url, json({ fileName: 'clip.mp4', title: '   ' }))).json;
      assert.equal((await video(blank.videoId)).title, 'clip.mp4');
    });

    it('refuses a typed title or description that is too long, not text, or holds control characters', async () => {
      const url = await serve({ rateLimit: false, createVideo: true });
      const cases: Array<[Record<string, unknown>, string, RegExp]> = [
        [{ title: 'x'.repeat(257) }, 'title', /at most 256 characters/],
        [{ title: 'a\nb' }, 'title', /control characters/],
        [{ title: 42 }, 'title', /must be a string/],
        [{ description: 'x'.repeat(2049) }, 'description', /at most 2048 characters/],
        [{ description: 'bell\u0007' }, 'description', /control characters/],
      ];
      const before = await videosOnApi();
      for (const [body, name, message] of cases) {
        const seen = await post(url, json({ fileName: 'clip.mp4', ...body }));
        assert.equal(seen.status, 400, JSON.stringify(body));
        assert.equal(seen.json.name, name);
        assert.match(JSON.stringify(seen.json), message);
      }
      // Nothing was created for a refused request.
      assert.equal(await videosOnApi(), before);
    });

    it('answers 502 naming the refusal when the video API refuses the video fields', async () => {
      const seen = await post(
        await serve({ createVideo: () => ({ title: 'x', tags: 'not a list' as unknown as string[] }) }),
      );
      assert.equal(seen.status, 502);
      assert.equal(seen.json.title, 'The video API failed.');
      assert.match(seen.json.detail, /\/videos answered HTTP 400: This attribute must be an array\.$/);
    });
  });

  describe('ttl', () => {
    it('uses the configured ttl', async () => {
      const seen = await post(await serve({ ttl: 60 }));
      assert.equal(seen.json.ttl, 60);
      assert.equal((await tokenOnApi(seen.json.token)).body.ttl, 60);
    });

    it('lets authorize shorten it, and caps what authorize asks at maxTtl', async () => {
      let asked = 30;
      const url = await serve({ ttl: 120, maxTtl: 300, authorize: () => ({ ttl: asked }), rateLimit: false });
      assert.equal((await post(url)).json.ttl, 30);
      asked = 250;
      assert.equal((await post(url)).json.ttl, 250);
      asked = 86_400;
      const capped = await post(url);
      assert.equal(capped.json.ttl, 300);
      assert.equal((await tokenOnApi(capped.json.token)).body.ttl, 300);
    });

    it('caps at the configured ttl when no maxTtl is given', async () => {
      const url = await serve({ ttl: 120, authorize: () => ({ ttl: 3600 }) });
      assert.equal((await post(url)).json.ttl, 120);
    });

    it('mints never-expiring tokens only when explicitly allowed', async () => {
      const allowed = await post(await serve({ ttl: 0, allowZeroTtl: true }));
      assert.equal(allowed.status, 200);
      assert.equal(allowed.json.ttl, 0);
      assert.equal(allowed.json.expiresAt, null);
      assert.equal((await tokenOnApi(allowed.json.token)).body.ttl, 0);

      const count = await tokensOnApi();
      const refused = await post(await serve({ authorize: () => ({ ttl: 0 }) }));
      assert.equal(refused.status, 500);
      assert.equal(refused.json.title, 'The issuer is misconfigured.');
      assert.match(refused.json.detail, /allowZeroTtl/);
      assert.equal(await tokensOnApi(), count, 'no token minted');

      const narrowed = await post(await serve({ ttl: 0, allowZeroTtl: true, authorize: () => ({ ttl: 45 }) }));
      assert.equal(narrowed.json.ttl, 45);
    });

    it('refuses a ttl from authorize that is not a whole number', async () => {
      const seen = await post(await serve({ authorize: () => ({ ttl: -5 }) }));
      assert.equal(seen.status, 500);
      assert.equal(seen.json.title, 'The issuer is misconfigured.');
    });
  });

  describe('origins and CORS', () => {
    const site = 'https://site.example';
    let url: string;
    before(async () => {
      url = await serve({ allowedOrigins: [site, 'http://localhost:3000'], rateLimit: false });
    });

    it('issues to callers without an Origin (server to server) and to its own origin, without CORS headers', async () => {
      const plain = await post(url);
      assert.equal(plain.status, 200);
      assert.equal(plain.headers['access-control-allow-origin'], undefined);
      const own = await post(url, { headers: { origin: new URL(url).origin } });
      assert.equal(own.status, 200);
      assert.equal(own.headers['access-control-allow-origin'], undefined);
    });

    it('answers an allowed origin with its exact origin, credentials, Vary and the Date exposed', async () => {
      const seen = await post(url, json({ fileName: 'a.mp4' }, { origin: site, cookie: 'session=abc' }));
      assert.equal(seen.status, 200);
      assert.equal(seen.headers['access-control-allow-origin'], site);
      assert.equal(seen.headers['access-control-allow-credentials'], 'true');
      assert.match(seen.headers.vary, /Origin/);
      assert.match(seen.headers['access-control-expose-headers'], /\bDate\b/);
      assert.match(seen.headers['access-control-expose-headers'], /\bRetry-After\b/);
    });

    it('refuses other origins with 403 on the server, minting nothing', async () => {
      const count = await tokensOnApi();
      for (const origin of [
        'https://evil.example',
        'https://site.example.evil.example',
        'null',
        'http://site.example',
        'not a url',
      ]) {
        const seen = await post(url, { headers: { origin } });
        assert.equal(seen.status, 403, origin);
        assert.equal(seen.json.title, 'The origin is not allowed.');
        assert.equal(seen.headers['content-type'], 'application/problem+json');
        assert.equal(seen.headers['access-control-allow-origin'], undefined);
        assert.equal(seen.headers['cache-control'], 'no-store');
      }
      assert.equal(await tokensOnApi(), count);
    });

    it('answers the preflight of an allowed origin', async () => {
      const seen = await transcript.read(
        await fetch(url, {
          method: 'OPTIONS',
          headers: {
            origin: site,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'content-type, x-csrf-token',
          },
        }),
      );
      assert.equal(seen.status, 204);
      assert.equal(seen.headers['access-control-allow-origin'], site);
      assert.equal(seen.headers['access-control-allow-credentials'], 'true');
      assert.match(seen.headers['access-control-allow-methods'], /POST/);
      assert.equal(seen.headers['access-control-allow-headers'], 'content-type, x-csrf-token');
      assert.match(seen.headers.vary, /Origin/);
      assert.ok(Number(seen.headers['access-control-max-age']) > 0);
    });

    it('refuses the preflight of another origin', async () => {
      const seen = await transcript.read(
        await fetch(url, {
          method: 'OPTIONS',
          headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
        }),
      );
      assert.equal(seen.status, 403);
      assert.equal(seen.headers['access-control-allow-origin'], undefined);
    });

    it('refuses every cross origin when none is configured', async () => {
      const closed = await serve();
      assert.equal((await post(closed, { headers: { origin: site } })).status, 403);
    });

    it('takes a predicate, normalising the origin it is given', async () => {
      const asked: string[] = [];
      const byRule = await serve({
        allowedOrigins: (origin) => {
          asked.push(origin);
          return origin.endsWith('.tenant.example');
        },
        rateLimit: false,
      });
      const ok = await post(byRule, { headers: { origin: 'https://a.tenant.example' } });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers['access-control-allow-origin'], 'https://a.tenant.example');
      assert.equal((await post(byRule, { headers: { origin: 'https://tenant.example.evil' } })).status, 403);
      assert.deepEqual(asked, ['https://a.tenant.example', 'https://tenant.example.evil']);
    });
  });

  describe('authorize', () => {
    it('refuses with 403 when it returns false or nothing', async () => {
      const count = await tokensOnApi();
      for (const authorize of [() => false, () => undefined, () => null, async () => false]) {
        const seen = await post(await serve({ authorize: authorize }));
        assert.equal(seen.status, 403);
        assert.equal(seen.json.title, 'The upload is not authorized.');
      }
      assert.equal(await tokensOnApi(), count);
    });

    it('sees the request and the file facts, and decides on them', async () => {
      const url = await serve({
        rateLimit: false,
        authorize: (request, file) => {
          const session = /(?:^|;\s*)session=([^;]+)/.exec(request.headers.get('cookie') ?? '')?.[1];
          if (session !== 'valid-session') return false;
          if ((file.fileSize ?? 0) > 1_000_000 || !file.fileType?.startsWith('video/')) return false;
          return true;
        },
      });
      const facts = { fileName: 'a.mp4', fileSize: 1000, fileType: 'video/mp4' };
      assert.equal((await post(url, json(facts, { cookie: 'theme=dark; session=valid-session' }))).status, 200);
      assert.equal((await post(url, json(facts, { cookie: 'session=forged' }))).status, 403);
      assert.equal((await post(url, json(facts))).status, 403);
      assert.equal(
        (await post(url, json({ ...facts, fileSize: 2_000_000 }, { cookie: 'session=valid-session' }))).status,
        403,
      );
      assert.equal(
        (await post(url, json({ ...facts, fileType: 'text/plain' }, { cookie: 'session=valid-session' }))).status,
        403,
      );
    });

    it('narrows the grant with a videoId the site created itself', async () => {
      const seen = await post(await serve({ authorize: () => ({ videoId: 'vi0123456789abcdefghijkl', ttl: 60 }) }));
      assert.equal(seen.status, 200);
      assert.equal(seen.json.videoId, 'vi0123456789abcdefghijkl');
      assert.equal(seen.json.ttl, 60);
    });

    it('rejects a videoId together with video fields as a misconfiguration', async () => {
      const seen = await post(await serve({ authorize: () => ({ videoId: 'vi1', video: { title: 'x' } }) }));
      assert.equal(seen.status, 500);
      assert.equal(seen.json.title, 'The issuer is misconfigured.');
    });
  });

  describe('request validation', () => {
    let url: string;
    before(async () => {
      url = await serve({ rateLimit: false });
    });

    it('answers 405 to other methods', async () => {
      for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
        const seen = await transcript.read(await fetch(url, { method }));
        assert.equal(seen.status, 405, method);
        assert.equal(seen.headers.allow, 'POST, OPTIONS');
        assert.equal(seen.json.status, 405);
        assert.equal(seen.json.title, 'Method is not allowed for this route.');
      }
    });

    it('answers 400 to a malformed body, naming the attribute', async () => {
      const bad: [string, string | undefined][] = [
        ['{"fileName":', undefined],
        ['[1,2]', undefined],
        ['"a.mp4"', undefined],
        ['null', undefined],
        ['{"fileName":42}', 'fileName'],
        ['{"fileName":"a\\u0000.mp4"}', 'fileName'],
        [JSON.stringify({ fileName: 'x'.repeat(1025) }), 'fileName'],
        ['{"fileSize":-1}', 'fileSize'],
        ['{"fileSize":1.5}', 'fileSize'],
        ['{"fileSize":"12"}', 'fileSize'],
        ['{"fileSize":1e300}', 'fileSize'],
        ['{"fileType":["video/mp4"]}', 'fileType'],
        [JSON.stringify({ fileType: 'v'.repeat(256) }), 'fileType'],
      ];
      for (const [body, name] of bad) {
        const seen = await post(url, { body, headers: { 'content-type': 'application/json' } });
        assert.equal(seen.status, 400, body);
        assert.equal(seen.headers['content-type'], 'application/problem+json');
        assert.equal(seen.json.name, name, body);
        assert.ok(seen.json.title && seen.json.type && seen.json.detail);
      }
    });

    it('answers 400 to a body that is not UTF-8', async () => {
      const seen = await post(url, {
        body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(seen.status, 400);
    });

    it('answers 415 to a body that is not JSON, and 413 to a body too large', async () => {
      const form = await post(url, {
        body: 'fileName=a.mp4',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(form.status, 415);
      const huge = await post(url, json({ fileName: 'a.mp4', padding: 'x'.repeat(100_000) }));
      assert.equal(huge.status, 413);
    });

    it('answers 413 to a large chunked body through the node adapter without reading it whole', async () => {
      const { port } = new URL(url);
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            path: '/upload-token',
            method: 'POST',
            headers: { 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.write('{"padding":"');
        const chunk = 'x'.repeat(64 * 1024);
        // Far more than the limit; the answer comes before the client stops sending.
        let sent = 0;
        const pump = (): void => {
          while (sent < 200 && req.write(chunk)) sent++;
          if (sent < 200) req.once('drain', pump);
        };
        pump();
      });
      assert.equal(status, 413);
    });

    it('treats an empty body and null fields as no file facts', async () => {
      assert.equal((await post(url, { body: '', headers: { 'content-type': 'application/json' } })).status, 200);
      assert.equal((await post(url, json({ fileName: null, fileSize: null, fileType: null }))).status, 200);
      assert.equal(
        (await post(url, { body: '{}', headers: { 'content-type': 'text/plain;charset=UTF-8' } })).status,
        415,
      );
    });
  });

  describe('rate limit', () => {
    it('allows 60 a minute per client by default, all at once, then 429 with Retry-After', async () => {
      // Clients told apart by the address a trusted proxy forwarded.
      const url = await serve({ trustProxy: ['loopback', 'private'] });
      const headers = { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' };
      for (let i = 0; i < 60; i++) assert.equal((await post(url, { headers })).status, 200, `request ${i + 1}`);
      const count = await tokensOnApi();
      const limited = await post(url, { headers });
      assert.equal(limited.status, 429);
      assert.equal(limited.json.title, 'Too many requests.');
      const retryAfter = Number(limited.headers['retry-after']);
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.equal(limited.headers['x-ratelimit-remaining'], '0');
      assert.equal(await tokensOnApi(), count, 'no token minted');
      // Another client has its own window.
      assert.equal((await post(url, { headers: { 'x-forwarded-for': '198.51.100.2' } })).status, 200);
    });

    it('opens again when the window ends, and takes a custom client key', async () => {
      let clock = Date.parse('2030-01-01T00:00:00Z');
      const url = await serve({
        rateLimit: { limit: 2, windowMs: 10_000 },
        now: () => clock,
        clientKey: (request) => request.headers.get('x-user') ?? 'anonymous',
      });
      const as = (user: string): RequestInit => ({ headers: { 'x-user': user } });
      assert.equal((await post(url, as('ann'))).status, 200);
      assert.equal((await post(url, as('ann'))).status, 200);
      const limited = await post(url, as('ann'));
      assert.equal(limited.status, 429);
      assert.equal(limited.headers['retry-after'], '10');
      assert.equal((await post(url, as('bob'))).status, 200);
      clock += 10_000;
      assert.equal((await post(url, as('ann'))).status, 200);
    });

    it('falls back to the socket address the node adapter passes', async () => {
      const url = await serve({ rateLimit: 1 });
      assert.equal((await post(url)).status, 200);
      assert.equal((await post(url)).status, 429);
    });
  });

  describe('upstream failures', () => {
    it('answers 502 "misconfigured" when the video API refuses the key, naming neither key', async () => {
      const wrongKey = 'sk_wrong_Hq3Nd8Yt5Rw1Xc6Z';
      const issuer = createTokenIssuer({ apiKey: wrongKey, apiUrl: api.url, log: transcript.log, rateLimit: false });
      const seen = await transcript.read(await issuer(new Request('http://issuer.test/', { method: 'POST' })));
      assert.equal(seen.status, 502);
      assert.equal(seen.json.title, 'The issuer is misconfigured.');
      assert.match(seen.json.detail, /refused the issuer's API key \(HTTP 401\)/);
      assert.ok(!transcript.entries.some((entry) => entry.includes(wrongKey)), 'wrong key leaked');
    });

    it('answers 502 when the video API answers 403', async () => {
      const upstream = await startUpstream((_req, res) => {
        res.writeHead(403, { 'content-type': 'application/json' }).end('{"title":"Forbidden"}');
      });
      try {
        const seen = await post(await serve({ apiUrl: upstream.url }));
        assert.equal(seen.status, 502);
        assert.equal(seen.json.title, 'The issuer is misconfigured.');
        assert.equal(upstream.requests[0].authorization, basic(API_KEY), 'the key travels as Basic auth');
      } finally {
        await upstream.close();
      }
    });

    it('answers 502 when nothing listens', async () => {
      const seen = await post(await serve({ apiUrl: await closedPort() }));
      assert.equal(seen.status, 502);
      assert.equal(seen.json.title, 'The video API is unreachable.');
    });

    it('answers 502 when the video API drops the connection', async () => {
      const upstream = await startUpstream((_req, _res, socket) => socket.destroy());
      try {
        const seen = await post(await serve({ apiUrl: upstream.url }));
        assert.equal(seen.status, 502);
        assert.equal(seen.json.title, 'The video API is unreachable.');
      } finally {
        await upstream.close();
      }
    });

    it('answers 504 when the video API is slow, within the timeout', async () => {
      const upstream = await startUpstream(() => {
        /* never answers */
      });
      try {
        const started = Date.now();
        const seen = await post(await serve({ apiUrl: upstream.url, timeout: 300 }));
        const took = Date.now() - started;
        assert.equal(seen.status, 504);
        assert.equal(seen.json.title, 'The video API did not answer in time.');
        assert.ok(took >= 250 && took < 3_000, `took ${took} ms`);
      } finally {
        await upstream.close();
      }
    });

    it('answers 504 when the video API stalls in the middle of its body', async () => {
      const upstream = await startUpstream((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
        res.write('{"token":');
      });
      try {
        const seen = await post(await serve({ apiUrl: upstream.url, timeout: 300 }));
        assert.equal(seen.status, 504);
      } finally {
        await upstream.close();
      }
    });

    it('answers 502 to a server error or an answer without a token, and 503 with Retry-After when rate limited', async () => {
      const answers: [number, string, Record<string, string>][] = [
        [500, '{"title":"An unexpected error occurred."}', {}],
        [200, '<html>proxy page</html>', {}],
        [200, '{"ttl":900}', {}],
        [429, '{"title":"Too many requests."}', { 'x-ratelimit-retry-after': '17' }],
      ];
      let next = 0;
      const upstream = await startUpstream((_req, res) => {
        const [status, body, headers] = answers[next++];
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
      });
      try {
        const url = await serve({ apiUrl: upstream.url, rateLimit: false });
        const failed = await post(url);
        assert.equal(failed.status, 502);
        assert.equal(failed.json.title, 'The video API failed.');
        assert.match(failed.json.detail, /HTTP 500/);
        assert.equal((await post(url)).status, 502);
        assert.equal((await post(url)).status, 502);
        const busy = await post(url);
        assert.equal(busy.status, 503);
        assert.equal(busy.headers['retry-after'], '17');
      } finally {
        await upstream.close();
      }
    });

    it('uses an injected fetch', async () => {
      const calls: string[] = [];
      const url = await serve({
        fetch: (input, init) => {
          calls.push(String(input));
          return fetch(input, init);
        },
      });
      assert.equal((await post(url)).status, 200);
      assert.deepEqual(calls, [`${api.url}/upload-tokens`]);
    });
  });

  describe('createNodeFetch', () => {
    const nodeFetch = createNodeFetch();

    it('gets a token from the video API, usable there', async () => {
      const seen = await post(await serve({ fetch: nodeFetch }), json({ fileName: 'a.mp4' }));
      assert.equal(seen.status, 200);
      assert.equal((await tokenOnApi(seen.json.token)).body.ttl, 900);
    });

    it('answers 504 to a slow video API, 502 to a dropped connection, a closed port and a refused key', async () => {
      const hanging = await startUpstream(() => {
        /* never answers */
      });
      const dropping = await startUpstream((_req, _res, socket) => socket.destroy());
      const refusing = await startUpstream((_req, res) => {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"title":"Unauthorized request."}');
      });
      try {
        const started = Date.now();
        const slow = await post(await serve({ fetch: nodeFetch, apiUrl: hanging.url, timeout: 300 }));
        assert.equal(slow.status, 504);
        assert.ok(Date.now() - started < 3_000);
        assert.equal(
          (await post(await serve({ fetch: nodeFetch, apiUrl: dropping.url }))).json.title,
          'The video API is unreachable.',
        );
        assert.equal(
          (await post(await serve({ fetch: nodeFetch, apiUrl: await closedPort() }))).json.title,
          'The video API is unreachable.',
        );
        const refused = await post(await serve({ fetch: nodeFetch, apiUrl: refusing.url }));
        assert.equal(refused.status, 502);
        assert.equal(refused.json.title, 'The issuer is misconfigured.');
        assert.equal(refusing.requests[0].authorization, basic(API_KEY));
      } finally {
        await Promise.all([hanging.close(), dropping.close(), refusing.close()]);
      }
    });

    it('passes what it does not handle to the global fetch', async () => {
      const response = await nodeFetch(new URL(`${api.url}/upload-tokens`), {
        method: 'POST',
        headers: { authorization: basic(API_KEY), 'content-type': 'application/json' },
        body: new TextEncoder().encode('{"ttl":30}'),
      });
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { ttl: number }).ttl, 30);
    });
  });

  describe('node adapter as Express/Connect middleware', () => {
    /** A Connect-style chain: each middleware calls next() or answers. */
    async function serveChain(
      ...chain: ((req: any, res: any, next: (error?: unknown) => void) => void)[]
    ): Promise<string> {
      const errors: unknown[] = [];
      const { createServer } = await import('node:http');
      const server = createServer((req, res) => {
        let i = 0;
        const next = (error?: unknown): void => {
          if (error) {
            errors.push(error);
            res.writeHead(500).end('chain error');
            return;
          }
          const middleware = chain[i++];
          if (middleware) middleware(req, res, next);
          else res.writeHead(404).end();
        };
        next();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      running.push({
        server,
        url: '',
        close: () =>
          new Promise((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      });
      const { port } = server.address() as { port: number };
      return `http://127.0.0.1:${port}/api/upload-token`;
    }

    /** What express.json() does: read the stream, leave the parsed object on req.body. */
    const jsonParser = (req: any, _res: any, next: (error?: unknown) => void): void => {
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
        req.body = {};
        next();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        req.body = text ? JSON.parse(text) : {};
        next();
      });
    };

    it('works after a body parser has consumed the stream', async () => {
      const seenFacts: unknown[] = [];
      const issuer = createTokenIssuer({
        apiKey: API_KEY,
        apiUrl: api.url,
        log: transcript.log,
        rateLimit: false,
        authorize: (_request, file) => {
          seenFacts.push(file);
          return true;
        },
      });
      const url = await serveChain(jsonParser, toNodeHandler(issuer));
      const seen = await post(url, json({ fileName: 'clip.webm', fileSize: 10, fileType: 'video/webm' }));
      assert.equal(seen.status, 200);
      assert.match(seen.json.token, UPLOAD_TOKEN_PATTERN);
      const invalid = await post(url, json({ fileSize: 'ten' }));
      assert.equal(invalid.status, 400);
      assert.equal((await post(url)).status, 200);
      assert.deepEqual(seenFacts, [{ fileName: 'clip.webm', fileSize: 10, fileType: 'video/webm' }, {}]);
    });

    it('works without a body parser, and hands unexpected failures to next()', async () => {
      const fine = createTokenIssuer({ apiKey: API_KEY, apiUrl: api.url, log: transcript.log, rateLimit: false });
      assert.equal((await post(await serveChain(toNodeHandler(fine)), json({ fileName: 'a.mp4' }))).status, 200);
      const broken = toNodeHandler(async () => {
        throw new Error('adapter failure');
      });
      const failed = await post(await serveChain(broken));
      assert.equal(failed.status, 500);
      assert.equal(failed.text, 'chain error');
    });
  });

  describe('runs as a plain web handler', () => {
    it('answers a web Request directly, as in a Worker or a route handler', async () => {
      const issuer = createTokenIssuer({
        apiKey: API_KEY,
        apiUrl: api.url,
        log: transcript.log,
        allowedOrigins: ['https://app.example'],
      });
      const response = await issuer(
        new Request('https://tokens.example/api/upload-token', {
          method: 'POST',
          headers: {
            origin: 'https://app.example',
            'content-type': 'application/json',
            'cf-connecting-ip': '192.0.2.1',
          },
          body: JSON.stringify({ fileName: 'a.mp4' }),
        }),
      );
      const seen = await transcript.read(response);
      assert.equal(seen.status, 200);
      assert.equal(seen.headers['access-control-allow-origin'], 'https://app.example');
      assert.match(seen.json.token, UPLOAD_TOKEN_PATTERN);
    });

    it('mounts in a Hono app, preflight included', async () => {
      const issueToken = createTokenIssuer({
        apiKey: API_KEY,
        apiUrl: api.url,
        log: transcript.log,
        allowedOrigins: ['https://app.example'],
      });
      const app = new Hono();
      app.on(['POST', 'OPTIONS'], '/api/upload-token', (c) => issueToken(c.req.raw));
      const preflight = await transcript.read(
        await app.fetch(
          new Request('https://tokens.example/api/upload-token', {
            method: 'OPTIONS',
            headers: {
              origin: 'https://app.example',
              'access-control-request-method': 'POST',
              'access-control-request-headers': 'content-type',
            },
          }),
        ),
      );
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example');
      const seen = await transcript.read(
        await app.fetch(
          new Request('https://tokens.example/api/upload-token', {
            method: 'POST',
            headers: {
              origin: 'https://app.example',
              'content-type': 'application/json',
              'x-forwarded-for': '192.0.2.9',
            },
            body: JSON.stringify({ fileName: 'a.mp4' }),
          }),
        ),
      );
      assert.equal(seen.status, 200);
      assert.match(seen.json.token, UPLOAD_TOKEN_PATTERN);
    });
  });
});

describe('the handler module', () => {
  it('bundles for a runtime without Node built-ins (Workers, Deno, Bun, browsers)', async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../../src/issuer/index.ts', import.meta.url))],
      bundle: true,
      platform: 'neutral',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].text;
    assert.doesNotMatch(code, /\bfrom\s*["']node:|require\(|\bprocess\.|\bBuffer\b/);
    assert.match(code, /createTokenIssuer/);
  });
});

describe('the API key', () => {
  it('appears in no response body, header, log line or error message of the whole suite', () => {
    assert.ok(transcript.entries.length > 300, `only ${transcript.entries.length} entries recorded`);
    assert.ok(
      transcript.entries.some((line) => line.startsWith('issuer: POST 200')),
      'log lines were recorded',
    );
    const encoded = basic(API_KEY).slice('Basic '.length);
    const leaks = transcript.entries.filter(
      (entry) => entry.includes(API_KEY) || entry.includes(encoded) || entry.includes(API_KEY.slice(3, 19)),
    );
    assert.deepEqual(leaks, []);
  });
});
