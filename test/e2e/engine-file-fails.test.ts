/**
 * The built element on a site whose CDN fails the upload engine's file once (a 503, as a CDN error would), in
 * Chromium and Firefox: the visitor's upload and then a recording both work, with the engine loaded under its
 * one URL. The recorder's chunk imports the engine by that URL, and Firefox keeps a failed `import()` failed
 * for its URL: the element fetches the file before importing it, so the failure never reaches the module map.
 * Needs the build (`npm run build`).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tempDir } from '../support/api.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { enginesFrom, launchEngine } from '../support/engines.js';

const FIXTURE = 'test/fixtures/sample.mp4';
const CDN = 'dist/cdn';
const ENGINE_FILE = 'video-uploader-engine.min.js';

describe(
  'the built element when its CDN fails the engine file once',
  { skip: !existsSync(join(CDN, ENGINE_FILE)) && 'run `npm run build` first' },
  () => {
    let site: Server;
    let siteUrl: string;
    let dev: CliProcess;
    let devUrl: string;
    /** Requests for the engine's file (with their query and answer), and how many more are to fail. */
    let engineRequests: string[] = [];
    let failsLeft = 0;
    const dataDir = tempDir('vu-engine-fails-');

    before(async () => {
      site = createServer((request, response) => {
        const url = new URL(request.url ?? '/', 'http://site');
        if (url.pathname === '/') {
          response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><title>A site</title><link rel="icon" href="data:," />
<script type="module" src="/cdn/video-uploader.min.js"></script></head>
<body><video-uploader token-url="${devUrl}/api/upload-token" sources="file camera"></video-uploader>
<ol id="log"></ol>
<script>
  for (const type of ['video-upload-complete', 'video-upload-error', 'video-upload-record-stop']) {
    document.querySelector('video-uploader').addEventListener(type, (event) => {
      const item = document.createElement('li');
      item.textContent = type + ' ' + (event.detail.video?.videoId ?? event.detail.error?.code ?? '');
      document.getElementById('log').append(item);
    });
  }
</script></body></html>`);
          return;
        }
        const name = url.pathname.startsWith('/cdn/') ? url.pathname.slice('/cdn/'.length) : '';
        if (!/^video-uploader[\w-]*\.min\.js$/.test(name) || !existsSync(join(CDN, name))) {
          response.writeHead(404).end();
          return;
        }
        if (name === ENGINE_FILE) {
          const fail = failsLeft > 0;
          if (fail) failsLeft--;
          engineRequests.push(`${url.search} ${fail ? 503 : 200}`);
          if (fail) {
            response.writeHead(503, { 'cache-control': 'no-store' }).end('unavailable');
            return;
          }
        }
        // As a CDN serves a pinned version: cacheable, so the element's import after its fetch is a cache hit.
        response
          .writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'public, max-age=3600' })
          .end(readFileSync(join(CDN, name)));
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
      dev = runCli(['dev', '--port', '0', '--data-dir', dataDir, '--quiet', '--allow-origin', siteUrl]);
      [, devUrl] = (await dev.waitFor(/Demo\s+(http:\/\/127\.0\.0\.1:\d+)\//, 90_000)) as unknown as [string, string];
    });

    after(async () => {
      dev?.child.kill('SIGTERM');
      await dev?.exited;
      site?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    // WebKitGTK's MediaRecorder on Debian records nothing (test/element/browser/record.test.ts).
    for (const engine of enginesFrom(process.env.E2E_BROWSERS ?? 'chromium,firefox,webkit').filter(
      (name) => name !== 'webkit',
    )) {
      it(`${engine}: uploads a file, then records, with the engine loaded under its one URL`, async () => {
        engineRequests = [];
        failsLeft = 1;
        const browser = await launchEngine(engine);
        try {
          const page = await browser.newPage({ width: 900, height: 900 });
          await page.goto(`${siteUrl}/`);
          await page.waitFor("customElements.get('video-uploader') !== undefined");
          const shadow = "document.querySelector('video-uploader').shadowRoot";
          const press = (name: string): Promise<unknown> =>
            page.evaluate(`${shadow}.querySelector('[part~="${name}"]').click()`);
          const logged = (what: string): string =>
            `document.getElementById('log').textContent.includes(${JSON.stringify(what)})`;
          // The element asked for its engine on connect, and the CDN failed it.
          for (let i = 0; i < 200 && engineRequests.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
          assert.deepEqual(engineRequests, [' 503']);

          await page.setInputFile('video-uploader', FIXTURE);
          await page.waitFor(logged('video-upload-complete vi'), 30_000);
          await press('another-button');

          await press('record-camera');
          await page.waitFor(`${shadow}.querySelector('[part~="record-button"]') !== null`, 20_000);
          await press('record-button');
          await page.waitFor(`/0:0[2-9]/.test(${shadow}.querySelector('[part~="timer"]')?.textContent ?? '')`, 20_000);
          await press('stop-button');
          await page.waitFor(
            `document.getElementById('log').textContent.split('video-upload-complete vi').length === 3`,
            45_000,
          );
          const log = await page.evaluate<string>("document.getElementById('log').textContent");
          assert.doesNotMatch(log, /video-upload-error/);
          // One failed request, then the file under the same URL, never under another query.
          assert.equal(engineRequests[0], ' 503');
          assert.ok(
            engineRequests.slice(1).every((entry) => entry === ' 200'),
            engineRequests.join(', '),
          );
          assert.deepEqual(page.errors, []);
        } finally {
          await browser.close();
        }
      });
    }
  },
);
