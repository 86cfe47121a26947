import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { MIN_PART_SIZE, type Video, type VideoStatus } from '../../src/protocol/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { PLACE_WAIT_MS } from '../../src/server/ingest.js';
import { bytes, createToken, expectVideo, heldChunk, sendChunk, sha256, sha256File, split } from '../support/upload.js';

const PART = MIN_PART_SIZE;

describe('POST /upload', () => {
  let api: TestApi;
  let token: string;
  /** 2 full parts and a short third one. */
  const data = bytes(2 * PART + 123_457, 7);
  const parts = split(data, PART);

  before(async () => {
    api = await startTestApi();
    token = await createToken(api);
  });
  after(async () => {
    await api.stop();
  });

  const sourceOf = (id: string): string => join(api.dataDir, 'videos', id, 'source');
  const status = async (id: string): Promise<VideoStatus> =>
    (await api.authed(`/videos/${id}/status`)).json() as Promise<VideoStatus>;

  async function assertAssembled(video: Video, original: Buffer): Promise<void> {
    assert.equal(sha256File(sourceOf(video.videoId)), sha256(original));
    const played = await fetch(video.assets.mp4!);
    assert.equal(played.status, 200);
    assert.equal(sha256(Buffer.from(await played.arrayBuffer())), sha256(original));
    const state = await status(video.videoId);
    assert.equal(state.ingest.status, 'uploaded');
    assert.equal(state.ingest.filesize, original.length);
    assert.equal(
      existsSync(join(api.dataDir, 'videos', video.videoId, 'parts')),
      false,
      'parts are removed after assembly',
    );
  }

  it('assembles a 3-part upload sent as part N/M', async () => {
    const first = await sendChunk(api, token, parts[0], { range: 'part 1/3', fileName: 'holiday.mp4' });
    const video = await expectVideo(first);
    assert.match(video.videoId, /^vi[0-9A-Za-z]{22}$/);
    assert.equal(first.headers.get('x-video-id'), video.videoId);
    assert.equal(video.title, 'holiday.mp4');
    assert.equal(video.source.uri, `/videos/${video.videoId}/source`);
    assert.equal(video.assets.mp4, `${api.url}/vod/${video.videoId}/mp4/source.mp4`);
    for (const key of ['player', 'hls', 'thumbnail', 'iframe'] as const)
      assert.equal(typeof video.assets[key], 'string');
    assert.equal(video.public, true);
    assert.ok(!Number.isNaN(Date.parse(video.createdAt)));
    assert.equal((await status(video.videoId)).ingest.status, 'uploading');
    await expectVideo(await sendChunk(api, token, parts[1], { range: 'part 2/3', videoId: video.videoId }));
    const last = await expectVideo(
      await sendChunk(api, token, parts[2], { range: 'part 3/3', videoId: video.videoId }),
    );
    assert.equal(last.videoId, video.videoId);
    await assertAssembled(video, data);
  });

  it('assembles a 3-part upload sent as part N/* with the last part as N/N', async () => {
    const video = await expectVideo(await sendChunk(api, token, parts[0], { range: 'part 1/*' }));
    await expectVideo(await sendChunk(api, token, parts[1], { range: 'part 2/*', videoId: video.videoId }));
    const middle = await status(video.videoId);
    assert.deepEqual(middle.ingest.receivedParts, { parts: [1, 2], total: null });
    await expectVideo(await sendChunk(api, token, parts[2], { range: 'part 3/3', videoId: video.videoId }));
    await assertAssembled(video, data);
  });

  it('assembles a 3-part upload sent as bytes FROM-TO/TOTAL', async () => {
    let offset = 0;
    let videoId: string | undefined;
    for (const part of parts) {
      const range = `bytes ${offset}-${offset + part.length - 1}/${data.length}`;
      const video = await expectVideo(await sendChunk(api, token, part, { range, videoId }));
      videoId = video.videoId;
      offset += part.length;
      if (offset < data.length) {
        const state = await status(videoId);
        assert.deepEqual(state.ingest.receivedBytes.at(-1), {
          from: offset - part.length,
          to: offset - 1,
          total: data.length,
        });
      }
    }
    await assertAssembled((await (await api.authed(`/videos/${videoId}`)).json()) as Video, data);
  });

  it('takes a whole file in one request without Content-Range', async () => {
    const small = bytes(300_000, 3);
    const video = await expectVideo(await sendChunk(api, token, small, { field: 'clip.mp4', fileName: 'clip.mp4' }));
    await assertAssembled(video, small);
  });

  it('accepts parts out of order and a videoId sent after the file', async () => {
    const video = await expectVideo(
      await sendChunk(api, token, parts[0], { range: 'part 1/3', fileName: 'out-of-order.mp4' }),
    );
    await expectVideo(
      await sendChunk(api, token, parts[2], { range: 'part 3/3', videoId: video.videoId, videoIdLast: true }),
    );
    assert.deepEqual((await status(video.videoId)).ingest.receivedParts, { parts: [1, 3], total: 3 });
    await expectVideo(
      await sendChunk(api, token, parts[1], { range: 'part 2/3', videoId: video.videoId, videoIdLast: true }),
    );
    await assertAssembled(video, data);
  });

  it('accepts bytes ranges out of order and in parallel', async () => {
    const first = `bytes 0-${PART - 1}/${data.length}`;
    const video = await expectVideo(await sendChunk(api, token, parts[0], { range: first }));
    const responses = await Promise.all([
      sendChunk(api, token, parts[2], {
        range: `bytes ${2 * PART}-${data.length - 1}/${data.length}`,
        videoId: video.videoId,
      }),
      sendChunk(api, token, parts[1], {
        range: `bytes ${PART}-${2 * PART - 1}/${data.length}`,
        videoId: video.videoId,
      }),
    ]);
    for (const response of responses) await expectVideo(response);
    await assertAssembled(video, data);
  });

  it('accepts part N/M parts in parallel after the first, as the engine sends them', async () => {
    const file = bytes(4 * PART + 5, 9);
    const chunks = split(file, PART);
    const video = await expectVideo(await sendChunk(api, token, chunks[0], { range: `part 1/${chunks.length}` }));
    const rest = await Promise.all(
      chunks
        .slice(1)
        .map((chunk, i) =>
          sendChunk(api, token, chunk, { range: `part ${i + 2}/${chunks.length}`, videoId: video.videoId }),
        ),
    );
    for (const response of rest) await expectVideo(response);
    await assertAssembled(video, file);
  });

  /** Whether each recorded part of a video was written in place (true) or copied in from a temporary file. */
  function placedParts(id: string): Record<number, boolean> {
    const db = new Database(join(api.dataDir, 'video-api.sqlite'), { readonly: true });
    try {
      const rows = db
        .prepare('SELECT key, placed FROM video_chunks WHERE video_seq = (SELECT seq FROM videos WHERE id = ?)')
        .all(id) as { key: number; placed: number }[];
      return Object.fromEntries(rows.map((row) => [row.key, row.placed === 1]));
    } finally {
      db.close();
    }
  }

  it('writes a part that comes while the previous one is still arriving in place', async () => {
    const file = bytes(3 * PART + 77, 21);
    const chunks = split(file, PART);
    const video = await expectVideo(await sendChunk(api, token, chunks[0], { range: 'part 1/4' }));
    const id = video.videoId;
    // Part 2's last bytes are still on their way when part 3 arrives (two parts side by side, as with the
    // element's `parallel`): part 3 waits for part 2 to be recorded, then goes in place.
    const second = heldChunk(api, token, chunks[1], { range: 'part 2/4', videoId: id, holdBytes: 64 * 1024 });
    await second.sent;
    const third = sendChunk(api, token, chunks[2], { range: 'part 3/4', videoId: id });
    await sleep(100);
    assert.equal((await second.finish()).status, 201);
    await expectVideo(await third);
    const done = await expectVideo(await sendChunk(api, token, chunks[3], { range: 'part 4/4', videoId: id }));
    assert.deepEqual(placedParts(id), { 1: true, 2: true, 3: true, 4: true });
    await assertAssembled(done, file);
  });

  it('writes a part to a temporary file when the one before it is held up, without waiting for it', async () => {
    const file = bytes(2 * PART + 99, 22);
    const chunks = split(file, PART);
    const video = await expectVideo(await sendChunk(api, token, chunks[0], { range: 'part 1/3' }));
    const id = video.videoId;
    const second = heldChunk(api, token, chunks[1], { range: 'part 2/3', videoId: id, holdBytes: 64 * 1024 });
    await second.sent;
    const started = Date.now();
    await expectVideo(await sendChunk(api, token, chunks[2], { range: 'part 3/3', videoId: id }));
    const waited = Date.now() - started;
    assert.ok(waited < PLACE_WAIT_MS + 1500, `part 3 waited ${waited} ms behind part 2`);
    const answer = await second.finish();
    assert.equal(answer.status, 201, answer.body);
    assert.deepEqual(placedParts(id), { 1: true, 2: true, 3: false });
    await assertAssembled(JSON.parse(answer.body) as Video, file);
  });

  it('answers 201 again to a part sent twice, before and after the upload finished', async () => {
    const video = await expectVideo(await sendChunk(api, token, parts[0], { range: 'part 1/3' }));
    const id = video.videoId;
    await expectVideo(await sendChunk(api, token, parts[1], { range: 'part 2/3', videoId: id }));
    const again = await expectVideo(await sendChunk(api, token, parts[1], { range: 'part 2/3', videoId: id }));
    assert.equal(again.videoId, id);
    await expectVideo(await sendChunk(api, token, parts[2], { range: 'part 3/3', videoId: id }));
    // The client lost the last 201 and sends the last part again.
    await expectVideo(await sendChunk(api, token, parts[2], { range: 'part 3/3', videoId: id }));
    await assertAssembled(video, data);
  });

  it('fills a video created in advance, keeping its title and privacy', async () => {
    const created = await api.authed('/videos', {
      method: 'POST',
      body: JSON.stringify({ title: 'Launch', public: false, tags: ['a'] }),
    });
    const video = await expectVideo(created, 201);
    assert.equal(video.public, false);
    assert.equal((await status(video.videoId)).ingest.status, 'uploading');
    for (const [i, part] of parts.entries()) {
      const response = await expectVideo(
        await sendChunk(api, token, part, { range: `part ${i + 1}/3`, videoId: video.videoId }),
      );
      assert.equal(response.title, 'Launch');
      assert.equal(response.public, false);
      assert.deepEqual(response.tags, ['a']);
    }
    await assertAssembled(video, data);
  });

  it('lets a refreshed token continue a video', async () => {
    // The first token is about to expire, as when the element refreshes it.
    const expiring = await createToken(api, 30);
    const other = await createToken(api, 60);
    const video = await expectVideo(await sendChunk(api, expiring, parts[0], { range: 'part 1/2' }));
    await expectVideo(await sendChunk(api, other, parts[2], { range: 'part 2/2', videoId: video.videoId }));
    await assertAssembled(video, Buffer.concat([parts[0], parts[2]]));
  });

  it('keeps 8 concurrent multi-part uploads intact', async () => {
    const files = Array.from({ length: 8 }, (_, i) => bytes(2 * PART + 1000 * (i + 1), 100 + i));
    const videos = await Promise.all(
      files.map(async (file, i) => {
        const chunks = split(file, PART);
        let id: string | undefined;
        for (const [n, chunk] of chunks.entries()) {
          const range =
            i % 2 === 0
              ? `part ${n + 1}/${chunks.length}`
              : `bytes ${n * PART}-${n * PART + chunk.length - 1}/${file.length}`;
          id = (await expectVideo(await sendChunk(api, token, chunk, { range, videoId: id }))).videoId;
        }
        return id!;
      }),
    );
    assert.equal(new Set(videos).size, 8);
    for (const [i, id] of videos.entries()) assert.equal(sha256File(sourceOf(id)), sha256(files[i]));
    assert.deepEqual(readdirSync(join(api.dataDir, 'incoming')), [], 'no temporary file is left behind');
  });

  it('titles a video after its file name, within 256 characters, and never blank', async () => {
    const token = await createToken(api);
    const long = `${'a'.repeat(255)}🎬 trailer.mp4`;
    const cases: [string, (title: string) => void][] = [
      ['  holiday.mp4  ', (title) => assert.equal(title, 'holiday.mp4')],
      ['Vacances à Saint-Malo — 夏.mp4', (title) => assert.equal(title, 'Vacances à Saint-Malo — 夏.mp4')],
      ['   ', (title) => assert.equal(title, 'untitled')],
      // The cut falls inside the emoji's surrogate pair: the half is dropped, not kept.
      [long, (title) => assert.equal(title, 'a'.repeat(255))],
    ];
    for (const [fileName, check] of cases) {
      const video = await expectVideo(await sendChunk(api, token, bytes(1000), { fileName }));
      check(video.title);
      assert.ok(video.title.length <= 256);
    }
  });
});
