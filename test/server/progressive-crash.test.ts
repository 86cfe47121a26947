/** `part N/*` then `part N/N` on /upload and on /videos/{id}/source, with a SIGKILL between two parts. */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MIN_PART_SIZE, type Video, type VideoStatus } from '../../src/protocol/index.js';
import { basic, tempDir } from '../support/api.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { bytes, expectVideo, sendChunk, sha256, sha256File, split } from '../support/upload.js';

const API_KEY = 'progressive-crash-key-7d1e';

function sendSource(server: ServerProcess, id: string, data: Uint8Array, range: string): Promise<Response> {
  const form = new FormData();
  form.append('part.webm', new Blob([data as Uint8Array<ArrayBuffer>]), 'part.webm');
  return fetch(`${server.url}/videos/${id}/source`, {
    method: 'POST',
    body: form,
    headers: { authorization: basic(API_KEY), 'content-range': range },
  });
}

describe('progressive upload (part N/*) across a SIGKILL', () => {
  const dataDir = tempDir('vu-progressive-');
  let server: ServerProcess | undefined;
  after(async () => {
    await server?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const status = async (id: string): Promise<VideoStatus> =>
    (await server!.authed(`/videos/${id}/status`)).json() as Promise<VideoStatus>;

  for (const route of ['/upload', '/videos/{id}/source'] as const) {
    it(`keeps the parts received and completes after a restart (${route})`, async () => {
      const data = bytes(2 * MIN_PART_SIZE + 33_333, route === '/upload' ? 81 : 82);
      const parts = split(data, MIN_PART_SIZE);
      server ??= await startServerProcess(dataDir, API_KEY);
      let token = '';
      let id: string;
      const send = async (part: Buffer, range: string): Promise<Video> =>
        route === '/upload'
          ? expectVideo(await sendChunk(server!, token, part, { range, videoId: id }))
          : expectVideo(await sendSource(server!, id, part, range));
      if (route === '/upload') {
        token = (
          (await (await server.authed('/upload-tokens', { method: 'POST', body: '{}' })).json()) as { token: string }
        ).token;
        id = (await expectVideo(await sendChunk(server, token, parts[0], { range: 'part 1/*' }))).videoId;
      } else {
        id = ((await (await server.authed('/videos', { method: 'POST', body: '{"title":"rec"}' })).json()) as Video)
          .videoId;
        await send(parts[0], 'part 1/*');
      }
      assert.deepEqual((await status(id)).ingest.receivedParts, { parts: [1], total: null });

      await server.kill();
      // On a new port: fetch would reuse a pooled connection to the killed process on the old one.
      server = await startServerProcess(dataDir, API_KEY);
      const restarted = await status(id);
      assert.equal(restarted.ingest.status, 'uploading');
      assert.deepEqual(restarted.ingest.receivedParts, { parts: [1], total: null });

      await send(parts[1], 'part 2/*');
      assert.deepEqual((await status(id)).ingest.receivedParts, { parts: [1, 2], total: null });
      await send(parts[2], 'part 3/3');
      const done = await status(id);
      assert.deepEqual(done.ingest.receivedParts, { parts: [1, 2, 3], total: 3 });
      assert.notEqual(done.ingest.status, 'uploading');
      assert.equal(sha256File(join(dataDir, 'videos', id, 'source')), sha256(data));
    });
  }
});
