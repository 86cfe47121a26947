/**
 * The bad-input suite, one module for both sizes: `npm run fuzz` runs it at full scale, and
 * `fuzz.test.ts` runs a small, fast version inside `npm test`.
 *
 * Property-based fuzzing (fast-check) of every route of the local video API and of the token
 * issuer, over raw HTTP/1.1 on loopback (so that invalid UTF-8, bad percent-encoding, NUL and
 * broken framing reach the server as sent), then slow and oversized clients while a normal client
 * measures its latency, then the consistency of what the server stored.
 *
 * Properties of every answer: one arrives within the per-request timeout, it is not a 5xx, and an
 * error (4xx) is a problem body whose `status` is the HTTP status. The server process never exits.
 */
import { DEFAULT_CONNECTION_LIMITS } from '../../src/server/connections.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import fc from 'fast-check';

const TARGET = fileURLToPath(new URL('./fuzz-target.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const API_KEY = 'fuzz-api-key-7c41e9b2d05a';
/** Put in generated names: no file or folder named with it may appear outside the data directory. */
export const MARK = 'fzmk';

export interface FuzzOptions {
  /** fast-check runs per family of requests. */
  runs: number;
  /** Cap on the whole fuzzing phase, in ms; families share it. */
  timeCapMs: number;
  /** Milliseconds an answer may take before the request counts as a hang. */
  requestTimeoutMs: number;
  seed?: number;
  /** Connections of each kind in the slow-client phase. */
  attackers: { slowloris: number; endless: number; stalled: number };
  /** Server timeouts; undefined runs the product's defaults. */
  timeouts?: { headersMs: number; idleMs: number; keepAliveMs: number; smallBodyMs: number };
  log?: (line: string) => void;
  /** Runs only the families whose name contains this. */
  only?: string;
  /** Sees every request before it is sent. */
  trace?: (request: RawRequest, family: string) => void;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface FuzzSummary {
  requests: number;
  statuses: Map<number, number>;
  fiveHundreds: number;
  hangs: number;
  checks: Check[];
  latency: { baseline: Percentiles; attack: Percentiles } | undefined;
  durationMs: number;
  seed: number;
}

export interface Percentiles {
  p50: number;
  p95: number;
  max: number;
  n: number;
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP/1.1 on loopback

export interface RawRequest {
  method: string;
  /** The request target exactly as sent (bytes; may hold anything). */
  target: Buffer;
  headers: [string, Buffer][];
  body: Buffer;
  /** Send the body chunked instead of with Content-Length. */
  chunked?: boolean;
  /** Leave out the Host header. */
  noHost?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

function serialize(request: RawRequest, port: number, close = true): Buffer {
  const lines: Buffer[] = [Buffer.from(`${request.method} `, 'latin1'), request.target, Buffer.from(' HTTP/1.1\r\n')];
  if (!request.noHost) lines.push(Buffer.from(`Host: 127.0.0.1:${port}\r\n`));
  for (const [name, value] of request.headers)
    lines.push(Buffer.from(`${name}: `, 'latin1'), value, Buffer.from('\r\n'));
  if (request.chunked) {
    lines.push(Buffer.from(`Transfer-Encoding: chunked\r\n${close ? 'Connection: close\r\n' : ''}\r\n`));
    if (request.body.length > 0)
      lines.push(Buffer.from(`${request.body.length.toString(16)}\r\n`), request.body, Buffer.from('\r\n'));
    lines.push(Buffer.from('0\r\n\r\n'));
  } else {
    lines.push(
      Buffer.from(`Content-Length: ${request.body.length}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`),
      request.body,
    );
  }
  return Buffer.concat(lines);
}

function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    out.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Parses the first response in `data`, or undefined when its head is incomplete. */
export function parseResponse(data: Buffer, method: string): RawResponse | undefined {
  // Interim answers (100 Continue) come before the answer.
  while (/^HTTP\/1\.[01] 1\d\d /.test(data.subarray(0, 16).toString('latin1'))) {
    const interim = data.indexOf('\r\n\r\n');
    if (interim < 0) return undefined;
    data = data.subarray(interim + 4);
  }
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
  if (!status) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = method === 'HEAD' ? Buffer.alloc(0) : data.subarray(end + 4);
  if (headers.get('transfer-encoding')?.toLowerCase() === 'chunked') body = dechunk(body);
  else if (headers.has('content-length')) body = body.subarray(0, Number(headers.get('content-length')));
  return { status, headers, body };
}

/** The first complete answer in `data` and the bytes it took, or undefined while it is incomplete. */
function parseFramed(data: Buffer, method: string): { response: RawResponse; used: number } | undefined {
  let skipped = 0;
  while (/^HTTP\/1\.[01] 1\d\d /.test(data.subarray(skipped, skipped + 16).toString('latin1'))) {
    const interim = data.indexOf('\r\n\r\n', skipped);
    if (interim < 0) return undefined;
    skipped = interim + 4;
  }
  const head = parseResponse(data.subarray(skipped), 'HEAD');
  if (!head) return undefined;
  const start = data.indexOf('\r\n\r\n', skipped) + 4;
  if (method === 'HEAD' || head.status === 204 || head.status === 304) return { response: head, used: start };
  if (head.headers.get('transfer-encoding')?.toLowerCase() === 'chunked') {
    let at = start;
    const parts: Buffer[] = [];
    for (;;) {
      const eol = data.indexOf('\r\n', at);
      if (eol < 0) return undefined;
      const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
      if (!Number.isFinite(size)) return undefined;
      if (size === 0) {
        const end = data.indexOf('\r\n', eol + 2);
        return end < 0 ? undefined : { response: { ...head, body: Buffer.concat(parts) }, used: end + 2 };
      }
      if (data.length < eol + 2 + size + 2) return undefined;
      parts.push(data.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
  }
  if (head.headers.has('content-length')) {
    const length = Number(head.headers.get('content-length'));
    return data.length < start + length
      ? undefined
      : { response: { ...head, body: data.subarray(start, start + length) }, used: start + length };
  }
  return { response: { ...head, body: data.subarray(start) }, used: data.length };
}

/**
 * Sends several requests pipelined on one keep-alive connection (the last asks to close); resolves
 * with the answers in order once the server closes, or 'hang'.
 */
export function sendPipelined(
  port: number,
  requests: RawRequest[],
  timeoutMs: number,
): Promise<RawResponse[] | 'hang'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      socket.destroy();
      resolve('hang');
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      if (settled) return;
      clearTimeout(timer);
      let data = Buffer.concat(chunks);
      const answers: RawResponse[] = [];
      for (const request of requests) {
        const framed = parseFramed(data, request.method);
        if (!framed) break;
        answers.push(framed.response);
        data = data.subarray(framed.used);
      }
      resolve(answers);
    });
    socket.write(Buffer.concat(requests.map((r, i) => serialize(r, port, i === requests.length - 1))));
  });
}

/** Sends one request on a fresh connection; resolves with the answer, 'hang' or 'no answer'. */
export function send(
  port: number,
  request: RawRequest,
  timeoutMs: number,
): Promise<RawResponse | 'hang' | 'no answer'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (value: RawResponse | 'hang' | 'no answer'): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => settle('hang'), timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the answer arrived still leaves the answer readable.
    socket.on('error', () => {});
    socket.on('close', () => settle(parseResponse(Buffer.concat(chunks), request.method) ?? 'no answer'));
    socket.write(serialize(request, port));
  });
}

// ---------------------------------------------------------------------------------------------
// The server under test, in a child process, in a sandbox

interface Target {
  child: ChildProcess;
  apiPort: number;
  issuerPort: number;
  apiUrl: string;
  stderr: string[];
  exited: Promise<number | null>;
  exitCode(): number | null | undefined;
}

async function startTarget(sandbox: string, dataDir: string, timeouts: FuzzOptions['timeouts']): Promise<Target> {
  const child = spawn(process.execPath, ['--import', TSX, TARGET], {
    cwd: join(sandbox, 'cwd'),
    env: {
      ...process.env,
      TMPDIR: join(sandbox, 'tmp'),
      FUZZ_DATA_DIR: dataDir,
      FUZZ_API_KEY: API_KEY,
      ...(timeouts ? { FUZZ_TIMEOUTS: JSON.stringify(timeouts) } : {}),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => stderr.push(text));
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (c) => {
      code = c;
      resolve(c);
    }),
  );
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    void exited.then((c) => reject(new Error(`the server under test exited early (${c}): ${stderr.join('')}`)));
  });
  const { apiUrl, issuerUrl } = JSON.parse(line) as { apiUrl: string; issuerUrl: string };
  return {
    child,
    apiUrl,
    apiPort: Number(new URL(apiUrl).port),
    issuerPort: Number(new URL(issuerUrl).port),
    stderr,
    exited,
    exitCode: () => code,
  };
}

/** Every path under `dir`, relative, folders with a trailing separator. */
function walk(dir: string, base = dir, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    out.push(relative(base, path) + (stat.isDirectory() ? sep : ''));
    if (stat.isDirectory()) walk(path, base, out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// What the fuzzer knows of the server: real tokens, ids and credentials to mix in

interface Known {
  tokens: string[];
  /** Tokens only the well-formed uploads use: the fuzzer never names them, so never deletes them. */
  reserved: string[];
  videoIds: string[];
  tusIds: string[];
  accessToken: string;
  refreshToken: string;
}

const basic = (user: string): string => `Basic ${Buffer.from(`${user}:`).toString('base64')}`;

async function api(
  target: Target,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: any; headers: Headers }> {
  const response = await fetch(target.apiUrl + path, {
    method,
    headers: { authorization: basic(API_KEY), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, headers: response.headers };
}

async function seed(target: Target): Promise<Known> {
  const token = async (ttl: number): Promise<string> =>
    (await api(target, 'POST', '/upload-tokens', { ttl })).json.token as string;
  const live = await token(0);
  const short = await token(3600);
  const deleted = await token(0);
  await api(target, 'DELETE', `/upload-tokens/${deleted}`);
  const precreated = (await api(target, 'POST', '/videos', { title: 'Pre-created', public: false })).json
    .videoId as string;
  // An uploaded video, one in progress (part 1 of 2 holds the 5 MiB minimum), one fresh.
  const form = (data: Buffer, name: string, videoId?: string): FormData => {
    const f = new FormData();
    if (videoId) f.append('videoId', videoId);
    f.append('file', new Blob([new Uint8Array(data)]), name);
    return f;
  };
  const done = await fetch(`${target.apiUrl}/upload?token=${live}`, {
    method: 'POST',
    body: form(Buffer.alloc(3000, 7), 'done.mp4'),
  });
  const doneId = ((await done.json()) as { videoId: string }).videoId;
  const half = await fetch(`${target.apiUrl}/upload?token=${live}`, {
    method: 'POST',
    headers: { 'content-range': 'part 1/2' },
    body: form(Buffer.alloc(5 * 1024 * 1024, 9), 'half.mp4'),
  });
  const halfId = ((await half.json()) as { videoId: string }).videoId;
  const tus = await fetch(`${target.apiUrl}/tus`, {
    method: 'POST',
    headers: { authorization: `Bearer ${live}`, 'tus-resumable': '1.0.0', 'upload-length': '1000' },
  });
  const tusId = (tus.headers.get('location') ?? '').split('/').pop() ?? '';
  const auth = await fetch(`${target.apiUrl}/auth/api-key`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey: API_KEY }),
  });
  const tokens = (await auth.json()) as { access_token: string; refresh_token: string };
  return {
    tokens: [live, short, deleted],
    reserved: [await token(0), await token(3600)],
    videoIds: [precreated, doneId, halfId],
    tusIds: [tusId],
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
  };
}

// ---------------------------------------------------------------------------------------------
// Generators

const b = (text: string): Buffer => Buffer.from(text, 'utf8');

/** Odd strings: traversal, NUL, bad percent-encoding, invalid UTF-8, unicode, very long. */
function oddText(maxLength = 64, hugeMax = 70_000): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ maxLength }).map(b) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength }).map(b) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength }).map((a) => Buffer.from(a)) },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(
          '../../../etc/passwd',
          '..%2F..%2F..%2Fetc%2Fpasswd',
          '%2e%2e%2f%2e%2e%2f',
          '..\\..\\windows',
          '%00',
          'a%00b',
          '\0',
          '%',
          '%zz',
          '%C0%AF',
          '%ff%fe',
          '%E2%82',
          '\u202e\u0000',
          'ビデオ',
          '😀'.repeat(30),
          'vi' + 'A'.repeat(22),
          '%25',
          `${MARK}/../../${MARK}`,
          `/tmp/${MARK}`,
          'null',
          'undefined',
          '[]',
          '{}',
          '-1',
          '1e309',
          'NaN',
          '0x10',
          ' ',
          '',
        )
        .map(b),
    },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: hugeMax }).map((n) => Buffer.alloc(n, 0x61)) },
  );
}

/** One of a list that grows while the fuzzer runs (ids the server handed out). */
const pick = (list: string[]): fc.Arbitrary<string> => fc.nat().map((i) => list[i % list.length]);

/** A token that works: one the fuzzer never deletes, most of the time. */
const liveToken = (known: Known): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...known.reserved) },
    { weight: 1, arbitrary: fc.constantFrom(known.tokens[0], known.tokens[1]) },
  );

function tokenLike(known: Known): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...known.tokens) },
    fc.constantFrom(...known.tokens).map((t) => t.slice(0, -1)),
    fc.constantFrom(...known.tokens).map((t) => t.toUpperCase()),
    fc.constant(known.accessToken),
    fc.constant(known.refreshToken),
    fc.stringMatching(/^to[0-9A-Za-z]{0,30}$/),
    fc.string({ maxLength: 40 }),
  );
}

function idLike(known: Known): fc.Arbitrary<string> {
  return fc.oneof(pick(known.videoIds), pick(known.tusIds), fc.stringMatching(/^vi[0-9A-Za-z]{22}$/), tokenLike(known));
}

/** A path segment: a known id, or something odd, percent-encoded or raw. */
function segment(known: Known): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 3, arbitrary: idLike(known).map((s) => b(encodeURIComponent(s))) },
    { weight: 2, arbitrary: oddText(40).map((t) => b(encodeURIComponent(t.toString('utf8')))) },
    { weight: 1, arbitrary: oddText(40) },
  );
}

const TEMPLATES = [
  '/',
  '/upload',
  '/upload-tokens',
  '/upload-tokens/{}',
  '/videos',
  '/videos/{}',
  '/videos/{}/status',
  '/vod/{}/mp4/source.mp4',
  '/vod/{}/player',
  '/tus',
  '/tus/{}',
  '/auth/api-key',
  '/auth/refresh',
  '/api/upload-token',
  '/api/videos',
  '/cdn/video-uploader.min.js',
  '/index.html',
  '/demo.css',
  '/cdn/{}',
  '/{}',
  '/{}/{}',
  '//videos',
  '/videos/',
  '/upload/',
  '/.video-uploader/video-api.sqlite',
];

function pathArb(known: Known, templates: string[]): fc.Arbitrary<Buffer> {
  return fc
    .tuple(
      fc.constantFrom(...templates),
      fc.array(segment(known), { minLength: 3, maxLength: 3 }),
      fc.option(queryArb(known), { nil: undefined }),
    )
    .map(([template, segments, query]) => {
      const parts = template.split('{}');
      const out: Buffer[] = [];
      parts.forEach((part, i) => {
        out.push(b(part));
        if (i < parts.length - 1) out.push(segments[i]);
      });
      if (query) out.push(b('?'), query);
      return Buffer.concat(out);
    });
}

function queryArb(known: Known): fc.Arbitrary<Buffer> {
  const value = fc.oneof(
    tokenLike(known).map(b),
    fc
      .constantFrom(
        'createdAt',
        'ttl',
        'title',
        'updatedAt',
        'asc',
        'desc',
        'ASC',
        '1',
        '0',
        '-1',
        '100',
        '101',
        '9999999999',
        '1.5',
        '1e2',
        '',
      )
      .map(b),
    oddText(30),
  );
  const pair = fc
    .tuple(
      fc.constantFrom('token', 'sortBy', 'sortOrder', 'currentPage', 'pageSize', 'videoId', 'x', ''),
      value,
      fc.boolean(),
    )
    .map(([k, v, encode]) => Buffer.concat([b(k), b('='), encode ? b(encodeURIComponent(v.toString('utf8'))) : v]));
  return fc
    .array(pair, { minLength: 1, maxLength: 5 })
    .map((pairs) => Buffer.concat(pairs.flatMap((p, i) => (i ? [b('&'), p] : [p]))));
}

function authorizationArb(known: Known): fc.Arbitrary<[string, Buffer][]> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant([] as [string, Buffer][]) },
    {
      weight: 6,
      arbitrary: fc
        .oneof(
          fc.constant(basic(API_KEY)),
          fc.constant(`Basic ${Buffer.from(API_KEY).toString('base64')}`),
          fc.constant(`Bearer ${known.accessToken}`),
          fc.constant(`Bearer ${known.refreshToken}`),
          tokenLike(known).map((t) => `Bearer ${t}`),
          tokenLike(known).map((t) => basic(t)),
          fc.string({ maxLength: 40 }).map((s) => `Basic ${s}`),
          fc.constantFrom(
            'Basic',
            'Bearer',
            'Bearer ',
            'Basic ====',
            'Digest x',
            'basic ' + Buffer.from(`${API_KEY}:x`).toString('base64'),
          ),
          fc.integer({ min: 4000, max: 20_000 }).map((n) => `Bearer ${'a'.repeat(n)}`),
        )
        .map((v) => [['Authorization', b(v)]] as [string, Buffer][]),
    },
    { weight: 1, arbitrary: oddText(80, 3_000).map((v) => [['Authorization', v]] as [string, Buffer][]) },
  );
}

const CONTENT_RANGES = [
  'part 1/1',
  'part 1/2',
  'part 2/2',
  'part 1/*',
  'part 2/*',
  'part 3/3',
  'part 0/0',
  'part 0/1',
  'part 2/1',
  'part 1/10000',
  'part 1/10001',
  'part 99999999999/1',
  'bytes 0-2999/3000',
  'bytes 0-99/100',
  'bytes 100-199/200',
  'bytes 10-5/3',
  'bytes 0-0/0',
  'bytes 0-9/10',
  'bytes 0-9007199254740993/9007199254740994',
  'bytes -1-5/10',
  'bytes */100',
  'PART 1 / 1',
  ' bytes 0-9/10 ',
  'part\t1/1',
  'bytes 0-9/10, bytes 10-19/20',
];

function headerArb(known: Known, extra: fc.Arbitrary<[string, Buffer]>[] = []): fc.Arbitrary<[string, Buffer][]> {
  const value = (max: number): fc.Arbitrary<Buffer> => oddText(max, 3_000);
  const one = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.tuple(
        fc.constant('Content-Range'),
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...CONTENT_RANGES).map(b) },
          { weight: 1, arbitrary: value(40) },
        ),
      ),
    },
    fc.tuple(
      fc.constant('Origin'),
      fc
        .constantFrom('https://allowed.example', 'https://evil.example', 'null', 'http://127.0.0.1', 'x://y', '')
        .map(b),
    ),
    fc.tuple(
      fc.constant('Range'),
      fc
        .constantFrom(
          'bytes=0-',
          'bytes=-0',
          'bytes=-10',
          'bytes=5-1',
          'bytes=0-1,2-3',
          'bytes=99999999999-',
          'items=0-1',
        )
        .map(b),
    ),
    fc.tuple(fc.constantFrom('X-Forwarded-For', 'CF-Connecting-IP', 'X-Real-IP'), value(30)),
    fc.tuple(fc.constant('Upgrade'), fc.constantFrom('websocket', 'h2c', 'tls/1.2', '').map(b)),
    fc.tuple(fc.constant('Expect'), fc.constantFrom('100-continue', '100-continue', '100-continue', '', 'x').map(b)),
    fc.tuple(
      fc.constantFrom(
        'Access-Control-Request-Method',
        'Access-Control-Request-Headers',
        'X-HTTP-Method-Override',
        'Accept',
        'Accept-Encoding',
        'Cookie',
      ),
      value(30),
    ),
    { weight: 2, arbitrary: fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,30}$/), value(50)) },
    fc.tuple(
      fc.constant(`X-${MARK}-Big`),
      fc.integer({ min: 1000, max: 20_000 }).map((n) => Buffer.alloc(n, 0x62)),
    ),
    ...extra,
  );
  return fc.tuple(authorizationArb(known), fc.array(one, { maxLength: 5 })).map(([auth, rest]) => [...auth, ...rest]);
}

function jsonBody(): fc.Arbitrary<{ type: string; body: Buffer }> {
  const fields = fc.dictionary(
    fc.oneof(
      fc.constantFrom(
        'ttl',
        'title',
        'description',
        'tags',
        'metadata',
        'public',
        'panoramic',
        'mp4Support',
        'apiKey',
        'refreshToken',
        'fileName',
        'fileType',
        'fileSize',
        '__proto__',
        'constructor',
      ),
      fc.string({ maxLength: 10 }),
    ),
    fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.integer({ min: -10, max: 2_147_483_650 }),
      fc.constantFrom(API_KEY, 0, -1, 1.5, 2147483647, 2147483648, 1e308, '', ' ', null, true, [], {}),
      oddText(300).map((t) => t.toString('utf8')),
      fc.constant([{ key: 'k', value: 'v' }]),
    ),
    { maxKeys: 6 },
  );
  return fc
    .oneof(
      { weight: 5, arbitrary: fields.map((o) => b(JSON.stringify(o))) },
      { weight: 1, arbitrary: fc.jsonValue().map((v) => b(JSON.stringify(v) ?? 'null')) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 50_000 }).map((n) => b('['.repeat(n) + ']'.repeat(n))) },
      { weight: 1, arbitrary: oddText(200) },
      {
        weight: 1,
        arbitrary: fc.integer({ min: 60_000, max: 70_000 }).map((n) => b(JSON.stringify({ title: 'x'.repeat(n) }))),
      },
      {
        weight: 1,
        arbitrary: fc
          .uint8Array({ maxLength: 64 })
          .map((a) => Buffer.concat([b('{"title":"'), Buffer.from(a), b('"}')])),
      },
    )
    .chain((body) =>
      fc
        .constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/problem+json',
          '',
        )
        .map((type) => ({ type, body })),
    );
}

interface Part {
  name: Buffer;
  filename?: Buffer;
  type?: string;
  data: Buffer;
}

function multipartBody(known: Known): fc.Arbitrary<{ type: string; body: Buffer }> {
  const name = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('file', 'videoId', 'title', 'clip.mp4', '').map(b) },
    { weight: 1, arbitrary: oddText(40) },
    { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((n) => Buffer.alloc(n, 0x6e)) },
  );
  const filename = fc.oneof(
    fc
      .constantFrom(
        'clip.mp4',
        `../../${MARK}.mp4`,
        `..\\..\\${MARK}.mp4`,
        `${MARK}\0.mp4`,
        `/tmp/${MARK}`,
        'ビデオ.mp4',
        `${MARK}${'x'.repeat(5000)}.mp4`,
      )
      .map(b),
    oddText(60).map((t) => Buffer.concat([b(MARK), t])),
  );
  const part: fc.Arbitrary<Part> = fc.record({
    name,
    filename: fc.option(filename, { nil: undefined }),
    type: fc.option(fc.constantFrom('video/mp4', 'application/octet-stream', 'text/plain; charset=utf-8', ''), {
      nil: undefined,
    }),
    data: fc.oneof(
      idLike(known).map(b),
      fc.uint8Array({ maxLength: 4096 }).map((a) => Buffer.from(a)),
      fc.integer({ min: 1, max: 300_000 }).map((n) => Buffer.alloc(n, 0x30)),
    ),
  });
  return fc
    .record({
      parts: fc.array(part, { maxLength: 4 }),
      withFile: fc.boolean(),
      videoIdFirst: fc.option(idLike(known), { nil: undefined }),
      boundary: fc.oneof(fc.constant('fzboundary'), fc.stringMatching(/^[A-Za-z0-9'()+_,-./:=?]{1,70}$/)),
      declared: fc.oneof(fc.constant('same'), fc.constant('other'), fc.constant('none'), fc.constant('quoted')),
      breakage: fc.constantFrom('none', 'none', 'none', 'no-close', 'truncate', 'no-crlf', 'garbage-after', 'lf-only'),
      cut: fc.nat(),
    })
    .map(({ parts, withFile, videoIdFirst, boundary, declared, breakage, cut }) => {
      const all: Part[] = [];
      if (videoIdFirst !== undefined) all.push({ name: b('videoId'), data: b(videoIdFirst) });
      if (withFile)
        all.push({ name: b('file'), filename: b('clip.mp4'), type: 'video/mp4', data: Buffer.alloc(2000, 5) });
      all.push(...parts);
      const eol = breakage === 'lf-only' ? '\n' : '\r\n';
      const chunks: Buffer[] = [];
      for (const p of all) {
        chunks.push(b(`--${boundary}${eol}Content-Disposition: form-data; name="`), p.name, b('"'));
        if (p.filename) chunks.push(b('; filename="'), p.filename, b('"'));
        chunks.push(b(eol));
        if (p.type !== undefined) chunks.push(b(`Content-Type: ${p.type}${eol}`));
        chunks.push(b(eol), p.data, b(breakage === 'no-crlf' ? '' : eol));
      }
      if (breakage !== 'no-close') chunks.push(b(`--${boundary}--${eol}`));
      if (breakage === 'garbage-after') chunks.push(b('trailing garbage'));
      let body = Buffer.concat(chunks);
      if (breakage === 'truncate' && body.length > 0) body = body.subarray(0, cut % body.length);
      const type =
        declared === 'same'
          ? `multipart/form-data; boundary=${boundary}`
          : declared === 'quoted'
            ? `multipart/form-data; boundary="${boundary}"`
            : declared === 'other'
              ? 'multipart/form-data; boundary=somethingelse'
              : 'multipart/form-data';
      return { type, body };
    });
}

const ODD_FILENAMES = [
  'clip.mp4',
  `../../${MARK}.mp4`,
  `..\\..\\${MARK}.mp4`,
  `${MARK}\0.mp4`,
  `/tmp/${MARK}`,
  `${MARK}ビデオ🎬.mp4`,
  `${MARK}${'x'.repeat(3000)}.mp4`,
  `%2e%2e%2f${MARK}`,
  `${MARK}\u202e4pm.exe`,
  '',
  ' ',
];

/** A multipart upload the server could accept: a live token, one file part, a range that fits it. */
function wellFormedUpload(known: Known): fc.Arbitrary<RawRequest> {
  return fc
    .record({
      token: liveToken(known),
      // Mostly small; now and then the 5 MiB a part other than the last must hold (or a byte less).
      size: fc.oneof(
        { weight: 5, arbitrary: fc.integer({ min: 1, max: 3000 }) },
        { weight: 1, arbitrary: fc.constantFrom(5 * 1024 * 1024, 5 * 1024 * 1024 - 1) },
      ),
      filename: fc.oneof(
        fc.constantFrom(...ODD_FILENAMES).map(b),
        oddText(60, 300).map((t) => Buffer.concat([b(MARK), t])),
      ),
      videoId: fc.option(
        fc.oneof({ weight: 3, arbitrary: pick(known.videoIds) }, { weight: 1, arbitrary: idLike(known) }),
        { nil: undefined },
      ),
      videoIdLast: fc.boolean(),
      range: fc.oneof(
        fc.constant(undefined),
        fc.constantFrom('part 1/1', 'part 1/2', 'part 2/2', 'part 1/*', 'part 2/*', 'part 3/3', 'part 2/3'),
        fc.tuple(fc.nat({ max: 6000 }), fc.integer({ min: 0, max: 1 })).map(([from, off]) => ({ from, off })),
      ),
      field: fc.constantFrom('file', 'file', 'clip.mp4', 'upload'),
    })
    .map(({ token, size, filename, videoId, videoIdLast, range, field }) => {
      const boundary = 'fzwell';
      const data = Buffer.alloc(size, size % 251);
      const videoIdPart =
        videoId === undefined
          ? []
          : [b(`--${boundary}\r\nContent-Disposition: form-data; name="videoId"\r\n\r\n${videoId}\r\n`)];
      const filePart = [
        b(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="`),
        filename,
        b('"\r\nContent-Type: video/mp4\r\n\r\n'),
        data,
        b('\r\n'),
      ];
      const body = Buffer.concat([
        ...(videoIdLast ? [] : videoIdPart),
        ...filePart,
        ...(videoIdLast ? videoIdPart : []),
        b(`--${boundary}--\r\n`),
      ]);
      const headers: [string, Buffer][] = [['Content-Type', b(`multipart/form-data; boundary=${boundary}`)]];
      if (typeof range === 'string') headers.push(['Content-Range', b(range)]);
      else if (range)
        headers.push([
          'Content-Range',
          b(
            `bytes ${range.from}-${range.from + size - 1 + range.off}/${range.from + size + (range.off ? 0 : range.from % 2 ? 5 : 0)}`,
          ),
        ]);
      return { method: 'POST', target: b(`/upload?token=${token}`), headers, body };
    });
}

/** A tus request the server could accept: a live bearer token, the version, lengths that fit. */
function wellFormedTus(known: Known): fc.Arbitrary<RawRequest> {
  const metadata = fc
    .array(
      fc.tuple(
        fc.constantFrom('filename', 'name', 'videoId', 'filetype'),
        fc.oneof(fc.constantFrom(...ODD_FILENAMES), pick(known.videoIds)),
      ),
      { maxLength: 3 },
    )
    .map((pairs) => [...new Map(pairs)].map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`).join(','));
  return fc
    .record({
      token: liveToken(known),
      kind: fc.constantFrom('create', 'create-with-body', 'patch', 'patch', 'head', 'delete'),
      length: fc.integer({ min: 0, max: 4000 }),
      offset: fc.nat({ max: 4000 }),
      sent: fc.nat({ max: 4000 }),
      metadata,
      id: pick(known.tusIds),
    })
    .map(({ token, kind, length, offset, sent, metadata: meta, id }) => {
      const headers: [string, Buffer][] = [
        ['Authorization', b(`Bearer ${token}`)],
        ['Tus-Resumable', b('1.0.0')],
      ];
      if (kind === 'create' || kind === 'create-with-body') {
        headers.push(['Upload-Length', b(String(length))]);
        if (meta) headers.push(['Upload-Metadata', b(meta)]);
        if (kind === 'create-with-body') headers.push(['Content-Type', b('application/offset+octet-stream')]);
        return {
          method: 'POST',
          target: b('/tus'),
          headers,
          body: kind === 'create-with-body' ? Buffer.alloc(Math.min(sent, length), 3) : Buffer.alloc(0),
        };
      }
      if (kind === 'patch') {
        headers.push(
          ['Upload-Offset', b(String(offset % 1001))],
          ['Content-Type', b('application/offset+octet-stream')],
        );
        return { method: 'PATCH', target: b(`/tus/${id}`), headers, body: Buffer.alloc(sent % 1500, 4) };
      }
      return { method: kind === 'head' ? 'HEAD' : 'DELETE', target: b(`/tus/${id}`), headers, body: Buffer.alloc(0) };
    });
}

/** Remembers the ids the server hands out, so that later requests aim at them. */
function learn(known: Known, answer: RawResponse): void {
  const location = answer.headers.get('location');
  const tusId = location ? /\/tus\/([0-9a-f]{32})$/.exec(location)?.[1] : undefined;
  if (tusId && known.tusIds.length < 200) known.tusIds.push(tusId);
  const videoId =
    answer.headers.get('x-video-id') ??
    /"videoId":"(vi[0-9A-Za-z]{22})"/.exec(answer.body.subarray(0, 200).toString('latin1'))?.[1];
  if (videoId && !known.videoIds.includes(videoId) && known.videoIds.length < 200) known.videoIds.push(videoId);
}

interface Family {
  name: string;
  port: 'api' | 'issuer';
  /** One request, several pipelined on one connection, or several at once on their own connections. */
  arb: fc.Arbitrary<RawRequest | { pipelined: RawRequest[] } | { concurrent: RawRequest[] }>;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const method = (weights: Partial<Record<string, number>> = {}): fc.Arbitrary<string> =>
  fc.oneof(...METHODS.map((m) => ({ weight: weights[m] ?? 1, arbitrary: fc.constant(m) })), {
    weight: 1,
    arbitrary: fc.constantFrom('PROPFIND', 'get', 'TRACE', 'CONNECT', 'FOO', 'M-SEARCH'),
  });

function request(
  m: fc.Arbitrary<string>,
  path: fc.Arbitrary<Buffer>,
  headers: fc.Arbitrary<[string, Buffer][]>,
  body: fc.Arbitrary<{ type: string; body: Buffer }>,
): fc.Arbitrary<RawRequest> {
  return fc
    .record({
      method: m,
      target: path,
      headers,
      payload: fc.option(body, { freq: 4, nil: undefined }),
      chunked: fc.boolean(),
      noHost: fc.boolean(),
    })
    .map(({ method, target, headers, payload, chunked, noHost }) => ({
      method,
      target,
      headers: payload?.type ? [...headers, ['Content-Type', b(payload.type)] as [string, Buffer]] : headers,
      body: payload?.body ?? Buffer.alloc(0),
      chunked: chunked && (payload?.body.length ?? 0) > 0,
      noHost: noHost && target.length % 17 === 0,
    }));
}

function families(known: Known): Family[] {
  const anyBody = fc.oneof(jsonBody(), multipartBody(known));
  const tusHeader = fc.oneof(
    fc.tuple(fc.constant('Tus-Resumable'), fc.constantFrom('1.0.0', '0.2.2', '', '1.0.0, 0.2.2').map(b)),
    fc.tuple(
      fc.constantFrom('Upload-Length', 'Upload-Offset'),
      fc
        .oneof(
          fc.nat({ max: 5000 }).map(String),
          fc.constantFrom('-1', '10737418240', '1e3', '', '00', '9007199254740993'),
        )
        .map(b),
    ),
    fc.tuple(fc.constant('Upload-Defer-Length'), fc.constantFrom('1', '0', 'x').map(b)),
    fc.tuple(fc.constant('Upload-Concat'), fc.constantFrom('partial', 'final;/tus/abc /tus/def', 'final;', 'x').map(b)),
    fc.tuple(
      fc.constant('Upload-Metadata'),
      fc
        .array(
          fc.tuple(
            fc.constantFrom('filename', 'name', 'videoId', 'filetype', '', 'a b'),
            fc.oneof(idLike(known).map(b), oddText(40), fc.constant(b(`../../${MARK}`))),
          ),
          { maxLength: 3 },
        )
        .map((pairs) => b(pairs.map(([k, v]) => `${k} ${v.toString('base64')}`).join(','))),
    ),
    fc.tuple(
      fc.constant('Content-Type'),
      fc.constantFrom('application/offset+octet-stream', 'application/octet-stream', '').map(b),
    ),
  );
  const tusBody = fc.oneof(
    fc.uint8Array({ maxLength: 3000 }).map((a) => ({ type: '', body: Buffer.from(a) })),
    fc.integer({ min: 1, max: 1000 }).map((n) => ({ type: '', body: Buffer.alloc(n, 1) })),
  );
  const tusHeaders = fc
    .tuple(authorizationArb(known), fc.array(tusHeader, { maxLength: 6 }), headerArb(known))
    .map(([auth, tus, other]) => [...auth, ...tus, ...other.filter(([n]) => n !== 'Authorization')]);
  return [
    {
      name: 'api: tokens, videos, auth (JSON)',
      port: 'api',
      arb: request(
        method({ GET: 3, POST: 3, DELETE: 2 }),
        pathArb(known, [
          '/upload-tokens',
          '/upload-tokens/{}',
          '/videos',
          '/videos/{}',
          '/videos/{}/status',
          '/auth/api-key',
          '/auth/refresh',
          '/api/upload-token',
          '/api/videos',
        ]),
        headerArb(known),
        jsonBody(),
      ),
    },
    {
      name: 'api: /upload (multipart)',
      port: 'api',
      arb: fc.oneof(
        wellFormedUpload(known),
        request(
          method({ POST: 12 }),
          pathArb(known, ['/upload', '/upload', '/upload/', '/upload/{}']),
          headerArb(known),
          multipartBody(known),
        ).chain((r) =>
          tokenLike(known).map((t) => ({
            ...r,
            target: r.target.includes('?') ? r.target : Buffer.concat([r.target, b(`?token=${encodeURIComponent(t)}`)]),
          })),
        ),
      ),
    },
    {
      name: 'api: tus',
      port: 'api',
      arb: fc.oneof(
        wellFormedTus(known),
        request(
          method({ POST: 3, PATCH: 3, HEAD: 2, DELETE: 1 }),
          pathArb(known, ['/tus', '/tus/{}', '/tus/{}/{}']),
          tusHeaders,
          tusBody,
        ),
      ),
    },
    {
      name: 'api: any route, any method',
      port: 'api',
      arb: request(
        method(),
        fc.oneof(
          pathArb(known, TEMPLATES),
          oddText(200).map((t) => Buffer.concat([b('/'), t])),
        ),
        headerArb(known),
        anyBody,
      ),
    },
    {
      name: 'api: pipelined on one connection',
      port: 'api',
      arb: fc
        .array(
          fc.oneof(
            wellFormedUpload(known),
            request(method({ GET: 3, POST: 3 }), pathArb(known, TEMPLATES), headerArb(known), anyBody),
          ),
          { minLength: 2, maxLength: 4 },
        )
        .map((pipelined) => ({ pipelined: pipelined.map((r) => ({ ...r, noHost: false })) })),
    },
    {
      name: 'api: uploads at once to one video',
      port: 'api',
      arb: fc
        .tuple(
          fc.option(pick(known.videoIds), { nil: undefined }),
          fc.array(wellFormedUpload(known), { minLength: 2, maxLength: 6 }),
        )
        .map(([videoId, uploads]) => ({
          // One video, one file name, several chunks at once: the ingest's locks and in-place writes under contention.
          concurrent: uploads.map((u) => {
            const text = u.body.toString('latin1').replace(/filename="[^"]*"/, 'filename="same.mp4"');
            const withId =
              videoId === undefined
                ? text
                : text.replace(/name="videoId"\r\n\r\nvi[0-9A-Za-z]{22}/, `name="videoId"\r\n\r\n${videoId}`);
            return { ...u, body: Buffer.from(withId, 'latin1') };
          }),
        })),
    },
    {
      name: 'issuer',
      port: 'issuer',
      arb: request(
        method({ POST: 8, OPTIONS: 2 }),
        fc.oneof(fc.constant(b('/')), fc.constant(b('/upload-token')), pathArb(known, ['/{}', '/', '/upload-token'])),
        headerArb(known),
        fc.oneof(
          jsonBody(),
          fc
            .record({
              fileName: fc.option(
                fc.oneof(
                  fc.constantFrom('deny.mp4', 'private.mp4', `${MARK}.mp4`, `../../${MARK}`, ' ', '😀'.repeat(300)),
                  fc.string({ maxLength: 1100 }),
                  fc.string({ unit: 'grapheme', maxLength: 400 }),
                ),
                { nil: undefined },
              ),
              fileType: fc.option(fc.constantFrom('video/mp4', 'video/webm', 'text/plain', '', 'x'.repeat(300)), {
                nil: undefined,
              }),
              fileSize: fc.option(fc.oneof(fc.nat(), fc.constantFrom(-1, 1.5, 1e300)), { nil: undefined }),
            })
            .map((facts) => ({ type: 'application/json', body: b(JSON.stringify(facts)) })),
        ),
      ),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// The properties

/** Why an answer breaks the properties, or undefined when it keeps them. */
export function verdict(request: RawRequest, answer: RawResponse | 'hang' | 'no answer'): string | undefined {
  if (answer === 'hang') return 'no answer within the per-request timeout (hang)';
  if (answer === 'no answer') return 'the connection closed without an answer';
  if (answer.status >= 500) return `answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 300)}`;
  if (answer.status < 400 || request.method === 'HEAD') return undefined;
  const type = answer.headers.get('content-type') ?? '';
  if (!/json/i.test(type))
    return `error ${answer.status} with Content-Type "${type}": ${answer.body.toString('utf8').slice(0, 200)}`;
  let problem: { type?: unknown; title?: unknown; status?: unknown };
  try {
    problem = JSON.parse(answer.body.toString('utf8')) as typeof problem;
  } catch {
    return `error ${answer.status} whose body is not JSON: ${answer.body.toString('utf8').slice(0, 200)}`;
  }
  if (typeof problem !== 'object' || problem === null) return `error ${answer.status} whose body is not an object`;
  if (typeof problem.type !== 'string' || typeof problem.title !== 'string')
    return `error ${answer.status} without type and title: ${answer.body.toString('utf8').slice(0, 200)}`;
  if (problem.status !== answer.status)
    return `error ${answer.status} whose problem says status ${String(problem.status)}`;
  return undefined;
}

function describeRequest(request: RawRequest): string {
  const show = (buffer: Buffer): string => {
    const text = JSON.stringify(buffer.toString('latin1'));
    return text.length > 240 ? `${text.slice(0, 240)}…(${buffer.length} bytes)` : text;
  };
  return [
    `${request.method} ${show(request.target)}${request.noHost ? ' (no Host)' : ''}${request.chunked ? ' (chunked)' : ''}`,
    ...request.headers.map(([n, v]) => `  ${n}: ${show(v)}`),
    `  body: ${show(request.body)}`,
  ].join('\n');
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] ?? 0, n: sorted.length };
}

// ---------------------------------------------------------------------------------------------
// Slow and oversized clients

interface Held {
  status: number;
  title: string;
  /** ms from the first byte until the server closed the connection; -1 if the run gave up first. */
  closedAfter: number;
}

/** Holds a raw connection: writes `head`, then trickles, stalls or floods, until the server closes it. */
function hold(
  port: number,
  head: string,
  mode: { trickle?: string; gapMs?: number; flood?: Buffer; giveUpMs: number },
): Promise<Held> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const started = Date.now();
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const giveUp = setTimeout(() => finish(-1), mode.giveUpMs);
    let done = false;
    function finish(closedAfter: number): void {
      if (done) return;
      done = true;
      clearTimeout(giveUp);
      clearTimeout(timer);
      socket.destroy();
      const answer = parseResponse(Buffer.concat(chunks), 'POST');
      let title: string;
      try {
        title = answer ? (JSON.parse(answer.body.toString('utf8')) as { title: string }).title : '';
      } catch {
        title = '(not a problem body)';
      }
      resolve({ status: answer?.status ?? 0, title, closedAfter });
    }
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => finish(Date.now() - started));
    socket.write(head);
    let i = 0;
    const next = (): void => {
      if (done || socket.destroyed) return;
      if (mode.trickle !== undefined) {
        socket.write(mode.trickle[i++ % mode.trickle.length]);
        timer = setTimeout(next, mode.gapMs ?? 500);
      } else if (mode.flood) {
        while (!socket.destroyed && socket.write(mode.flood)) {
          /* fill the send buffer */
        }
        socket.once('drain', next);
      }
    };
    next();
  });
}

async function attack(target: Target, options: FuzzOptions, checks: Check[]): Promise<FuzzSummary['latency']> {
  const timeouts = options.timeouts ?? { headersMs: 10_000, idleMs: 60_000, keepAliveMs: 5_000, smallBodyMs: 30_000 };
  const giveUpMs = Math.max(timeouts.headersMs, timeouts.idleMs) + 15_000;
  const auth = basic(API_KEY);
  // A fresh token: the fuzzer may have deleted the ones it knew.
  const token = (await api(target, 'POST', '/upload-tokens', { ttl: 0 })).json.token as string;
  const port = target.apiPort;

  const probe = async (count: number, gapMs: number): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const answer = await send(
        port,
        {
          method: 'GET',
          target: b('/upload-tokens?pageSize=1'),
          headers: [['Authorization', b(auth)]],
          body: Buffer.alloc(0),
        },
        30_000,
      );
      times.push(typeof answer === 'object' && answer.status === 200 ? performance.now() - started : 30_000);
      await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
    return times;
  };
  const baseline = await probe(20, 20);

  const chunkedFlood = Buffer.concat([Buffer.alloc(0x10000, 0x61), b('\r\n10000\r\n')]);
  const part = '--fz\r\nContent-Disposition: form-data; name="file"; filename="endless.mp4"\r\n\r\n';
  const { slowloris, endless, stalled } = options.attackers;
  const times = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  const runs = {
    slowloris: times(slowloris).map(() =>
      hold(port, 'GET /upload-tokens HTTP/1.1\r\nHost: 127.0.0.1\r\n', {
        trickle: 'X-Slowloris: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n',
        gapMs: Math.min(500, timeouts.headersMs / 4),
        giveUpMs,
      }),
    ),
    endlessUpload: times(endless).map(() =>
      hold(
        port,
        `POST /upload?token=${token} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=fz\r\nTransfer-Encoding: chunked\r\n\r\n${part.length.toString(16)}\r\n${part}\r\n10000\r\n`,
        { flood: chunkedFlood, giveUpMs },
      ),
    ),
    endlessJson: times(endless).map((i) =>
      hold(
        port,
        `POST ${i % 2 ? '/videos' : '/upload-tokens'} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10000\r\n`,
        { flood: chunkedFlood, giveUpMs },
      ),
    ),
    endlessIgnored: times(endless).map((i) =>
      hold(
        port,
        `${i % 2 ? 'GET /videos' : 'POST /no-such-route'} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nTransfer-Encoding: chunked\r\n\r\n10000\r\n`,
        { flood: chunkedFlood, giveUpMs },
      ),
    ),
    tenGigabytes: ['/upload?token=' + token, '/upload-tokens', '/videos', '/auth/api-key'].map((path) =>
      hold(
        port,
        `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: ${path.startsWith('/upload?') ? 'multipart/form-data; boundary=fz' : 'application/json'}\r\nContent-Length: 10737418240\r\n\r\n`,
        { flood: Buffer.alloc(0x10000, 0x61), giveUpMs },
      ),
    ),
    trickled: times(stalled).map((i) =>
      hold(
        port,
        `POST ${i % 2 ? '/videos' : '/upload-tokens'} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
        { trickle: '{"title": "trickled"', gapMs: Math.min(1_000, timeouts.idleMs / 3), giveUpMs },
      ),
    ),
    stalled: times(stalled).map((i) =>
      hold(
        port,
        i % 2
          ? `POST /upload?token=${token} HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=fz\r\nContent-Length: 100000\r\n\r\n${part}abc`
          : `POST /upload-tokens HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"ttl":`,
        { giveUpMs },
      ),
    ),
  };
  // A normal client meanwhile; the flood of endless bodies starts at once, so the probe overlaps it.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const during = await probe(40, Math.max(25, timeouts.headersMs / 80));
  const settled = Object.fromEntries(
    await Promise.all(Object.entries(runs).map(async ([k, v]) => [k, await Promise.all(v)] as const)),
  ) as Record<keyof typeof runs, Held[]>;

  const add = (name: string, held: Held[], ok: (h: Held) => boolean, limitText: string): void => {
    const bad = held.filter((h) => !ok(h));
    const slowest = Math.max(0, ...held.map((h) => h.closedAfter));
    checks.push({
      name,
      ok: bad.length === 0,
      detail:
        `${held.length} connections, ${limitText}, slowest closed after ${slowest} ms` +
        (bad.length ? `; ${bad.length} not: ${JSON.stringify(bad.slice(0, 3))}` : ''),
    });
  };
  if (!options.timeouts) {
    // The issuer served alone has its own deadlines (10 s for the headers), not configurable here.
    const issuerSlow = await Promise.all(
      times(Math.max(2, Math.floor(slowloris / 10))).map(() =>
        hold(target.issuerPort, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n', {
          trickle: 'X-Slowloris: aaaaaaaaaaaaaaaa\r\n',
          gapMs: 500,
          giveUpMs: 30_000,
        }),
      ),
    );
    const bad = issuerSlow.filter((h) => h.status !== 408 || h.closedAfter < 0 || h.closedAfter > 12_500);
    checks.push({
      name: 'slowloris headers on the issuer cut off with 408',
      ok: bad.length === 0,
      detail:
        `${issuerSlow.length} connections, each 408 within 12500 ms, slowest closed after ${Math.max(...issuerSlow.map((h) => h.closedAfter))} ms` +
        (bad.length ? `; ${JSON.stringify(bad.slice(0, 3))}` : ''),
    });
  }
  const headersLimit = timeouts.headersMs + 2_500;
  add(
    'slowloris headers cut off at the headers deadline with 408',
    settled.slowloris,
    (h) => h.status === 408 && h.closedAfter >= 0 && h.closedAfter <= headersLimit,
    `each 408 within ${headersLimit} ms`,
  );
  add(
    'never-ending /upload body answered 400 at the 200 MiB limit',
    settled.endlessUpload,
    (h) => h.status === 400 && h.title === 'The uploaded file is too large.' && h.closedAfter >= 0,
    '400 "The uploaded file is too large."',
  );
  add(
    'never-ending JSON body answered 413',
    settled.endlessJson,
    (h) => h.status === 413 && h.closedAfter >= 0 && h.closedAfter < 10_000,
    '413 within 10 s',
  );
  add(
    'never-ending body on routes that ignore it: answered, then closed',
    settled.endlessIgnored,
    (h) => h.status > 0 && h.status < 500 && h.closedAfter >= 0 && h.closedAfter < 10_000,
    'closed within 10 s',
  );
  add(
    '10 GB Content-Length answered at once',
    settled.tenGigabytes,
    (h) => (h.status === 400 || h.status === 413) && h.closedAfter >= 0 && h.closedAfter < 5_000,
    '400/413 within 5 s',
  );
  const smallLimit = timeouts.smallBodyMs + 2_500;
  add(
    'JSON bodies trickled a byte at a time answered 408 at the small-body deadline',
    settled.trickled,
    (h) => h.status === 408 && h.closedAfter >= timeouts.smallBodyMs - 100 && h.closedAfter <= smallLimit,
    `each 408 within ${smallLimit} ms`,
  );
  // Uploads stall until the inactivity timeout; other bodies end at whichever comes first of it and the small-body deadline.
  const uploadStalls = settled.stalled.filter((_, i) => i % 2 === 1);
  const jsonStalls = settled.stalled.filter((_, i) => i % 2 === 0);
  const idleLimit = timeouts.idleMs + 2_500;
  add(
    'stalled uploads answered 408 by the rate floor or the inactivity timeout',
    uploadStalls,
    // The rate floor checks every window: a body that stopped goes after one or two windows.
    (h) =>
      h.status === 408 &&
      h.closedAfter >= Math.min(timeouts.idleMs, DEFAULT_CONNECTION_LIMITS.minRateWindowMs) - 100 &&
      h.closedAfter <= idleLimit,
    `each 408 within ${idleLimit} ms`,
  );
  const jsonMs = Math.min(timeouts.idleMs, timeouts.smallBodyMs);
  add(
    'stalled JSON bodies answered 408',
    jsonStalls,
    (h) => h.status === 408 && h.closedAfter >= jsonMs - 100 && h.closedAfter <= jsonMs + 2_500,
    `each 408 within ${jsonMs + 2_500} ms`,
  );

  const latency = { baseline: percentiles(baseline), attack: percentiles(during) };
  const allowed = Math.max(1_500, latency.baseline.p95 * 20);
  checks.push({
    name: 'other clients served during the attack',
    ok: latency.attack.max < 30_000 && latency.attack.p95 <= allowed,
    detail:
      `GET /upload-tokens p50/p95/max ${latency.baseline.p50.toFixed(1)}/${latency.baseline.p95.toFixed(1)}/${latency.baseline.max.toFixed(1)} ms before, ` +
      `${latency.attack.p50.toFixed(1)}/${latency.attack.p95.toFixed(1)}/${latency.attack.max.toFixed(1)} ms during (p95 allowed ${allowed.toFixed(0)} ms)`,
  });
  return latency;
}

// ---------------------------------------------------------------------------------------------
// Consistency afterwards

async function consistency(target: Target, dataDir: string, checks: Check[]): Promise<void> {
  const problems: string[] = [];
  let tokens = 0;
  for (let page = 1; page < 10_000; page++) {
    const { status, json } = await api(target, 'GET', `/upload-tokens?pageSize=100&currentPage=${page}`);
    if (status !== 200 || !Array.isArray(json?.data)) {
      problems.push(`token page ${page}: ${status}`);
      break;
    }
    for (const t of json.data as { token: unknown; ttl: unknown; createdAt: unknown }[]) {
      if (typeof t.token !== 'string' || typeof t.ttl !== 'number' || Number.isNaN(Date.parse(String(t.createdAt))))
        problems.push(`token ${JSON.stringify(t)}`);
    }
    tokens += json.data.length;
    if (page >= json.pagination.pagesTotal) break;
  }
  const videos: { videoId: string }[] = [];
  for (let page = 1; page < 10_000; page++) {
    const { status, json } = await api(target, 'GET', `/videos?pageSize=100&currentPage=${page}`);
    if (status !== 200 || !Array.isArray(json?.data)) {
      problems.push(`video page ${page}: ${status}`);
      break;
    }
    videos.push(...(json.data as { videoId: string }[]));
    if (page >= json.pagination.pagesTotal) break;
  }
  let uploaded = 0;
  for (const video of videos) {
    const { status, json } = await api(target, 'GET', `/videos/${encodeURIComponent(video.videoId)}/status`);
    if (status !== 200 || typeof json?.ingest !== 'object') {
      problems.push(`status of ${video.videoId}: ${status}`);
      continue;
    }
    if (json.ingest.status === 'uploaded') {
      uploaded++;
      const source = join(dataDir, 'videos', video.videoId, 'source');
      if (!existsSync(source) || lstatSync(source).size !== json.ingest.filesize)
        problems.push(`source of ${video.videoId} missing or of another size`);
    }
  }
  checks.push({
    name: 'listings parse and every video status is readable',
    ok: problems.length === 0,
    detail:
      `${tokens} tokens, ${videos.length} videos (${uploaded} uploaded, each source of its size)` +
      (problems.length ? `; ${problems.slice(0, 5).join('; ')}` : ''),
  });
}

function checkDatabase(dataDir: string, checks: Check[]): void {
  const db = new Database(join(dataDir, 'video-api.sqlite'), { readonly: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    const foreign = db.pragma('foreign_key_check') as unknown[];
    const orphans = db
      .prepare('SELECT count(*) AS n FROM video_chunks WHERE video_seq NOT IN (SELECT seq FROM videos)')
      .get() as { n: number };
    checks.push({
      name: 'SQLite integrity_check and foreign keys',
      ok: integrity === 'ok' && foreign.length === 0 && orphans.n === 0,
      detail: `integrity_check ${String(integrity)}, ${foreign.length} foreign key violations, ${orphans.n} orphan chunks`,
    });
  } finally {
    db.close();
  }
}

const DATA_FILE = new RegExp(
  [
    '^video-api\\.sqlite(-wal|-shm)?$',
    '^videos/$',
    '^videos/vi[0-9A-Za-z]{22}/$',
    '^videos/vi[0-9A-Za-z]{22}/(source|source\\.partial|parts/)$',
    '^videos/vi[0-9A-Za-z]{22}/parts/\\d+$',
    '^incoming/$',
    '^tus/$',
    '^tus/[0-9a-f]{32}(\\.json)?$',
  ].join('|'),
);

function checkFiles(sandbox: string, dataDir: string, tmpBefore: string[], checks: Check[]): void {
  const strays: string[] = [];
  const data = walk(dataDir).map((p) => p.split(sep).join('/'));
  for (const path of data) if (!DATA_FILE.test(path)) strays.push(`data/${path}`);
  const incoming = data.filter((p) => p.startsWith('incoming/') && p !== 'incoming/');
  for (const path of incoming) strays.push(`data/${path} (left in incoming)`);
  const tmpAfter = new Set(walk(join(sandbox, 'tmp')));
  const tmpBeforeSet = new Set(tmpBefore);
  for (const path of tmpAfter) if (!tmpBeforeSet.has(path)) strays.push(`tmp/${path}`);
  for (const path of walk(join(sandbox, 'cwd'))) strays.push(`cwd/${path}`);
  for (const entry of readdirSync(sandbox)) if (!['data', 'tmp', 'cwd'].includes(entry)) strays.push(entry);
  // Names the fuzzer made up must not appear anywhere it could reach: the system temp folder and the project.
  const marked = [
    ...readdirSync(tmpdir())
      .filter((n) => n.includes(MARK))
      .map((n) => join(tmpdir(), n)),
    ...readdirSync(process.cwd()).filter((n) => n.includes(MARK)),
    ...walk(dataDir).filter((p) => p.includes(MARK)),
  ];
  strays.push(...marked.map((p) => `named with the marker: ${p}`));
  checks.push({
    name: 'no file outside the data directory, none unexpected inside',
    ok: strays.length === 0,
    detail:
      `${data.length} paths in the data directory, all of known shape` +
      (strays.length ? `; strays: ${strays.slice(0, 8).join(', ')}` : ''),
  });
}

// ---------------------------------------------------------------------------------------------

export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const seedValue = options.seed ?? Date.now() % 2_147_483_647;
  const sandbox = mkdtempSync(join(tmpdir(), 'vu-fuzz-'));
  for (const dir of ['tmp', 'cwd']) mkdirSync(join(sandbox, dir));
  const dataDir = join(sandbox, 'data');
  const statuses = new Map<number, number>();
  const checks: Check[] = [];
  let requests = 0;
  let fiveHundreds = 0;
  let hangs = 0;
  let latency: FuzzSummary['latency'];
  const target = await startTarget(sandbox, dataDir, options.timeouts);
  try {
    const known = await seed(target);
    const tmpBefore = walk(join(sandbox, 'tmp'));
    const deadline = performance.now() + options.timeCapMs;
    const list = families(known).filter((f) => !options.only || f.name.includes(options.only));
    for (const [index, family] of list.entries()) {
      const port = family.port === 'api' ? target.apiPort : target.issuerPort;
      const failures: string[] = [];
      let runs = 0;
      const requestsBefore = requests;
      const budget = Math.max(1_000, (deadline - performance.now()) / (list.length - index));
      const property = fc.asyncProperty(family.arb, async (input) => {
        if (target.exitCode() !== undefined) throw new Error(`the server process exited (${target.exitCode()})`);
        runs++;
        const seen = (request: RawRequest, answer: RawResponse | 'hang' | 'no answer'): void => {
          requests++;
          if (typeof answer === 'object') {
            learn(known, answer);
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
            if (answer.status >= 500) fiveHundreds++;
          } else if (answer === 'hang') {
            hangs++;
          }
          const wrong = verdict(request, answer);
          if (wrong) {
            failures.push(`${wrong}\n${describeRequest(request)}`);
            throw new Error(wrong);
          }
        };
        if ('pipelined' in input) {
          input.pipelined.forEach((r) => options.trace?.(r, family.name));
          const answers = await sendPipelined(port, input.pipelined, options.requestTimeoutMs);
          if (answers === 'hang') return seen(input.pipelined[0], 'hang');
          // An answer that closes the connection (one to a request the server cannot parse, say)
          // leaves the requests after it unanswered.
          if (answers.length === 0) return seen(input.pipelined[0], 'no answer');
          answers.forEach((answer, i) => seen(input.pipelined[i], answer));
          const last = answers[answers.length - 1];
          if (answers.length < input.pipelined.length && last.headers.get('connection')?.toLowerCase() !== 'close') {
            seen(input.pipelined[answers.length], 'no answer');
          }
        } else if ('concurrent' in input) {
          input.concurrent.forEach((r) => options.trace?.(r, family.name));
          const answers = await Promise.all(input.concurrent.map((r) => send(port, r, options.requestTimeoutMs)));
          answers.forEach((answer, i) => seen(input.concurrent[i], answer));
        } else {
          options.trace?.(input, family.name);
          seen(input, await send(port, input, options.requestTimeoutMs));
        }
      });
      const result = await fc.check(property, {
        numRuns: options.runs,
        seed: seedValue + index,
        interruptAfterTimeLimit: budget,
        markInterruptAsFailure: false,
        // A shrunk counterexample is worth a few more requests, not minutes.
        endOnFailure: false,
        maxSkipsPerRun: 1,
      });
      const crashed = target.exitCode() !== undefined;
      const ok = !result.failed && !crashed;
      const example = result.counterexample?.[0];
      const shown =
        example === undefined
          ? []
          : 'pipelined' in example
            ? example.pipelined
            : 'concurrent' in example
              ? example.concurrent
              : [example];
      const shrunk =
        result.failed && shown.length
          ? `\n  smallest failing input:\n${shown.map((r) => describeRequest(r).replace(/^/gm, '    ')).join('\n')}`
          : '';
      checks.push({
        name: `fuzz ${family.name}: no 5xx, no hang, problem bodies`,
        ok,
        detail:
          `${requests - requestsBefore} requests in ${runs} runs, seed ${seedValue + index}` +
          (crashed ? '; THE SERVER EXITED' : '') +
          (result.failed ? `; ${failures[0]?.split('\n')[0]}${shrunk}` : ''),
      });
      log(`${ok ? 'ok' : 'FAILED'}  ${family.name}: ${requests - requestsBefore} requests`);
    }
    const alive = target.exitCode() === undefined;
    checks.push({
      name: 'the server process never exited',
      ok: alive,
      detail: alive ? 'running throughout' : `exited with ${target.exitCode()}`,
    });
    if (alive) {
      latency = await attack(target, options, checks);
      log('ok  slow and oversized clients done');
      await consistency(target, dataDir, checks);
    }
    target.child.kill('SIGTERM');
    const code = await Promise.race([
      target.exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000)),
    ]);
    if (code === 'timeout') target.child.kill('SIGKILL');
    const unexpected = target.stderr.join('').trim();
    checks.push({
      name: 'no unexpected error logged by the server',
      ok: unexpected === '',
      detail: unexpected === '' ? 'stderr empty' : unexpected.slice(0, 1500),
    });
    checkDatabase(dataDir, checks);
    checkFiles(sandbox, dataDir, tmpBefore, checks);
  } finally {
    if (target.exitCode() === undefined) {
      target.child.kill('SIGKILL');
      await target.exited;
    }
    rmSync(sandbox, { recursive: true, force: true });
  }
  return {
    requests,
    statuses,
    fiveHundreds,
    hangs,
    checks,
    latency,
    durationMs: performance.now() - started,
    seed: seedValue,
  };
}

/** The printed report; its last line is exactly `N passed, N failed`. */
export function report(summary: FuzzSummary): string {
  const statuses = [...summary.statuses]
    .sort(([a], [b2]) => a - b2)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  const passed = summary.checks.filter((c) => c.ok).length;
  return [
    `requests fuzzed: ${summary.requests} in ${(summary.durationMs / 1000).toFixed(1)} s (seed ${summary.seed})`,
    `statuses seen: ${statuses}`,
    `5xx seen: ${summary.fiveHundreds}`,
    `hangs: ${summary.hangs}`,
    ...summary.checks.map((c) => `${c.ok ? 'pass' : 'FAIL'}  ${c.name}: ${c.detail}`),
    `${passed} passed, ${summary.checks.length - passed} failed`,
  ].join('\n');
}
