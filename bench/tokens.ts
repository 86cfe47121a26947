/**
 * Upload Tokens benchmark: `npm run bench:tokens`.
 * 1. Requests/s of POST /upload-tokens against a bare node:http handler answering the same JSON, same run.
 * 2. p50/p99 of GET /upload-tokens?pageSize=100 on the first and the last page with 100,000 tokens stored.
 */
import { call, child, cpuSeconds, fmt, percentile, throughput } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 32;
const STORED = Number(process.env.BENCH_TOKENS ?? 100_000);

interface Servers {
  bare: string;
  api: string;
  apiKey: string;
}

const { info, proc } = await child<Servers>('bench/tokens-server.ts', [String(STORED)]);
const auth = `Basic ${Buffer.from(`${info.apiKey}:`).toString('base64')}`;
const create = (base: string) => () => ({
  method: 'POST',
  url: `${base}/upload-tokens`,
  headers: { authorization: auth, 'content-type': 'application/json' },
  body: '{"ttl":3600}',
});

// Lists first, on exactly the seeded tokens; the create rounds below add more.
const total = JSON.parse(
  (await call({ method: 'GET', url: `${info.api}/upload-tokens?pageSize=1`, headers: { authorization: auth } })).text,
).pagination.itemsTotal as number;
const lastPage = Math.ceil(total / 100);
async function latencies(url: string, n = 400): Promise<number[]> {
  for (let i = 0; i < 20; i++) await call({ method: 'GET', url, headers: { authorization: auth } });
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const { status, ms } = await call({ method: 'GET', url, headers: { authorization: auth } });
    if (status !== 200) throw new Error(`status ${status}`);
    out.push(ms);
  }
  return out;
}
const rows: [string, number[]][] = [
  ['bare handler GET', await latencies(`${info.bare}/x`)],
  [`page 1 (sortBy=createdAt)`, await latencies(`${info.api}/upload-tokens?pageSize=100&currentPage=1`)],
  [
    `page ${lastPage} (sortBy=createdAt)`,
    await latencies(`${info.api}/upload-tokens?pageSize=100&currentPage=${lastPage}`),
  ],
  [
    `page ${Math.ceil(lastPage / 2)} (sortBy=ttl)`,
    await latencies(`${info.api}/upload-tokens?pageSize=100&sortBy=ttl&currentPage=${Math.ceil(lastPage / 2)}`),
  ],
  [
    `page ${lastPage} (sortBy=ttl asc)`,
    await latencies(`${info.api}/upload-tokens?pageSize=100&sortBy=ttl&sortOrder=asc&currentPage=${lastPage}`),
  ],
];
// Warm up both, then alternate rounds so drift on a noisy machine hits both sides alike.
await throughput(create(info.bare), 1, CONCURRENCY, 200);
await throughput(create(info.api), 1, CONCURRENCY, 200);
const bareRates: number[] = [];
const apiRates: number[] = [];
// Server CPU per request: both servers share one child process, but their rounds never overlap.
const cpu = { bare: 0, api: 0 };
const count = { bare: 0, api: 0 };
for (let round = 0; round < ROUNDS; round++) {
  for (const side of ['bare', 'api'] as const) {
    const before = cpuSeconds(proc.pid!);
    const started = performance.now();
    const rate = await throughput(create(info[side]), SECONDS, CONCURRENCY, 200);
    cpu[side] += cpuSeconds(proc.pid!) - before;
    count[side] += rate * ((performance.now() - started) / 1000);
    (side === 'bare' ? bareRates : apiRates).push(rate);
  }
}
const cpuPer = (side: 'bare' | 'api'): number => (cpu[side] / count[side]) * 1e6;
const bareRate = percentile(bareRates, 50);
const apiRate = percentile(apiRates, 50);

proc.stdin!.end();

console.log(`POST /upload-tokens, ${CONCURRENCY} connections, median of ${ROUNDS} × ${SECONDS}s rounds`);
console.log(`  bare node:http handler  ${fmt(bareRate)} req/s`);
console.log(`  local video API         ${fmt(apiRate)} req/s   ratio ${fmt(apiRate / bareRate, 2)}× (aim ≥ 0.50×)`);
console.log(
  `  server CPU per request: bare ${fmt(cpuPer('bare'))} µs, API ${fmt(cpuPer('api'))} µs, ratio ${fmt(cpuPer('bare') / cpuPer('api'), 2)}× (less noisy than req/s on a shared machine)`,
);
console.log(`GET /upload-tokens?pageSize=100 with ${fmt(total)} active tokens, sequential`);
for (const [name, values] of rows) {
  console.log(
    `  ${name.padEnd(28)} p50 ${fmt(percentile(values, 50), 2)} ms   p99 ${fmt(percentile(values, 99), 2)} ms`,
  );
}
const worstP99 = Math.max(...rows.slice(1).map(([, v]) => percentile(v, 99)));
console.log(`worst list p99 ${fmt(worstP99, 2)} ms (aim < 5 ms)`);
process.exit(0);
