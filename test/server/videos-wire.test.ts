/** The local video API's wire as api.video's spec has it: headers, problem types, media work, private assets. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Problem, Video, VideoStatus } from '../../src/protocol/index.js';
import { basic, startTestApi, type TestApi } from '../support/api.js';
import { bytes, createToken, expectVideo, sendChunk } from '../support/upload.js';
import { jpegSize } from '../support/jpeg.js';

const REF = 'https://docs.api.video/reference/';
const SAMPLE = readFileSync(new URL('../fixtures/sample.mp4', import.meta.url));

async function sendSource(api: TestApi, id: string, data: Uint8Array, range?: string): Promise<Response> {
  const form = new FormData();
  form.append('sample.mp4', new Blob([data as Uint8Array<ArrayBuffer>], { type: 'video/mp4' }), 'sample.mp4');
  return fetch(`${api.url}/videos/${id}/source`, {
    method: 'POST',
    body: form,
    headers: { authorization: basic(api.apiKey), ...(range ? { 'content-range': range } : {}) },
  });
}

async function until(api: TestApi, id: string, done: (s: VideoStatus) => boolean): Promise<VideoStatus> {
  for (let i = 0; i < 300; i++) {
    const status = (await (await api.authed(`/videos/${id}/status`)).json()) as VideoStatus;
    if (done(status)) return status;
    await sleep(100);
  }
  throw new Error('the media work did not end');
}

describe('the Videos wire', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(() => api.stop());

  it('sends 204s, and the CORS preflight, without a Content-Type', async () => {
    const video = (await (await api.authed('/videos', { method: 'POST', body: '{"title":"t"}' })).json()) as Video;
    const deleted = await api.authed(`/videos/${video.videoId}`, { method: 'DELETE' });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.headers.get('content-type'), null);
    const preflight = await fetch(`${api.url}/videos`, {
      method: 'OPTIONS',
      headers: { origin: 'https://site.example', 'access-control-request-method': 'PATCH' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('content-type'), null);
  });

  it('puts X-RateLimit-* on every 4xx of the key-authenticated routes and of /upload', async () => {
    const cases: [string, RequestInit, boolean][] = [
      ['/videos', {}, false],
      ['/videos/vi0000000000000000000000', {}, true],
      ['/videos', { method: 'POST', body: '{}' }, true],
      ['/videos?pageSize=0', {}, true],
      ['/videos', { method: 'PUT' }, true],
      ['/upload-tokens/to0000000000000000000000', {}, true],
      ['/upload-tokens', { method: 'POST', body: '{"ttl":-1}' }, true],
      ['/videos/vi0000000000000000000000/source', { method: 'POST' }, true],
      ['/upload', { method: 'POST' }, false],
      ['/upload?token=to0000000000000000000000', { method: 'POST' }, false],
    ];
    for (const [path, init, keyed] of cases) {
      const response = keyed ? await api.authed(path, init) : await fetch(api.url + path, init);
      assert.ok(response.status >= 400 && response.status < 500, `${path}: ${response.status}`);
      for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-retry-after'])
        assert.match(response.headers.get(name) ?? '', /^\d+$/, `${name} on ${init.method ?? 'GET'} ${path}`);
    }
  });

  it('answers 405 with Allow, but only once the caller is authenticated', async () => {
    assert.equal((await fetch(`${api.url}/videos`, { method: 'PUT' })).status, 401);
    const refused = await api.authed('/videos', { method: 'PUT' });
    assert.equal(refused.status, 405);
    assert.equal(refused.headers.get('allow'), 'GET, POST');
    assert.equal(((await refused.json()) as Problem).type, `${REF}method-not-allowed`);
  });

  it("uses the spec's problem types and titles, and lists every problem", async () => {
    const expectProblem = async (
      response: Response,
      status: number,
      slug: string,
      title?: string,
    ): Promise<Problem> => {
      assert.equal(response.status, status);
      const problem = (await response.json()) as Problem;
      assert.equal(problem.type, REF + slug);
      if (title) assert.equal(problem.title, title);
      return problem;
    };
    const missing = await expectProblem(
      await api.authed('/videos', { method: 'POST', body: '{"tags":"x","metadata":"y","mood":1}' }),
      400,
      'attribute-required',
      'This attribute is required.',
    );
    assert.deepEqual(
      missing.problems?.map((p) => [p.name, p.title]),
      [
        ['title', 'This attribute is required.'],
        ['tags', 'This attribute must be an array.'],
        ['metadata', 'This attribute must be an array.'],
        ['mood', 'An attribute is invalid.'],
      ],
    );
    const language = await expectProblem(
      await api.authed('/videos', { method: 'POST', body: '{"title":"t","language":"fr_FR"}' }),
      400,
      'invalid-attribute',
    );
    assert.match(language.detail!, /only letters and dashes/);
    const range = await expectProblem(
      await api.authed('/videos?currentPage=0&pageSize=500'),
      400,
      'request-invalid-query-parameter',
    );
    assert.deepEqual(range.range, { min: 1, max: 1_000_000_000 });
    assert.deepEqual(
      range.problems?.map((p) => p.name),
      ['currentPage', 'pageSize'],
    );
    await expectProblem(await fetch(`${api.url}/videos`), 401, 'authentication-missing-authorization-header');
    await expectProblem(
      await fetch(`${api.url}/videos`, { headers: { authorization: 'Basic ' + btoa('wrong:') } }),
      401,
      'authentication-invalid-api-key',
    );
    await expectProblem(
      await fetch(`${api.url}/auth/api-key`, { method: 'POST', body: '{"apiKey":"wrong"}' }),
      400,
      'authentication-invalid-user-credentials',
    );
    await expectProblem(await api.authed('/videos/vi0000000000000000000000'), 404, 'resource-not-found');
    const token = await createToken(api);
    await expectProblem(
      await fetch(`${api.url}/upload`, { method: 'POST' }),
      401,
      'authentication-missing-upload-token',
    );
    const form = new FormData();
    form.append('videoId', 'x');
    await expectProblem(
      await fetch(`${api.url}/upload?token=${token}`, { method: 'POST', body: form }),
      404,
      'resource-not-found',
    );
    const empty = new FormData();
    empty.append('note', 'no file');
    await expectProblem(
      await fetch(`${api.url}/upload?token=${token}`, { method: 'POST', body: empty }),
      400,
      'uploaded-file-no-file',
      'There is no uploaded file in the request.',
    );
    const video = await expectVideo(await sendChunk(api, token, bytes(1000, 3)));
    await expectProblem(
      await sendChunk(api, token, bytes(1000, 3), { videoId: video.videoId, range: 'bytes 0-999/1000' }),
      400,
      'video-source-already-uploaded',
    );
    await expectProblem(
      await sendChunk(api, token, bytes(10), { range: 'part 3/2' }),
      400,
      'video-content-range-by-part-part-too-high-total',
      'The "part" value in the "Content-Range" header is higher than the "total_parts" value.',
    );
    // A progressive upload whose last part is numbered before a part already sent.
    const progressive = await expectVideo(
      await sendChunk(api, token, bytes(5 * 1024 * 1024, 4), { range: 'part 1/*' }),
    );
    await expectVideo(
      await sendChunk(api, token, bytes(5 * 1024 * 1024, 6), { videoId: progressive.videoId, range: 'part 3/*' }),
    );
    await expectProblem(
      await sendChunk(api, token, bytes(10, 5), { videoId: progressive.videoId, range: 'part 2/2' }),
      400,
      'video-content-range-by-part-total-parts-too-low',
      'The "total_parts" value in the "Content-Range" header is lower than the number of parts already uploaded.',
    );
    const again = await expectProblem(
      await sendSource(api, video.videoId, bytes(10)),
      400,
      'video-source-already-uploaded',
    );
    assert.deepEqual(
      again.problems?.map((p) => p.name),
      ['file', 'video'],
    );
  });

  it("refuses a private video's assets without its private token, and serves them with it", async () => {
    const created = (await (
      await api.authed('/videos', { method: 'POST', body: '{"title":"secret","public":false}' })
    ).json()) as Video;
    await expectVideo(await sendSource(api, created.videoId, SAMPLE));
    const video = (await (await api.authed(`/videos/${created.videoId}`)).json()) as Video;
    assert.match(video.assets.mp4!, /\/vod\/vi\w+\/token\/[0-9a-f-]{36}\/mp4\/source\.mp4$/);
    const plain = `${api.url}/vod/${video.videoId}`;
    for (const path of ['/mp4/source.mp4', '/thumbnail.jpg', '/hls/manifest.m3u8', '/player']) {
      const refused = await fetch(plain + path);
      assert.equal(refused.status, 404, path);
      assert.equal(((await refused.json()) as Problem).type, `${REF}resource-not-found`);
    }
    const forged = video.assets.mp4!.replace(/token\/[0-9a-f]{8}/, 'token/00000000');
    assert.equal((await fetch(forged)).status, 404);
    const served = await fetch(video.assets.mp4!);
    assert.equal(served.status, 200);
    assert.equal((await served.arrayBuffer()).byteLength, SAMPLE.length);
    assert.equal((await fetch(video.assets.player)).status, 200);
    const other = (await (await api.authed(`/videos/${created.videoId}`)).json()) as Video;
    assert.notEqual(other.assets.mp4, video.assets.mp4, 'a fresh token on every read');
  });

  it("with ffmpeg: probes, ends playable, makes a JPEG thumbnail of the video's size and an HLS rendition", async () => {
    const created = (await (
      await api.authed('/videos', { method: 'POST', body: '{"title":"sample"}' })
    ).json()) as Video;
    const uploaded = await expectVideo(await sendSource(api, created.videoId, SAMPLE));
    // Until the rendition is ready, the manifest answers 202 with no body (what onPlayable polls for).
    const early = await fetch(uploaded.assets.hls);
    assert.ok(early.status === 202 || early.status === 200);
    assert.equal(early.headers.get('access-control-allow-origin'), '*');
    const status = await until(api, created.videoId, (s) => s.ingest.status === 'ingested');
    assert.equal(status.encoding.playable, true);
    assert.equal(status.encoding.metadata.width, 640);
    assert.equal(status.encoding.metadata.height, 360);
    assert.equal(status.encoding.metadata.duration, 4);
    assert.equal(status.encoding.metadata.videoCodec, 'h264');
    assert.equal(status.encoding.metadata.audioCodec, 'aac');
    assert.deepEqual(status.encoding.qualities[0], { type: 'hls', quality: '360p', status: 'encoded' });
    const thumbnail = await fetch(uploaded.assets.thumbnail);
    assert.equal(thumbnail.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(jpegSize(Buffer.from(await thumbnail.arrayBuffer())), { width: 640, height: 360 });
    const manifest = await fetch(uploaded.assets.hls);
    assert.equal(manifest.status, 200);
    const text = await manifest.text();
    const segments = text.split('\n').filter((line) => line && !line.startsWith('#'));
    assert.ok(segments.length >= 1, text);
    for (const segment of segments) {
      const response = await fetch(new URL(segment, uploaded.assets.hls));
      assert.equal(response.status, 200, segment);
      const data = Buffer.from(await response.arrayBuffer());
      assert.equal(data[0], 0x47, 'an MPEG-TS packet');
    }
  });

  it('keeps a frame picked before the media work reaches the video, instead of making its own', async () => {
    const create = async (title: string): Promise<Video> =>
      (await (await api.authed('/videos', { method: 'POST', body: JSON.stringify({ title }) })).json()) as Video;
    const body = async (url: string): Promise<string> =>
      createHash('sha256')
        .update(Buffer.from(await (await fetch(url)).arrayBuffer()))
        .digest('hex');
    // The media work takes one video at a time: the first keeps it busy while the second waits its turn.
    const busy = await expectVideo(await sendSource(api, (await create('busy')).videoId, SAMPLE));
    const video = await expectVideo(await sendSource(api, (await create('picked')).videoId, SAMPLE));
    const pick = await api.authed(`/videos/${video.videoId}/thumbnail`, {
      method: 'PATCH',
      body: '{"timecode":"00:00:03.00"}',
    });
    assert.equal(pick.status, 200);
    const picked = await body(video.assets.thumbnail);
    const encoded = (s: VideoStatus): boolean =>
      s.encoding.qualities.length > 0 && s.encoding.qualities.every((q) => q.status === 'encoded');
    await until(api, busy.videoId, encoded);
    await until(api, video.videoId, encoded);
    // The same source's thumbnail made by the media work (its own frame) differs from the one picked.
    assert.notEqual(await body(busy.assets.thumbnail), picked);
    assert.equal(await body(video.assets.thumbnail), picked, 'the frame picked is still the thumbnail');
  });

  it('marks a source ffmpeg cannot read as failed, with a clear problem on its media URLs', async () => {
    const token = await createToken(api);
    const video = await expectVideo(await sendChunk(api, token, bytes(50_000, 9)));
    const status = await until(api, video.videoId, (s) => s.encoding.qualities.some((q) => q.status === 'failed'));
    assert.equal(status.encoding.playable, false);
    assert.equal(status.ingest.status, 'uploaded');
    const hls = await fetch(video.assets.hls);
    assert.equal(hls.status, 422);
    assert.match(((await hls.json()) as Problem).detail!, /ffmpeg can/);
  });
});

describe('the Videos wire without ffmpeg', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ ffmpeg: '/nonexistent/ffmpeg' });
  });
  after(() => api.stop());

  it('keeps the mp4 playable and says on the thumbnail and HLS URLs that ffmpeg is missing', async () => {
    const created = (await (
      await api.authed('/videos', { method: 'POST', body: '{"title":"plain"}' })
    ).json()) as Video;
    const video = await expectVideo(await sendSource(api, created.videoId, SAMPLE));
    const status = await until(api, video.videoId, (s) => s.ingest.status === 'ingested');
    assert.equal(status.encoding.playable, true);
    assert.equal((await fetch(video.assets.mp4!)).status, 200);
    for (const url of [video.assets.thumbnail, video.assets.hls]) {
      const response = await fetch(url);
      assert.equal(response.status, 501);
      assert.match(((await response.json()) as Problem).title, /ffmpeg is not installed/);
    }
    const pick = await api.authed(`/videos/${video.videoId}/thumbnail`, { method: 'PATCH', body: '{"timecode":"1"}' });
    assert.equal(pick.status, 501);
  });
});

describe("the local API's word on ffmpeg", () => {
  it('says on the console, once, that ffmpeg is missing; a server stopped while it looks says nothing', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    try {
      const missing = await startTestApi({ ffmpeg: '/nonexistent/ffmpeg' });
      for (let i = 0; i < 100 && warnings.length === 0; i++) await sleep(50);
      await missing.stop();
      assert.deepEqual(warnings, [
        'video-uploader: ffmpeg/ffprobe not found; thumbnails and HLS are off (install ffmpeg, or pass its path).',
      ]);
      // With ffmpeg installed, a stop during the check (it kills the check's ffmpeg) is not "not found".
      const stopped = await startTestApi();
      await stopped.stop();
      await sleep(500);
      assert.equal(warnings.length, 1, warnings.join('\n'));
    } finally {
      console.warn = warn;
    }
  });
});
