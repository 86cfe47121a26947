/**
 * `npm run screenshots`: pictures of `<video-uploader>` in each state, at 320, 375 and 1000 px wide, in the light
 * and dark color schemes, in Chromium, Firefox and WebKit, into `screenshots/<engine>/` (git-ignored;
 * `BROWSERS=webkit npm run screenshots` for one engine, `SCENES=offline,busy-issuer` for some states), and the
 * engines side by side into `screenshots/side-by-side/`.
 * Uploads go to the real local video API, through the fault proxy capped in bandwidth so that progress can
 * be seen.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startVideoApiServer } from '../src/server/app.js';
import { enginesFrom, launchEngine, type EngineName, type EnginePage } from '../test/support/engines.js';
import { FaultProxy, type FaultRule } from '../test/support/fault-proxy.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Each picture of the engines next to one another (in the order of `BROWSERS`), 8 px apart, into
 * `screenshots/side-by-side/`, with ffmpeg: what differs between engines shows at a glance.
 */
function sideBySide(names: string[]): void {
  const dir = join(outDir, 'side-by-side');
  mkdirSync(dir, { recursive: true });
  let made = 0;
  for (const name of names) {
    for (const width of WIDTHS) {
      for (const colorScheme of ['light', 'dark']) {
        const file = `${name}-${width}-${colorScheme}.png`;
        const inputs = engines.map((engine) => join(outDir, engine, file)).filter((path) => existsSync(path));
        if (inputs.length < 2) continue;
        const layout = inputs.map((_, i) =>
          i === 0
            ? '0_0'
            : `${inputs
                .slice(0, i)
                .map((__, j) => `w${j}`)
                .join('+')}+${8 * i}_0`,
        );
        const result = spawnSync('ffmpeg', [
          ...['-y', '-v', 'error'],
          ...inputs.flatMap((path) => ['-i', path]),
          ...['-filter_complex', `xstack=inputs=${inputs.length}:layout=${layout.join('|')}:fill=gray`],
          join(dir, file),
        ]);
        if (result.status !== 0) {
          console.warn(`screenshots: no side-by-side pictures (ffmpeg: ${result.error?.message ?? result.stderr}).`);
          return;
        }
        made++;
      }
    }
  }
  console.log(`screenshots: ${made} side-by-side pictures in ${dir}`);
}
const outDir = join(root, 'screenshots');
const apiKey = 'screenshots-api-key-0123456789';

const bundle = await build({
  entryPoints: [join(root, 'src/element/index.ts')],
  bundle: true,
  format: 'esm',
  write: false,
  target: 'es2021',
  tsconfig: join(root, 'tsconfig.json'),
  logLevel: 'warning',
});
const script = bundle.outputFiles[0].text;

const dataDir = mkdtempSync(join(tmpdir(), 'vu-screenshots-'));
// Recordings of a few seconds go in 64 KiB parts (api.video wants 5 MiB): the recording scenes show parts on their way.
const api = await startVideoApiServer({ apiKey, dataDir, port: 0, host: '127.0.0.1', minPartSize: 64 * 1024 });
const proxy = new FaultProxy(api.url);
await proxy.start();

const page = (body: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>video-uploader</title>
<style>body { margin: 0; padding: 16px; font-family: system-ui, sans-serif; }</style>
<script type="module" src="/element.js"></script>
</head>
<body>${body}</body>
</html>`;

const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/element.js') {
    response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
  } else if (url.pathname === '/sample.mp4') {
    response.writeHead(200, { 'content-type': 'video/mp4' }).end(readFileSync('test/fixtures/sample.mp4'));
  } else if (url.pathname === '/token' && request.method === 'POST' && url.searchParams.has('busy')) {
    // A busy issuer: over its rate limit, it asks the element to wait.
    response
      .writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '30', 'x-ratelimit-remaining': '0' })
      .end(JSON.stringify({ title: 'Too many requests.', status: 429 }));
  } else if (url.pathname === '/token' && request.method === 'POST') {
    const minted = await fetch(`${api.url}/upload-tokens`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ ttl: 600 }),
    });
    const grant = { ...(await minted.json()), apiUrl: url.searchParams.has('direct') ? api.url : proxy.url };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(grant));
  } else {
    const attributes = url.searchParams.get('attributes') ?? '';
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end(
        page(
          `<video-uploader ${attributes.includes('token-url=') ? '' : 'token-url="/token"'} ${attributes}></video-uploader>`,
        ),
      );
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** Functions run in the page: a file of `size` bytes, and a drag over the drop zone. */
const helpers = `(() => {
  window.file = (name, size, type = 'video/mp4') => new File([new Uint8Array(size)], name, { type });
  window.uploader = () => document.querySelector('video-uploader');
  window.zone = () => uploader().shadowRoot.querySelector('[part~=dropzone]');
  window.dragFiles = (files) => {
    const dataTransfer = new DataTransfer();
    for (const f of files) dataTransfer.items.add(f);
    for (const type of ['dragenter', 'dragover']) zone().dispatchEvent(new DragEvent(type, { dataTransfer, bubbles: true, composed: true, cancelable: true }));
    return dataTransfer;
  };
  window.dropFiles = (files) => zone().dispatchEvent(new DragEvent('drop', { dataTransfer: dragFiles(files), bubbles: true, composed: true, cancelable: true }));
  window.shadowPart = (name) => uploader().shadowRoot.querySelector('[part~=' + name + ']');
  window.startRecording = async () => {
    uploader().recorderOptions = { partSize: 64 * 1024, allowSmallParts: true };
    await uploader().record('camera');
    await until(() => shadowPart('record-button'));
    shadowPart('record-button').click();
  };
  window.untilFor = (predicate, ms, what) => Promise.race([until(predicate), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out waiting for ' + what + ': ' + uploader().shadowRoot.textContent.replace(/\\s+/g, ' '))), ms))]);
  window.until = (predicate) => new Promise((resolve) => { const t = setInterval(() => { if (predicate()) { clearInterval(t); resolve(); } }, 20); });
})()`;

interface Scene {
  name: string;
  attributes?: string;
  bandwidth?: number;
  rules?: FaultRule[];
  /** Brings the element into the state, in the page. */
  act: string;
  /** Where the scene can be shown; every engine by default. Recording needs a fake camera: Chromium's. */
  engines?: EngineName[];
}

const scenes: Scene[] = [
  { name: 'idle', attributes: 'max-file-size="2000000000" max-duration="600"', act: '' },
  { name: 'dragover', act: 'dragFiles([file("holiday.mp4", 1000)])' },
  {
    name: 'uploading',
    bandwidth: 2_000_000,
    act: `dropFiles([file("Summer holiday in Brittany, day 3 - the long walk.mp4", 40_000_000)]);
      await until(() => uploader().progress?.percent >= 30 && uploader().progress?.secondsRemaining !== null);`,
  },
  {
    name: 'paused',
    bandwidth: 2_000_000,
    act: `dropFiles([file("interview.mov", 40_000_000, "video/quicktime")]);
      await until(() => uploader().progress?.percent >= 40); uploader().pause();`,
  },
  {
    name: 'error',
    attributes: 'retries="0"',
    rules: [{ method: 'POST', path: '/upload', times: 0, action: { type: 'status', status: 503 } }],
    act: `dropFiles([file("keynote.mp4", 900_000)]); await until(() => uploader().state === 'error');`,
  },
  {
    name: 'refused',
    attributes: 'max-file-size="50000000"',
    act: `dropFiles([file("conference-full.mp4", 64_000_000)]); await until(() => uploader().state === 'error');`,
  },
  {
    name: 'complete',
    act: `dropFiles([file("teaser.mp4", 300_000)]); await until(() => uploader().state === 'complete');`,
  },
  {
    name: 'fields',
    attributes: 'fields="title description"',
    act: `const title = uploader().shadowRoot.querySelector('[part~=title-input]');
      title.value = 'Our first week'; title.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));`,
  },
  {
    name: 'processing',
    // The video API keeps saying "still being made".
    rules: [{ path: '/vod/', times: 0, action: { type: 'status', status: 202 } }],
    act: `dropFiles([file("teaser.mp4", 300_000)]); await until(() => uploader().shadowRoot.querySelector('[part~=playable-status]'));`,
  },
  {
    name: 'batch',
    attributes: 'multiple max-file-size="50000000"',
    bandwidth: 2_000_000,
    act: `dropFiles([file("Day 1 - arrival.mp4", 30_000_000), file("Day 2 - the long walk on the cliffs.mp4", 20_000_000), file("Day 3.mp4", 9_000_000), file("Full day, uncut.mov", 90_000_000, "video/quicktime")]);
      await until(() => uploader().progress?.percent >= 20);`,
  },
  {
    name: 'batch-cancel',
    attributes: 'multiple',
    bandwidth: 2_000_000,
    act: `dropFiles([file("Day 1 - arrival.mp4", 30_000_000), file("Day 2.mp4", 20_000_000)]);
      await until(() => uploader().progress?.percent >= 10);
      uploader().shadowRoot.querySelector('[part~=cancel-button]').click();`,
  },
  {
    name: 'poster',
    bandwidth: 40_000,
    act: `const blob = await (await fetch('/sample.mp4')).blob();
      dropFiles([new File([blob], 'Rehearsal, take 2.mp4', { type: 'video/mp4' })]);
      await until(() => uploader().shadowRoot.querySelector('img[part~=poster]')?.naturalWidth > 0 && uploader().progress?.percent >= 10);`,
  },
  {
    name: 'player',
    attributes: 'player="video"',
    act: `const blob = await (await fetch('/sample.mp4')).blob();
      dropFiles([new File([blob], 'sample.mp4', { type: 'video/mp4' })]);
      await until(() => uploader().shadowRoot.querySelector('video[part~=player]')?.readyState >= 2);`,
  },
  {
    name: 'canceled',
    bandwidth: 300_000,
    act: `dropFiles([file("draft.mp4", 2_000_000)]); await until(() => uploader().progress); uploader().cancel();`,
  },
  {
    name: 'multiple',
    attributes: 'multiple',
    bandwidth: 2_000_000,
    act: `dropFiles([file("one.mp4", 300_000), file("two.mp4", 40_000_000), file("three.mp4", 300_000), file("four.mp4", 300_000)]);
      await until(() => uploader().videos.length === 1 && uploader().progress?.percent >= 20);`,
  },
  {
    name: 'waiting-for-connection',
    bandwidth: 2_000_000,
    act: `dropFiles([file("Family dinner.mp4", 40_000_000)]);
      await until(() => uploader().progress?.percent >= 30); dispatchEvent(new Event('offline'));`,
  },
  {
    name: 'busy-issuer',
    attributes: 'token-url="/token?busy"',
    act: `dropFiles([file("batch-11.mp4", 4_000_000)]); await until(() => uploader().state === 'retrying');`,
  },
  {
    name: 'setup-error',
    attributes: 'token-url="/no-such-route"',
    act: `dropFiles([file("keynote.mp4", 900_000)]); await until(() => uploader().state === 'error');`,
  },
  {
    name: 'not-a-video',
    act: `dropFiles([new File(['hello'], "notes.mp4", { type: 'video/mp4' })]); await until(() => uploader().state === 'error');`,
  },
  {
    name: 'interrupted',
    act: `const key = 'video-uploader:resume:' + JSON.stringify(['Summer holiday in Brittany, day 3.mp4', 48_000_000, 'video/mp4', 1, 'http://127.0.0.1']);
      localStorage.setItem(key, JSON.stringify({ v: 1, videoId: 'vi0000000000000000000000', chunkSize: 5_000_000, parts: 10, done: [1, 2, 3, 4, 5, 6], createdAt: Date.now(), updatedAt: Date.now() }));
      uploader().remove(); document.body.append(document.createElement('video-uploader'));
      await until(() => uploader().shadowRoot?.querySelector('[part~=interrupted]'));
      localStorage.removeItem(key);`,
  },
  {
    name: 'record-idle',
    attributes: 'sources="file camera screen" max-duration="600"',
    act: '',
    engines: ['chromium'],
  },
  {
    name: 'record-recording',
    engines: ['chromium'],
    attributes: 'sources="file camera" max-duration="600"',
    bandwidth: 60_000,
    act: `await startRecording(); await untilFor(() => /0:0[4-9]/.test(shadowPart('timer')?.textContent ?? '') && /sent/.test(shadowPart('status')?.textContent ?? ''), 20000, 'recording');`,
  },
  {
    name: 'record-last-part',
    engines: ['chromium'],
    attributes: 'sources="file camera"',
    bandwidth: 15_000,
    act: `await startRecording(); await untilFor(() => /0:0[3-9]/.test(shadowPart('timer')?.textContent ?? '') && /sent/.test(shadowPart('status')?.textContent ?? ''), 20000, 'recording');
      shadowPart('stop-button').click(); await untilFor(() => shadowPart('playback') && shadowPart('progress'), 10000, 'last part');
      await new Promise((r) => setTimeout(r, 500));`,
  },
  {
    name: 'record-done',
    engines: ['chromium'],
    attributes: 'sources="file camera"',
    act: `await startRecording(); await untilFor(() => /0:0[2-9]/.test(shadowPart('timer')?.textContent ?? '') && /sent/.test(shadowPart('status')?.textContent ?? ''), 20000, 'recording');
      shadowPart('stop-button').click(); await untilFor(() => shadowPart('done'), 20000, 'done');
      await new Promise((r) => setTimeout(r, 500));`,
  },
  { name: 'french', attributes: 'lang="fr" max-file-size="2000000000"', act: '' },
  { name: 'disabled', attributes: 'disabled', act: '' },
];

/** A small phone, a common phone, a desktop column. */
const WIDTHS = [320, 375, 1000];

/** `SCENES=offline,busy-issuer npm run screenshots` renders only those. */
const only = process.env.SCENES?.split(',').filter(Boolean);
const chosen = only?.length ? scenes.filter((scene) => only.some((name) => scene.name.startsWith(name))) : scenes;

const engines = enginesFrom(process.env.BROWSERS);
const shoot = async (tab: EnginePage, file: string): Promise<void> => {
  await new Promise((resolve) => setTimeout(resolve, 150));
  await tab.screenshot(file, 'body');
};
try {
  for (const engine of engines) {
    mkdirSync(join(outDir, engine), { recursive: true });
    for (const colorScheme of ['light', 'dark'] as const) {
      // Firefox and WebKit take the color scheme from preferences at launch.
      const browser = await launchEngine(engine, { colorScheme });
      try {
        for (const width of WIDTHS) {
          const tab = await browser.newPage({ width, height: 900 });
          for (const scene of chosen.filter((s) => !s.engines || s.engines.includes(engine))) {
            proxy.configure({ rules: scene.rules ?? [], ...(scene.bandwidth ? { bandwidth: scene.bandwidth } : {}) });
            await tab.goto(`${origin}/?attributes=${encodeURIComponent(scene.attributes ?? '')}`);
            await tab.evaluate(helpers);
            // MiniBrowser's window cannot be as narrow as a phone: the page is held to the width instead.
            await tab.evaluate(`void (document.body.style.cssText = 'box-sizing: border-box; width: ${width}px')`);
            await tab.evaluate("customElements.whenDefined('video-uploader').then(() => uploader().updateComplete)");
            if (scene.act) await tab.evaluate(`(async () => { ${scene.act} })()`);
            await shoot(tab, join(outDir, engine, `${scene.name}-${width}-${colorScheme}.png`));
            await tab.evaluate('uploader().cancel()');
          }
          await tab.close();
        }
      } finally {
        await browser.close();
      }
    }
    console.log(`screenshots: ${chosen.length * WIDTHS.length * 2} pictures in ${join(outDir, engine)}`);
  }
  if (engines.length > 1) sideBySide(chosen.map((scene) => scene.name));
} finally {
  server.close();
  await proxy.close();
  await api.close();
  rmSync(dataDir, { recursive: true, force: true });
}
