/**
 * The video field end to end, as an editor meets it: the local video API and the example Payload CMS
 * (built by `npm run build:example`, SQLite in a temporary folder) are started, an admin user is created,
 * and headless Chromium signs in, creates a post, uploads a real MP4 through the field, tries to save
 * while the upload runs, saves once it is done, reopens the post and plays the video, then replaces it
 * and removes it, checking the entry and the video API after each step.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { freePort, run, until, type Running } from './support';

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPO = path.resolve(PKG, '../..');
const FIXTURE = path.join(REPO, 'test/fixtures/sample.mp4');
const SHOTS = path.join(PKG, 'screenshots');
const API_KEY = `e2e-key-${randomBytes(12).toString('hex')}`;
const EMAIL = 'editor@example.com';
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
const WAIT_MESSAGE = 'Please wait until the video has finished uploading.';

const built = existsSync(path.join(PKG, 'dev/.next/BUILD_ID')) && existsSync(path.join(REPO, 'dist/issuer/index.js'));

describe(
  'the Payload video field, end to end',
  { skip: !built && 'run `npm run build` at the root, then `npm run build:example` here' },
  () => {
    let dir: string;
    let videoApi: Running;
    let cms: Running;
    let apiUrl: string;
    let cmsUrl: string;
    let browser: Browser;
    let context: BrowserContext;
    let page: Page;
    const offMachine: string[] = [];

    const videoStatus = async (videoId: string): Promise<number> =>
      (await fetch(`${apiUrl}/videos/${videoId}`, { headers: { authorization: `Basic ${btoa(`${API_KEY}:`)}` } }))
        .status;

    const readPost = async (id: string): Promise<{ title: string; video: Record<string, unknown> | null }> => {
      const response = await context.request.get(`${cmsUrl}/api/posts/${id}?depth=0`);
      assert.equal(response.status(), 200);
      return (await response.json()) as { title: string; video: Record<string, unknown> | null };
    };

    const fieldShot = async (name: string): Promise<void> => {
      await page
        .locator('[data-video-field="video"]')
        .screenshot({ path: path.join(SHOTS, `payload-field-${name}.png`) });
    };

    /** After a save, Payload reloads the form from the server; an edit made before that is overwritten, for any field. */
    const settled = async (): Promise<void> => {
      await page.getByText('Updated successfully').first().waitFor({ timeout: 30_000 });
      await page.waitForSelector('#action-save[disabled]', { timeout: 30_000 });
      await page.waitForLoadState('networkidle');
    };

    /** For the screenshots only: the player loaded and its loading spinner gone. */
    const pictureSettled = async (): Promise<void> => {
      await page
        .waitForFunction(
          () => (document.querySelector('.vu-field__player') as HTMLVideoElement).readyState >= 3,
          null,
          { timeout: 5_000 },
        )
        .catch(() => undefined);
      await page.waitForTimeout(1_000); // the controls' loading spinner fades out
    };

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'vu-payload-e2e-'));
      mkdirSync(SHOTS, { recursive: true });
      videoApi = run(
        process.execPath,
        [
          'bin/video-uploader.js',
          'server',
          '--port',
          '0',
          '--api-key',
          API_KEY,
          '--data-dir',
          path.join(dir, 'videos'),
          '--quiet',
        ],
        {
          cwd: REPO,
          env: { APIVIDEO_API_KEY: '' },
        },
      );
      [, apiUrl] = (await videoApi.waitFor(/listening on (http:\/\/\S+)/)) as unknown as [string, string];
      apiUrl = apiUrl.replace(/\/$/, '');

      const port = await freePort();
      cmsUrl = `http://127.0.0.1:${port}`;
      cms = run(
        process.execPath,
        [
          path.join(PKG, 'node_modules/next/dist/bin/next'),
          'start',
          'dev',
          '--port',
          String(port),
          '--hostname',
          '127.0.0.1',
        ],
        {
          cwd: PKG,
          env: {
            DATABASE_URI: `file:${path.join(dir, 'payload.db')}`,
            PAYLOAD_SECRET: randomBytes(24).toString('hex'),
            APIVIDEO_API_URL: apiUrl,
            APIVIDEO_API_KEY: API_KEY,
            NEXT_TELEMETRY_DISABLED: '1',
          },
        },
      );
      await cms.waitFor(/Ready in/, 90_000);

      // The first admin user, created through the CMS's own first-user route (which also runs the migrations).
      const created = await fetch(`${cmsUrl}/api/users/first-register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
      });
      assert.equal(created.status, 200, await created.text());

      browser = await chromium.launch({
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
        headless: true,
      });
      context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
      // Everything runs on this machine: a request elsewhere is refused, and fails the test below.
      await context.route(/^(?!https?:\/\/127\.0\.0\.1[:/]|data:|blob:)/, async (route) => {
        offMachine.push(route.request().url());
        await route.abort();
      });
      page = await context.newPage();
    });

    after(async () => {
      await browser?.close();
      await cms?.stop();
      await videoApi?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('refuses upload tokens to anyone not signed in to the admin', async () => {
      const response = await fetch(`${cmsUrl}/api/video-uploader/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fileName: 'a.mp4', fileSize: 10, fileType: 'video/mp4' }),
      });
      assert.equal(response.status, 403);
      const body = await response.text();
      assert.match(body, /not authorized/);
      assert.ok(!body.includes(API_KEY));
      const video = await fetch(`${cmsUrl}/api/video-uploader/videos/vi123`);
      assert.equal(video.status, 403);
    });

    it('signs in, uploads through the field, refuses to save mid-upload, saves, reopens, replaces and removes', async () => {
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));

      await page.goto(`${cmsUrl}/admin/login`);
      await page.fill('#field-email', EMAIL);
      await page.fill('#field-password', PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForURL((url) => url.pathname === '/admin' || url.pathname === '/admin/', { timeout: 60_000 });

      // Token and video routes, with the admin's session cookie only.
      const signedIn = await context.request.post(`${cmsUrl}/api/video-uploader/token`, {
        data: { fileName: 'probe.mp4', fileSize: 1000, fileType: 'video/mp4' },
        headers: { origin: cmsUrl },
      });
      assert.equal(signedIn.status(), 200, await signedIn.text());
      const grant = (await signedIn.json()) as { token: string; apiUrl: string; videoId?: string };
      assert.match(grant.token, /^to/);
      assert.equal(grant.apiUrl, apiUrl);
      const badId = await context.request.get(`${cmsUrl}/api/video-uploader/videos/${encodeURIComponent('../x')}`);
      assert.ok([400, 404].includes(badId.status()), `status ${badId.status()}`);

      await page.goto(`${cmsUrl}/admin/collections/posts/create`);
      await page.fill('#field-title', 'A post with a video');
      const uploader = page.locator('video-uploader');
      await uploader.waitFor();
      await page.waitForFunction(() => customElements.get('video-uploader') !== undefined);
      assert.ok(!(await page.content()).includes(API_KEY), 'the API key is not in the admin page');
      await fieldShot('empty');

      // Slow the upload down so that it is still running when the editor presses Save.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 20,
        downloadThroughput: -1,
        uploadThroughput: 24 * 1024,
      });
      await page.locator('video-uploader input[type=file]').setInputFiles(FIXTURE);
      await page.waitForFunction(
        () => (document.querySelector('video-uploader') as HTMLElement & { state: string }).state === 'uploading',
        null,
        { timeout: 30_000 },
      );
      await page
        .waitForFunction(
          () => {
            const progress = (
              document.querySelector('video-uploader') as HTMLElement & { progress: { uploadedBytes?: number } | null }
            ).progress;
            return (progress?.uploadedBytes ?? 0) > 0;
          },
          null,
          { timeout: 30_000 },
        )
        .catch(() => undefined);
      await fieldShot('uploading');

      await page.click('#action-save');
      const refusal = page.locator('[data-video-field="video"] .vu-field__error');
      await refusal.waitFor({ timeout: 15_000 });
      assert.equal((await refusal.innerText()).trim(), WAIT_MESSAGE);
      assert.match(page.url(), /\/create$/, 'still on the new-entry form');
      assert.equal(
        await uploader.evaluate((el) => (el as HTMLElement & { state: string }).state),
        'uploading',
        'the upload goes on',
      );
      const none = await context.request.get(`${cmsUrl}/api/posts?limit=1`);
      assert.equal(((await none.json()) as { totalDocs: number }).totalDocs, 0, 'nothing was saved');
      await fieldShot('refused');
      await page.screenshot({ path: path.join(SHOTS, 'payload-entry-refused.png') });

      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
      const idCell = page.locator('[data-video-field="video"] [data-video-id]');
      await idCell.waitFor({ timeout: 60_000 });
      const firstId = (await idCell.getAttribute('data-video-id'))!;
      assert.match(firstId, /^vi\w+$/);
      await page.waitForFunction(
        () => (document.querySelector('.vu-field__player') as HTMLVideoElement | null)?.readyState! >= 2,
        null,
        { timeout: 30_000 },
      );
      await pictureSettled();
      await fieldShot('done');

      await page.click('#action-save');
      await page.waitForURL(/\/admin\/collections\/posts\/[^/]+$/, { timeout: 30_000 });
      await page.waitForURL((url) => !url.pathname.endsWith('/create'), { timeout: 30_000 });
      const postId = page.url().split('/').pop()!;
      const saved = await until(
        () => readPost(postId),
        (doc) => doc.video !== null,
        'the saved video',
      );
      assert.equal(saved.title, 'A post with a video');
      assert.equal(saved.video!.videoId, firstId);
      assert.equal(saved.video!.title, 'sample.mp4');
      assert.ok(Math.abs((saved.video!.duration as number) - 4) < 0.6, `duration ${String(saved.video!.duration)}`);
      assert.match(saved.video!.thumbnail as string, /^http:\/\/127\.0\.0\.1:\d+\/vod\/.+thumbnail/);
      assert.equal(await videoStatus(firstId), 200);

      // Reopened: the stored video's player, playable, with replace and remove.
      await page.reload();
      await idCell.waitFor({ timeout: 30_000 });
      assert.equal(await idCell.getAttribute('data-video-id'), firstId);
      await page.waitForFunction(
        () => (document.querySelector('.vu-field__player') as HTMLVideoElement | null)?.readyState! >= 2,
        null,
        { timeout: 30_000 },
      );
      assert.equal(await page.locator('video-uploader').count(), 0);
      await pictureSettled();
      await fieldShot('reopened');
      await page.screenshot({ path: path.join(SHOTS, 'payload-entry-reopened.png') });

      // Replace: a new upload; once saved, the entry holds the new video and the old one is deleted.
      await page.getByRole('button', { name: 'Replace' }).click();
      await page.locator('video-uploader input[type=file]').setInputFiles(FIXTURE);
      await until(
        async () => idCell.getAttribute('data-video-id', { timeout: 60_000 }),
        (id) => id !== null && id !== firstId,
        'the new video',
        60_000,
      );
      const secondId = (await idCell.getAttribute('data-video-id'))!;
      await page.click('#action-save');
      await until(
        () => readPost(postId),
        (doc) => doc.video?.videoId === secondId,
        'the replaced video',
      );
      await settled();
      await until(
        () => videoStatus(firstId),
        (status) => status === 404,
        'the old video deleted',
      );
      assert.equal(await videoStatus(secondId), 200);

      // Remove: the entry holds no video, and the video is deleted from the video API.
      await page.getByRole('button', { name: 'Remove' }).click();
      await page.locator('video-uploader').waitFor();
      await page.click('#action-save');
      await until(
        () => readPost(postId),
        (doc) => doc.video === null,
        'the removed video',
      );
      await until(
        () => videoStatus(secondId),
        (status) => status === 404,
        'the removed video deleted',
      );
      await page.reload();
      await page.locator('video-uploader').waitFor({ timeout: 30_000 });
      assert.equal(await idCell.count(), 0);

      assert.deepEqual(errors, []);
      assert.deepEqual(offMachine, [], 'no request leaves the machine');
    });

    it('refuses a stored value that is not a video, and deletes the video of a deleted entry', async () => {
      const bad = await context.request.post(`${cmsUrl}/api/posts`, {
        data: { title: 'Bad', video: { videoId: '../../etc/passwd' } },
      });
      assert.equal(bad.status(), 400);
      assert.match(await bad.text(), /The video field must hold an object with a videoId\./);
      const pending = await context.request.post(`${cmsUrl}/api/posts`, {
        data: { title: 'Early', video: { pending: WAIT_MESSAGE, previous: null } },
      });
      assert.equal(pending.status(), 400);
      assert.match(await pending.text(), new RegExp(WAIT_MESSAGE.replace(/\./g, '\\.')));

      const created = await fetch(`${apiUrl}/videos`, {
        method: 'POST',
        headers: { authorization: `Basic ${btoa(`${API_KEY}:`)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'To be deleted with its entry' }),
      });
      assert.equal(created.status, 201);
      const { videoId } = (await created.json()) as { videoId: string };
      const post = await context.request.post(`${cmsUrl}/api/posts`, {
        data: { title: 'Short-lived', video: { videoId, extra: 'dropped' } },
      });
      assert.equal(post.status(), 201, await post.text());
      const { doc } = (await post.json()) as { doc: { id: number; video: Record<string, unknown> } };
      assert.deepEqual(doc.video, { videoId });
      assert.equal((await context.request.delete(`${cmsUrl}/api/posts/${doc.id}`)).status(), 200);
      await until(
        () => videoStatus(videoId),
        (status) => status === 404,
        'the video of the deleted entry deleted',
      );
    });
  },
);
