/**
 * Every demo page in Chromium, light and dark: an empty console, text contrast (axe, WCAG AA), a
 * navigation that fits a 375 px phone; the touch wording; the videos page marking unfinished uploads;
 * a new file clearing the previous player. Needs the build (`npm run build`).
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { basic, tempDir } from '../support/api.js';
import { launchChromium } from '../support/browser.js';
import { runCli, type CliProcess } from '../support/cli.js';

const PAGES = ['/', '/form.html', '/theming.html', '/tus.html', '/videos.html'];
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const FIXTURE = 'test/fixtures/sample.mp4';

describe(
  'the demo pages in light and dark',
  { skip: !existsSync('dist/cdn/video-uploader.min.js') && 'run `npm run build` first' },
  () => {
    let dev: CliProcess;
    let url: string;
    let browser: Browser;
    const dataDir = tempDir('vu-demo-');

    before(async () => {
      dev = runCli(['dev', '--port', '0', '--data-dir', dataDir, '--quiet']);
      [, url] = (await dev.waitFor(/Demo\s+(http:\/\/127\.0\.0\.1:\d+)\//, 90_000)) as unknown as [string, string];
      // A video whose file never came: the videos page must say so.
      const created = await fetch(`${url}/videos`, {
        method: 'POST',
        headers: { authorization: basic('dev-api-key'), 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Never uploaded' }),
      });
      assert.equal(created.status, 201);
      browser = await launchChromium();
    });

    after(async () => {
      await browser?.close();
      dev?.child.kill('SIGTERM');
      await dev?.exited;
      rmSync(dataDir, { recursive: true, force: true });
    });

    /** Opens a page and records everything its console and network say. */
    async function open(
      path: string,
      options: { scheme: 'light' | 'dark'; width: number; touch?: boolean },
    ): Promise<{ page: Page; console: string[] }> {
      const context = await browser.newContext({
        viewport: { width: options.width, height: 800 },
        colorScheme: options.scheme,
        hasTouch: options.touch ?? false,
        isMobile: options.touch ?? false,
      });
      const page = await context.newPage();
      const messages: string[] = [];
      page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
      page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
      page.on('response', (response) => {
        if (response.status() >= 400) messages.push(`${response.status()} ${response.url()}`);
      });
      await page.goto(url + path, { waitUntil: 'networkidle' });
      if (path !== '/videos.html') await page.waitForFunction(() => customElements.get('video-uploader') !== undefined);
      else await page.waitForFunction(() => !document.getElementById('status')!.textContent!.includes('Loading'));
      return { page, console: messages };
    }

    for (const scheme of ['light', 'dark'] as const) {
      it(`has an empty console and readable text on every page, ${scheme}`, async () => {
        for (const path of PAGES) {
          const { page, console: messages } = await open(path, { scheme, width: 1000 });
          await page.addScriptTag({ path: AXE });
          const violations = await page.evaluate(async () => {
            const result = await (window as any).axe.run(document, { runOnly: ['color-contrast'] });
            return result.violations.flatMap((v: any) =>
              v.nodes.map((n: any) => `${n.target.join(' ')}: ${n.any[0]?.message ?? v.help}`),
            );
          });
          assert.deepEqual(violations, [], `${path} ${scheme}`);
          assert.deepEqual(messages, [], `${path} ${scheme} console`);
          await page.context().close();
        }
      });
    }

    it('fits a 375 px phone: no page scrolls sideways, no link wraps', async () => {
      for (const path of PAGES) {
        const { page } = await open(path, { scheme: 'light', width: 375 });
        const seen = await page.evaluate(() => ({
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          wrapped: [...document.querySelectorAll('header nav a')]
            .filter((a) => a.getClientRects().length > 1)
            .map((a) => a.textContent),
        }));
        assert.deepEqual(seen, { overflow: 0, wrapped: [] }, path);
        await page.context().close();
      }
    });

    it('offers only "Choose a video" on a touch screen, and drag and drop with a mouse', async () => {
      const visibleLabel = (page: Page): Promise<boolean> =>
        page.evaluate(() => {
          const label = document.querySelector('video-uploader')!.shadowRoot!.querySelector('[part~="label"]')!;
          return getComputedStyle(label).display !== 'none';
        });
      const touch = await open('/', { scheme: 'light', width: 375, touch: true });
      assert.equal(await visibleLabel(touch.page), false);
      assert.equal(await touch.page.locator('video-uploader [part~="button"]').innerText(), 'Choose a video');
      await touch.page.context().close();
      const mouse = await open('/', { scheme: 'light', width: 1000 });
      assert.equal(await visibleLabel(mouse.page), true);
      await mouse.page.context().close();
    });

    it("uses the element's dark colours inside a container with color-scheme: dark, in a light page", async () => {
      const { page } = await open('/theming.html', { scheme: 'light', width: 1000 });
      const backgrounds = await page.evaluate(() =>
        [...document.querySelectorAll('video-uploader')].map((el) => {
          const base = el.shadowRoot!.querySelector('[part~="base"]')!;
          return getComputedStyle(el).color + ' ' + getComputedStyle(base).backgroundColor;
        }),
      );
      // The brand element stays light; the one in the dark container is light text on a dark box.
      assert.match(backgrounds[0], /^rgb\(31, 41, 55\)/);
      assert.equal(backgrounds[1], 'rgb(229, 231, 235) rgb(17, 24, 39)');
      await page.context().close();
    });

    it('marks an upload that never finished on the videos page, without a player', async () => {
      const { page } = await open('/videos.html', { scheme: 'light', width: 1000 });
      const card = page.locator('.card', { hasText: 'Never uploaded' });
      // A video with no bytes yet reports its ingest as `uploading`, as the service does.
      assert.equal(await card.locator('.badge').innerText(), 'Upload not finished');
      assert.equal(await card.locator('video').count(), 0);
      await page.context().close();
    });

    it('clears the previous player when another video is chosen', async () => {
      const { page } = await open('/', { scheme: 'light', width: 1000 });
      await page.locator('video-uploader input[type=file]').setInputFiles(FIXTURE);
      await page.locator('#result').waitFor({ state: 'visible', timeout: 30_000 });
      assert.match((await page.locator('#player').getAttribute('src')) ?? '', /source\.mp4$/);
      const first = await page.locator('#player').getAttribute('src');
      // What the page shows as soon as the next file is picked (the demo's own listener runs first).
      await page.evaluate(() => {
        document.querySelector('video-uploader')!.addEventListener('video-upload-select', () => {
          const player = document.getElementById('player') as HTMLVideoElement;
          (window as any).seenOnSelect = {
            hidden: document.getElementById('result')!.hidden,
            src: player.getAttribute('src'),
          };
        });
      });
      await page.locator('video-uploader [part~="another-button"]').click();
      await page.locator('video-uploader input[type=file]').setInputFiles(FIXTURE);
      await page.waitForFunction(() => (window as any).seenOnSelect !== undefined);
      assert.deepEqual(await page.evaluate(() => (window as any).seenOnSelect), { hidden: true, src: null });
      await page.waitForFunction(
        (previous) =>
          document.getElementById('player')!.getAttribute('src') !== previous &&
          !document.getElementById('result')!.hidden &&
          document.getElementById('player')!.getAttribute('src') !== null,
        first,
        { timeout: 30_000 },
      );
      await page.context().close();
    });
  },
);
