/**
 * Ingest benchmark: `npm run bench:ingest`.
 * Uploads 1 GiB in 50 MiB parts (`part N/M`, sequential, as the official uploader sends them) over
 * loopback to the local video API, and the same request bodies to a bare node:http handler that
 * streams them to disk, alternating rounds in the same run. Prints MiB/s of both, their ratio, and
 * the API server's RSS growth (its kernel peak RSS minus its RSS before the first upload).
 * The data is generated on the fly, 1 MiB at a time; no side holds a whole part or file in memory.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { child, fmt, median } from './lib.js';

const MiB = 1024 * 1024;
const TOTAL = Number(process.env.BENCH_INGEST_MIB ?? 1024) * MiB;
const PART = Number(process.env.BENCH_INGEST_PART_MIB ?? 50) * MiB;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Shaped like the boundaries of the form-data package that api.video's Node client uses. */
const BOUNDARY = '--------------------------' + '815273946051837264019283';

interface Stats {
  rss: number;
  maxRss: number;
  cpuSeconds: number;
}

interface Server {
  info: { url: string; apiKey: string };
  proc: ChildProcess;
  stats(): Promise<Stats>;
}

async function start(mode: 'bare' | 'api'): Promise<Server> {
  const { info, proc } = await child<{ url: string; apiKey: string }>('bench/ingest-server.ts', [mode]);
  const lines = createInterface({ input: proc.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  return {
    info,
    proc,
    stats: () =>
      new Promise((resolve) => {
        waiting.push((line) => resolve(JSON.parse(line) as Stats));
        proc.stdin!.write('stats\n');
      }),
  };
}

/** 1 MiB of noise; block i of the file is this with i written into its first 8 bytes. */
const noise = createHash('sha512').update('seed').digest();
const base = Buffer.alloc(MiB);
for (let i = 0; i < MiB; i += noise.length) noise.copy(base, i);
for (let i = 0; i < MiB; i += 4) base.writeUInt32LE((Math.imul(i, 2654435761) ^ base.readUInt32LE(i)) >>> 0, i);
function block(index: number, length: number): Buffer {
  const out = Buffer.from(base.subarray(0, length));
  out.writeBigUInt64LE(BigInt(index), 0);
  return out;
}

/** Sends the file bytes [from, from + length) as one multipart chunk; resolves with the JSON answer. */
function sendPart(
  url: string,
  headers: Record<string, string>,
  from: number,
  length: number,
  videoId?: string,
): Promise<{ status: number; body: string }> {
  const head = Buffer.from(
    (videoId ? `--${BOUNDARY}\r\nContent-Disposition: form-data; name="videoId"\r\n\r\n${videoId}\r\n` : '') +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        'content-length': String(head.length + length + tail.length),
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.write(head);
    let at = from;
    const end = from + length;
    const pump = (): void => {
      while (at < end) {
        const index = Math.floor(at / MiB);
        const size = Math.min(MiB, end - at);
        at += size;
        if (!req.write(block(index, size))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end(tail);
    };
    pump();
  });
}

/** Uploads the whole file; resolves with seconds taken and the video id (API only). */
let uploads = 0;
async function upload(
  server: Server,
  target: 'bare' | 'api',
  token: string,
): Promise<{ seconds: number; videoId?: string; upload: number }> {
  const number = ++uploads;
  const parts = Math.ceil(TOTAL / PART);
  const started = performance.now();
  let videoId: string | undefined;
  for (let n = 1; n <= parts; n++) {
    const from = (n - 1) * PART;
    const length = Math.min(PART, TOTAL - from);
    const url =
      target === 'api' ? `${server.info.url}/upload?token=${token}` : `${server.info.url}/bare?upload=${number}`;
    const { status, body } = await sendPart(url, { 'content-range': `part ${n}/${parts}` }, from, length, videoId);
    if (status !== 201) throw new Error(`part ${n}: ${status} ${body.slice(0, 300)}`);
    if (target === 'api') videoId = (JSON.parse(body) as { videoId: string }).videoId;
  }
  return { seconds: (performance.now() - started) / 1000, videoId, upload: number };
}

async function api(server: Server, method: string, path: string, body?: unknown): Promise<string> {
  const response = await fetch(`${server.info.url}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${server.info.apiKey}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
  return response.text();
}

const bare = await start('bare');
const server = await start('api');
const token = (JSON.parse(await api(server, 'POST', '/upload-tokens', { ttl: 0 })) as { token: string }).token;

// Warm-up: one small upload to each, so both have their code loaded and compiled.
await sendPart(`${bare.info.url}/bare?upload=0`, {}, 0, 2 * MiB);
await fetch(`${bare.info.url}/bare?upload=0`, { method: 'DELETE' });
const warm = await sendPart(`${server.info.url}/upload?token=${token}`, {}, 0, 2 * MiB);
await api(server, 'DELETE', `/videos/${(JSON.parse(warm.body) as { videoId: string }).videoId}`);
const before = await server.stats();
const bareBefore = await bare.stats();

const bareSeconds: number[] = [];
const apiSeconds: number[] = [];
let firstVideo: string | undefined;
for (let round = 0; round < ROUNDS; round++) {
  const baseline = await upload(bare, 'bare', token);
  bareSeconds.push(baseline.seconds);
  await fetch(`${bare.info.url}/bare?upload=${baseline.upload}`, { method: 'DELETE' });
  const result = await upload(server, 'api', token);
  apiSeconds.push(result.seconds);
  // The first video is kept for the integrity check; the others go to keep the disk use flat.
  if (round === 0) firstVideo = result.videoId;
  else await api(server, 'DELETE', `/videos/${result.videoId}`);
}
const after = await server.stats();
const bareAfter = await bare.stats();

// Integrity, outside the timed part and after the RSS reading: the served file hashes like the generated one.
const expected = createHash('sha256');
for (let at = 0; at < TOTAL; at += MiB) expected.update(block(Math.floor(at / MiB), Math.min(MiB, TOTAL - at)));
const served = createHash('sha256');
const video = JSON.parse(await api(server, 'GET', `/videos/${firstVideo}`)) as { assets: { mp4: string } };
const reader = (await fetch(video.assets.mp4)).body!.getReader();
for (let read = await reader.read(); !read.done; read = await reader.read()) served.update(read.value);
const verified = served.digest('hex') === expected.digest('hex');
bare.proc.stdin!.end();
server.proc.stdin!.end();

const mibps = (seconds: number): number => TOTAL / MiB / seconds;
const bareRate = mibps(median(bareSeconds));
const apiRate = mibps(median(apiSeconds));
const growth = Math.max(0, after.maxRss - before.rss);
console.log(
  `Ingest of ${fmt(TOTAL / MiB)} MiB in ${fmt(PART / MiB)} MiB parts over loopback, median of ${ROUNDS} rounds`,
);
console.log(`  bare node:http to disk   ${fmt(bareRate)} MiB/s   (${bareSeconds.map((s) => fmt(s, 2)).join(', ')} s)`);
console.log(`  local video API /upload  ${fmt(apiRate)} MiB/s   (${apiSeconds.map((s) => fmt(s, 2)).join(', ')} s)`);
// Rounds alternate, so pairing them cancels most of the drift of a busy machine.
const paired = median(apiSeconds.map((seconds, i) => bareSeconds[i] / seconds));
console.log(
  `  ratio                    ${fmt(apiRate / bareRate, 2)}× of medians, ${fmt(paired, 2)}× median of paired rounds (aim ≥ 0.80×)`,
);
const perGiB = (a: Stats, b: Stats): string => fmt((b.cpuSeconds - a.cpuSeconds) / ((ROUNDS * TOTAL) / 1024 / MiB), 2);
console.log(
  `  server CPU per GiB       bare ${perGiB(bareBefore, bareAfter)} s, local video API ${perGiB(before, after)} s`,
);
console.log(
  `  API server RSS           ${fmt(before.rss / MiB, 1)} MiB before, peak ${fmt(after.maxRss / MiB, 1)} MiB, growth ${fmt(growth / MiB, 1)} MiB (aim < 64 MiB)`,
);
console.log(`  assembled file SHA-256 matches: ${verified ? 'yes' : 'NO'}`);
process.exit(verified ? 0 : 1);
