/**
 * Upload connections as an attacker holds them: many slow uploads from one address, a body that
 * trickles a byte now and then.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MIN_PART_SIZE, type Video } from '../../../src/protocol/index.js';
import { startTestApi, type TestApi } from '../../support/api.js';
import { bytes, createToken } from '../../support/upload.js';

/** A slow upload: its headers and the start of its body, then nothing; collects what the server says. */
function slowUpload(
  api: TestApi,
  token: string,
  localAddress = '127.0.0.1',
): { socket: Socket; said: () => string; closed: Promise<void> } {
  const url = new URL(api.url);
  const socket = connect({ port: Number(url.port), host: url.hostname, localAddress });
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString()));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const preamble =
    '--b\r\nContent-Disposition: form-data; name="file"; filename="slow.mp4"\r\nContent-Type: video/mp4\r\n\r\n';
  socket.write(
    `POST /upload?token=${token} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n` +
      `Content-Range: part 1/*\r\nContent-Length: ${6 * 1024 * 1024}\r\n\r\n${preamble}abc`,
  );
  return { socket, said: () => text, closed };
}

/** An upload in one request through node:http from `localAddress`, another client on loopback. */
function uploadFrom(
  api: TestApi,
  token: string,
  data: Buffer,
  localAddress: string,
): Promise<{ status: number; video: Video }> {
  const boundary = 'xyzboundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="other.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = Buffer.concat([head, data, tail]);
  return new Promise((resolve, reject) => {
    const req = request(
      `${api.url}/upload?token=${token}`,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, video: JSON.parse(text) as Video }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const until = async (check: () => boolean, ms: number, what: string): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe('upload connections', () => {
  describe('per address', () => {
    let api: TestApi;
    before(async () => {
      // The rate floor frees the slots of clients that went away (a half-closed socket is not seen at once).
      api = await startTestApi({ connections: { maxUploadsPerAddress: 32, minRateBytes: 1, minRateWindowMs: 15_000 } });
    });
    after(() => api.stop());

    it('refuses 200 slow uploads from one address past the limit while another client uploads', async () => {
      const token = await createToken(api);
      const slow = Array.from({ length: 200 }, () => slowUpload(api, token));
      const refused = (): number => slow.filter((s) => s.said().startsWith('HTTP/1.1 429')).length;
      await until(() => refused() === 168, 20_000, `168 refusals (got ${refused()})`);
      const answer = slow.find((s) => s.said().startsWith('HTTP/1.1 429'))!.said();
      assert.match(answer, /"title":"Too many uploads from this address."/);
      assert.match(answer, /retry-after: 5/i);
      // The 32 admitted ones are still held open, unanswered.
      assert.equal(slow.filter((s) => s.said() === '' && !s.socket.destroyed).length, 32);
      // Another address is its own client: its upload goes through meanwhile.
      const data = bytes(MIN_PART_SIZE + 1234, 3);
      const other = await uploadFrom(api, await createToken(api), data, '127.0.0.2');
      assert.equal(other.status, 201);
      assert.equal(other.video.title, 'other.mp4');
      // When the slow ones go, the address may upload again.
      for (const s of slow) s.socket.destroy();
      await Promise.all(slow.map((s) => s.closed));
      // The server frees their slots within two windows of the rate floor.
      const deadline = Date.now() + 45_000;
      let again = 0;
      while (again !== 201 && Date.now() < deadline) {
        again = (await uploadFrom(api, token, bytes(2000, 4), '127.0.0.1')).status;
        if (again !== 201) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(again, 201);
    });
  });

  describe('minimum rate', () => {
    let api: TestApi;
    before(async () => {
      api = await startTestApi({
        connections: { minRateBytes: 64 * 1024, minRateWindowMs: 1_000 },
      });
    });
    after(() => api.stop());

    it('answers 408 and closes an upload whose body trickles below the rate, while a steady one completes', async () => {
      const token = await createToken(api);
      const trickle = slowUpload(api, token);
      const dripping = setInterval(() => trickle.socket.write('x'), 200);
      try {
        const started = Date.now();
        const steady = await uploadFrom(api, token, bytes(MIN_PART_SIZE, 5), '127.0.0.1');
        assert.equal(steady.status, 201);
        await trickle.closed;
        assert.match(trickle.said(), /^HTTP\/1.1 408/);
        assert.ok(Date.now() - started < 6_000, `closed after ${Date.now() - started} ms`);
      } finally {
        clearInterval(dripping);
      }
    });
  });
});
