import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_UPLOAD_REQUEST, MIN_PART_SIZE, type Problem } from '../../src/protocol/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { bytes, createToken, expectVideo, sendChunk } from '../support/upload.js';

const PART = MIN_PART_SIZE;
const MiB = 1024 * 1024;

async function expectProblem(response: Response, status: number, title: string): Promise<Problem> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const problem = JSON.parse(text) as Problem;
  assert.equal(problem.status, status);
  assert.equal(problem.title, title);
  assert.match(problem.type, /^https:\/\/docs\.api\.video\/reference\//);
  return problem;
}

/** A multipart body by hand, for shapes FormData cannot make. */
function multipart(
  parts: { name: string; filename?: string; data: Buffer | string }[],
  boundary = 'vu-boundary-7',
): { body: Buffer; type: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename !== undefined ? `; filename="${part.filename}"` : ''}`;
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`),
      Buffer.from(part.data),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

describe('POST /upload refusals', () => {
  let api: TestApi;
  let token: string;
  let clock = Date.now();

  before(async () => {
    api = await startTestApi({ now: () => clock });
    token = await createToken(api);
  });
  after(async () => {
    await api.stop();
  });

  const videoCount = async (): Promise<number> =>
    ((await (await api.authed('/videos')).json()) as { pagination: { itemsTotal: number } }).pagination.itemsTotal;
  const post = (body: Buffer, type: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${api.url}/upload?token=${token}`, {
      method: 'POST',
      body: body as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': type, ...headers },
    });

  describe('401', () => {
    it('refuses a request without a token', async () => {
      await expectProblem(await sendChunk(api, undefined, bytes(10)), 401, 'The upload token is missing.');
      await expectProblem(await sendChunk(api, '', bytes(10)), 401, 'The upload token is missing.');
    });

    it('refuses an unknown token', async () => {
      await expectProblem(
        await sendChunk(api, 'to0000000000000000000000', bytes(10)),
        401,
        'The upload token is invalid or expired.',
      );
    });

    it('refuses a deleted token', async () => {
      const gone = await createToken(api);
      assert.equal((await api.authed(`/upload-tokens/${gone}`, { method: 'DELETE' })).status, 204);
      await expectProblem(await sendChunk(api, gone, bytes(10)), 401, 'The upload token is invalid or expired.');
    });

    it('refuses an expired token, also in the middle of an upload', async () => {
      const short = await createToken(api, 60);
      const video = await expectVideo(await sendChunk(api, short, bytes(PART), { range: 'part 1/2' }));
      clock += 61_000;
      await expectProblem(
        await sendChunk(api, short, bytes(10), { range: 'part 2/2', videoId: video.videoId }),
        401,
        'The upload token is invalid or expired.',
      );
    });
  });

  describe('404', () => {
    it('refuses a videoId that does not exist, wherever it sits in the form', async () => {
      for (const videoIdLast of [false, true]) {
        const response = await sendChunk(api, token, bytes(1000), { videoId: 'vi0000000000000000000000', videoIdLast });
        const problem = await expectProblem(response, 404, 'The requested resource was not found.');
        assert.equal(problem.name, 'videoId');
      }
      await expectProblem(
        await sendChunk(api, token, bytes(1000), { videoId: '../../etc' }),
        404,
        'The requested resource was not found.',
      );
    });
  });

  describe('400', () => {
    it('refuses a malformed Content-Range', async () => {
      for (const range of [
        'parts 1/3',
        'part 0/3',
        'part x/3',
        'bytes 10-5/100',
        'bytes 0-99/50',
        'bytes 0-9',
        'bytes */100',
      ]) {
        await expectProblem(
          await sendChunk(api, token, bytes(10), { range }),
          400,
          'The value of the "Content-Range" header is malformed, the expected format is "bytes <from_byte>-<to_byte>/<total_bytes>" or "part <part>/<total_parts>".',
        );
      }
    });

    it('refuses a part numbered above the total', async () => {
      await expectProblem(
        await sendChunk(api, token, bytes(10), { range: 'part 4/3' }),
        400,
        'The "part" value in the "Content-Range" header is higher than the "total_parts" value.',
      );
    });

    it('refuses zero parts', async () => {
      await expectProblem(
        await sendChunk(api, token, bytes(10), { range: 'part 1/0' }),
        400,
        'The "total_parts" value in the "Content-Range" header must be greater than 0.',
      );
    });

    it('refuses more than 10,000 parts', async () => {
      await expectProblem(
        await sendChunk(api, token, bytes(10), { range: 'part 1/10001' }),
        400,
        'The "part" value in the "Content-Range" header is higher than the maximum number of parts allowed for a video.',
      );
      await expectProblem(
        await sendChunk(api, token, bytes(10), { range: 'part 10001/*' }),
        400,
        'The "part" value in the "Content-Range" header is higher than the maximum number of parts allowed for a video.',
      );
    });

    it('refuses a part below 5 MiB that is not the last', async () => {
      const before = await videoCount();
      await expectProblem(
        await sendChunk(api, token, bytes(PART - 1), { range: 'part 1/3' }),
        400,
        'The uploaded file is too small.',
      );
      await expectProblem(
        await sendChunk(api, token, bytes(1000), { range: 'part 1/*' }),
        400,
        'The uploaded file is too small.',
      );
      await expectProblem(
        await sendChunk(api, token, bytes(1000), { range: 'bytes 0-999/20000000' }),
        400,
        'The uploaded file is too small.',
      );
      assert.equal(await videoCount(), before, 'a refused first chunk creates no video');
      const video = await expectVideo(await sendChunk(api, token, bytes(PART), { range: 'part 1/3' }));
      await expectProblem(
        await sendChunk(api, token, bytes(1000), { range: 'part 2/3', videoId: video.videoId }),
        400,
        'The uploaded file is too small.',
      );
    });

    it('refuses mixing part and bytes ranges', async () => {
      const video = await expectVideo(await sendChunk(api, token, bytes(PART), { range: 'part 1/2' }));
      await expectProblem(
        await sendChunk(api, token, bytes(10), {
          range: `bytes ${PART}-${PART + 9}/${PART + 10}`,
          videoId: video.videoId,
        }),
        400,
        'This "Content-Range" upload has been started with "part", you cannot continue it with "bytes".',
      );
      const byRange = await expectVideo(
        await sendChunk(api, token, bytes(PART), { range: `bytes 0-${PART - 1}/${PART + 10}` }),
      );
      await expectProblem(
        await sendChunk(api, token, bytes(10), { range: 'part 2/2', videoId: byRange.videoId }),
        400,
        'This "Content-Range" upload has been started with "bytes", you cannot continue it with "part".',
      );
    });

    it('refuses a changed total', async () => {
      const video = await expectVideo(await sendChunk(api, token, bytes(PART), { range: 'part 1/3' }));
      await expectProblem(
        await sendChunk(api, token, bytes(PART), { range: 'part 2/4', videoId: video.videoId }),
        400,
        'The "total_parts" value in the "Content-Range" header must be the same than the one you already set for this video.',
      );
      await expectProblem(
        await sendChunk(api, token, bytes(PART), { range: 'part 4/*', videoId: video.videoId }),
        400,
        'The "part" value in the "Content-Range" header is higher than the "total_parts" value.',
      );
      const open = await expectVideo(await sendChunk(api, token, bytes(PART), { range: 'part 1/*' }));
      await expectVideo(await sendChunk(api, token, bytes(PART), { range: 'part 2/*', videoId: open.videoId }));
      // The last part says there is one part only, but two arrived.
      await expectProblem(
        await sendChunk(api, token, bytes(10), { range: 'part 1/1', videoId: open.videoId }),
        400,
        'The "total_parts" value in the "Content-Range" header is lower than the number of parts already uploaded.',
      );
      const byRange = await expectVideo(
        await sendChunk(api, token, bytes(PART), { range: `bytes 0-${PART - 1}/${3 * PART}` }),
      );
      await expectProblem(
        await sendChunk(api, token, bytes(PART), {
          range: `bytes ${PART}-${2 * PART - 1}/${4 * PART}`,
          videoId: byRange.videoId,
        }),
        400,
        'The "total_bytes" value in the "Content-Range" header must be the same than the one you already set for this video.',
      );
    });

    it('refuses overlapping ranges', async () => {
      const total = 3 * PART;
      const video = await expectVideo(
        await sendChunk(api, token, bytes(PART), { range: `bytes 0-${PART - 1}/${total}` }),
      );
      await expectProblem(
        await sendChunk(api, token, bytes(PART), {
          range: `bytes ${PART - 10}-${2 * PART - 11}/${total}`,
          videoId: video.videoId,
        }),
        400,
        'The range in the "Content-Range" header overlaps with a previous one you already sent for this video.',
      );
      const state = await (await api.authed(`/videos/${video.videoId}/status`)).json();
      assert.deepEqual(state.ingest.receivedBytes, [{ from: 0, to: PART - 1, total }]);
    });

    it('refuses a range whose length differs from the bytes sent', async () => {
      await expectProblem(
        await sendChunk(api, token, bytes(50), { range: 'bytes 0-99/100' }),
        400,
        'The size of the file you sent is different than the range length you set in the "Content-Range" header.',
      );
      await expectProblem(
        await sendChunk(api, token, bytes(150), { range: 'bytes 0-99/100' }),
        400,
        'The size of the file you sent is different than the range length you set in the "Content-Range" header.',
      );
      // Also when the chunk is written straight into place: nothing past its range is touched.
      const total = 2 * PART;
      const video = await expectVideo(
        await sendChunk(api, token, bytes(PART, 1), { range: `bytes 0-${PART - 1}/${total}` }),
      );
      await expectProblem(
        await sendChunk(api, token, bytes(PART + 1), {
          range: `bytes ${PART}-${total - 1}/${total}`,
          videoId: video.videoId,
        }),
        400,
        'The size of the file you sent is different than the range length you set in the "Content-Range" header.',
      );
    });

    it('refuses a part sent again with another size', async () => {
      const video = await expectVideo(await sendChunk(api, token, bytes(PART), { range: 'part 1/3' }));
      await expectProblem(
        await sendChunk(api, token, bytes(PART + 1), { range: 'part 1/3', videoId: video.videoId }),
        400,
        'The "part" value in the "Content-Range" header collides with a previous one you already sent for this video.',
      );
    });

    it('refuses a source that was already uploaded', async () => {
      const video = await expectVideo(await sendChunk(api, token, bytes(1000)));
      await expectProblem(
        await sendChunk(api, token, bytes(2000), { videoId: video.videoId }),
        400,
        'The source of the video is already uploaded.',
      );
      await expectProblem(
        await sendChunk(api, token, bytes(10), { range: 'bytes 0-9/10', videoId: video.videoId }),
        400,
        'The source of the video is already uploaded.',
      );
    });

    it('refuses a body without a file part', async () => {
      const form = multipart([
        { name: 'title', data: 'x' },
        { name: 'description', data: 'y' },
      ]);
      await expectProblem(await post(form.body, form.type), 400, 'There is no uploaded file in the request.');
      const none = multipart([]);
      await expectProblem(await post(none.body, none.type), 400, 'There is no uploaded file in the request.');
    });

    it('refuses two file parts', async () => {
      const form = multipart([
        { name: 'file', filename: 'a.mp4', data: bytes(100) },
        { name: 'file', filename: 'b.mp4', data: bytes(100) },
      ]);
      await expectProblem(
        await post(form.body, form.type),
        400,
        'There is more than one uploaded file in the request.',
      );
    });

    it('refuses an empty file', async () => {
      const before = await videoCount();
      await expectProblem(await sendChunk(api, token, Buffer.alloc(0)), 400, 'The uploaded file is empty.');
      assert.equal(await videoCount(), before);
    });

    it('refuses a body that is not multipart/form-data, or broken', async () => {
      await expectProblem(
        await post(Buffer.from('{}'), 'application/json'),
        400,
        'There is no uploaded file in the request.',
      );
      await expectProblem(await post(Buffer.from('x'), 'multipart/form-data'), 400, 'The uploaded file is invalid.');
      const form = multipart([{ name: 'file', filename: 'a.mp4', data: bytes(100) }]);
      const cut = form.body.subarray(0, form.body.length - 20);
      await expectProblem(await post(cut, form.type), 400, 'The uploaded file is invalid.');
    });

    it('refuses a later chunk without videoId when no upload matches it', async () => {
      await expectProblem(
        await sendChunk(api, token, bytes(PART), { range: 'part 2/3', fileName: 'unknown.mp4' }),
        400,
        'This attribute is required.',
      );
    });

    it('refuses a request announcing more than 200 MiB without reading it', async () => {
      const response = await rawUpload(api.url, token, {
        declaredLength: MAX_UPLOAD_REQUEST + 10 * MiB,
        send: 1 * MiB,
      });
      assert.equal(response.status, 400);
      assert.equal(JSON.parse(response.body).title, 'The uploaded file is too large.');
    });

    it('answers a streamed request over 200 MiB as soon as the limit is crossed, and keeps serving', async () => {
      const limit = 260 * MiB;
      const response = await rawUpload(api.url, token, { send: limit });
      assert.equal(response.status, 400);
      assert.equal(JSON.parse(response.body).title, 'The uploaded file is too large.');
      assert.ok(response.sentBeforeAnswer > MAX_UPLOAD_REQUEST, 'the limit was crossed');
      assert.ok(
        response.sentBeforeAnswer < limit,
        `answered before the client finished (${response.sentBeforeAnswer} bytes sent)`,
      );
      // The server still serves, and left no temporary file.
      await expectVideo(await sendChunk(api, token, bytes(1000)));
      assert.deepEqual(readdirSync(join(api.dataDir, 'incoming')), []);
    });
  });

  it('answers the CORS preflight of a chunk', async () => {
    const response = await fetch(`${api.url}/upload?token=${token}`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-range, av-origin-client',
      },
    });
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.match(response.headers.get('access-control-allow-headers') ?? '', /Content-Range/i);
    assert.match(response.headers.get('access-control-allow-headers') ?? '', /AV-Origin-Client/i);
    const chunk = await sendChunk(api, token, bytes(100));
    assert.equal(chunk.headers.get('access-control-allow-origin'), '*');
    assert.match(chunk.headers.get('access-control-expose-headers') ?? '', /X-Video-Id/i);
  });
});

interface RawResult {
  status: number;
  body: string;
  /** Bytes of file data the client had written when the answer arrived. */
  sentBeforeAnswer: number;
}

/** Streams a multipart file part of `send` bytes with node:http, stopping as soon as an answer arrives. */
function rawUpload(
  base: string,
  token: string,
  options: { send: number; declaredLength?: number },
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const boundary = 'vu-raw-boundary';
    const headers: Record<string, string | number> = { 'content-type': `multipart/form-data; boundary=${boundary}` };
    if (options.declaredLength !== undefined) headers['content-length'] = options.declaredLength;
    const req = request(`${base}/upload?token=${token}`, { method: 'POST', headers });
    const block = Buffer.alloc(MiB, 0x61);
    let sent = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const sentBeforeAnswer = sent;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), sentBeforeAnswer }),
      );
      res.on('error', reject);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n\r\n`);
    const pump = (): void => {
      while (!answered && sent < options.send) {
        sent += block.length;
        if (!req.write(block)) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered && options.declaredLength === undefined) req.end(`\r\n--${boundary}--\r\n`);
    };
    pump();
  });
}
