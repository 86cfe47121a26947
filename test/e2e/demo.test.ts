/**
 * The product end to end, as a new user meets it: `video-uploader dev` on a free port, the basic demo in
 * Chromium, Firefox ESR and WebKitGTK (test/support/engines.ts; `BROWSERS=webkit` for one), a real MP4
 * uploaded and played back, then the CMS form filled and sent, and the tus page.
 * Needs the built element (`npm run build`, which `npm test` runs first).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { enginesFrom, launchEngine, type EngineBrowser, type EngineName, type EnginePage } from '../support/engines.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { tempDir } from '../support/api.js';

const FIXTURE = 'test/fixtures/sample.mp4';
const SHOTS = 'screenshots';
const player = "document.getElementById('player')";

describe(
  'npm start: the demo end to end',
  { skip: !existsSync('dist/cdn/video-uploader.min.js') && 'run `npm run build` first' },
  () => {
    let dev: CliProcess;
    let url: string;
    let dataDir: string;

    before(async () => {
      dataDir = tempDir('vu-e2e-');
      dev = runCli(['dev', '--port', '0', '--data-dir', dataDir, '--quiet']);
      [, url] = (await dev.waitFor(/Demo\s+(http:\/\/127\.0\.0\.1:\d+)\//)) as unknown as [string, string];
      mkdirSync(SHOTS, { recursive: true });
    });

    after(async () => {
      dev?.child.kill('SIGTERM');
      await dev?.exited;
      rmSync(dataDir, { recursive: true, force: true });
    });

    // The three engines in npm test; E2E_BROWSERS=webkit (comma-separated) runs some of them.
    for (const engine of enginesFrom(process.env.E2E_BROWSERS ?? 'chromium,firefox,webkit')) describeEngine(engine);

    function describeEngine(engine: EngineName): void {
      describe(engine, () => {
        let browser: EngineBrowser;
        const shot = (name: string): string => `${SHOTS}/demo-${name}-${engine}.png`;

        before(async () => {
          browser = await launchEngine(engine);
        });
        after(async () => {
          await browser?.close();
        });

        async function openPage(path: string, width = 900, element = true): Promise<EnginePage> {
          const page = await browser.newPage({ width, height: 900 });
          await page.goto(url + path);
          if (element) await page.waitFor("customElements.get('video-uploader') !== undefined");
          assert.deepEqual(page.errors, []);
          return page;
        }

        /** Waits until the demo's player has the current frame (readyState ≥ 2) and returns its duration. */
        async function playable(page: EnginePage): Promise<number> {
          await page.waitFor(`${player}.readyState >= 2 || ${player}.error !== null`, 20_000);
          const error = await page.evaluate<string | null>(
            `${player}.error && (${player}.error.code + ' ' + ${player}.error.message)`,
          );
          assert.equal(error, null, `${engine} could not play the uploaded MP4 (H.264/AAC): ${error}`);
          return await page.evaluate<number>(`${player}.duration`);
        }

        it('uploads a real MP4 from the basic embed and plays it back from the local API', async () => {
          const page = await openPage('/');
          await page.screenshot(shot('idle'));
          await page.setInputFile('video-uploader', FIXTURE);
          await page.waitFor("!document.getElementById('result').hidden", 30_000);
          const src = await page.evaluate<string>(`${player}.getAttribute('src')`);
          assert.match(src ?? '', /^http:\/\/127\.0\.0\.1:\d+\/.+/);
          const duration = await playable(page);
          assert.ok(duration > 3.5 && duration < 4.5, `duration ${duration}`);
          // The bytes the API serves are the bytes of the file.
          const served = Buffer.from(await (await fetch(src)).arrayBuffer());
          assert.equal(
            createHash('sha256').update(served).digest('hex'),
            createHash('sha256').update(readFileSync(FIXTURE)).digest('hex'),
          );
          const log = await page.evaluate<string>("document.getElementById('log').textContent");
          for (const event of [
            'video-upload-select',
            'video-upload-token',
            'video-upload-start',
            'video-upload-complete',
          ]) {
            assert.match(log, new RegExp(event));
          }
          await page.screenshot(shot('complete'));
          assert.deepEqual(page.errors, []);
          await page.close();
        });

        // WebKitGTK's MediaRecorder on Debian records nothing (test/element/browser/record.test.ts).
        it(
          'records the camera with the built element, which loads its recorder beside the engine',
          {
            skip: engine === 'webkit' && 'WebKitGTK cannot record here',
          },
          async () => {
            const page = await openPage('/record.html');
            const shadow = "document.getElementById('uploader').shadowRoot";
            const press = (name: string): Promise<unknown> =>
              page.evaluate(`${shadow}.querySelector('[part~="${name}"]').click()`);
            try {
              await press('record-camera');
              await page.waitFor(`${shadow}.querySelector('[part~="record-button"]') !== null`, 20_000);
              await press('record-button');
              await page.waitFor(
                `/0:0[2-9]/.test(${shadow}.querySelector('[part~="timer"]')?.textContent ?? '')`,
                20_000,
              );
              await press('stop-button');
              await page.waitFor("!document.getElementById('result').hidden", 45_000);
            } catch (error) {
              await page.screenshot(shot('record-failed'));
              throw error;
            }
            const log = await page.evaluate<string>("document.getElementById('log').textContent");
            for (const event of ['video-upload-record-start', 'video-upload-record-stop', 'video-upload-complete']) {
              assert.match(log, new RegExp(event));
            }
            // The CDN files the page loaded: the element, its engine (with the upload session) and the recorder
            // (the engine's file twice in the timings when its import is not served from its fetch's cache entry).
            const files = await page.evaluate<string[]>(
              "performance.getEntriesByType('resource').map((e) => e.name.replace(/^.*\\//, '')).filter((n) => n.startsWith('video-uploader'))",
            );
            assert.deepEqual(
              [
                ...new Set(
                  files.map((name) => name.replace(/^(video-uploader-[a-z-]+?)-[\w-]{8}\.min\.js$/, '$1.min.js')),
                ),
              ].sort(),
              ['video-uploader-engine.min.js', 'video-uploader-recorder.min.js', 'video-uploader.min.js'],
            );
            assert.deepEqual(page.errors, []);
            await page.close();
          },
        );

        it('blocks the CMS form until the upload is done, then sends the videoId', async () => {
          const page = await openPage('/form.html');
          await page.fill('#title', 'My first post');
          await page.fill('#description', 'Filmed this morning.');
          const form = "document.getElementById('post')";
          assert.equal(await page.evaluate(`${form}.checkValidity()`), false);
          // The browser's own validation bubble is not under test (WebKitGTK's web process has crashed showing
          // it for a form-associated element): cancelling \`invalid\` hides it, and submission stays blocked.
          await page.evaluate(
            "void document.querySelector('video-uploader').addEventListener('invalid', (e) => e.preventDefault())",
          );
          await page.click('button[type=submit]');
          assert.equal(await page.evaluate("document.getElementById('submitted').hidden"), true);

          await page.setInputFile('video-uploader', FIXTURE);
          try {
            await page.waitFor(`${form}.checkValidity()`, 30_000);
          } catch (error) {
            await page.screenshot(shot('form-failed'));
            throw error;
          }
          await page.click('button[type=submit]');
          await page.waitFor("!document.getElementById('submitted').hidden", 10_000);
          const values = JSON.parse(
            await page.evaluate<string>("document.getElementById('values').textContent"),
          ) as Record<string, string>;
          assert.equal(values.title, 'My first post');
          assert.equal(values.description, 'Filmed this morning.');
          assert.match(values.video ?? '', /^vi[0-9A-Za-z]{22}$/);
          await page.screenshot(shot('form'));
          await page.close();

          // The uploaded video is listed by the videos page, served through the dev server.
          const list = await openPage('/videos.html', 900, false);
          await list.waitFor(`document.body.textContent.includes(${JSON.stringify(values.video)})`, 10_000);
          await list.screenshot(shot('videos'));
          await list.close();
        });

        it('renders the theming and tus pages without errors, and uploads over tus', async () => {
          const theming = await openPage('/theming.html', 800);
          await theming.screenshot(shot('theming'));
          await theming.close();

          const tus = await openPage('/tus.html', 800);
          await tus.setInputFile('video-uploader', FIXTURE);
          await tus.waitFor("!document.getElementById('result').hidden", 30_000);
          await playable(tus);
          // The file went over tus, not the chunked /upload route (resource timing names every URL fetched).
          const paths = await tus.evaluate<string[]>(
            "performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)",
          );
          assert.ok(
            paths.some((p) => /^\/tus\/[0-9a-f]+$/.test(p)),
            paths.join('\n'),
          );
          assert.ok(!paths.some((p) => p.startsWith('/upload')), paths.join('\n'));
          await tus.screenshot(shot('tus'));
          assert.deepEqual(tus.errors, []);
          await tus.close();
        });
      });
    }

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
