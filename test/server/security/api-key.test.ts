/**
 * The API key never reaches the browser: the built browser code (the CDN bundle and the element,
 * upload and protocol modules) holds none of the keys the project knows, and in a real upload
 * through `video-uploader dev` in headless Chromium, no request the page sends and no answer it
 * receives carries the key, in any encoding. Needs `npm run build` (which `npm test` runs first).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { DEV_API_KEY } from '../../../src/cli/dev.js';
import { TEST_API_KEY, tempDir } from '../../support/api.js';
import { launchChromium } from '../../support/browser.js';
import { runCli, type CliProcess } from '../../support/cli.js';

/** A key that appears nowhere else, so that any sighting of it is a leak. */
const DISTINCTIVE_KEY = 'vu-secret-key-5f8a2c9e1d7b4a60';
/** The key the browser tests' API runs with (test/support/start-api.ts). */
const BROWSER_TEST_KEY = 'test-browser-api-key-0123456789';
const KEYS = [DEV_API_KEY, TEST_API_KEY, BROWSER_TEST_KEY, DISTINCTIVE_KEY];
const BROWSER_CODE = ['dist/cdn', 'dist/element', 'dist/upload', 'dist/protocol'];
const built = existsSync('dist/cdn/video-uploader.min.js');

/** Every form a key could travel in: as is, in Basic auth (with and without the colon), URL-encoded. */
function forms(key: string): string[] {
  return [key, Buffer.from(`${key}:`).toString('base64'), Buffer.from(key).toString('base64'), encodeURIComponent(key)];
}

/** The keys found in `text`, in any form. */
function leaks(text: string | Buffer): string[] {
  const haystack = typeof text === 'string' ? text : text.toString('latin1');
  return KEYS.filter((key) => forms(key).some((form) => haystack.includes(form)));
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((name) => join(dir, String(name)))
    .filter((path) => statSync(path).isFile());
}

describe('the API key and the browser', { skip: !built && 'run `npm run build` first' }, () => {
  it('is in none of the built browser code, bundle, modules and source maps alike', () => {
    const files = BROWSER_CODE.flatMap(filesUnder);
    const bytes = files.reduce((sum, path) => sum + statSync(path).size, 0);
    assert.ok(
      files.some((f) => f.endsWith('video-uploader.min.js')) && files.length > 20,
      `${files.length} files scanned`,
    );
    assert.ok(bytes > 200_000, `${bytes} bytes scanned`);
    const found = files.flatMap((path) => leaks(readFileSync(path)).map((key) => `${path}: ${key}`));
    assert.deepEqual(found, []);
    // The scan sees keys where they are: the server-side dev command holds the development key.
    assert.deepEqual(leaks(readFileSync('dist/cli/dev.js')), [DEV_API_KEY]);
  });

  describe('a real upload in Chromium through video-uploader dev', () => {
    let dev: CliProcess;
    let url: string;
    let browser: Browser;
    let context: BrowserContext;
    let dataDir: string;
    const seen: { what: string; text: Buffer }[] = [];
    const pending: Promise<void>[] = [];
    const unrecorded: string[] = [];
    const record = (what: string, task: () => Promise<Buffer>): void => {
      pending.push(
        task().then(
          (text) => {
            seen.push({ what, text });
          },
          (error: Error) => {
            unrecorded.push(`${what}: ${error.message}`);
          },
        ),
      );
    };

    before(async () => {
      dataDir = tempDir('vu-key-');
      dev = runCli(['dev', '--port', '0', '--data-dir', dataDir, '--quiet'], { APIVIDEO_API_KEY: DISTINCTIVE_KEY });
      [, url] = (await dev.waitFor(/Demo\s+(http:\/\/127\.0\.0\.1:\d+)\//)) as unknown as [string, string];
      browser = await launchChromium();
      context = await browser.newContext();
      // Everything the pages send, and everything they receive but video bytes.
      context.on('request', (request) => {
        record(`request ${request.method()} ${request.url()}`, async () =>
          Buffer.concat([
            Buffer.from(`${request.method()} ${request.url()}\n${JSON.stringify(await request.allHeaders())}\n`),
            request.postDataBuffer() ?? Buffer.alloc(0),
          ]),
        );
      });
      context.on('response', (response) => {
        record(`response ${response.status()} ${response.url()}`, async () => {
          const headers = await response.allHeaders();
          // Video bytes are skipped; answers without a body (HEAD, 202, 204, 304) have none to read.
          const bodiless = response.request().method() === 'HEAD' || [202, 204, 304].includes(response.status());
          const body =
            bodiless || (headers['content-type'] ?? '').startsWith('video/') ? Buffer.alloc(0) : await response.body();
          return Buffer.concat([Buffer.from(`${JSON.stringify(headers)}\n`), body]);
        });
      });
    });

    after(async () => {
      await browser?.close();
      dev?.child.kill('SIGTERM');
      await dev?.exited;
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('uploads from the basic and the tus demo pages, then lists the videos', async () => {
      for (const path of ['/', '/tus.html']) {
        const page = await context.newPage();
        await page.goto(url + path);
        await page.waitForFunction(() => customElements.get('video-uploader') !== undefined);
        await page.locator('video-uploader input[type=file]').setInputFiles('test/fixtures/sample.mp4');
        await page.locator('#result').waitFor({ state: 'visible', timeout: 30_000 });
      }
      const list = await context.newPage();
      await list.goto(`${url}/videos.html`);
      await list.waitForLoadState('networkidle');
      // Pages stay open until every request and answer is recorded.
      await Promise.all(pending);
    });

    it('sent and received no API key, in any form, in any request or answer', async () => {
      await Promise.all(pending);
      assert.deepEqual(unrecorded, []);
      const requests = seen.filter((s) => s.what.startsWith('request'));
      // The scan covers the requests that matter: the token endpoint and the uploads.
      assert.ok(
        requests.some((s) => /POST .*\/api\/upload-token$/.test(s.what)),
        'token endpoint called',
      );
      assert.ok(
        requests.some((s) => /POST .*\/upload\?token=to/.test(s.what)),
        'apivideo upload sent',
      );
      assert.ok(seen.length > 20, `${seen.length} requests and answers recorded`);
      // The scan would see the key in each form it could travel in.
      for (const form of forms(DISTINCTIVE_KEY))
        assert.deepEqual(leaks(`authorization: Basic ${form}`), [DISTINCTIVE_KEY]);
      const found = seen.flatMap((s) =>
        leaks(s.text).map((key) => `${s.what}: ${key === DISTINCTIVE_KEY ? 'the API key' : key}`),
      );
      assert.deepEqual(found, []);
    });
  });
});
