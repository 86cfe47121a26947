/**
 * A grant that is over uploads nothing, and a finished video takes no more bytes from anyone:
 * tokens deleted or expired (before or in the middle of an upload) are refused on `/upload` and on
 * tus with no video created and no file written; a finished video refuses further parts through
 * its own token and through another one, on both protocols, and its source stays byte-identical.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { TUS_PATH, type Video } from '../../../src/protocol/index.js';
import { startTestApi, type TestApi } from '../../support/api.js';
import { bytes, createToken, expectVideo, sendChunk, sha256 } from '../../support/upload.js';
import { expectProblem, fileChanges, snapshot } from './support.js';

const MiB = 1024 * 1024;

describe('grants that are over', () => {
  let api: TestApi;
  let clock = Date.parse('2026-01-01T00:00:00Z');

  before(async () => {
    api = await startTestApi({ now: () => clock });
  });
  after(() => api.stop());

  const videoCount = async (): Promise<number> =>
    ((await (await api.authed('/videos')).json()) as { pagination: { itemsTotal: number } }).pagination.itemsTotal;
  const tus = (
    token: string,
    init: { method: string; headers?: Record<string, string>; body?: Buffer },
    path = TUS_PATH,
  ): Promise<Response> =>
    fetch(`${api.url}${path}`, {
      ...init,
      body: init.body ? new Uint8Array(init.body) : undefined,
      headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', ...init.headers },
    });

  /** Tries every way of uploading with `token`; asserts each is refused 401 and nothing was created or written. */
  async function refusesEverything(token: string): Promise<void> {
    const videos = await videoCount();
    const files = snapshot(api.dataDir);
    await expectProblem(await sendChunk(api, token, bytes(2000)), 401);
    await expectProblem(await sendChunk(api, token, bytes(2000), { range: 'part 1/1' }), 401);
    await expectProblem(await sendChunk(api, token, bytes(10), { range: 'bytes 0-9/10' }), 401);
    await expectProblem(await tus(token, { method: 'POST', headers: { 'upload-length': '10' } }), 401);
    await expectProblem(
      await tus(token, {
        method: 'POST',
        headers: { 'upload-length': '10', 'content-type': 'application/offset+octet-stream' },
        body: bytes(10),
      }),
      401,
    );
    assert.equal(await videoCount(), videos);
    assert.deepEqual(fileChanges(files, snapshot(api.dataDir)), []);
  }

  it('a deleted token uploads nothing', async () => {
    const token = await createToken(api, 0);
    assert.equal((await api.authed(`/upload-tokens/${token}`, { method: 'DELETE' })).status, 204);
    await refusesEverything(token);
  });

  it('an expired token uploads nothing, a second after its ttl', async () => {
    const token = await createToken(api, 60);
    await expectVideo(await sendChunk(api, token, bytes(100)));
    clock += 61_000;
    await refusesEverything(token);
  });

  it('a token deleted in the middle of an upload takes no further part, and the parts received stay as they were', async () => {
    const token = await createToken(api, 0);
    const first = await expectVideo(
      await sendChunk(api, token, bytes(5 * MiB, 3), { range: 'part 1/2', fileName: 'half.mp4' }),
    );
    const statusBefore = await (await api.authed(`/videos/${first.videoId}/status`)).json();
    await api.authed(`/upload-tokens/${token}`, { method: 'DELETE' });
    const files = snapshot(api.dataDir);
    await expectProblem(
      await sendChunk(api, token, bytes(1000, 4), { range: 'part 2/2', videoId: first.videoId, fileName: 'half.mp4' }),
      401,
    );
    await expectProblem(await sendChunk(api, token, bytes(1000, 4), { range: 'part 2/2', fileName: 'half.mp4' }), 401);
    assert.deepEqual(await (await api.authed(`/videos/${first.videoId}/status`)).json(), statusBefore);
    assert.deepEqual(fileChanges(files, snapshot(api.dataDir)), []);
  });

  it('a token that expires in the middle of a tus upload takes no further bytes', async () => {
    const token = await createToken(api, 60);
    const created = await tus(token, { method: 'POST', headers: { 'upload-length': '20' } });
    assert.equal(created.status, 201);
    const location = new URL(created.headers.get('location')!).pathname;
    const patch = (offset: number): Promise<Response> =>
      tus(
        token,
        {
          method: 'PATCH',
          headers: { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
          body: bytes(10, offset),
        },
        location,
      );
    assert.equal((await patch(0)).status, 204);
    clock += 61_000;
    const files = snapshot(api.dataDir);
    await expectProblem(await patch(10), 401);
    assert.deepEqual(fileChanges(files, snapshot(api.dataDir)), []);
  });
});

describe('a finished video', () => {
  let api: TestApi;
  let owner: string;
  let stranger: string;

  before(async () => {
    api = await startTestApi();
  });
  after(() => api.stop());
  beforeEach(async () => {
    owner = await createToken(api, 0);
    stranger = await createToken(api, 0);
  });

  const source = (videoId: string): Buffer => readFileSync(join(api.dataDir, 'videos', videoId, 'source'));

  /** Every way of adding to `video` through `token`; none may change its source. */
  async function refusesMore(video: Video, token: string, original: Buffer, range: string): Promise<void> {
    const id = video.videoId;
    const files = snapshot(api.dataDir);
    // Its own token is told the video is done; another token is refused the video itself (403).
    const [status, title] =
      token === owner
        ? [400, 'The source of the video is already uploaded.']
        : [403, 'Another upload token is writing this video.'];
    const refused = async (data: Buffer, range?: string): Promise<void> => {
      const response = await sendChunk(api, token, data, { ...(range ? { range } : {}), videoId: id });
      assert.equal((await expectProblem(response, status)).title, title);
    };
    await refused(bytes(1000), 'part 2/2');
    await refused(bytes(1000), 'part 1/2');
    await refused(bytes(10), 'bytes 0-9/10');
    await refused(bytes(original.length + 1));
    // The same part again, as a client that lost the last answer sends it: answered as before, the bytes not taken.
    const again = await sendChunk(api, token, Buffer.alloc(original.length, 0x41), { range, videoId: id });
    if (token === owner) assert.equal((await expectVideo(again)).videoId, id);
    else await expectProblem(again, 403);
    // A tus upload cannot be aimed at it either.
    const tus = await fetch(`${api.url}${TUS_PATH}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'tus-resumable': '1.0.0',
        'upload-length': '10',
        'upload-metadata': `videoId ${Buffer.from(id).toString('base64')}`,
      },
    });
    await expectProblem(tus, 400);
    assert.equal(sha256(source(id)), sha256(original));
    assert.deepEqual(fileChanges(files, snapshot(api.dataDir)), []);
  }

  it('refuses further parts through its own token and through another one (part and bytes uploads)', async () => {
    const data = bytes(4000, 9);
    const whole = await expectVideo(await sendChunk(api, owner, data, { range: 'part 1/1' }));
    await refusesMore(whole, owner, data, 'part 1/1');
    await refusesMore(whole, stranger, data, 'part 1/1');
    const bytesRange = `bytes 0-${data.length - 1}/${data.length}`;
    const ranged = await expectVideo(await sendChunk(api, owner, data, { range: bytesRange }));
    await refusesMore(ranged, owner, data, bytesRange);
    await refusesMore(ranged, stranger, data, bytesRange);
  });

  it('refuses further bytes through its finished tus upload, from its token or another one', async () => {
    const data = bytes(3000, 5);
    const created = await fetch(`${api.url}${TUS_PATH}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${owner}`,
        'tus-resumable': '1.0.0',
        'upload-length': String(data.length),
        'content-type': 'application/offset+octet-stream',
      },
      body: new Uint8Array(data),
    });
    assert.equal(created.status, 201);
    const videoId = created.headers.get('x-video-id')!;
    const location = new URL(created.headers.get('location')!).pathname;
    const files = snapshot(api.dataDir);
    for (const token of [owner, stranger]) {
      for (const offset of [0, 1000, data.length]) {
        const response = await fetch(`${api.url}${location}`, {
          method: 'PATCH',
          headers: {
            authorization: `Bearer ${token}`,
            'tus-resumable': '1.0.0',
            'upload-offset': String(offset),
            'content-type': 'application/offset+octet-stream',
          },
          body: new Uint8Array(bytes(500, offset + 1)),
        });
        assert.ok(response.status >= 400 && response.status < 500, `PATCH at ${offset}: ${response.status}`);
      }
    }
    assert.equal(sha256(source(videoId)), sha256(data));
    assert.deepEqual(fileChanges(files, snapshot(api.dataDir)), []);
  });

  it("is not continued by another token's chunk sent without videoId, even under the same file name", async () => {
    const first = await expectVideo(
      await sendChunk(api, owner, bytes(5 * MiB, 6), { range: 'part 1/2', fileName: 'shared-name.mp4' }),
    );
    const before = await (await api.authed(`/videos/${first.videoId}/status`)).json();
    const problem = await expectProblem(
      await sendChunk(api, stranger, bytes(100), { range: 'part 2/2', fileName: 'shared-name.mp4' }),
      400,
    );
    assert.equal(problem.title, 'This attribute is required.');
    assert.deepEqual(await (await api.authed(`/videos/${first.videoId}/status`)).json(), before);
    // Its own token continues it.
    const done = await expectVideo(
      await sendChunk(api, owner, bytes(100, 7), { range: 'part 2/2', fileName: 'shared-name.mp4' }),
    );
    assert.equal(done.videoId, first.videoId);
  });
});
