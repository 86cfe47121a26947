/**
 * Screenshots of every demo page at 375 and 1000 px, light and dark, into screenshots/demo/.
 * Starts `video-uploader dev` from the build (run `npm run build` first) on a free port with a
 * throwaway data folder holding one finished and one unfinished upload, so every page has content.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { basic, tempDir } from '../test/support/api.js';
import { launchChromium } from '../test/support/browser.js';
import { runCli } from '../test/support/cli.js';

const PAGES: [string, string][] = [
  ['index', '/'],
  ['form', '/form.html'],
  ['theming', '/theming.html'],
  ['tus', '/tus.html'],
  ['videos', '/videos.html'],
];
const OUT = 'screenshots/demo';

const dataDir = tempDir('vu-shots-');
const dev = runCli(['dev', '--port', '0', '--data-dir', dataDir, '--quiet']);
const browser = await launchChromium();
try {
  const [, url] = (await dev.waitFor(/Demo\s+(http:\/\/127\.0\.0\.1:\d+)\//, 90_000)) as unknown as [string, string];
  await fetch(`${url}/videos`, {
    method: 'POST',
    headers: { authorization: basic('dev-api-key'), 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'An upload that never finished' }),
  });
  mkdirSync(OUT, { recursive: true });
  // One finished upload first, from the basic page, so the videos page shows a player.
  const first = await browser.newPage();
  await first.goto(url + '/');
  await first.locator('video-uploader input[type=file]').setInputFiles('test/fixtures/sample.mp4');
  await first.locator('#result').waitFor({ state: 'visible', timeout: 30_000 });
  await first.close();
  for (const scheme of ['light', 'dark'] as const) {
    for (const width of [375, 1000]) {
      const context = await browser.newContext({ viewport: { width, height: 800 }, colorScheme: scheme });
      for (const [name, path] of PAGES) {
        const page = await context.newPage();
        await page.goto(url + path, { waitUntil: 'networkidle' });
        const file = `${OUT}/${name}-${width}-${scheme}.png`;
        await page.screenshot({ path: file, fullPage: true });
        console.log(file);
        await page.close();
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
  dev.child.kill('SIGTERM');
  await dev.exited;
  rmSync(dataDir, { recursive: true, force: true });
}
