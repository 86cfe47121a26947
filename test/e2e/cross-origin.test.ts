/**
 * A developer's own site on a second port using `video-uploader dev --allow-origin`: the page loads the
 * element from the dev server's /cdn/, asks its token route for a token, and uploads a real MP4 to the
 * local API, all cross-origin, in headless Chromium. Needs the build (`npm run build`).
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { tempDir } from '../support/api.js';
import { launchChromium } from '../support/browser.js';
import { runCli, type CliProcess } from '../support/cli.js';

const FIXTURE = 'test/fixtures/sample.mp4';

describe(
  'the dev server behind a site on another port',
  { skip: !existsSync('dist/cdn/video-uploader.min.js') && 'run `npm run build` first' },
  () => {
    let site: Server;
    let siteUrl: string;
    let dev: CliProcess;
    let devUrl: string;
    let browser: Browser;
    const dataDir = tempDir('vu-cross-');

    before(async () => {
      // The site: one page, on its own origin, pointing at the dev server (known once it listens).
      site = createServer((request, response) => {
        if (request.url !== '/') {
          response.writeHead(404).end();
          return;
        }
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><title>My site</title><link rel="icon" href="data:," />
<script type="module" src="${devUrl}/cdn/video-uploader.min.js"></script></head>
<body><video-uploader token-url="${devUrl}/api/upload-token"></video-uploader>
<p id="done" hidden></p>
<script>
  document.querySelector('video-uploader').addEventListener('video-upload-complete', (event) => {
    const done = document.getElementById('done');
    done.textContent = event.detail.video.videoId;
    done.hidden = false;
  });
</script></body></html>`);
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
      dev = runCli(['dev', '--port', '0', '--data-dir', dataDir, '--quiet', '--allow-origin', siteUrl]);
      [, devUrl] = (await dev.waitFor(/Demo\s+(http:\/\/127\.0\.0\.1:\d+)\//, 90_000)) as unknown as [string, string];
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      dev?.child.kill('SIGTERM');
      await dev?.exited;
      site?.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('loads the element, gets a token and uploads a real MP4 from the other origin', async () => {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.goto(siteUrl);
      await page.waitForFunction(() => customElements.get('video-uploader') !== undefined, null, { timeout: 10_000 });
      await page.locator('video-uploader input[type=file]').setInputFiles(FIXTURE);
      await page.locator('#done').waitFor({ state: 'visible', timeout: 30_000 });
      const videoId = await page.locator('#done').innerText();
      assert.match(videoId, /^vi[0-9A-Za-z]{22}$/);
      assert.deepEqual(problems, []);
      // The video is on the dev server's API, whole.
      const list = (await (await fetch(`${devUrl}/api/videos`)).json()) as {
        data: { videoId: string; ingest: string }[];
      };
      // Whole: `uploaded`, then `ingesting` while ffmpeg makes its renditions, then `ingested`.
      assert.deepEqual(
        list.data.map((v) => v.videoId),
        [videoId],
      );
      assert.ok(['uploaded', 'ingesting', 'ingested'].includes(list.data[0]!.ingest), list.data[0]!.ingest);
      await page.close();
    });

    it('refuses a token to a site that was not allowed', async () => {
      const response = await fetch(`${devUrl}/api/upload-token`, {
        method: 'POST',
        headers: { origin: 'http://127.0.0.1:1', 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(response.status, 403);
      assert.equal(response.headers.get('access-control-allow-origin'), null);
      await response.body?.cancel();
    });
  },
);
