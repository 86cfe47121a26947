/**
 * What a token holder can still do on the local API: send past its quota, fill the disk, write
 * another token's video, or make a second video by resending a first part.
 */
import assert from 'node:assert/strict';
import { statfsSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MiB, MIN_PART_SIZE, type Video, type VideoStatus } from '../../../src/protocol/index.js';
import { startTestApi, type TestApi } from '../../support/api.js';
import { bytes, createToken, expectVideo, sendChunk } from '../../support/upload.js';
import { expectProblem, fileChanges, snapshot } from './support.js';

const PART = MIN_PART_SIZE;

/** Sends only the headers of an upload declaring `length` bytes; resolves with the answer's status line and body. */
function headersOnly(api: TestApi, token: string, length: number): Promise<string> {
  const url = new URL(api.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if (/\r\n\r\n[\s\S]*\}$/.test(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
    socket.setTimeout(5_000, () => {
      socket.destroy();
      reject(new Error(`no answer before the body: ${text}`));
    });
    socket.write(
      `POST /upload?token=${token} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n` +
        `Content-Range: part 1/*\r\nContent-Length: ${length}\r\n\r\n`,
    );
  });
}

async function videoCount(api: TestApi): Promise<number> {
  const list = (await (await api.authed('/videos?pageSize=1')).json()) as { pagination: { itemsTotal: number } };
  return list.pagination.itemsTotal;
}

describe('upload token limits', () => {
  describe('quotas', () => {
    let api: TestApi;
    before(async () => {
      api = await startTestApi({ tokenQuota: { bytes: 11 * MiB, parts: 3 } });
    });
    after(() => api.stop());

    it('answers 413 on the part past the byte quota, with nothing written', async () => {
      const token = await createToken(api);
      const first = await expectVideo(await sendChunk(api, token, bytes(PART, 1), { range: 'part 1/*' }));
      await expectVideo(await sendChunk(api, token, bytes(PART, 2), { range: 'part 2/*', videoId: first.videoId }));
      const before = snapshot(api.dataDir);
      const refused = await sendChunk(api, token, bytes(PART, 3), { range: 'part 3/*', videoId: first.videoId });
      const problem = await expectProblem(refused, 413);
      assert.equal(problem.title, "The upload token's quota is used up.");
      assert.deepEqual(fileChanges(before, snapshot(api.dataDir)), []);
      const status = (await (await api.authed(`/videos/${first.videoId}/status`)).json()) as VideoStatus;
      assert.deepEqual(status.ingest.receivedParts.parts, [1, 2]);
      // The refusal comes from the headers: a declared length past the quota is answered before any body byte.
      assert.match(await headersOnly(api, token, 2 * MiB), /^HTTP\/1.1 413[\s\S]*upload-quota-exceeded/);
      // Another token has its own quota.
      await expectVideo(await sendChunk(api, await createToken(api), bytes(PART, 4), { range: 'part 1/*' }));
    });

    it('answers 413 on the part past the parts quota', async () => {
      const token = await createToken(api);
      for (let i = 0; i < 3; i++)
        await expectVideo(await sendChunk(api, token, bytes(1000, i), { fileName: `${i}.mp4` }));
      await expectProblem(await sendChunk(api, token, bytes(1000, 9), { fileName: 'x.mp4' }), 413);
    });
  });

  describe('free space', () => {
    let api: TestApi;
    before(async () => {
      const dataDir = (await import('../../support/api.js')).tempDir();
      const disk = statfsSync(dataDir);
      // Room for a small upload, not for one of 190 MiB.
      api = await startTestApi({ dataDir, minFreeSpace: Math.max(0, disk.bavail * disk.bsize - 120 * MiB) });
    });
    after(() => api.stop());

    it('answers 507 before the body when the declared length would not fit, and takes what fits', async () => {
      const token = await createToken(api);
      const answer = await headersOnly(api, token, 190 * MiB);
      assert.match(answer, /^HTTP\/1.1 507/);
      assert.match(answer, /"title":"The server has no room for this upload."/);
      await expectVideo(await sendChunk(api, token, bytes(MiB, 5)));
    });
  });

  describe('videos and tokens', () => {
    let api: TestApi;
    before(async () => {
      api = await startTestApi();
    });
    after(() => api.stop());

    it("refuses another token's write to a started video with 403, nothing written", async () => {
      const [owner, other] = [await createToken(api), await createToken(api)];
      const video = await expectVideo(await sendChunk(api, owner, bytes(PART, 1), { range: 'part 1/3' }));
      const before = snapshot(api.dataDir);
      for (const videoIdLast of [false, true]) {
        const refused = await sendChunk(api, other, bytes(PART, 2), {
          range: 'part 2/3',
          videoId: video.videoId,
          videoIdLast,
        });
        const problem = await expectProblem(refused, 403);
        assert.equal(problem.title, 'Another upload token is writing this video.');
      }
      assert.deepEqual(fileChanges(before, snapshot(api.dataDir)), []);
      await expectVideo(await sendChunk(api, owner, bytes(PART, 2), { range: 'part 2/3', videoId: video.videoId }));
    });

    it('binds a video created in advance to the first token that writes to it', async () => {
      const created = (await (
        await api.authed('/videos', { method: 'POST', body: JSON.stringify({ title: 'made ahead' }) })
      ).json()) as Video;
      const [first, second] = [await createToken(api), await createToken(api)];
      await expectVideo(await sendChunk(api, first, bytes(PART, 1), { range: 'part 1/2', videoId: created.videoId }));
      await expectProblem(
        await sendChunk(api, second, bytes(1000, 2), { range: 'part 2/2', videoId: created.videoId }),
        403,
      );
      const done = await expectVideo(
        await sendChunk(api, first, bytes(1000, 2), { range: 'part 2/2', videoId: created.videoId }),
      );
      assert.equal(done.videoId, created.videoId);
    });

    it('answers a resent first part with the video it made, making no second video', async () => {
      const token = await createToken(api);
      const count = await videoCount(api);
      const part = bytes(PART, 7);
      const first = await expectVideo(await sendChunk(api, token, part, { range: 'part 1/*', fileName: 'trip.mp4' }));
      // The answer was lost: the client sends the same first part again, without a videoId.
      const again = await expectVideo(await sendChunk(api, token, part, { range: 'part 1/*', fileName: 'trip.mp4' }));
      assert.equal(again.videoId, first.videoId);
      // A whole file in one request, sent twice.
      const whole = bytes(3000, 8);
      const one = await expectVideo(await sendChunk(api, token, whole, { fileName: 'one.mp4' }));
      const two = await expectVideo(await sendChunk(api, token, whole, { fileName: 'one.mp4' }));
      assert.equal(two.videoId, one.videoId);
      assert.equal(await videoCount(api), count + 2);
      // Another token, another name or another size is another video.
      const other = await expectVideo(await sendChunk(api, await createToken(api), whole, { fileName: 'one.mp4' }));
      const renamed = await expectVideo(await sendChunk(api, token, whole, { fileName: 'two.mp4' }));
      const resized = await expectVideo(await sendChunk(api, token, bytes(3001, 8), { fileName: 'one.mp4' }));
      assert.equal(new Set([one.videoId, other.videoId, renamed.videoId, resized.videoId]).size, 4);
    });
  });
});
