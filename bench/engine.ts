/**
 * Upload engine benchmark: `npm run bench:engine`. Headless Chromium (playwright-core, system Chromium).
 * 1. A 1 GiB file (built in the page from one repeated 1 MiB block) through `UploadSession` to the
 *    local video API, `parallel` 1 and 2, against one plain XHR POST of the same file to a bare
 *    streaming-to-disk node:http endpoint, and against api.video's own uploader
 *    (`@api.video/video-uploader`) with both behind a TLS front; same run, rounds rotating; medians,
 *    ratios, and the median of each round's own ratios.
 * 2. The renderer's peak memory during a 1 GiB upload through the engine (RSS of the renderer
 *    processes from /proc, and the JS heap from CDP `Performance.getMetrics`), as growth over the
 *    level just before `start()`.
 * A fourth row sends the engine's parts to a bare `/upload` stand-in, to tell the engine's own cost from the API's ingest.
 * The servers run in a child process (this file with `--serve`), so the browser driver does not share their event loop.
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { startTlsFront } from '../test/support/tls-front.js';
import { child, median } from './lib.js';

const MiB = 1024 * 1024;

interface Servers {
  api: string;
  /** The local API behind a TLS front (`https://127.0.0.1:<port>`): api.video's own uploader only speaks https. */
  apiTls: string;
  bare: string;
  apiKey: string;
}

if (process.argv[2] === '--serve') await serve(process.argv[3]);
else await main();

/** Child mode: the local video API and the bare endpoint (which also serves the page and the engine bundle). */
async function serve(bundleDir: string): Promise<void> {
  const { startVideoApiServer } = await import('../src/server/app.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'vu-bench-engine-'));
  const apiKey = 'bench-engine-api-key-0123456789';
  const api = await startVideoApiServer({
    apiKey,
    dataDir,
    port: 0,
    host: '127.0.0.1',
    rateLimit: { limit: 1e9, windowMs: 60_000 },
  });
  const page =
    '<!doctype html><meta charset="utf-8"><title>engine bench</title><script type="module">import * as engine from "/engine.js"; import * as official from "/official.js"; window.engine = engine; window.official = official.VideoUploader ?? official.default.VideoUploader; window.ready = true;</script>';
  const bare = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    if (req.method === 'GET' && req.url?.endsWith('.js')) {
      try {
        res
          .writeHead(200, { 'content-type': 'text/javascript' })
          .end(readFileSync(join(bundleDir, req.url.slice(1).replace(/[^\w.-]/g, ''))));
      } catch {
        res.writeHead(404).end();
      }
      return;
    }
    if (req.method === 'POST' && req.url?.startsWith('/upload?')) {
      // A stand-in for `/upload` that only streams the multipart body to disk: it isolates the
      // engine's own cost (parts, multipart, waits between parts) from the local API's ingest.
      const file = join(dataDir, `stub-${Date.now()}-${Math.random()}`);
      await pipeline(req, createWriteStream(file));
      const videoId = 'vi' + 'b'.repeat(22);
      res
        .writeHead(201, { 'content-type': 'application/json', 'x-video-id': videoId })
        .end(JSON.stringify({ videoId, title: 'bench' }));
      await unlink(file);
      return;
    }
    if (req.method === 'POST' && req.url === '/plain') {
      // The baseline: one request streamed straight to disk, nothing else.
      const file = join(dataDir, `plain-${Date.now()}-${Math.random()}`);
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      await pipeline(req, createWriteStream(file));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes }));
      await unlink(file);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  // `@api.video/video-uploader` builds its URLs as `https://{apiHost}`: both uploaders are measured
  // through a TLS front (the browser is started with --ignore-certificate-errors).
  const front = await startTlsFront(api.url);
  const info: Servers = {
    api: api.url,
    apiTls: front.url,
    bare: `http://127.0.0.1:${(bare.address() as AddressInfo).port}`,
    apiKey,
  };
  process.stdout.write(JSON.stringify(info) + '\n');
  const stop = async (): Promise<void> => {
    bare.close();
    front.close();
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.stdin.on('end', stop);
  process.stdin.resume();
}

/** Resident set size of a process, from /proc. */
function rss(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const { build } = await import('esbuild');
  const { chromium } = await import('playwright-core');
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const sizeMiB = Number(process.env.BENCH_ENGINE_MIB ?? 1024);
  const memoryMiB = Number(process.env.BENCH_ENGINE_MEMORY_MIB ?? 1024);

  const bundleDir = mkdtempSync(join(tmpdir(), 'vu-bench-bundle-'));
  await build({
    entryPoints: { engine: 'src/upload/index.ts', official: '@api.video/video-uploader' },
    bundle: true,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: 'es2021',
    outdir: bundleDir,
    logLevel: 'warning',
  });
  const { info, proc } = await child<Servers>('bench/engine.ts', ['--serve', bundleDir]);
  const auth = `Basic ${Buffer.from(`${info.apiKey}:`).toString('base64')}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--no-first-run',
      // The TLS front's certificate is a throwaway self-signed one.
      '--ignore-certificate-errors',
    ],
  });
  try {
    const page = await browser.newPage();
    await page.exposeFunction('grant', async () => {
      const response = await fetch(`${info.api}/upload-tokens`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ ttl: 3600 }),
      });
      return { ...(await response.json()), apiUrl: info.api };
    });
    // tsx keeps function names with a `__name` helper that evaluated functions carry into the page.
    await page.addInitScript('window.__name = (fn) => fn;');
    await page.goto(info.bare);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      const bytes = new Uint8Array(1024 * 1024);
      for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
      // One 1 MiB Blob referenced `mib` times: the browser's blob storage holds 1 MiB, whatever the file size
      // (a File built from the bytes themselves copies them all into blob storage, which caps near 200 MiB headless).
      const block = new Blob([bytes]);
      w.makeFile = (mib: number) =>
        new File(
          Array.from({ length: mib }, () => block),
          'bench.mp4',
          { type: 'video/mp4' },
        );
    });
    const deleteVideo = async (videoId: string): Promise<void> => {
      await fetch(`${info.api}/videos/${videoId}`, { method: 'DELETE', headers: { authorization: auth } });
    };

    const plain = (mib: number): Promise<number> =>
      page.evaluate(
        (mib) =>
          new Promise<number>((resolve, reject) => {
            const file = (window as unknown as { makeFile(m: number): File }).makeFile(mib);
            const xhr = new XMLHttpRequest();
            const started = performance.now();
            xhr.open('POST', '/plain');
            xhr.onload = () =>
              xhr.status === 200 ? resolve(performance.now() - started) : reject(new Error(`status ${xhr.status}`));
            xhr.onerror = () => reject(new Error('network error'));
            xhr.send(file);
          }),
        mib,
      );
    const engine = async (mib: number, parallel: number, stub = false, tls = false, partMiB = 0): Promise<number> => {
      const { ms, videoId } = await page.evaluate(
        ({ mib, parallel, stub, apiUrl, chunkSize }) =>
          new Promise<{ ms: number; videoId: string }>((resolve, reject) => {
            const w = window as unknown as {
              makeFile(m: number): File;
              grant(): Promise<import('../src/protocol/index.js').TokenGrant>;
              engine: typeof import('../src/upload/index.js');
            };
            const file = w.makeFile(mib);
            const tokenProvider = async () =>
              stub ? { ...(await w.grant()), apiUrl: location.origin } : { ...(await w.grant()), apiUrl };
            const session = new w.engine.UploadSession({
              tokenProvider,
              parallel,
              resume: false,
              ...(chunkSize > 0 ? { chunkSize } : {}),
            });
            const started = performance.now();
            session.addEventListener('complete', (e) =>
              resolve({ ms: performance.now() - started, videoId: e.detail.video.videoId }),
            );
            session.addEventListener('error', (e) => reject(e.detail.error));
            session.start(file);
          }),
        { mib, parallel, stub, apiUrl: tls ? info.apiTls : info.api, chunkSize: partMiB * MiB },
      );
      if (!stub) await deleteVideo(videoId);
      return ms;
    };
    // api.video's own browser uploader (`@api.video/video-uploader`, default 50 MiB chunks, one at a
    // time) with a delegated token, through the TLS front.
    const official = async (mib: number): Promise<number> => {
      const { ms, videoId } = await page.evaluate(
        async ({ mib, apiHost }) => {
          const w = window as unknown as {
            makeFile(m: number): File;
            grant(): Promise<{ token: string }>;
            official: new (options: { file: File; uploadToken: string; apiHost: string }) => {
              upload(): Promise<{ videoId: string }>;
            };
          };
          const file = w.makeFile(mib);
          const { token } = await w.grant();
          const started = performance.now();
          const video = await new w.official({ file, uploadToken: token, apiHost }).upload();
          return { ms: performance.now() - started, videoId: video.videoId };
        },
        { mib, apiHost: new URL(info.apiTls).host },
      );
      await deleteVideo(videoId);
      return ms;
    };

    // Warm-up: connections, JIT, disk.
    await plain(64);
    await engine(64, 1);
    await engine(64, 1, false, true);
    await official(64);

    // `BENCH_PART_MIB=25,50,100` compares part sizes instead (the engine's default settings otherwise, to the local API).
    const partSizes = (process.env.BENCH_PART_MIB ?? '')
      .split(',')
      .map(Number)
      .filter((n) => n > 0);
    const labels: Record<string, string> =
      partSizes.length > 0
        ? {
            plain: 'plain XHR POST → bare streaming-to-disk endpoint',
            ...Object.fromEntries(partSizes.map((n) => [`part${n}`, `engine, parallel 1, ${n} MiB parts → local API`])),
          }
        : {
            plain: 'plain XHR POST → bare streaming-to-disk endpoint',
            p1: 'engine, parallel 1 (50 MiB parts)',
            p2: 'engine, parallel 2 (50 MiB parts)',
            stub: 'engine, parallel 1 → bare `/upload` stand-in (no ingest)',
            stub2: 'engine, parallel 2 → bare `/upload` stand-in (no ingest)',
            tls: 'engine, parallel 1 → local API through the TLS front',
            official: '@api.video/video-uploader → local API through the TLS front',
          };
    const runs: Record<string, () => Promise<number>> =
      partSizes.length > 0
        ? {
            plain: () => plain(sizeMiB),
            ...Object.fromEntries(partSizes.map((n) => [`part${n}`, () => engine(sizeMiB, 1, false, false, n)])),
          }
        : {
            plain: () => plain(sizeMiB),
            p1: () => engine(sizeMiB, 1),
            p2: () => engine(sizeMiB, 2),
            stub: () => engine(sizeMiB, 1, true),
            stub2: () => engine(sizeMiB, 2, true),
            tls: () => engine(sizeMiB, 1, false, true),
            official: () => official(sizeMiB),
          };
    const names = Object.keys(runs);
    const times: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, [] as number[]]));
    // Rounds rotate: round r starts with the r-th run, so no run always follows the same one.
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length];
        times[name].push(await runs[name]());
      }
      console.log(
        `round ${round + 1}: ` + names.map((name) => `${name} ${(times[name][round] / 1000).toFixed(2)} s`).join(', '),
      );
    }
    // Where the time of one engine upload goes, from the browser's resource timing of its part requests:
    // each part's request (set-up, body sent, the server's answer) and the gaps between one answer and the next request.
    await page.evaluate(() => {
      performance.setResourceTimingBufferSize(100_000);
      performance.clearResourceTimings();
    });
    const profiled = await engine(sizeMiB, 1);
    const parts = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/upload?'))
        .map((e) => {
          const t = e as PerformanceResourceTiming;
          return { start: t.startTime, end: t.responseEnd };
        }),
    );
    const rate = (ms: number): number => sizeMiB / (ms / 1000);
    const base = rate(median(times.plain));
    console.log(`\n${sizeMiB} MiB upload, headless Chromium → loopback, median of ${rounds} rounds (interleaved)`);
    console.log('| run | median s | MiB/s | vs plain XHR |');
    console.log('|---|---|---|---|');
    for (const [name, label] of Object.entries(labels)) {
      const ms = median(times[name]);
      console.log(
        `| ${label} | ${(ms / 1000).toFixed(2)} | ${rate(ms).toFixed(0)} | ${(rate(ms) / base).toFixed(2)}× |`,
      );
    }
    // Paired ratios: each round's runs share that round's machine state.
    const paired = (ours: string, theirs: string): string =>
      median(times[ours].map((ms, round) => times[theirs][round] / ms)).toFixed(2) + '×';
    console.log(
      partSizes.length > 0
        ? `\nMedian of the rounds' own ratios against plain: ` +
            partSizes.map((n) => `${n} MiB parts ${paired(`part${n}`, 'plain')}`).join(', ')
        : `\nMedian of the rounds' own ratios: engine (parallel 1) / plain ${paired('p1', 'plain')}; ` +
            `engine / official uploader, both through the TLS front, ${paired('tls', 'official')}`,
    );

    if (parts.length > 0) {
      const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
      const inRequests = sum(parts.map((p) => p.end - p.start));
      const gaps = sum(parts.slice(1).map((p, i) => p.start - parts[i].end));
      console.log(
        `\nPer part (one ${sizeMiB} MiB engine upload, parallel 1, ${(profiled / 1000).toFixed(2)} s, ${parts.length} part requests): ` +
          `in part requests ${(inRequests / 1000).toFixed(2)} s (median ${(median(parts.map((p) => p.end - p.start)) / 1000).toFixed(3)} s a part), ` +
          `gaps between one answer and the next request ${(gaps / 1000).toFixed(3)} s in all, ` +
          `time before the first part ${(profiled - inRequests - gaps) / 1000 > 0 ? ((profiled - inRequests - gaps) / 1000).toFixed(3) : '0'} s ` +
          `(the API is cross-origin to the page, so the browser hides the finer timings of each request).`,
      );
    }
    console.log(
      `load average: ${(await import('node:os'))
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );

    // Memory during a long upload, sampled every 100 ms.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const heap = async (): Promise<number> => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m: { name: string }) => m.name === 'JSHeapUsedSize')?.value ?? 0;
    };
    await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown> & { makeFile(m: number): File };
      w.bigFile = w.makeFile(0);
    });
    await page.evaluate((mib) => {
      const w = window as unknown as Record<string, unknown> & { makeFile(m: number): File };
      w.bigFile = w.makeFile(mib);
    }, memoryMiB);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The renderer processes of this browser, as the browser itself lists them.
    const browserCdp = await browser.newBrowserCDPSession();
    const { processInfo } = (await browserCdp.send('SystemInfo.getProcessInfo')) as {
      processInfo: Array<{ type: string; id: number }>;
    };
    const renderers = processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
    if (renderers.length === 0) throw new Error('no renderer process found');
    // Growth is per process (peak minus its own level before start); the largest growth is reported.
    const rssBefore = new Map(renderers.map((pid) => [pid, rss(pid)]));
    const rssPeaks = new Map(rssBefore);
    const heapBefore = await heap();
    let heapPeak = heapBefore;
    let sampling = true;
    let samples = 0;
    const sampler = (async () => {
      while (sampling) {
        for (const pid of renderers) rssPeaks.set(pid, Math.max(rssPeaks.get(pid)!, rss(pid)));
        heapPeak = Math.max(heapPeak, await heap());
        samples++;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const memoryRun = await page.evaluate(
      () =>
        new Promise<{ ms: number; videoId: string }>((resolve, reject) => {
          const w = window as unknown as {
            bigFile: File;
            grant(): Promise<import('../src/protocol/index.js').TokenGrant>;
            engine: typeof import('../src/upload/index.js');
          };
          const session = new w.engine.UploadSession({ tokenProvider: () => w.grant(), resume: false });
          const started = performance.now();
          session.addEventListener('complete', (e) =>
            resolve({ ms: performance.now() - started, videoId: e.detail.video.videoId }),
          );
          session.addEventListener('error', (e) => reject(e.detail.error));
          session.start(w.bigFile);
        }),
    );
    sampling = false;
    await sampler;
    await deleteVideo(memoryRun.videoId);
    const mb = (bytes: number): string => (bytes / MiB).toFixed(1);
    console.log(
      `\n${memoryMiB} MiB upload through the engine (parallel 1, 50 MiB parts) in ${(memoryRun.ms / 1000).toFixed(1)} s, renderer memory sampled every 100 ms (${samples} samples, renderer pids ${renderers.join(', ')})`,
    );
    console.log('| measure | before start | peak | growth | budget (part + 32 MiB) |');
    console.log('|---|---|---|---|---|');
    const grown = renderers.reduce((best, pid) =>
      rssPeaks.get(pid)! - rssBefore.get(pid)! > rssPeaks.get(best)! - rssBefore.get(best)! ? pid : best,
    );
    console.log(
      `| renderer RSS (MiB, pid ${grown}) | ${mb(rssBefore.get(grown)!)} | ${mb(rssPeaks.get(grown)!)} | ${mb(rssPeaks.get(grown)! - rssBefore.get(grown)!)} | 82 |`,
    );
    console.log(`| JS heap used (MiB) | ${mb(heapBefore)} | ${mb(heapPeak)} | ${mb(heapPeak - heapBefore)} | 82 |`);
  } finally {
    await browser.close();
    proc.stdin?.end();
    rmSync(bundleDir, { recursive: true, force: true });
  }
}
