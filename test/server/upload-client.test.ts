/** api.video's official Node client uploads to the local video API unchanged. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ApiVideoClient from '@api.video/nodejs-client';
import { MIN_PART_SIZE, type VideoStatus } from '../../src/protocol/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { bytes, sha256, sha256File } from '../support/upload.js';

describe('@api.video/nodejs-client against the local video API', () => {
  let api: TestApi;
  let client: ApiVideoClient;
  let dir: string;

  before(async () => {
    api = await startTestApi();
    client = new ApiVideoClient({ apiKey: api.apiKey, baseUri: api.url, chunkSize: MIN_PART_SIZE });
    dir = mkdtempSync(join(tmpdir(), 'vu-client-'));
  });
  after(async () => {
    await api.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, data: Buffer): string => {
    const path = join(dir, name);
    writeFileSync(path, data);
    return path;
  };
  const sourceOf = (id: string): string => join(api.dataDir, 'videos', id, 'source');

  it('creates a token and uploads a file in chunks with uploadWithUploadToken', async () => {
    const token = await client.uploadTokens.createToken({ ttl: 3600 });
    assert.match(token.token!, /^to[0-9A-Za-z]{22}$/);
    const data = bytes(2 * MIN_PART_SIZE + 777_777, 21);
    const video = await client.videos.uploadWithUploadToken(token.token!, file('chunked.mp4', data));
    assert.match(video.videoId, /^vi[0-9A-Za-z]{22}$/);
    assert.equal(video.title, 'chunked.mp4');
    assert.equal(sha256File(sourceOf(video.videoId)), sha256(data));
    const status = (await (await api.authed(`/videos/${video.videoId}/status`)).json()) as VideoStatus;
    assert.equal(status.ingest.status, 'uploaded');
    assert.deepEqual(status.ingest.receivedParts, { parts: [1, 2, 3], total: 3 });
    const fetched = await client.videos.get(video.videoId);
    assert.equal(fetched.videoId, video.videoId);
    assert.equal(fetched.assets?.mp4, `${api.url}/vod/${video.videoId}/mp4/source.mp4`);
  });

  it('uploads a small file in one request', async () => {
    const token = await client.uploadTokens.createToken();
    const data = bytes(123_456, 22);
    const video = await client.videos.uploadWithUploadToken(token.token!, file('small.mp4', data));
    assert.equal(sha256File(sourceOf(video.videoId)), sha256(data));
  });

  it('uploads a recording-like stream with a progressive session: parts of unknown total, then part N/N', async () => {
    // What a recorder does: it does not know the total until it stops; the status says `total: null` meanwhile.
    const token = await client.uploadTokens.createToken();
    const data = bytes(2 * MIN_PART_SIZE + 4321, 29);
    const session = client.videos.createUploadWithUploadTokenProgressiveSession(token.token!);
    const first = await session.uploadPart(file('rec1.webm', data.subarray(0, MIN_PART_SIZE)));
    await session.uploadPart(file('rec2.webm', data.subarray(MIN_PART_SIZE, 2 * MIN_PART_SIZE)));
    const during = (await (await api.authed(`/videos/${first.videoId}/status`)).json()) as VideoStatus;
    assert.deepEqual(during.ingest.receivedParts, { parts: [1, 2], total: null });
    assert.equal(during.ingest.status, 'uploading');
    const last = await session.uploadLastPart(file('rec3.webm', data.subarray(2 * MIN_PART_SIZE)));
    assert.equal(last.videoId, first.videoId);
    const done = (await (await api.authed(`/videos/${first.videoId}/status`)).json()) as VideoStatus;
    assert.deepEqual(done.ingest.receivedParts, { parts: [1, 2, 3], total: 3 });
    assert.equal(sha256File(sourceOf(last.videoId)), sha256(data));
  });

  it('uploads part by part with a progressive session', async () => {
    const token = await client.uploadTokens.createToken();
    const data = bytes(2 * MIN_PART_SIZE + 10, 23);
    const session = client.videos.createUploadWithUploadTokenProgressiveSession(token.token!);
    const first = await session.uploadPart(file('p1.mp4', data.subarray(0, MIN_PART_SIZE)));
    await session.uploadPart(file('p2.mp4', data.subarray(MIN_PART_SIZE, 2 * MIN_PART_SIZE)));
    const last = await session.uploadLastPart(file('p3.mp4', data.subarray(2 * MIN_PART_SIZE)));
    assert.equal(last.videoId, first.videoId);
    assert.equal(sha256File(sourceOf(last.videoId)), sha256(data));
  });
});
