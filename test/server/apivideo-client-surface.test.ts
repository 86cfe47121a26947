/**
 * Every method of the official Node client's UploadTokensApi and VideosApi that the service has,
 * unchanged, against a real local video API: once with the API key (Basic), once with a bearer
 * access token from /auth/api-key (put on the client's own axios by an interceptor: the client has
 * no option for it).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ApiVideoClient from '@api.video/nodejs-client';
import { MIN_PART_SIZE } from '../../src/protocol/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { jpegSize } from '../support/jpeg.js';
import { bytes, sha256, sha256File } from '../support/upload.js';

const DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;
const SAMPLE = readFileSync(new URL('../fixtures/sample.mp4', import.meta.url));

interface AxiosLike {
  interceptors: {
    request: {
      use(fn: (config: { url?: string; headers: { set(n: string, v: string): void } }) => unknown): number;
      eject(id: number): void;
    };
  };
}
// The client's own axios (CommonJS): an ESM import would load a second copy without the interceptor.
const axios = createRequire(join(process.cwd(), 'node_modules/@api.video/nodejs-client/lib/index.js'))('axios') as {
  default: AxiosLike;
};

for (const mode of ['api key', 'bearer token'] as const) {
  describe(`@api.video/nodejs-client, every Videos and Upload Tokens method (${mode})`, () => {
    let api: TestApi;
    let client: ApiVideoClient;
    let dir: string;
    let interceptor: number | undefined;
    // Dates are whole seconds: a clock that moves one second per call makes the sort orders certain.
    let clock = Date.UTC(2024, 0, 23, 14, 36, 39);

    before(async () => {
      api = await startTestApi({ now: () => (clock += 1000) });
      client = new ApiVideoClient({ apiKey: api.apiKey, baseUri: api.url, chunkSize: MIN_PART_SIZE });
      dir = mkdtempSync(join(tmpdir(), 'vu-surface-'));
      if (mode === 'bearer token') {
        const grant = (await (
          await fetch(`${api.url}/auth/api-key`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ apiKey: api.apiKey }),
          })
        ).json()) as { access_token: string };
        const base = api.url;
        interceptor = axios.default.interceptors.request.use((config) => {
          if (config.url?.startsWith(base) && !config.url.includes('/auth/'))
            config.headers.set('Authorization', `Bearer ${grant.access_token}`);
          return config;
        });
      }
    });
    after(async () => {
      if (interceptor !== undefined) axios.default.interceptors.request.eject(interceptor);
      await api.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const file = (name: string, data: Buffer): string => {
      const path = join(dir, name);
      writeFileSync(path, data);
      return path;
    };
    const sourceOf = (id: string): string => join(api.dataDir, 'videos', id, 'source');

    it('upload tokens: create, get, list with each sort, delete (a 204 the client parses)', async () => {
      const forever = await client.uploadTokens.createToken();
      const hour = await client.uploadTokens.createToken({ ttl: 3600 });
      assert.equal(forever.ttl, 0);
      assert.equal(forever.expiresAt, null);
      assert.ok(hour.expiresAt instanceof Date);
      const raw = (await (await api.authed(`/upload-tokens/${hour.token}`)).json()) as Record<string, string>;
      assert.match(raw.createdAt, DATE);
      assert.match(raw.expiresAt, DATE);
      assert.equal((await client.uploadTokens.getToken(hour.token!)).token, hour.token);
      for (const sortBy of ['createdAt', 'ttl'] as const) {
        const asc = await client.uploadTokens.list({ sortBy, sortOrder: 'asc' });
        const desc = await client.uploadTokens.list({ sortBy, sortOrder: 'desc' });
        assert.deepEqual(
          asc.data.map((t) => t.token),
          [forever.token, hour.token],
        );
        assert.deepEqual(
          desc.data.map((t) => t.token),
          [hour.token, forever.token],
        );
      }
      const paged = await client.uploadTokens.list({ currentPage: 2, pageSize: 1 });
      assert.equal(paged.pagination.itemsTotal, 2);
      assert.equal(paged.data.length, 1);
      await client.uploadTokens.deleteToken(forever.token!);
      await assert.rejects(client.uploadTokens.getToken(forever.token!), /The requested resource was not found\./);
    });

    it('videos: create, get, update, list with each filter and sort, delete', async () => {
      const a = await client.videos.create({
        title: 'Alpha launch',
        description: 'The first cut',
        tags: ['launch', 'team a'],
        metadata: [{ key: 'Author', value: 'John Doe' }],
        language: 'fr',
      });
      assert.equal(a.language, 'fr');
      assert.equal(a.languageOrigin, 'api');
      assert.equal(a.discarded, false);
      assert.equal(a.discardedAt, null);
      assert.equal(a.deletesAt, null);
      assert.equal(a._public, true);
      const b = await client.videos.create({ title: 'beta', tags: ['launch'], _public: true });
      const c = await client.videos.create({ title: 'Gamma', description: 'nothing here', mp4Support: false });
      assert.equal(c.assets?.mp4, undefined);
      const raw = (await (await api.authed(`/videos/${a.videoId}`)).json()) as Record<string, string>;
      for (const key of ['createdAt', 'publishedAt', 'updatedAt']) assert.match(raw[key], DATE);

      const got = await client.videos.get(a.videoId);
      assert.equal(got.title, 'Alpha launch');
      const updated = await client.videos.update(b.videoId, {
        title: 'Beta',
        description: 'second',
        tags: ['launch', 'extra'],
        metadata: [{ key: 'Author', value: 'Jane' }],
        language: 'de',
        playerId: 'pl45KFKdlddgk654dspkze',
      });
      assert.equal(updated.title, 'Beta');
      assert.equal(updated.language, 'de');
      assert.equal(updated.playerId, 'pl45KFKdlddgk654dspkze');
      assert.ok(updated.updatedAt! > b.updatedAt!);
      // `{}` is what the client sends by default: valid, nothing changes but updatedAt.
      assert.equal((await client.videos.update(c.videoId)).title, 'Gamma');
      const cleared = await client.videos.update(b.videoId, { playerId: null as unknown as string });
      assert.equal(cleared.playerId, undefined);

      const ids = async (params: Parameters<typeof client.videos.list>[0]): Promise<string[]> =>
        (await client.videos.list(params)).data.map((v) => v.videoId);
      assert.deepEqual(await ids({ title: 'LAUNCH' }), [a.videoId]);
      assert.deepEqual(await ids({ description: 'cut' }), [a.videoId]);
      assert.deepEqual((await ids({ tags: ['launch'] })).sort(), [a.videoId, b.videoId].sort());
      assert.deepEqual(await ids({ tags: ['launch', 'team a'] }), [a.videoId]);
      assert.deepEqual(await ids({ metadata: { Author: 'John Doe' } }), [a.videoId]);
      assert.deepEqual(await ids({ metadata: { Author: 'Nobody' } }), []);
      assert.deepEqual(await ids({ liveStreamId: 'li400mYKSgQ6xs7taUeSaEKr' }), []);
      assert.deepEqual(await ids({ sortBy: 'title', sortOrder: 'asc' }), [a.videoId, b.videoId, c.videoId]);
      assert.deepEqual(await ids({ sortBy: 'title', sortOrder: 'desc' }), [c.videoId, b.videoId, a.videoId]);
      for (const sortBy of ['createdAt', 'publishedAt'] as const) {
        assert.deepEqual(await ids({ sortBy, sortOrder: 'asc' }), [a.videoId, b.videoId, c.videoId]);
        assert.deepEqual(await ids({ sortBy, sortOrder: 'desc' }), [c.videoId, b.videoId, a.videoId]);
      }
      // b was updated last, then c (the empty update), then a never.
      assert.deepEqual(await ids({ sortBy: 'updatedAt', sortOrder: 'desc' }), [b.videoId, c.videoId, a.videoId]);
      const page = await client.videos.list({ pageSize: 2, currentPage: 2 });
      assert.equal(page.pagination.itemsTotal, 3);
      assert.equal(page.data.length, 1);

      await assert.rejects(client.videos.create({ title: 'x', language: 'xx' as never }), /An attribute is invalid\./);
      for (const video of [a, b, c]) await client.videos.delete(video.videoId);
      assert.equal((await client.videos.list({})).pagination.itemsTotal, 0);
    });

    it('uploads with a token, in one request and in chunks', async () => {
      const token = await client.uploadTokens.createToken();
      const small = bytes(123_456, 71);
      const one = await client.videos.uploadWithUploadToken(token.token!, file('small.mp4', small));
      assert.equal(sha256File(sourceOf(one.videoId)), sha256(small));
      const large = bytes(6_000_000, 72);
      const chunked = await client.videos.uploadWithUploadToken(token.token!, file('large.mp4', large));
      assert.equal(sha256File(sourceOf(chunked.videoId)), sha256(large));
      const status = await client.videos.getStatus(chunked.videoId);
      assert.deepEqual({ ...status.ingest?.receivedParts }, { parts: [1, 2], total: 2 });
    });

    it('uploads with the key to /videos/{id}/source, in one request and in chunks', async () => {
      const single = await client.videos.create({ title: 'single' });
      const small = bytes(200_000, 73);
      const done = await client.videos.upload(single.videoId, file('one.mp4', small));
      assert.equal(done.videoId, single.videoId);
      assert.equal(sha256File(sourceOf(single.videoId)), sha256(small));
      // A second upload of the same source is refused with the service's problem.
      await assert.rejects(
        client.videos.upload(single.videoId, file('again.mp4', small)),
        /The source of the video is already uploaded\./,
      );
      const chunked = await client.videos.create({ title: 'chunked' });
      const large = bytes(6_000_000, 74);
      await client.videos.upload(chunked.videoId, file('two.mp4', large));
      assert.equal(sha256File(sourceOf(chunked.videoId)), sha256(large));
      assert.equal((await client.videos.getStatus(chunked.videoId)).ingest?.status, 'uploaded');
    });

    it('uploads progressively (part N/*, then part N/N), with the key and with a token', async () => {
      const data = bytes(2 * MIN_PART_SIZE + 4321, 75);
      const parts = [data.subarray(0, MIN_PART_SIZE), data.subarray(MIN_PART_SIZE, 2 * MIN_PART_SIZE)];
      const last = data.subarray(2 * MIN_PART_SIZE);

      const video = await client.videos.create({ title: 'progressive' });
      const keyed = client.videos.createUploadProgressiveSession(video.videoId);
      await keyed.uploadPart(file('k1.mp4', parts[0]));
      const midway = await client.videos.getStatus(video.videoId);
      assert.deepEqual({ ...midway.ingest?.receivedParts }, { parts: [1], total: null });
      assert.equal(midway.ingest?.status, 'uploading');
      await keyed.uploadPart(file('k2.mp4', parts[1]));
      await keyed.uploadLastPart(file('k3.mp4', last));
      assert.equal(sha256File(sourceOf(video.videoId)), sha256(data));
      assert.deepEqual(
        { ...(await client.videos.getStatus(video.videoId)).ingest?.receivedParts },
        {
          parts: [1, 2, 3],
          total: 3,
        },
      );

      const token = await client.uploadTokens.createToken();
      const session = client.videos.createUploadWithUploadTokenProgressiveSession(token.token!);
      const first = await session.uploadPart(file('t1.mp4', parts[0]));
      await session.uploadPart(file('t2.mp4', parts[1]));
      const end = await session.uploadLastPart(file('t3.mp4', last));
      assert.equal(end.videoId, first.videoId);
      assert.equal(sha256File(sourceOf(end.videoId)), sha256(data));
    });

    it('uploads a thumbnail (a path and a Buffer), picks one from a frame, and reports the status', async () => {
      const video = await client.videos.create({ title: 'thumbs' });
      const status = await client.videos.getStatus(video.videoId);
      assert.equal(status.ingest?.status, 'uploading');
      assert.equal(status.encoding?.playable, false);
      await client.videos.upload(video.videoId, file('sample.mp4', SAMPLE));
      const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...bytes(500, 76)]);
      const fromPath = await client.videos.uploadThumbnail(video.videoId, file('t.jpg', jpeg));
      assert.equal(fromPath.videoId, video.videoId);
      const served = await fetch(fromPath.assets!.thumbnail!);
      assert.equal(served.headers.get('content-type'), 'image/jpeg');
      assert.equal(sha256(Buffer.from(await served.arrayBuffer())), sha256(jpeg));
      const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), bytes(300, 77)]);
      await client.videos.uploadThumbnail(video.videoId, png);
      assert.equal((await fetch(fromPath.assets!.thumbnail!)).headers.get('content-type'), 'image/png');
      await assert.rejects(
        client.videos.uploadThumbnail(video.videoId, bytes(300, 78)),
        /are supported/,
        'not an image',
      );
      const picked = await client.videos.pickThumbnail(video.videoId, { timecode: '00:00:01.00' });
      const thumb = await fetch(picked.assets!.thumbnail!);
      assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
      assert.deepEqual(jpegSize(Buffer.from(await thumb.arrayBuffer())), { width: 640, height: 360 });
      // Past the end: the first frame, not an error.
      await client.videos.pickThumbnail(video.videoId, { timecode: '00:10:00.00' });
    });
  });
}
