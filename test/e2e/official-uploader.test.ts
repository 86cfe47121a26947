/**
 * api.video's own browser uploader, `@api.video/video-uploader`, unchanged, against the local API in the three
 * engines. It builds its URLs as `https://{apiHost}`, so the API sits behind a TLS front on loopback (a
 * throwaway self-signed certificate, accepted by the test's browsers only) that pipes each connection's bytes
 * to it: what a site would see with api.video's uploader pointed at the local API behind a TLS proxy.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Video } from '../../src/protocol/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { enginesFrom, launchEngine, type EngineBrowser, type EngineName } from '../support/engines.js';
import { startTlsFront, type TlsFront } from '../support/tls-front.js';
import { createToken } from '../support/upload.js';

const MiB = 1024 * 1024;
const UPLOADER = readFileSync(new URL('../../node_modules/@api.video/video-uploader/dist/index.js', import.meta.url));

/** The bytes the page builds (`bytesScript`), made here too: byte i of a file of `size` with `seed`. */
function bytesOf(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 17 + (i >>> 11)) & 0xff;
  return out;
}
const bytesScript = `window.bytesOf = (size, seed) => {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed * 17 + (i >>> 11)) & 0xff;
  return out;
};`;

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe("api.video's own browser uploader against the local API", () => {
  let api: TestApi;
  let front: TlsFront;
  let site: Server;
  let siteUrl: string;

  before(async () => {
    api = await startTestApi();
    front = await startTlsFront(api.url);
    // The page (plain http on loopback, a secure context) loads the uploader's own UMD file as it ships.
    site = createServer((req, res) => {
      if (req.url === '/uploader.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(UPLOADER);
      else
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            `<!doctype html><meta charset="utf-8"><title>official uploader</title><script src="/uploader.js"></script><script>${bytesScript}</script>`,
          );
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
  });

  after(async () => {
    site?.close();
    front?.close();
    await api?.stop();
  });

  /** The source the API stored for `videoId`, from its mp4 asset. */
  async function stored(videoId: string): Promise<{ video: Video; sha256: string; size: number }> {
    const video = (await (await api.authed(`/videos/${videoId}`)).json()) as Video;
    const body = Buffer.from(await (await fetch(video.assets!.mp4!)).arrayBuffer());
    return { video, sha256: sha256(body), size: body.length };
  }

  for (const engine of enginesFrom(process.env.E2E_BROWSERS ?? 'chromium,firefox,webkit')) describeEngine(engine);

  function describeEngine(engine: EngineName): void {
    describe(engine, () => {
      let browser: EngineBrowser;
      before(async () => {
        browser = await launchEngine(engine, { acceptInsecureCerts: true });
      });
      after(async () => {
        await browser?.close();
      });

      it('VideoUploader sends a 12 MiB file in 5 MiB chunks (part N/M) with a delegated token', async () => {
        const token = await createToken(api);
        const page = await browser.newPage();
        try {
          await page.goto(siteUrl);
          await page.waitFor("typeof window.VideoUploader === 'function'");
          const size = 12 * MiB;
          const videoId = await page.evaluate<string>(`(async () => {
            const file = new File([window.bytesOf(${size}, 1)], 'official.mp4', { type: 'video/mp4' });
            const uploader = new VideoUploader({ file, uploadToken: ${JSON.stringify(token)}, apiHost: ${JSON.stringify(front.host)}, chunkSize: 5 * 1024 * 1024 });
            const video = await uploader.upload();
            return video.videoId;
          })()`);
          const { video, sha256: digest, size: storedSize } = await stored(videoId);
          assert.equal(video.title, 'official.mp4');
          assert.equal(storedSize, size);
          assert.equal(digest, sha256(bytesOf(size, 1)));
        } finally {
          await page.close();
        }
      });

      it('ProgressiveUploader sends parts as they come, then the last one, into one video', async () => {
        const token = await createToken(api);
        const page = await browser.newPage();
        try {
          await page.goto(siteUrl);
          await page.waitFor("typeof window.ProgressiveUploader === 'function'");
          const part = 5 * MiB + 123;
          const last = 1 * MiB + 7;
          const videoId = await page.evaluate<string>(`(async () => {
            const all = window.bytesOf(${2 * part + last}, 2);
            const uploader = new ProgressiveUploader({ uploadToken: ${JSON.stringify(token)}, apiHost: ${JSON.stringify(front.host)} });
            await uploader.uploadPart(new Blob([all.subarray(0, ${part})]));
            await uploader.uploadPart(new Blob([all.subarray(${part}, ${2 * part})]));
            const video = await uploader.uploadLastPart(new Blob([all.subarray(${2 * part})]));
            return video.videoId;
          })()`);
          const { sha256: digest, size: storedSize } = await stored(videoId);
          assert.equal(storedSize, 2 * part + last);
          assert.equal(digest, sha256(bytesOf(2 * part + last, 2)));
        } finally {
          await page.close();
        }
      });
    });
  }
});
