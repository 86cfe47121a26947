/**
 * Web Test Runner plugin: the real local video API, started in a child process, and the server side of
 * the browser tests: a site's token endpoint (`POST /__token`) and the commands tests call through
 * `executeServerCommand`. The API key stays in this Node process.
 *
 * The engines run side by side, so the fault proxy and the token endpoint's log are kept per engine
 * (one test file at a time runs in each engine).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { tsImport } from 'tsx/esm/api';

/** @param {string} name a launcher's name: 'Chromium', 'Firefox', 'MiniBrowser'… */
const engineOfLauncher = (name) =>
  /firefox/i.test(name) ? 'firefox' : /minibrowser|webkit|safari/i.test(name) ? 'webkit' : 'chromium';
/** @param {string} userAgent */
const engineOfUserAgent = (userAgent) =>
  /Firefox\//.test(userAgent) ? 'firefox' : /Chrome\//.test(userAgent) ? 'chromium' : 'webkit';

const VIDEO_ID = /^vi[0-9A-Za-z]{22}$/;

/** WebDriver's code points for the keys a chord may hold. */
const WEBDRIVER_KEYS = {
  Shift: '\uE008',
  Control: '\uE009',
  Alt: '\uE00A',
  Meta: '\uE03D',
  Tab: '\uE004',
  Enter: '\uE007',
};

/**
 * Presses `chord` (e.g. ['Shift', 'Tab']): each key down in order, then up in reverse. The stock `sendKeys`
 * command cannot do this over WebDriver, which it supports with `press` and `type` only.
 */
async function pressChord(session, chord) {
  if (!Array.isArray(chord) || chord.length === 0) throw new Error('press-keys needs { chord: [key, ...] }');
  if (session.browser.type === 'webdriver') {
    const unknown = chord.filter((key) => !Object.hasOwn(WEBDRIVER_KEYS, key) && key.length !== 1);
    if (unknown.length > 0) throw new Error(`press-keys: no WebDriver code for ${unknown.join(', ')}`);
    const codes = chord.map((key) => WEBDRIVER_KEYS[key] ?? key);
    const actions = [
      ...codes.map((value) => ({ type: 'keyDown', value })),
      ...codes.toReversed().map((value) => ({ type: 'keyUp', value })),
    ];
    await session.browser.driverManager.performActions(session.id, [{ type: 'key', id: 'keyboard', actions }]);
    return true;
  }
  const { keyboard } = session.browser.getPage(session.id);
  for (const key of chord) await keyboard.down(key);
  for (const key of chord.toReversed()) await keyboard.up(key);
  return true;
}

export function videoApiPlugin() {
  let child;
  /** @type {{ url: string, apiKey: string, dataDir: string }} */
  let api;
  /** Per engine: the fault-injecting proxy in front of the API (started on first use) and the token endpoint's log. */
  const lanes = new Map();
  const lane = (engine) => {
    if (!lanes.has(engine))
      lanes.set(engine, { proxy: undefined, tokenCalls: [], busySeen: new Set(), issuer: undefined, issuerCalls: [] });
    return lanes.get(engine);
  };
  const basicAuth = () => `Basic ${Buffer.from(`${api.apiKey}:`).toString('base64')}`;
  const apiFetch = (path, init = {}) =>
    fetch(`${api.url}${path}`, { ...init, headers: { authorization: basicAuth(), ...init.headers } });
  const mint = async (ttl) => {
    const response = await apiFetch('/upload-tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ttl }),
    });
    return await response.json();
  };
  const ensureProxy = async (engine) => {
    const state = lane(engine);
    if (!state.proxy) {
      const { FaultProxy } = await tsImport('./fault-proxy.ts', import.meta.url);
      state.proxy = new FaultProxy(api.url);
      await state.proxy.start();
    }
    return state.proxy;
  };
  const sha256OfSource = (videoId) =>
    new Promise((resolve) => {
      if (!VIDEO_ID.test(videoId)) return resolve({ error: 'not a video id' });
      const hash = createHash('sha256');
      let size = 0;
      createReadStream(join(api.dataDir, 'videos', videoId, 'source'))
        .on('data', (chunk) => {
          size += chunk.length;
          hash.update(chunk);
        })
        .on('end', () => resolve({ sha256: hash.digest('hex'), size }))
        .on('error', (error) => resolve({ error: error.message }));
    });

  /**
   * The SHA-256 of the large test file the page builds (test/upload/browser/large-upload.test.ts): `mib` MiB, each a
   * 4-byte big-endian index followed by the same block of MiB − 4 bytes made from `seed`.
   */
  const patternSha256 = (mib, seed) => {
    if (!Number.isInteger(mib) || mib < 1 || mib > 4096 || !Number.isInteger(seed)) return { error: 'bad pattern' };
    const block = Buffer.alloc(1024 * 1024 - 4);
    for (let i = 0; i < block.length; i++) block[i] = (i * 131 + seed * 7 + (i >>> 9)) & 0xff;
    const hash = createHash('sha256');
    const stamp = Buffer.alloc(4);
    for (let n = 0; n < mib; n++) {
      stamp.writeUInt32BE(n);
      hash.update(stamp);
      hash.update(block);
    }
    return { sha256: hash.digest('hex'), size: mib * 1024 * 1024 };
  };

  /** Server commands: name → handler({ payload, session, engine }). */
  const commands = {
    'video-api': () => ({ url: api.url }),
    'mint-token': ({ payload }) => mint(payload?.ttl ?? 600),
    'delete-token': async ({ payload }) => {
      const response = await apiFetch(`/upload-tokens/${encodeURIComponent(payload.token)}`, { method: 'DELETE' });
      return { status: response.status };
    },
    'create-video': async ({ payload }) => {
      const response = await apiFetch('/videos', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: payload?.title ?? 'Pre-created', public: false }),
      });
      return await response.json();
    },
    'get-video': async ({ payload }) => {
      const response = await apiFetch(`/videos/${encodeURIComponent(payload.videoId)}`);
      return await response.json();
    },
    'video-status': async ({ payload }) => {
      const response = await apiFetch(`/videos/${encodeURIComponent(payload.videoId)}/status`);
      return { status: response.status, body: await response.json().catch(() => null) };
    },
    'source-sha256': ({ payload }) => sha256OfSource(payload.videoId),
    'pattern-sha256': ({ payload }) => patternSha256(payload?.mib, payload?.seed),
    'fault-proxy': async ({ payload, engine }) => {
      const proxy = await ensureProxy(engine);
      proxy.configure(payload ?? {});
      return { url: proxy.url };
    },
    'fault-proxy-log': ({ engine }) => lane(engine).proxy?.log ?? [],
    'press-keys': ({ payload, session }) => pressChord(session, payload?.chord),
    /** A loopback port where nothing listens: a token endpoint that cannot be reached. */
    'closed-port': () =>
      new Promise((resolve) => {
        const server = createServer().listen(0, '127.0.0.1', () => {
          const { port } = server.address();
          server.close(() => resolve({ port }));
        });
      }),
    /** What the README's issuer (createTokenIssuer with its defaults) answered, by status. */
    'issuer-log': ({ payload, engine }) => {
      const state = lane(engine);
      const calls = state.issuerCalls;
      if (payload?.reset) state.issuerCalls = [];
      return calls;
    },
    'token-endpoint-log': ({ payload, engine }) => {
      const state = lane(engine);
      const calls = state.tokenCalls;
      if (payload?.reset) state.tokenCalls = [];
      return calls;
    },
  };

  /** The answers of `POST /__token?mode=…` other than a minted grant. */
  const fixedAnswers = {
    html: { status: 200, type: 'text/html', body: '<!doctype html><html><body><h1>Sign in</h1></body></html>' },
    text: { status: 200, type: 'text/plain', body: 'token=abc' },
    fail: { status: 500, type: 'application/json', body: JSON.stringify({ error: 'issuer down' }) },
    missing: { status: 200, type: 'application/json', body: JSON.stringify({ ttl: 60, expiresAt: null }) },
    refuse: {
      status: 403,
      type: 'application/problem+json',
      body: JSON.stringify({ title: 'The request is not allowed.', status: 403 }),
    },
  };

  /**
   * The README's issuer: the real `createTokenIssuer` with its default options (rate limit included), in
   * front of the local API, one per engine so that engines running side by side keep their own counts.
   */
  const readmeIssuer = async (engine, createVideo = false) => {
    const state = lane(engine);
    const key = createVideo ? 'creatingIssuer' : 'issuer';
    if (!state[key]) {
      const { createTokenIssuer } = await tsImport('../../src/issuer/index.ts', import.meta.url);
      state[key] = createTokenIssuer({ apiKey: api.apiKey, apiUrl: api.url, createVideo });
    }
    return state[key];
  };

  /**
   * POST /__issuer: the README's issuer, through its Node adapter as a site would mount it;
   * `/__issuer?create=1` the same with `createVideo: true`.
   */
  const issuerMiddleware = async (ctx, engine) => {
    const { toWebRequest, writeWebResponse } = await tsImport('../../src/issuer/node.ts', import.meta.url);
    const issuer = await readmeIssuer(engine, ctx.query.create === '1');
    const { request } = await toWebRequest(ctx.req);
    const response = await issuer(request, { clientAddress: `${engine}:${ctx.req.socket.remoteAddress}` });
    lane(engine).issuerCalls.push({
      status: response.status,
      remaining: response.headers.get('x-ratelimit-remaining'),
    });
    ctx.respond = false;
    await writeWebResponse(response, ctx.res);
  };

  /**
   * A site's token endpoint, same-origin with the test page (as `token-url` expects):
   * POST /__token?ttl=S&mode=ok|html|text|missing|expired|fail|refuse|busy|last&id=…&wait=S&skew=S&via=proxy&protocol=tus
   * (`busy`: the first request of each `id` answers 429 with `Retry-After: wait`; `last`: a grant that
   * says the allowance is spent, `X-RateLimit-Remaining: 0` and `X-RateLimit-Reset: wait`).
   * The browser gets a TokenGrant with `apiUrl`.
   */
  const tokenMiddleware = async (ctx, next) => {
    if (ctx.path === '/__issuer') return issuerMiddleware(ctx, engineOfUserAgent(ctx.get('user-agent')));
    if (ctx.path !== '/__token') return next();
    const engine = engineOfUserAgent(ctx.get('user-agent'));
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body;
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
    lane(engine).tokenCalls.push({ method: ctx.method, contentType: ctx.get('content-type'), body });
    const q = ctx.query;
    if (q.mode === 'busy' && !lane(engine).busySeen.has(q.id)) {
      // The first request of this id is refused as a busy issuer would refuse it; the next ones get a grant.
      lane(engine).busySeen.add(q.id);
      ctx.status = 429;
      ctx.set('Retry-After', String(q.wait ?? 2));
      ctx.set('X-RateLimit-Limit', '10');
      ctx.set('X-RateLimit-Remaining', '0');
      ctx.type = 'application/problem+json';
      ctx.body = JSON.stringify({ title: 'Too many requests.', status: 429 });
      return;
    }
    const fixed = Object.hasOwn(fixedAnswers, q.mode) ? fixedAnswers[q.mode] : undefined;
    if (fixed) {
      ctx.status = fixed.status;
      ctx.type = fixed.type;
      ctx.body = fixed.body;
      return;
    }
    const grant = await mint(Number(q.ttl ?? 600));
    const skewMs = Number(q.skew ?? 0) * 1000;
    if (q.mode === 'expired') grant.expiresAt = new Date(Date.now() - 120_000).toISOString();
    else if (skewMs && grant.expiresAt) grant.expiresAt = new Date(Date.parse(grant.expiresAt) + skewMs).toISOString();
    grant.apiUrl = q.via === 'proxy' ? (await ensureProxy(engine)).url : api.url;
    if (q.protocol) grant.protocol = q.protocol;
    ctx.set('Date', new Date(Date.now() + skewMs).toUTCString());
    if (q.mode === 'last') {
      // This grant spends the allowance: the next one is to be asked for after the window resets.
      ctx.set('X-RateLimit-Limit', '10');
      ctx.set('X-RateLimit-Remaining', '0');
      ctx.set('X-RateLimit-Reset', String(q.wait ?? 2));
    }
    ctx.type = 'application/json';
    ctx.body = JSON.stringify(grant);
  };

  return {
    name: 'video-api',
    /** Registered as WTR `middleware` (plugins cannot read request bodies before the static server). */
    tokenMiddleware,
    async serverStart() {
      child = spawn(process.execPath, ['--import', 'tsx', 'test/support/start-api.ts'], {
        stdio: ['pipe', 'pipe', 'inherit'],
        // Recordings of a few seconds are sent in parts of RECORDING_TEST_PART_SIZE (see test/upload/browser).
        env: { ...process.env, VIDEO_UPLOADER_MIN_PART_SIZE: String(64 * 1024) },
      });
      const lines = createInterface({ input: child.stdout });
      api = await new Promise((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`local video API exited with ${code}`)));
        lines.once('line', (line) => resolve(JSON.parse(line)));
      });
    },
    async serverStop() {
      await Promise.all([...lanes.values()].map((state) => state.proxy?.close()));
      child?.stdin.end();
      child?.kill('SIGTERM');
    },
    async executeCommand({ command, payload, session }) {
      if (!Object.hasOwn(commands, command)) return undefined;
      return await commands[command]({ payload, session, engine: engineOfLauncher(session.browser.name) });
    },
  };
}
