/**
 * The fault soak: real uploads from headless Chromium (the element and the engine) to the local
 * video API in its own process, through fault-injecting proxies, with the API killed and restarted,
 * short-lived tokens and many uploads at once. One module for both sizes: `npm run soak` runs it at
 * `FULL` scale, the node tests at `FAST` scale.
 *
 * Every file is generated on disk from a seed (AES-CTR keystream) and handed to the page with
 * `setInputFiles`; its SHA-256 is computed while it is written, and compared with the source the API
 * assembled. Everything listens on 127.0.0.1 and everything started here is stopped by `stop()`.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { createTokenIssuer, type TokenIssuer } from '../../src/issuer/index.js';
import { toNodeHandler, type NodeHandler } from '../../src/issuer/node.js';
import { MiB, MIN_CHUNK_SIZE, type TokenGrant, type Video } from '../../src/protocol/index.js';
import { tempDir } from '../../test/support/api.js';
import { launchChromium } from '../../test/support/browser.js';
import { FaultProxy, type FaultConfig, type FaultRule, type ProxyLogEntry } from '../../test/support/fault-proxy.js';
import { startServerProcess, type ServerProcess } from '../../test/support/server-process.js';
import type { LaneOptions, LaneResult } from './soak-page.js';

export const SOAK_API_KEY = 'soak-api-key-7d41c9e0b2';
/** The smallest part the API takes: the most parts, so the most chances for a fault. */
export const CHUNK_SIZE = MIN_CHUNK_SIZE;
/** Retries per stretch without progress; a server restart or a run of faults on one part must not exhaust them. */
const RETRIES = 30;
/** The engine lanes give up on a silent part after this long and send it again. */
const STALL_TIMEOUT_MS = 3_000;

export interface SoakScale {
  name: string;
  seed: number;
  /** Uploads through fault-injecting proxies. */
  faults: { uploads: number; minMiB: number; maxMiB: number; concurrency: number; timeoutMs: number };
  /** Uploads while the API is killed (SIGKILL) and restarted on the same port and data directory. */
  kills: {
    uploads: number;
    minMiB: number;
    maxMiB: number;
    concurrency: number;
    bandwidth: number;
    /** Milliseconds between a restart and the next kill, drawn uniformly. */
    killAfterMs: [number, number];
    maxKills: number;
    timeoutMs: number;
  };
  /** One upload paced to take `seconds`, with tokens that live `ttl` seconds. */
  token: { ttl: number; sizeMiB: number; seconds: number; timeoutMs: number };
  /** `inPage` uploads at once from one page, then `pages` pages with `perPage` uploads each, all at once. */
  concurrent: { inPage: number; pages: number; perPage: number; sizeMiB: number; timeoutMs: number };
}

export const FULL: SoakScale = {
  name: 'full',
  seed: 20_260_801,
  faults: { uploads: 50, minMiB: 24, maxMiB: 64, concurrency: 5, timeoutMs: 300_000 },
  kills: {
    uploads: 10,
    minMiB: 24,
    maxMiB: 40,
    concurrency: 10,
    bandwidth: 3 * MiB,
    killAfterMs: [2_000, 5_000],
    maxKills: 40,
    timeoutMs: 180_000,
  },
  token: { ttl: 5, sizeMiB: 24, seconds: 30, timeoutMs: 90_000 },
  concurrent: { inPage: 20, pages: 4, perPage: 5, sizeMiB: 12, timeoutMs: 120_000 },
};

export const FAST: SoakScale = {
  name: 'fast',
  seed: 7,
  faults: { uploads: 3, minMiB: 12, maxMiB: 12, concurrency: 3, timeoutMs: 40_000 },
  kills: {
    uploads: 1,
    minMiB: 12,
    maxMiB: 12,
    concurrency: 1,
    bandwidth: 3 * MiB,
    killAfterMs: [700, 2_000],
    maxKills: 1,
    timeoutMs: 40_000,
  },
  token: { ttl: 2, sizeMiB: 10, seconds: 5, timeoutMs: 30_000 },
  concurrent: { inPage: 4, pages: 2, perPage: 2, sizeMiB: 6, timeoutMs: 30_000 },
};

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface ScenarioReport {
  name: string;
  checks: Check[];
  figures: Record<string, string | number>;
  seconds: number;
}

/** Deterministic random numbers (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const between = (rng: () => number, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));

interface SoakFile {
  name: string;
  path: string;
  size: number;
  sha256: string;
}

/** Writes `size` bytes of the keystream of `seed` to `path`, hashing them on the way. */
export async function writeSeededFile(path: string, size: number, seed: string): Promise<string> {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const hash = createHash('sha256');
  const zeros = Buffer.alloc(MiB);
  const handle = await open(path, 'w');
  try {
    for (let offset = 0; offset < size; offset += MiB) {
      const block = cipher.update(zeros.subarray(0, Math.min(MiB, size - offset)));
      hash.update(block);
      await handle.write(block);
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

export function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: MiB })
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** `PRAGMA integrity_check` on the API's database, opened read-only. */
export function integrityCheck(dataDir: string): string {
  const db = new Database(join(dataDir, 'video-api.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check).join('; ');
  } finally {
    db.close();
  }
}

export interface LaneSpec {
  id: string;
  mode: LaneOptions['mode'];
  page: Page;
  sizeBytes: number;
  /** Fault rules and limits of the lane's own proxy; none: the lane uploads straight to the API. */
  faults?: FaultConfig;
  /** Seconds each token of the lane lives. */
  ttl?: number;
  parallel?: number;
  /** The protocol the lane's grants name; default `apivideo`. */
  protocol?: 'apivideo' | 'tus';
}

export interface LaneOutcome {
  spec: LaneSpec;
  file: SoakFile;
  result: LaneResult;
  log: ProxyLogEntry[];
  /** The SHA-256 of the source the API assembled, when it completed. */
  sourceSha256: string | null;
  ms: number;
}

interface RunningLane {
  spec: LaneSpec;
  file: SoakFile;
  proxy: FaultProxy | null;
  startedAt: number;
}

const PAGE_HTML =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>upload soak</title><script type="module" src="/soak.js"></script><body></body></html>';

/** The running pieces: the API process, the page host with the lanes' token issuers, Chromium. */
export class Soak {
  readonly scale: SoakScale;
  readonly root: string;
  readonly dataDir: string;
  readonly filesDir: string;
  api!: ServerProcess;
  browser!: Browser;
  pageUrl = '';
  #host: Server | null = null;
  #bundle = '';
  readonly #issuers = new Map<string, NodeHandler>();
  /** Every grant handed out: token → expiry (ms since the epoch). */
  readonly grants = new Map<string, number | null>();
  readonly #pages: Page[] = [];
  #sampler: NodeJS.Timeout | null = null;
  /** Peak VmRSS of the API process, in KiB, since `resetRssPeak()`. */
  rssPeakKiB = 0;
  /** Peak VmRSS of any API process of the run, in KiB. */
  rssMaxKiB = 0;
  rssNowKiB = 0;
  #stopping = false;

  private constructor(scale: SoakScale) {
    this.scale = scale;
    this.root = tempDir('vu-soak-');
    this.dataDir = join(this.root, 'data');
    this.filesDir = join(this.root, 'files');
    mkdirSync(this.dataDir);
    mkdirSync(this.filesDir);
  }

  static async start(scale: SoakScale): Promise<Soak> {
    const soak = new Soak(scale);
    try {
      await soak.#start();
    } catch (error) {
      await soak.stop();
      throw error;
    }
    return soak;
  }

  async #start(): Promise<void> {
    const built = await build({
      entryPoints: [fileURLToPath(new URL('./soak-page.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      target: 'es2021',
      write: false,
      logLevel: 'silent',
      // package.json marks only dist/ as having side effects; the element's source registers itself too.
      ignoreAnnotations: true,
      tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)),
    });
    this.#bundle = built.outputFiles[0].text;
    this.api = await startServerProcess(this.dataDir, SOAK_API_KEY);
    this.#sampler = setInterval(() => this.#sampleRss(), 100);
    this.#host = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE_HTML);
      } else if (path === '/soak.js' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(this.#bundle);
      } else if (path.startsWith('/token/') && this.#issuers.has(path.slice(7))) {
        this.#issuers.get(path.slice(7))!(req, res);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => this.#host!.listen(0, '127.0.0.1', resolve));
    this.pageUrl = `http://127.0.0.1:${(this.#host.address() as AddressInfo).port}/`;
    this.browser = await launchChromium();
  }

  #sampleRss(): void {
    const pid = this.api?.child.pid;
    if (!pid || this.api.child.exitCode !== null || this.api.child.signalCode !== null) return;
    try {
      const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      this.rssNowKiB = kib;
      this.rssPeakKiB = Math.max(this.rssPeakKiB, kib);
      this.rssMaxKiB = Math.max(this.rssMaxKiB, kib);
    } catch {
      // The process just exited.
    }
  }

  resetRssPeak(): number {
    this.#sampleRss();
    this.rssPeakKiB = this.rssNowKiB;
    return this.rssNowKiB;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#sampler) clearInterval(this.#sampler);
    await this.browser?.close().catch(() => {});
    await this.api?.kill().catch(() => {});
    await new Promise<void>((resolve) => (this.#host ? this.#host.close(() => resolve()) : resolve()));
    this.#host?.closeAllConnections();
    rmSync(this.root, { recursive: true, force: true });
  }

  /** SIGKILL, then a new API process on the same port and data directory. */
  async killApi(): Promise<void> {
    await this.api.kill();
  }

  async restartApi(): Promise<void> {
    if (this.#stopping) return;
    this.api = await startServerProcess(this.dataDir, SOAK_API_KEY, this.api.port);
  }

  async openPage(): Promise<Page> {
    const page = await this.browser.newPage();
    this.#pages.push(page);
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    await page.goto(this.pageUrl);
    await page.waitForFunction(() => window.soak !== undefined && customElements.get('video-uploader') !== undefined);
    return page;
  }

  async videos(): Promise<Video[]> {
    const all: Video[] = [];
    for (let page = 1; page <= 100; page++) {
      const response = await this.api.authed(`/videos?pageSize=100&currentPage=${page}`);
      if (response.status !== 200) throw new Error(`GET /videos: ${response.status}`);
      const body = (await response.json()) as { data: Video[]; pagination: { pagesTotal: number } };
      all.push(...body.data);
      if (page >= body.pagination.pagesTotal) break;
    }
    return all;
  }

  #issuer(id: string, uploadUrl: string, ttl: number, protocol: 'apivideo' | 'tus'): void {
    const issuer: TokenIssuer = createTokenIssuer({
      apiKey: SOAK_API_KEY,
      apiUrl: this.api.url,
      uploadUrl,
      ttl,
      protocol,
      rateLimit: false,
    });
    const recorded: TokenIssuer = async (request, context) => {
      const response = await issuer(request, context);
      if (response.status === 200) {
        const grant = (await response.clone().json()) as TokenGrant;
        this.grants.set(grant.token, grant.expiresAt ? Date.parse(grant.expiresAt) : null);
      }
      return response;
    };
    this.#issuers.set(id, toNodeHandler(recorded));
  }

  async #launch(spec: LaneSpec): Promise<RunningLane> {
    const name = `${spec.id}.mp4`;
    const path = join(this.filesDir, name);
    const sha256 = await writeSeededFile(path, spec.sizeBytes, `${this.scale.seed}:${spec.id}`);
    const file: SoakFile = { name, path, size: spec.sizeBytes, sha256 };
    let proxy: FaultProxy | null = null;
    if (spec.faults) {
      proxy = new FaultProxy(this.api.url);
      await proxy.start();
      proxy.configure(spec.faults);
    }
    this.#issuer(spec.id, proxy?.url ?? this.api.url, spec.ttl ?? 900, spec.protocol ?? 'apivideo');
    const options: LaneOptions = {
      id: spec.id,
      mode: spec.mode,
      tokenUrl: `/token/${spec.id}`,
      chunkSize: CHUNK_SIZE,
      retries: RETRIES,
      ...(spec.mode === 'engine' ? { stallTimeout: STALL_TIMEOUT_MS, parallel: spec.parallel ?? 1 } : {}),
    };
    await spec.page.evaluate((lane) => window.soak.add(lane), options);
    const selector = spec.mode === 'element' ? `#lane-${spec.id} input[type=file]` : `#lane-${spec.id}`;
    await spec.page.locator(selector).setInputFiles(path);
    return { spec, file, proxy, startedAt: Date.now() };
  }

  async #finish(lane: RunningLane, result: LaneOutcome['result']): Promise<LaneOutcome> {
    const log = lane.proxy?.log ?? [];
    await lane.proxy?.close();
    let sourceSha256: string | null = null;
    const videoId = result.videoId;
    if (result.status === 'complete' && videoId) {
      const source = join(this.dataDir, 'videos', videoId, 'source');
      sourceSha256 = existsSync(source) ? await sha256OfFile(source) : null;
    }
    await rm(lane.file.path, { force: true });
    return { spec: lane.spec, file: lane.file, result, log, sourceSha256, ms: Date.now() - lane.startedAt };
  }

  /**
   * Runs the lanes, at most `concurrency` at once, until every one completed or failed, or the time
   * is up (the rest count as hung). `onProgress` runs between polls, for the kill loop's bookkeeping.
   */
  async runLanes(specs: LaneSpec[], concurrency: number, timeoutMs: number): Promise<LaneOutcome[]> {
    const pending = [...specs];
    const running = new Map<string, RunningLane>();
    const outcomes: LaneOutcome[] = [];
    const deadline = Date.now() + timeoutMs;
    while ((pending.length > 0 || running.size > 0) && Date.now() < deadline) {
      while (running.size < concurrency && pending.length > 0) {
        const spec = pending.shift()!;
        running.set(spec.id, await this.#launch(spec));
      }
      await sleep(250);
      const byPage = new Map<Page, string[]>();
      for (const lane of running.values())
        byPage.set(lane.spec.page, [...(byPage.get(lane.spec.page) ?? []), lane.spec.id]);
      for (const [page, ids] of byPage) {
        const results = await page.evaluate((list) => list.map((id) => window.soak.results[id]), ids);
        for (const [i, result] of results.entries()) {
          if (result.status !== 'complete' && result.status !== 'error') continue;
          const lane = running.get(ids[i])!;
          running.delete(lane.spec.id);
          outcomes.push(await this.#finish(lane, result));
        }
      }
    }
    for (const lane of running.values()) {
      const last = await lane.spec.page.evaluate((id) => window.soak.results[id], lane.spec.id).catch(() => undefined);
      outcomes.push(await this.#finish(lane, { retries: 0, tokens: 0, refreshes: 0, ...last, status: 'hung' }));
    }
    for (const spec of pending) {
      outcomes.push({
        spec,
        file: { name: `${spec.id}.mp4`, path: '', size: spec.sizeBytes, sha256: '' },
        result: { status: 'hung', retries: 0, tokens: 0, refreshes: 0, error: 'never started' },
        log: [],
        sourceSha256: null,
        ms: 0,
      });
    }
    return outcomes;
  }

  async closePages(): Promise<void> {
    for (const page of this.#pages.splice(0)) await page.close().catch(() => {});
  }
}

/** The lane's requests, for the report of a failed upload. */
function describeLog(outcome: LaneOutcome): string {
  const t0 = outcome.log[0]?.startedAt ?? 0;
  return (
    outcome.log
      .filter((e) => e.method !== 'OPTIONS')
      .map(
        (e) =>
          `${e.method} ${e.path} ${e.contentRange ?? ''} ${e.fault} ${e.status}${e.upstreamError ? ` (${e.upstreamError})` : ''} ${e.bodyBytes}B @${e.startedAt - t0}-${e.endedAt === null ? 'open' : e.endedAt - t0}ms`,
      )
      .join(', ') || 'none'
  );
}

/** The checks every upload gets: it completed, and the assembled source has the file's SHA-256. */
function laneChecks(outcomes: LaneOutcome[], checks: Check[]): void {
  for (const outcome of outcomes) {
    const { result } = outcome;
    const done = result.status === 'complete';
    checks.push({
      name: `${outcome.spec.id} completes`,
      ok: done,
      ...(done
        ? {}
        : {
            detail: `${result.status}${result.error ? `: ${result.error}` : ''} after ${outcome.ms} ms, ${result.retries} retries (last: ${result.lastRetry ?? 'none'}); requests: ${describeLog(outcome)}`,
          }),
    });
    if (done) {
      checks.push({
        name: `${outcome.spec.id} source is byte-identical (SHA-256)`,
        ok: outcome.sourceSha256 === outcome.file.sha256,
        ...(outcome.sourceSha256 === outcome.file.sha256
          ? {}
          : { detail: `file ${outcome.file.sha256}, source ${outcome.sourceSha256 ?? 'missing'}` }),
      });
    }
  }
}

/** Exactly one video per upload, titled after its file, and no other video created meanwhile. */
async function oneVideoEach(
  soak: Soak,
  outcomes: LaneOutcome[],
  before: number,
  checks: Check[],
  strict = true,
): Promise<number> {
  const videos = await soak.videos();
  const byTitle = new Map<string, Video[]>();
  for (const video of videos) byTitle.set(video.title, [...(byTitle.get(video.title) ?? []), video]);
  let extra = 0;
  for (const outcome of outcomes) {
    const found = byTitle.get(outcome.file.name) ?? [];
    const videoId = outcome.result.videoId;
    extra += Math.max(0, found.length - 1);
    if (strict || found.length === 0 || !found.some((v) => v.videoId === videoId)) {
      checks.push({
        name: `${outcome.spec.id} created exactly one video`,
        ok: found.length === 1 && found[0].videoId === videoId,
        ...(found.length === 1 ? {} : { detail: `${found.length} videos titled ${outcome.file.name}` }),
      });
    }
  }
  if (strict) {
    checks.push({
      name: 'no video beyond the uploads',
      ok: videos.length - before === outcomes.length,
      detail: `${videos.length - before} new videos for ${outcomes.length} uploads`,
    });
  }
  return extra;
}

interface Tally {
  uploads: number;
  bytes: number;
  faults: Record<string, number>;
  /** Answers from the API that were 5xx. */
  serverErrors: number;
  /** Forwarded requests that failed on the API's side of the proxy (the API down, or a connection it closed). */
  upstreamErrors: number;
  requests: number;
  retries: number;
}

function tally(outcomes: LaneOutcome[]): Tally {
  const faults: Record<string, number> = {};
  let serverErrors = 0;
  let upstreamErrors = 0;
  let requests = 0;
  let retries = 0;
  let bytes = 0;
  for (const outcome of outcomes) {
    retries += outcome.result.retries;
    if (outcome.result.status === 'complete' && outcome.sourceSha256 === outcome.file.sha256)
      bytes += outcome.file.size;
    for (const entry of outcome.log) {
      if (entry.method === 'OPTIONS') continue;
      requests++;
      if (entry.fault !== 'forward') {
        const kind = entry.fault === 'status' ? String(entry.status) : entry.fault;
        faults[kind] = (faults[kind] ?? 0) + 1;
      } else if (entry.upstreamError) upstreamErrors++;
      else if (entry.status >= 500) serverErrors++;
    }
  }
  return { uploads: outcomes.length, bytes, faults, serverErrors, upstreamErrors, requests, retries };
}

const mib = (bytes: number): string => (bytes / MiB).toFixed(1);

/**
 * 1. Uploads through resets mid-part, 503s, 429s with Retry-After, stalls, answers lost after the API
 * stored the part, latency and bandwidth caps.
 */
export async function faultUploads(soak: Soak): Promise<ScenarioReport> {
  const { faults: scale, seed } = soak.scale;
  const started = Date.now();
  const rng = random(seed);
  const page = await soak.openPage();
  const before = (await soak.videos()).length;
  const specs: LaneSpec[] = [];
  for (let i = 0; i < scale.uploads; i++) {
    const sizeBytes = between(rng, scale.minMiB * MiB, scale.maxMiB * MiB);
    const parts = Math.ceil(sizeBytes / CHUNK_SIZE);
    const mode = i % 2 === 0 ? 'element' : 'engine';
    // Every fifth upload goes over tus: its PATCH requests carry no part number, so faults pick the nth PATCH.
    const tus = i % 5 === 2;
    const rules: FaultRule[] = [];
    // Every lane gets each kind of fault once, on parts picked at random (a part may get several).
    const kinds = ['reset', '503', '429', 'stall', 'drop'] as const;
    for (const kind of kinds) {
      // A lost answer to the first part leaves the client without a videoId: its retry makes a second video
      // (the protocol has no other way), so answers are only dropped for later parts.
      const part = between(rng, kind === 'drop' ? 2 : 1, parts);
      const partBytes = Math.min(CHUNK_SIZE, sizeBytes - (part - 1) * CHUNK_SIZE);
      const afterBytes = between(rng, 64 * 1024, Math.max(64 * 1024, partBytes - 64 * 1024));
      const where: Omit<FaultRule, 'action'> = tus
        ? { method: 'PATCH', path: '/tus/', skip: between(rng, 0, 2) }
        : { method: 'POST', path: '/upload', part };
      if (kind === 'reset') rules.push({ ...where, action: { type: 'reset', afterBytes } });
      if (kind === '503') {
        rules.push({
          ...where,
          action: { type: 'status', status: 503, ...(rng() < 0.5 ? { headers: { 'Retry-After': '1' } } : {}) },
        });
      }
      if (kind === '429')
        rules.push({
          ...where,
          action: { type: 'status', status: 429, headers: { 'Retry-After': String(between(rng, 1, 2)) } },
        });
      if (kind === 'drop') rules.push({ ...where, action: { type: 'drop' } });
      if (kind === 'stall') {
        // The engine lanes notice the silence themselves; the element lanes (30 s stall timeout) see the connection drop.
        rules.push({
          ...where,
          action: { type: 'stall', afterBytes, ...(mode === 'element' ? { ms: between(rng, 1_500, 3_000) } : {}) },
        });
      }
    }
    const config: FaultConfig = { rules };
    if (i % 2 === 1 || i % 5 === 0) config.latencyMs = 200;
    if (i % 3 === 0) config.bandwidth = between(rng, 8, 24) * MiB;
    specs.push({
      id: `faults-${String(i + 1).padStart(2, '0')}`,
      mode,
      page,
      sizeBytes,
      faults: config,
      parallel: i % 4 === 1 ? 2 : 1,
      protocol: tus ? 'tus' : 'apivideo',
    });
  }
  const outcomes = await soak.runLanes(specs, scale.concurrency, scale.timeoutMs);
  const checks: Check[] = [];
  laneChecks(outcomes, checks);
  await oneVideoEach(soak, outcomes, before, checks);
  if (process.env.SOAK_VERBOSE)
    for (const o of outcomes)
      console.log(`  ${o.spec.id} (${o.spec.mode}, ${o.result.retries} retries): ${describeLog(o)}`);
  const t = tally(outcomes);
  const with5xx = outcomes.filter((o) =>
    o.log.some((e) => e.fault === 'forward' && !e.upstreamError && e.status >= 500),
  );
  checks.push({
    name: 'no 5xx from the API',
    ok: t.serverErrors === 0,
    detail: `${t.serverErrors} forwarded 5xx${with5xx.map((o) => `; ${o.spec.id}: ${describeLog(o)}`).join('')}`,
  });
  const injected = Object.values(t.faults).reduce((a, b) => a + b, 0);
  checks.push({
    name: 'faults were injected into every upload',
    ok: outcomes.every((o) => o.log.some((e) => e.fault !== 'forward')),
    detail: `${injected} faults`,
  });
  await soak.closePages();
  return {
    name: 'faults',
    checks,
    seconds: (Date.now() - started) / 1000,
    figures: {
      uploads: t.uploads,
      'MiB verified': mib(t.bytes),
      'faults injected': injected,
      ...Object.fromEntries(Object.entries(t.faults).map(([kind, n]) => [`  ${kind}`, n])),
      'upload requests': t.requests,
      'retries seen by the engine': t.retries,
      '5xx from the API': t.serverErrors,
      'connections the API closed under a request (proxy 502)': t.upstreamErrors,
    },
  };
}

/** 2. The API killed with SIGKILL at random moments during the uploads, restarted on the same port and data directory. */
export async function killRestart(soak: Soak): Promise<ScenarioReport> {
  const { kills: scale, seed } = soak.scale;
  const started = Date.now();
  const rng = random(seed + 2);
  const page = await soak.openPage();
  const before = (await soak.videos()).length;
  const specs: LaneSpec[] = [];
  for (let i = 0; i < scale.uploads; i++) {
    specs.push({
      id: `kill-${String(i + 1).padStart(2, '0')}`,
      mode: 'element',
      page,
      sizeBytes: between(rng, scale.minMiB * MiB, scale.maxMiB * MiB),
      // Paced to take longer than the longest time between two kills, so that every upload spans one.
      faults: { bandwidth: scale.bandwidth },
    });
  }
  const checks: Check[] = [];
  const killedAt: number[] = [];
  const downMs: number[] = [];
  const integrity: string[] = [];
  let finished = false;
  const killer = (async () => {
    // The first kill comes once every upload is under way (a token fetched, the first part going out).
    for (let i = 0; i < 200 && !finished; i++) {
      const states = await page.evaluate(() => Object.values(window.soak.results).map((r) => r.status));
      if (states.length === specs.length && states.every((state) => state !== 'waiting')) break;
      await sleep(50);
    }
    while (!finished && killedAt.length < scale.maxKills) {
      await sleep(between(rng, ...scale.killAfterMs));
      if (finished) break;
      const down = Date.now();
      await soak.killApi();
      killedAt.push(down);
      // The database as the kill left it, before the next process opens it.
      integrity.push(integrityCheck(soak.dataDir));
      await sleep(between(rng, 0, 500));
      await soak.restartApi();
      downMs.push(Date.now() - down);
    }
  })();
  let outcomes: LaneOutcome[];
  try {
    outcomes = await soak.runLanes(specs, scale.concurrency, scale.timeoutMs);
  } finally {
    finished = true;
    await killer;
  }
  laneChecks(outcomes, checks);
  if (process.env.SOAK_VERBOSE)
    for (const o of outcomes)
      console.log(
        `  ${o.spec.id} (${o.result.retries} retries, last: ${o.result.lastRetry ?? 'none'}): ${describeLog(o)}`,
      );
  for (const outcome of outcomes) {
    const start = outcome.result.startedAt ?? 0;
    const end = outcome.result.endedAt ?? 0;
    const spanned = killedAt.filter((at) => at > start && at < end).length;
    checks.push({
      name: `${outcome.spec.id} was uploading during a kill`,
      ok: spanned > 0,
      detail: `${spanned} kills`,
    });
  }
  const extra = await oneVideoEach(soak, outcomes, before, checks, false);
  checks.push({
    name: 'the database passes integrity_check after every kill',
    ok: integrity.length > 0 && integrity.every((r) => r === 'ok'),
    detail: integrity.filter((r) => r !== 'ok').join(' | ') || `${integrity.length} checks`,
  });
  const t = tally(outcomes);
  checks.push({ name: 'no 5xx from the API', ok: t.serverErrors === 0, detail: `${t.serverErrors} 5xx answers` });
  const final = integrityCheck(soak.dataDir);
  checks.push({ name: 'the database passes integrity_check at the end', ok: final === 'ok', detail: final });
  await soak.closePages();
  return {
    name: 'kills',
    checks,
    seconds: (Date.now() - started) / 1000,
    figures: {
      uploads: t.uploads,
      'MiB verified': mib(t.bytes),
      SIGKILLs: killedAt.length,
      'API down per kill (ms, median)': median(downMs),
      'upload requests': t.requests,
      'retries seen by the element': t.retries,
      '5xx from the API': t.serverErrors,
      'requests cut off by a kill (proxy 502)': t.upstreamErrors,
      'videos left by a first part lost in a kill': extra,
    },
  };
}

/** 3. One upload paced to outlive its tokens many times over: it completes through refreshes. */
export async function tokenRefresh(soak: Soak): Promise<ScenarioReport> {
  const { token: scale } = soak.scale;
  const started = Date.now();
  const page = await soak.openPage();
  const sizeBytes = scale.sizeMiB * MiB + 12_345;
  const spec: LaneSpec = {
    id: 'token-01',
    mode: 'element',
    page,
    sizeBytes,
    ttl: scale.ttl,
    faults: { bandwidth: Math.floor(sizeBytes / scale.seconds) },
  };
  const outcomes = await soak.runLanes([spec], 1, scale.timeoutMs);
  const checks: Check[] = [];
  laneChecks(outcomes, checks);
  const outcome = outcomes[0];
  const uploads = outcome.log.filter((e) => e.method === 'POST' && e.path === '/upload');
  const tokens = new Set(uploads.map((e) => e.token));
  const expired = uploads.filter((e) => {
    const expiresAt = e.token ? soak.grants.get(e.token) : undefined;
    return expiresAt === undefined || expiresAt === null || expiresAt <= e.startedAt;
  });
  const refused = uploads.filter((e) => e.status === 401).length;
  const elapsed = (outcome.result.endedAt ?? 0) - (outcome.result.startedAt ?? 0);
  checks.push({
    name: 'the upload outlived several tokens',
    ok: elapsed > 2 * scale.ttl * 1000,
    detail: `${elapsed} ms with ${scale.ttl} s tokens`,
  });
  checks.push({
    name: 'the parts went out with fresh tokens',
    ok: tokens.size >= 2 && outcome.result.refreshes >= 1,
    detail: `${tokens.size} tokens, ${outcome.result.refreshes} refreshes`,
  });
  checks.push({
    name: 'no part was sent with an expired token',
    ok: expired.length === 0,
    detail: `${expired.length} of ${uploads.length}`,
  });
  await soak.closePages();
  return {
    name: 'token',
    checks,
    seconds: (Date.now() - started) / 1000,
    figures: {
      uploads: 1,
      'token ttl (s)': scale.ttl,
      'upload duration (s)': (elapsed / 1000).toFixed(1),
      'MiB verified': mib(tally(outcomes).bytes),
      'tokens used': tokens.size,
      refreshes: outcome.result.refreshes,
      '401s': refused,
      '5xx from the API': tally(outcomes).serverErrors,
    },
  };
}

/** 4. Many uploads at once from one page, then from several pages at once; the API's RSS stays bounded. */
export async function concurrentUploads(soak: Soak): Promise<ScenarioReport> {
  const { concurrent: scale } = soak.scale;
  const started = Date.now();
  const checks: Check[] = [];
  const before = (await soak.videos()).length;
  const sizeBytes = scale.sizeMiB * MiB + 4_321;
  const baseline = soak.resetRssPeak();
  const one = await soak.openPage();
  const phaseA: LaneSpec[] = Array.from({ length: scale.inPage }, (_, i) => ({
    id: `page-${String(i + 1).padStart(2, '0')}`,
    mode: 'element' as const,
    page: one,
    sizeBytes,
  }));
  const a = await soak.runLanes(phaseA, phaseA.length, scale.timeoutMs);
  const peakA = soak.rssPeakKiB;
  await soak.closePages();
  const pages: Page[] = [];
  for (let p = 0; p < scale.pages; p++) pages.push(await soak.openPage());
  const phaseB: LaneSpec[] = pages.flatMap((page, p) =>
    Array.from({ length: scale.perPage }, (_, i) => ({
      id: `pages-${p + 1}-${String(i + 1).padStart(2, '0')}`,
      mode: 'element' as const,
      page,
      sizeBytes,
    })),
  );
  const b = await soak.runLanes(phaseB, phaseB.length, scale.timeoutMs);
  const outcomes = [...a, ...b];
  laneChecks(outcomes, checks);
  await oneVideoEach(soak, outcomes, before, checks);
  const peak = soak.rssPeakKiB;
  const inFlight = Math.max(scale.inPage, scale.pages * scale.perPage);
  // Each request streams its part to disk in batches of at most 1 MiB; a few MiB of buffers per upload
  // at once, plus room for the heap to grow before a collection, is the bound. A server that held one
  // 5 MiB part per upload would pass it by inFlight × 5 MiB.
  const boundKiB = baseline + (inFlight * 3 + 96) * 1024;
  checks.push({
    name: `the API's RSS stays under ${(boundKiB / 1024).toFixed(0)} MiB (before + 3 MiB × ${inFlight} uploads + 96 MiB)`,
    ok: peak <= boundKiB,
    detail: `peak ${(peak / 1024).toFixed(1)} MiB`,
  });
  await soak.closePages();
  return {
    name: 'concurrent',
    checks,
    seconds: (Date.now() - started) / 1000,
    figures: {
      uploads: outcomes.length,
      'MiB verified': mib(tally(outcomes).bytes),
      'retries seen by the element (any 5xx or lost connection)': tally(outcomes).retries,
      [`at once from one page`]: scale.inPage,
      [`at once from ${scale.pages} pages`]: scale.pages * scale.perPage,
      'API RSS before (MiB)': (baseline / 1024).toFixed(1),
      'API RSS peak, one page (MiB)': (peakA / 1024).toFixed(1),
      'API RSS peak, overall (MiB)': (peak / 1024).toFixed(1),
      'RSS bound (MiB)': (boundKiB / 1024).toFixed(0),
    },
  };
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export const SCENARIOS = {
  faults: faultUploads,
  kills: killRestart,
  token: tokenRefresh,
  concurrent: concurrentUploads,
} as const;

export function formatReport(report: ScenarioReport): string {
  const lines = [`${report.name} (${report.seconds.toFixed(1)} s)`];
  for (const [key, value] of Object.entries(report.figures)) lines.push(`  ${key}: ${value}`);
  for (const check of report.checks.filter((c) => !c.ok))
    lines.push(`  FAILED ${check.name}${check.detail ? ` (${check.detail})` : ''}`);
  return lines.join('\n');
}
