/**
 * The product end to end, as a new user meets it: `video-uploader dev` on a free port, the basic demo in
 * headless Chromium, a real MP4 uploaded and played back, then the CMS form filled and sent.
 * Needs the built element (`npm run build`, which `npm test` runs first).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { tempDir } from '../support/api.js';

const FIXTURE = 'test/fixtures/sample.mp4';
const SHOTS = 'screenshots';

describe(
  'npm start: the demo end to end',
  { skip: !existsSync('dist/cdn/video-uploader.min.js') && 'run `npm run build` first' },
  () => {
    let dev: CliProcess;
    let url: string;
    let browser: Browser;
    let dataDir: string;

    before(async () => {
      dataDir = tempDir('vu-e2e-');
      dev = runCli(['dev', '--port', '0', '--data-dir', dataDir, '--quiet']);
      [, url] = (await dev.waitFor(/Demo\s+(http:\/\/127\.0\.0\.1:\d+)\//)) as unknown as [string, string];
      browser = await launchChromium();
      mkdirSync(SHOTS, { recursive: true });
    });

    after(async () => {
      await browser?.close();
      dev?.child.kill('SIGTERM');
      await dev?.exited;
      rmSync(dataDir, { recursive: true, force: true });
    });

    async function openPage(path: string, width = 900, element = true): Promise<Page> {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(url + path);
      if (element) await page.waitForFunction(() => customElements.get('video-uploader') !== undefined);
      assert.deepEqual(errors, []);
      return page;
    }

    it('uploads a real MP4 from the basic embed and plays it back from the local API', async () => {
      const page = await openPage('/');
      await page.screenshot({ path: `${SHOTS}/demo-idle.png`, fullPage: true });
      await page.locator('video-uploader input[type=file]').setInputFiles(FIXTURE);
      await page.locator('#result').waitFor({ state: 'visible', timeout: 30_000 });
      const src = await page.locator('#player').getAttribute('src');
      assert.match(src ?? '', /^http:\/\/127\.0\.0\.1:\d+\/.+/);
      await page.waitForFunction(() => (document.getElementById('player') as HTMLVideoElement).readyState >= 2, null, {
        timeout: 20_000,
      });
      const duration = await page.evaluate(() => (document.getElementById('player') as HTMLVideoElement).duration);
      assert.ok(duration > 3.5 && duration < 4.5, `duration ${duration}`);
      // The bytes the API serves are the bytes of the file.
      const served = Buffer.from(await (await fetch(src!)).arrayBuffer());
      assert.equal(
        createHash('sha256').update(served).digest('hex'),
        createHash('sha256').update(readFileSync(FIXTURE)).digest('hex'),
      );
      const log = await page.locator('#log').innerText();
      for (const event of [
        'video-upload-select',
        'video-upload-token',
        'video-upload-start',
        'video-upload-complete',
      ]) {
        assert.match(log, new RegExp(event));
      }
      await page.screenshot({ path: `${SHOTS}/demo-complete.png`, fullPage: true });
      await page.close();
    });

    it('blocks the CMS form until the upload is done, then sends the videoId', async () => {
      const page = await openPage('/form.html');
      await page.fill('#title', 'My first post');
      await page.fill('#description', 'Filmed this morning.');
      assert.equal(
        await page.evaluate(() => (document.getElementById('post') as HTMLFormElement).checkValidity()),
        false,
      );
      await page.click('button[type=submit]');
      assert.equal(await page.locator('#submitted').isVisible(), false);

      await page.locator('video-uploader input[type=file]').setInputFiles(FIXTURE);
      try {
        await page.waitForFunction(() => (document.getElementById('post') as HTMLFormElement).checkValidity(), null, {
          timeout: 30_000,
        });
      } catch (error) {
        await page.screenshot({ path: `${SHOTS}/demo-form-failed.png`, fullPage: true });
        throw error;
      }
      await page.click('button[type=submit]');
      await page.locator('#submitted').waitFor({ state: 'visible' });
      const values = JSON.parse(await page.locator('#values').innerText()) as Record<string, string>;
      assert.equal(values.title, 'My first post');
      assert.equal(values.description, 'Filmed this morning.');
      assert.match(values.video ?? '', /^vi[0-9A-Za-z]{22}$/);
      await page.screenshot({ path: `${SHOTS}/demo-form.png`, fullPage: true });

      // The uploaded video is listed by the videos page, served through the dev server.
      const list = await openPage('/videos.html', 900, false);
      await list.locator(`text=${values.video}`).waitFor({ timeout: 10_000 });
      await list.screenshot({ path: `${SHOTS}/demo-videos.png`, fullPage: true });
      await list.close();
      await page.close();
    });

    it('renders the theming and tus pages without errors, and uploads over tus', async () => {
      const theming = await openPage('/theming.html', 800);
      await theming.screenshot({ path: `${SHOTS}/demo-theming.png`, fullPage: true });
      await theming.close();

      const tus = await openPage('/tus.html', 800);
      const paths: string[] = [];
      tus.on('request', (request) => paths.push(`${request.method()} ${new URL(request.url()).pathname}`));
      await tus.locator('video-uploader input[type=file]').setInputFiles(FIXTURE);
      await tus.locator('#result').waitFor({ state: 'visible', timeout: 30_000 });
      await tus.waitForFunction(() => (document.getElementById('player') as HTMLVideoElement).readyState >= 2, null, {
        timeout: 20_000,
      });
      // The file went over tus, not the chunked /upload route.
      assert.ok(
        paths.some((p) => /^PATCH \/tus\/[0-9a-f]+$/.test(p)),
        paths.join('\n'),
      );
      assert.ok(!paths.some((p) => p.startsWith('POST /upload')), paths.join('\n'));
      await tus.screenshot({ path: `${SHOTS}/demo-tus.png`, fullPage: true });
      await tus.close();
    });

    it('serves no file outside the demo and bundle folders', async () => {
      for (const path of [
        '/../package.json',
        '/%2e%2e/package.json',
        '/cdn/../../package.json',
        '/.video-uploader/video-api.sqlite',
      ]) {
        const response = await fetch(url + path);
        assert.equal(response.status, 404, path);
      }
    });
  },
);
