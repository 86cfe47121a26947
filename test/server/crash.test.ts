/** A server killed with SIGKILL in the middle of a chunk loses that chunk only. */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MIN_PART_SIZE, type VideoStatus } from '../../src/protocol/index.js';
import { tempDir } from '../support/api.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { bytes, expectVideo, sendChunk, sha256, sha256File, split } from '../support/upload.js';

const PART = MIN_PART_SIZE;
const API_KEY = 'crash-test-api-key-51c0';

/**
 * Starts sending a chunk and never finishes it: the multipart head, the videoId, and the first
 * `sendBytes` bytes of the file. Resolves once they are written to the socket.
 */
function startChunk(
  url: string,
  token: string,
  videoId: string | undefined,
  range: string,
  data: Buffer,
  sendBytes: number,
): Promise<void> {
  const boundary = 'vu-crash-boundary';
  const req = request(`${url}/upload?token=${token}`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-range': range },
  });
  req.on('error', () => {});
  // Without a videoId before the file, the server cannot place the bytes yet and writes a temporary file.
  if (videoId) req.write(`--${boundary}\r\nContent-Disposition: form-data; name="videoId"\r\n\r\n${videoId}\r\n`);
  req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="crash.mp4"\r\n\r\n`);
  return new Promise((resolve) => req.write(data.subarray(0, sendBytes), () => resolve()));
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const sizeOf = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

describe('SIGKILL in the middle of a chunk', () => {
  const dataDir = tempDir('vu-crash-');
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function token(s: ServerProcess): Promise<string> {
    const response = await s.authed('/upload-tokens', { method: 'POST', body: '{}' });
    return ((await response.json()) as { token: string }).token;
  }
  const status = async (s: ServerProcess, id: string): Promise<VideoStatus> =>
    (await s.authed(`/videos/${id}/status`)).json() as Promise<VideoStatus>;

  it('keeps what arrived, and the upload continues to a byte-identical file (part N/M)', async () => {
    const data = bytes(2 * PART + 54_321, 61);
    const parts = split(data, PART);
    server = await startServerProcess(dataDir, API_KEY);
    const upload = await token(server);
    const video = await expectVideo(await sendChunk(server, upload, parts[0], { range: 'part 1/3' }));
    const partial = join(dataDir, 'videos', video.videoId, 'source.partial');

    // Part 2 goes straight into the source file; kill the server once some of it is on disk.
    await startChunk(server.url, upload, video.videoId, 'part 2/3', parts[1], 3 * 1024 * 1024);
    await until(() => sizeOf(partial) > PART + 1024 * 1024, 'part 2 to reach the disk');
    await server.kill();

    server = await startServerProcess(dataDir, API_KEY);
    const after = await status(server, video.videoId);
    assert.equal(after.ingest.status, 'uploading');
    assert.deepEqual(after.ingest.receivedParts, { parts: [1], total: 3 }, 'the half-written part does not count');
    assert.deepEqual(after.ingest.receivedBytes, [{ from: 0, to: PART - 1, total: null }]);

    // The same token still works after the restart; the client resumes with part 2.
    await expectVideo(await sendChunk(server, upload, parts[1], { range: 'part 2/3', videoId: video.videoId }));
    const done = await expectVideo(
      await sendChunk(server, upload, parts[2], { range: 'part 3/3', videoId: video.videoId }),
    );
    assert.equal((await status(server, video.videoId)).ingest.status, 'uploaded');
    assert.equal(sha256File(join(dataDir, 'videos', video.videoId, 'source')), sha256(data));
    const played = await fetch(done.assets.mp4!);
    assert.equal(sha256(Buffer.from(await played.arrayBuffer())), sha256(data));
  });

  it('drops a range cut off in place, and one cut off in a temporary file (bytes ranges)', async () => {
    const data = bytes(3 * PART + 999, 62);
    const parts = split(data, PART);
    server ??= await startServerProcess(dataDir, API_KEY);
    const upload = await token(server);
    const range = (i: number): string => `bytes ${i * PART}-${i * PART + parts[i].length - 1}/${data.length}`;
    const video = await expectVideo(await sendChunk(server, upload, parts[0], { range: range(0) }));
    // Part 3 has a known place and goes straight into the source file; it is cut off by the kill.
    await startChunk(server.url, upload, video.videoId, range(2), parts[2], PART - 1);
    const partial = join(dataDir, 'videos', video.videoId, 'source.partial');
    await until(() => sizeOf(partial) >= 2 * PART + 3 * 1024 * 1024, 'part 3 to reach the disk');
    // Part 2 comes without a videoId before its file, so it waits in a temporary file; cut off too.
    await startChunk(server.url, upload, undefined, range(1), parts[1], PART - 1);
    const incoming = join(dataDir, 'incoming');
    await until(
      () => readdirSync(incoming).some((name) => sizeOf(join(incoming, name)) >= 3 * 1024 * 1024),
      'part 2 to reach the disk',
    );
    await server.kill();

    server = await startServerProcess(dataDir, API_KEY);
    const after = await status(server, video.videoId);
    assert.deepEqual(after.ingest.receivedBytes, [{ from: 0, to: PART - 1, total: data.length }]);
    assert.deepEqual(readdirSync(incoming), [], 'the temporary file of the cut-off chunk is gone');
    for (const i of [3, 2, 1]) {
      await expectVideo(await sendChunk(server, upload, parts[i], { range: range(i), videoId: video.videoId }));
    }
    assert.equal(sha256File(join(dataDir, 'videos', video.videoId, 'source')), sha256(data));
  });

  it('assembles on restart a video whose last chunk was recorded just before the kill', async () => {
    const data = bytes(2 * PART + 4242, 63);
    const parts = split(data, PART);
    server ??= await startServerProcess(dataDir, API_KEY);
    const upload = await token(server);
    const video = await expectVideo(await sendChunk(server, upload, parts[0], { range: 'part 1/3' }));
    // Part 3 before part 2: its place is not known yet, so it waits in parts/3.
    await expectVideo(await sendChunk(server, upload, parts[2], { range: 'part 3/3', videoId: video.videoId }));
    await server.kill();
    // The state a kill leaves between recording the last part and assembling: part 2 on disk and
    // recorded, the video not yet marked uploaded.
    const dir = join(dataDir, 'videos', video.videoId);
    writeFileSync(join(dir, 'parts', '2'), parts[1]);
    const db = new Database(join(dataDir, 'video-api.sqlite'));
    db.prepare(
      'INSERT INTO video_chunks (video_seq, key, size, placed) SELECT seq, 2, ?, 0 FROM videos WHERE id = ?',
    ).run(parts[1].length, video.videoId);
    db.close();

    server = await startServerProcess(dataDir, API_KEY);
    const s = server;
    await until(() => existsSync(join(dir, 'source')), 'the assembly');
    for (let i = 0; i < 100 && (await status(s, video.videoId)).ingest.status !== 'uploaded'; i++) await sleep(20);
    assert.equal((await status(s, video.videoId)).ingest.status, 'uploaded');
    assert.equal(sha256File(join(dir, 'source')), sha256(data));
  });
});
