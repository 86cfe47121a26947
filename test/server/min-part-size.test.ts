/** `minPartSize`: a test server that takes parts smaller than api.video's 5 MiB (short browser recordings). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestApi, type TestApi } from '../support/api.js';
import { bytes, createToken, expectVideo, sendChunk, sha256 } from '../support/upload.js';

const SMALL = 64 * 1024;

describe('a video API started with minPartSize', () => {
  let api: TestApi;
  let token: string;
  before(async () => {
    api = await startTestApi({ minPartSize: SMALL });
    token = await createToken(api);
  });
  after(() => api.stop());

  it('takes part N/* of minPartSize bytes, then part N/N, into one source', async () => {
    const data = bytes(2 * SMALL + 999, 31);
    const first = await expectVideo(await sendChunk(api, token, data.subarray(0, SMALL), { range: 'part 1/*' }));
    const { videoId } = first;
    await expectVideo(await sendChunk(api, token, data.subarray(SMALL, 2 * SMALL), { range: 'part 2/*', videoId }));
    await expectVideo(await sendChunk(api, token, data.subarray(2 * SMALL), { range: 'part 3/3', videoId }));
    assert.equal(sha256(readFileSync(join(api.dataDir, 'videos', videoId, 'source'))), sha256(data));
  });

  it('still refuses a part below it that is not the last, naming the size', async () => {
    const response = await sendChunk(api, token, bytes(SMALL - 1), { range: 'part 1/*' });
    assert.equal(response.status, 400);
    const problem = (await response.json()) as { title: string; detail?: string };
    assert.equal(problem.title, 'The uploaded file is too small.');
    assert.match(problem.detail ?? '', /65536/);
  });
});
