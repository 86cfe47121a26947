import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Upload } from 'tus-js-client';
import { MIN_PART_SIZE, TUS_PATH, type Video, type VideoStatus } from '../../src/protocol/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { bytes, createToken, sha256, sha256File } from '../support/upload.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

interface Finished {
  videoId: string | null;
  url: string;
  status: number;
  body: string;
}

function tusUpload(
  api: TestApi,
  token: string,
  data: Buffer,
  options: { metadata?: Record<string, string>; chunkSize?: number; duringCreation?: boolean } = {},
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const upload = new Upload(data, {
      endpoint: `${api.url}${TUS_PATH}`,
      headers: { Authorization: `Bearer ${token}` },
      metadata: options.metadata ?? { filename: 'tus-clip.mp4', filetype: 'video/mp4' },
      chunkSize: options.chunkSize ?? Infinity,
      uploadDataDuringCreation: options.duringCreation ?? false,
      retryDelays: [],
      onError: reject,
      onSuccess: ({ lastResponse }) =>
        resolve({
          videoId: lastResponse.getHeader('X-Video-Id') ?? null,
          url: upload.url!,
          status: lastResponse.getStatus(),
          body: lastResponse.getBody(),
        }),
    });
    upload.start();
  });
}

describe('tus endpoint', () => {
  let api: TestApi;
  let token: string;
  const tusHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({
    'tus-resumable': '1.0.0',
    authorization: `Bearer ${token}`,
    ...extra,
  });

  before(async () => {
    api = await startTestApi();
    token = await createToken(api);
  });
  after(async () => {
    await api.stop();
  });

  it('takes a chunked upload from tus-js-client and makes it a Video', async () => {
    const data = bytes(2 * MIN_PART_SIZE + 4321, 31);
    const done = await tusUpload(api, token, data, { chunkSize: MIN_PART_SIZE });
    assert.match(done.videoId ?? '', /^vi[0-9A-Za-z]{22}$/);
    assert.ok(done.url.startsWith(`${api.url}${TUS_PATH}/`), done.url);
    const video = (await (await api.authed(`/videos/${done.videoId}`)).json()) as Video;
    assert.equal(video.title, 'tus-clip.mp4');
    // The last PATCH carries the Video itself.
    assert.equal(done.status, 200);
    assert.deepEqual(JSON.parse(done.body), video);
    assert.equal(sha256File(join(api.dataDir, 'videos', video.videoId, 'source')), sha256(data));
    const played = await fetch(video.assets.mp4!);
    assert.equal(sha256(Buffer.from(await played.arrayBuffer())), sha256(data));
    const status = (await (await api.authed(`/videos/${video.videoId}/status`)).json()) as VideoStatus;
    assert.equal(status.ingest.status, 'uploaded');
    assert.deepEqual(status.ingest.receivedBytes, [{ from: 0, to: data.length - 1, total: data.length }]);
    // The id can be fetched again later with HEAD.
    const head = await fetch(done.url, { method: 'HEAD', headers: tusHeaders() });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('upload-offset'), String(data.length));
    assert.equal(head.headers.get('x-video-id'), video.videoId);
    assert.match(head.headers.get('access-control-expose-headers') ?? '', /X-Video-Id/i);

    // Deleting the video removes the bytes everywhere, the tus upload included.
    const uploadId = new URL(done.url).pathname.split('/').pop()!;
    assert.ok(existsSync(join(api.dataDir, 'tus', uploadId)));
    assert.equal((await api.authed(`/videos/${video.videoId}`, { method: 'DELETE' })).status, 204);
    assert.equal(existsSync(join(api.dataDir, 'tus', uploadId)), false);
    assert.equal(existsSync(join(api.dataDir, 'videos', video.videoId)), false);
  });

  it('finishes an upload sent with its creation request', async () => {
    const data = bytes(200_000, 32);
    const done = await tusUpload(api, token, data, { duringCreation: true });
    assert.match(done.videoId ?? '', /^vi[0-9A-Za-z]{22}$/);
    assert.equal(done.status, 201);
    assert.equal((JSON.parse(done.body) as Video).videoId, done.videoId);
    assert.equal(sha256File(join(api.dataDir, 'videos', done.videoId!, 'source')), sha256(data));
  });

  it('fills a video created in advance named in the metadata', async () => {
    const created = (await (
      await api.authed('/videos', { method: 'POST', body: JSON.stringify({ title: 'Planned', public: false }) })
    ).json()) as Video;
    const done = await tusUpload(api, token, bytes(1000, 33), {
      metadata: { filename: 'x.mp4', videoId: created.videoId },
    });
    assert.equal(done.videoId, created.videoId);
    const video = (await (await api.authed(`/videos/${created.videoId}`)).json()) as Video;
    assert.equal(video.title, 'Planned');
    assert.equal(video.public, false);
  });

  it('refuses a metadata videoId that does not exist', async () => {
    const response = await fetch(`${api.url}${TUS_PATH}`, {
      method: 'POST',
      headers: tusHeaders({
        'upload-length': '10',
        'upload-metadata': `videoId ${Buffer.from('vi0000000000000000000000').toString('base64')}`,
      }),
    });
    assert.equal(response.status, 404);
    assert.equal((await response.json()).title, 'The requested resource was not found.');
  });

  it('checks the bearer token on every request', async () => {
    const create = (authorization?: string): Promise<Response> =>
      fetch(`${api.url}${TUS_PATH}`, {
        method: 'POST',
        headers: { 'tus-resumable': '1.0.0', 'upload-length': '100', ...(authorization ? { authorization } : {}) },
      });
    const missing = await create();
    assert.equal(missing.status, 401);
    assert.equal((await missing.json()).title, 'The upload token is missing.');
    const invalid = await create('Bearer to0000000000000000000000');
    assert.equal(invalid.status, 401);
    assert.equal((await invalid.json()).title, 'The upload token is invalid or expired.');
    assert.equal((await create(`Basic ${token}`)).status, 401);

    const created = await create(`Bearer ${token}`);
    assert.equal(created.status, 201);
    const location = created.headers.get('location')!;
    assert.ok(location.startsWith(`${api.url}${TUS_PATH}/`), location);
    assert.ok(created.headers.get('upload-expires'), 'the expiration extension dates every upload');

    // A token deleted mid-upload stops the upload.
    const other = await createToken(api);
    const patch = (auth: string): Promise<Response> =>
      fetch(location, {
        method: 'PATCH',
        headers: {
          'tus-resumable': '1.0.0',
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
          authorization: auth,
        },
        body: bytes(50) as Uint8Array<ArrayBuffer>,
      });
    assert.equal((await patch(`Bearer ${other}`)).status, 204, 'any valid token may continue');
    assert.equal((await api.authed(`/upload-tokens/${other}`, { method: 'DELETE' })).status, 204);
    assert.equal((await patch(`Bearer ${other}`)).status, 401);
    assert.equal((await fetch(location, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } })).status, 401);
    assert.equal((await fetch(location, { method: 'DELETE', headers: { 'tus-resumable': '1.0.0' } })).status, 401);
  });

  it('terminates an upload', async () => {
    const created = await fetch(`${api.url}${TUS_PATH}`, {
      method: 'POST',
      headers: tusHeaders({ 'upload-length': '100' }),
    });
    const location = created.headers.get('location')!;
    const removed = await fetch(location, { method: 'DELETE', headers: tusHeaders() });
    assert.equal(removed.status, 204);
    const head = await fetch(location, { method: 'HEAD', headers: tusHeaders() });
    assert.ok(head.status === 404 || head.status === 410, String(head.status));
  });

  it('answers the CORS preflight of a browser tus client', async () => {
    const response = await fetch(`${api.url}${TUS_PATH}/0123456789abcdef0123456789abcdef`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization, tus-resumable, upload-offset, content-type',
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const allowed = (response.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const name of [
      'authorization',
      'tus-resumable',
      'upload-offset',
      'upload-length',
      'upload-metadata',
      'content-type',
    ]) {
      assert.ok(allowed.includes(name), `${name} in ${allowed}`);
    }
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /PATCH/);
  });

  it('announces its extensions and refuses ids it did not make', async () => {
    const options = await fetch(`${api.url}${TUS_PATH}`, { method: 'OPTIONS' });
    assert.ok(options.status === 200 || options.status === 204, String(options.status));
    const extensions = options.headers.get('tus-extension') ?? '';
    for (const name of ['creation', 'creation-with-upload', 'termination', 'expiration']) {
      assert.ok(
        extensions
          .split(',')
          .map((s) => s.trim())
          .includes(name),
        `${name} in ${extensions}`,
      );
    }
    const bad = await fetch(`${api.url}${TUS_PATH}/..%2F..%2Fvideo-api.sqlite`, {
      method: 'HEAD',
      headers: tusHeaders(),
    });
    assert.equal(bad.status, 404);
  });
});

describe('tus upload size', () => {
  it('refuses an upload larger than maxUploadSize, and by default one larger than the free disk', async () => {
    const api = await startTestApi({ maxUploadSize: 1024 * 1024 });
    const roomy = await startTestApi();
    try {
      for (const [server, length] of [
        [api, 1024 * 1024 + 1],
        [roomy, 2 ** 52],
      ] as const) {
        const token = await createToken(server);
        const response = await fetch(`${server.url}${TUS_PATH}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': String(length) },
        });
        assert.equal(response.status, 413);
        const problem = (await response.json()) as { status: number; title: string };
        assert.equal(problem.status, 413);
      }
      const token = await createToken(api);
      const fits = await fetch(`${api.url}${TUS_PATH}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': String(1024 * 1024) },
      });
      assert.equal(fits.status, 201);
    } finally {
      await api.stop();
      await roomy.stop();
    }
  });
});
