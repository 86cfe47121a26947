/**
 * Tokens per second through the token issuer (served on node:http by its adapter, in its own
 * process, as a site's backend would run it) against direct `POST /upload-tokens` calls on the
 * same local video API, in the same run. Rounds alternate so that machine noise hits all alike.
 * A bare node:http relay (no checks, no web Request/Response) shows what the extra hop alone costs.
 *
 *   npm run bench:issuer -- [--seconds 5] [--rounds 3] [--concurrency 16]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const API_KEY = 'bench-issuer-api-key-4c1e9a';
const basic = `Basic ${Buffer.from(`${API_KEY}:`).toString('base64')}`;

/** Child roles: the local video API, and the issuer in front of it. Each prints `{"url": …}` once listening. */
async function role(name: string, arg: string, variant: string): Promise<void> {
  let close: () => Promise<void>;
  if (name === 'api') {
    const { startVideoApiServer } = await import('../src/server/app.js');
    const running = await startVideoApiServer({
      apiKey: API_KEY,
      dataDir: arg,
      port: 0,
      host: '127.0.0.1',
      // The benchmark measures throughput, not the API's per-key limit.
      rateLimit: { limit: 1e9, windowMs: 60_000 },
    });
    process.stdout.write(JSON.stringify({ url: running.url }) + '\n');
    close = running.close;
  } else if (name === 'relay') {
    // The least any token endpoint in front of the API costs: node:http in, node:http out, no checks.
    const { createServer, request: forward, Agent } = await import('node:http');
    const upstreamAgent = new Agent({ keepAlive: true, maxSockets: 64 });
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const headers = { authorization: basic, 'content-type': 'application/json' };
        const upstream = forward(
          `${arg}/upload-tokens`,
          { method: 'POST', agent: upstreamAgent, headers },
          (answer) => {
            const chunks: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => chunks.push(chunk));
            answer.on('end', () =>
              res
                .writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' })
                .end(Buffer.concat(chunks)),
            );
          },
        );
        upstream.on('error', () => res.writeHead(502).end());
        upstream.end('{"ttl":900}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }) + '\n');
    close = () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
  } else {
    const { createTokenIssuer } = await import('../src/issuer/index.js');
    const { createNodeFetch, serveTokenIssuer } = await import('../src/issuer/node.js');
    const issuer = createTokenIssuer({
      apiKey: API_KEY,
      apiUrl: arg,
      rateLimit: false,
      allowedOrigins: ['https://site.example'],
      ...(variant === 'node-fetch' ? { fetch: createNodeFetch() } : {}),
    });
    const running = await serveTokenIssuer(issuer);
    process.stdout.write(JSON.stringify({ url: running.url }) + '\n');
    close = running.close;
  }
  // `cpu` on stdin answers this process's CPU time so far, in µs; the end of stdin stops it.
  const commands = createInterface({ input: process.stdin });
  commands.on('line', (line) => {
    if (line !== 'cpu') return;
    const { user, system } = process.cpuUsage();
    process.stdout.write(JSON.stringify({ cpu: user + system }) + '\n');
  });
  commands.on('close', () => void close().then(() => process.exit(0)));
}

interface Child {
  url: string;
  proc: ChildProcess;
  /** CPU time the child has used so far, in µs. */
  cpu(): Promise<number>;
}

async function start(name: string, arg: string, variant = ''): Promise<Child> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--role', name, '--arg', arg, '--variant', variant],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: proc.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
  const first = await Promise.race([
    next(),
    new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)))),
  ]);
  return {
    url: (JSON.parse(first) as { url: string }).url,
    proc,
    cpu: async () => {
      const answer = next();
      proc.stdin.write('cpu\n');
      return (JSON.parse(await answer) as { cpu: number }).cpu;
    },
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

interface Target {
  url: string;
  headers: Record<string, string>;
  body: string;
}

function once(target: Target): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(target.url, { method: 'POST', headers: target.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200 || !/"token":"to[0-9A-Za-z]{22}"/.test(text)) {
          reject(new Error(`unexpected answer ${res.statusCode}: ${text.slice(0, 200)}`));
        } else {
          resolve(performance.now() - started);
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(target.body);
  });
}

/** Tokens/s and latencies with `concurrency` loops for `seconds`. */
async function measure(
  target: Target,
  seconds: number,
  concurrency: number,
): Promise<{ rate: number; latencies: number[] }> {
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) latencies.push(await once(target));
    }),
  );
  return { rate: latencies.length / ((performance.now() - started) / 1000), latencies };
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const median = (values: number[]): number => percentile(values, 50);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      concurrency: { type: 'string', default: '16' },
    },
  });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const concurrency = Number(values.concurrency);
  const dataDir = mkdtempSync(join(tmpdir(), 'vu-bench-issuer-'));
  const api = await start('api', dataDir);
  const relay = await start('relay', api.url);
  const nodeIssuer = await start('issuer', api.url, 'node-fetch');
  const globalIssuer = await start('issuer', api.url, 'global-fetch');
  const children = [api, relay, nodeIssuer, globalIssuer];
  try {
    // What <video-uploader> sends: file facts, from an allowed origin.
    const throughIssuer = (url: string): Target => ({
      url: `${url}/upload-token`,
      headers: { origin: 'https://site.example', 'content-type': 'application/json' },
      body: JSON.stringify({ fileName: 'holiday.mp4', fileSize: 734_003_200, fileType: 'video/mp4' }),
    });
    // Each target, and the process in front of the API whose CPU per token is counted (none for direct).
    const targets: [string, Target, Child | undefined][] = [
      [
        'direct POST /upload-tokens',
        {
          url: `${api.url}/upload-tokens`,
          headers: { authorization: basic, 'content-type': 'application/json' },
          body: JSON.stringify({ ttl: 900 }),
        },
        undefined,
      ],
      ['bare node:http relay', { url: relay.url, headers: {}, body: '' }, relay],
      ['issuer, createNodeFetch()', throughIssuer(nodeIssuer.url), nodeIssuer],
      ['issuer, global fetch', throughIssuer(globalIssuer.url), globalIssuer],
    ];
    for (const [, target] of targets) await measure(target, 1, concurrency);
    const rates = targets.map(() => [] as number[]);
    const latencies = targets.map(() => [] as number[]);
    const cpu = targets.map(() => ({ front: 0, api: 0, tokens: 0 }));
    for (let round = 1; round <= rounds; round++) {
      const line: string[] = [];
      for (const [index, [name, target, front]] of targets.entries()) {
        const [frontBefore, apiBefore] = await Promise.all([front?.cpu() ?? 0, api.cpu()]);
        const result = await measure(target, seconds, concurrency);
        const [frontAfter, apiAfter] = await Promise.all([front?.cpu() ?? 0, api.cpu()]);
        rates[index].push(result.rate);
        latencies[index].push(...result.latencies);
        cpu[index].front += frontAfter - frontBefore;
        cpu[index].api += apiAfter - apiBefore;
        cpu[index].tokens += result.latencies.length;
        line.push(`${name} ${result.rate.toFixed(0)}/s`);
      }
      console.log(`round ${round}: ${line.join(', ')}`);
    }
    const direct = median(rates[0]);
    console.log('');
    console.log(
      `concurrency ${concurrency}, median of ${rounds} alternating rounds of ${seconds} s; CPU µs per token of the process in front and of the API:`,
    );
    for (const [index, [name]] of targets.entries()) {
      const rate = median(rates[index]);
      const ms = latencies[index];
      const { front, api: apiCpu, tokens } = cpu[index];
      console.log(
        `  ${name.padEnd(28)} ${rate.toFixed(0).padStart(6)} tokens/s  ${(rate / direct).toFixed(2)}×` +
          `  p50 ${percentile(ms, 50).toFixed(1).padStart(5)} ms  p99 ${percentile(ms, 99).toFixed(1).padStart(5)} ms` +
          `  front ${index === 0 ? '    -' : (front / tokens).toFixed(0).padStart(5)} µs  API ${(apiCpu / tokens).toFixed(0).padStart(4)} µs`,
      );
    }
    const best = Math.max(median(rates[2]), median(rates[3])) / direct;
    console.log(`  aim: issuer ≥ 0.80× direct: ${best >= 0.8 ? 'met' : 'not met'} (${best.toFixed(2)}×)`);
  } finally {
    for (const { proc } of children) proc.stdin!.end();
    await Promise.all(
      children.map(
        ({ proc }) => new Promise((resolve) => (proc.exitCode !== null ? resolve(null) : proc.once('exit', resolve))),
      ),
    );
    agent.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const { values: roleArgs } = parseArgs({
  options: { role: { type: 'string' }, arg: { type: 'string' }, variant: { type: 'string' } },
  strict: false,
});
if (typeof roleArgs.role === 'string') await role(roleArgs.role, String(roleArgs.arg), String(roleArgs.variant ?? ''));
else await main();
